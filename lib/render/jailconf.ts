/**
 * jail.conf(5) text. Statements end with `;`; a value is a double-quoted string in which
 * backslash escapes work as in C and `$name` / `${name}` expand to jail parameters or
 * variables. Two kinds of values therefore exist here:
 *
 * - literal values (paths, addresses, fstab lines): `\`, `"` and `$` are escaped, so the
 *   jail sees exactly the text given;
 * - expressions (exec.* hooks, the notebook's `host.hostname = $name`, escape-hatch values):
 *   `$name` and `${name}` stay references that jail(8) expands, `\$` stays a literal dollar,
 *   every other `\` and every `"` is escaped, and a `$` that starts no reference is refused.
 *
 * Control characters (newlines included) are refused in both: one statement is one line.
 */
import { singleLine, ValidationError } from '../validate';

/** A value of a jail.conf statement. */
export interface JailConfValue {
  readonly text: string;
  /** Keep `$name` references for jail(8) to expand (see the module comment). */
  readonly expression?: boolean;
}

/** One statement inside a jail block. */
export interface JailConfStatement {
  /** Parameter name, like `ip4.addr` or `allow.chflags`. */
  readonly name: string;
  /** Values (a list is rendered `a, b`); absent for a boolean statement. */
  readonly values?: readonly JailConfValue[];
  /** Render `+=` (append to the list) instead of `=`. */
  readonly append?: boolean;
  /** For a boolean statement: false renders the `no` form (`allow.nochflags;`). */
  readonly flag?: boolean;
  /** A comment line written above the statement. */
  readonly comment?: string;
}

/** A jail block: `NAME { statements }`. */
export interface JailConfBlock {
  readonly name: string;
  readonly statements: readonly JailConfStatement[];
  /** Comment lines written above the block. */
  readonly header?: readonly string[];
}

const PARAMETER_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
/** A `$` reference: `$name` (no dots) or `${name.with.dots}`. */
const REFERENCE = /\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_.]*)\})/y;

/** A value whose characters all reach the jail literally. */
export function jailConfLiteral(text: string): string {
  singleLine(text);
  return `"${text.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/** The names an expression refers to with `$name` / `${name}`, in order. */
export function jailConfReferences(text: string): string[] {
  return scanExpression(text).references;
}

/** A value in which `$name` / `${name}` are references for jail(8); see the module comment. */
export function jailConfExpression(text: string): string {
  return `"${scanExpression(text).rendered}"`;
}

function scanExpression(text: string): { rendered: string; references: string[] } {
  singleLine(text);
  // Most values (paths, names, commands) hold nothing to escape or refer to.
  if (!/[\\"$]/.test(text)) return { rendered: text, references: [] };
  let out = '';
  const references: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && text[i + 1] === '$') {
      out += '\\$';
      i++;
    } else if (c === '\\' || c === '"') {
      out += `\\${c}`;
    } else if (c === '$') {
      REFERENCE.lastIndex = i;
      const m = REFERENCE.exec(text);
      if (!m) {
        throw new ValidationError(
          `${JSON.stringify(text)} has a $ that starts no $name or \${name} reference (write \\$ for a literal dollar)`,
        );
      }
      references.push(m[1] ?? m[2]);
      out += m[0];
      i += m[0].length - 1;
    } else {
      out += c;
    }
  }
  return { rendered: out, references };
}

/** Check a parameter name's shape (letters, digits, _ in dot-separated parts). */
export function jailConfParameterName(name: string): string {
  if (!PARAMETER_NAME.test(name)) {
    throw new ValidationError(`${JSON.stringify(name)} is not a jail parameter name (lower-case words separated by dots)`);
  }
  return name;
}

/** The `no` form of a boolean parameter: `allow.chflags` -> `allow.nochflags`. */
export function negatedParameterName(name: string): string {
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot + 1)}no${name.slice(dot + 1)}`;
}

function renderValue(value: JailConfValue): string {
  return value.expression ? jailConfExpression(value.text) : jailConfLiteral(value.text);
}

/** One statement, without indentation or comment. */
export function renderJailConfStatement(statement: JailConfStatement): string {
  const name = jailConfParameterName(statement.name);
  if (statement.values === undefined) {
    return `${statement.flag === false ? negatedParameterName(name) : name};`;
  }
  if (statement.values.length === 0) {
    throw new ValidationError(`${name} needs at least one value`);
  }
  return `${name} ${statement.append ? '+=' : '='} ${statement.values.map(renderValue).join(', ')};`;
}

/** A block name: a jail name (letters, digits, _; not all digits, which jail(8) reads as a jid). */
export function jailConfBlockName(name: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name) || /^[0-9]+$/.test(name)) {
    throw new ValidationError(`${JSON.stringify(name)} is not a jail name (letters, digits and _, not all digits)`);
  }
  return name;
}

const INDENT = '        ';

/** A complete jail block with its header comments, ending with a newline. */
export function renderJailConfBlock(block: JailConfBlock): string {
  const lines = (block.header ?? []).map((l) => `# ${singleLine(l)}`);
  lines.push(`${jailConfBlockName(block.name)} {`);
  for (const s of block.statements) {
    if (s.comment) lines.push(`${INDENT}# ${singleLine(s.comment)}`);
    lines.push(INDENT + renderJailConfStatement(s));
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

