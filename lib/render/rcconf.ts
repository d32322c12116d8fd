/**
 * rc.conf(5)-style files: `name="value"` lines that /bin/sh sources. Inside double quotes
 * only \ " $ and ` are special, so those are escaped; newlines are refused by validation.
 */
import { shellVariableName, singleLine } from '../validate';

/** Escape a value for the inside of a double-quoted sh string. */
export function doubleQuoteInner(value: string): string {
  return value.replace(/[\\"$`]/g, (c) => `\\${c}`);
}

/** Render variables in the given order as `name="value"` lines, with a trailing newline. */
export function renderRcConf(variables: Record<string, string>, header?: string): string {
  const lines: string[] = [];
  if (header) lines.push(...header.split('\n').map((l) => `# ${l}`));
  for (const [name, value] of Object.entries(variables)) {
    shellVariableName(name);
    singleLine(value);
    lines.push(`${name}="${doubleQuoteInner(value)}"`);
  }
  return lines.join('\n') + '\n';
}

/** make.conf(5): `NAME = value` lines (make variables, not sh). */
export function renderMakeConf(variables: Record<string, string>): string {
  return (
    Object.entries(variables)
      .map(([name, value]) => `${shellVariableName(name)} = ${singleLine(value)}`)
      .join('\n') + '\n'
  );
}
