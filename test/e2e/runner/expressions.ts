/**
 * The small subset of Terraform template syntax the runner accepts.
 *
 * Every string in Terraform JSON is a template. The library only ever emits:
 *   ${self.triggers.KEY}  ${self.id}  ${file(self.triggers.KEY)}  ${file("literal")}
 *   ${null_resource.NAME.id}   (inside triggers only)
 * and the escapes `$${` -> `${` and `%%{` -> `%{`. Anything else is an error that names
 * the resource and the expression, so the generated plans stay a small, safe subset.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type Expr =
  | { kind: 'selfTrigger'; key: string }
  | { kind: 'selfId' }
  | { kind: 'fileOfTrigger'; key: string }
  | { kind: 'fileLiteral'; path: string }
  | { kind: 'resourceId'; address: string };

export type TemplatePart = { literal: string } | { expr: Expr; source: string };

export class ExpressionError extends Error {}

/** Where an expression appears decides what it may reference (self only in connection/provisioners). */
export type ExprContext = 'triggers' | 'connection' | 'provisioner';

const NAME = '[A-Za-z_][A-Za-z0-9_-]*';
const TRIGGER_KEY = '[A-Za-z_][A-Za-z0-9_-]*';

function parseExpr(source: string, where: string, context: ExprContext): Expr {
  const e = source.trim();
  let m: RegExpMatchArray | null;
  if (context !== 'triggers') {
    if ((m = e.match(new RegExp(`^self\\.triggers\\.(${TRIGGER_KEY})$`)))) return { kind: 'selfTrigger', key: m[1] };
    if ((m = e.match(new RegExp(`^self\\.triggers\\[\\s*"(${TRIGGER_KEY})"\\s*\\]$`)))) return { kind: 'selfTrigger', key: m[1] };
    if (e === 'self.id') return { kind: 'selfId' };
    if ((m = e.match(new RegExp(`^file\\(\\s*self\\.triggers\\.(${TRIGGER_KEY})\\s*\\)$`)))) return { kind: 'fileOfTrigger', key: m[1] };
  } else if ((m = e.match(new RegExp(`^null_resource\\.(${NAME})\\.id$`)))) {
    return { kind: 'resourceId', address: `null_resource.${m[1]}` };
  }
  if ((m = e.match(/^file\(\s*"((?:[^"\\$%]|\\.)*)"\s*\)$/))) {
    return { kind: 'fileLiteral', path: JSON.parse(`"${m[1]}"`) };
  }
  throw new ExpressionError(`${where}: unsupported expression \${${source}} (allowed in ${context}: ${
    context === 'triggers' ? 'null_resource.NAME.id, file("path")' : 'self.triggers.KEY, self.id, file(self.triggers.KEY), file("path")'
  })`);
}

/** Finds the `}` closing an interpolation, skipping quoted strings (file("a}b")). */
function closingBrace(s: string, from: number): number {
  let inString = false;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') return -1; // nested braces are never part of the subset
    else if (c === '}') return i;
  }
  return -1;
}

export function parseTemplate(s: string, where: string, context: ExprContext): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$${', i)) { literal += '${'; i += 3; continue; }
    if (s.startsWith('%%{', i)) { literal += '%{'; i += 3; continue; }
    if (s.startsWith('%{', i)) {
      throw new ExpressionError(`${where}: template directive %{...} is not supported (escape it as %%{): ${s.slice(i, i + 40)}`);
    }
    if (s.startsWith('${', i)) {
      const end = closingBrace(s, i + 2);
      if (end < 0) throw new ExpressionError(`${where}: unterminated or nested interpolation: ${s.slice(i, i + 60)}`);
      const source = s.slice(i + 2, end);
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ expr: parseExpr(source, where, context), source });
      i = end + 1;
      continue;
    }
    literal += s[i];
    i++;
  }
  if (literal || parts.length === 0) parts.push({ literal });
  return parts;
}

/** Addresses of the resources a template refers to (these add implicit dependencies). */
export function referencedResources(parts: TemplatePart[]): string[] {
  return parts.flatMap((p) => ('expr' in p && p.expr.kind === 'resourceId' ? [p.expr.address] : []));
}

export interface EvalScope {
  /** Evaluated triggers and id of the resource (`self`), for connection and provisioners. */
  readonly self?: { triggers: Record<string, string>; id: string };
  /** Ids of other resources, by address, for triggers. Missing means "known after apply". */
  readonly resourceIds?: Record<string, string | undefined>;
  /** Directory that relative file() paths are resolved against (the stack directory, as with terraform). */
  readonly baseDir: string;
}

/** Returned when a value is not known before apply (a reference to a resource being (re)created). */
export const UNKNOWN = Symbol('unknown');

function readLocalFile(p: string, where: string, baseDir: string): string {
  const expanded = p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
  const abs = path.resolve(baseDir, expanded);
  try {
    return fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ExpressionError(`${where}: file(${JSON.stringify(p)}) cannot be read: ${(e as Error).message}`);
  }
}

export function evaluateTemplate(parts: TemplatePart[], where: string, scope: EvalScope): string | typeof UNKNOWN {
  let out = '';
  for (const part of parts) {
    if ('literal' in part) { out += part.literal; continue; }
    const v = evaluateExpr(part.expr, `${where} \${${part.source}}`, scope);
    if (v === UNKNOWN) return UNKNOWN;
    out += v;
  }
  return out;
}

function selfTrigger(scope: EvalScope, key: string, where: string): string {
  if (!scope.self) throw new ExpressionError(`${where}: self is not available here`);
  const v = scope.self.triggers[key];
  if (v === undefined) throw new ExpressionError(`${where}: self.triggers has no key "${key}"`);
  return v;
}

function evaluateExpr(e: Expr, where: string, scope: EvalScope): string | typeof UNKNOWN {
  switch (e.kind) {
    case 'selfTrigger': return selfTrigger(scope, e.key, where);
    case 'selfId':
      if (!scope.self) throw new ExpressionError(`${where}: self is not available here`);
      return scope.self.id;
    case 'fileOfTrigger': return readLocalFile(selfTrigger(scope, e.key, where), where, scope.baseDir);
    case 'fileLiteral': return readLocalFile(e.path, where, scope.baseDir);
    case 'resourceId': {
      const ids = scope.resourceIds ?? {};
      if (!(e.address in ids)) throw new ExpressionError(`${where}: reference to ${e.address}, which is not in the configuration`);
      return ids[e.address] ?? UNKNOWN;
    }
  }
}
