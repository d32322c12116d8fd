/**
 * POSIX sh quoting.
 *
 * Every value that reaches a generated script goes through `shellQuote`. Single quotes are
 * the only quoting in sh where nothing is special ($, `, \, newlines and non-ASCII bytes are
 * all literal), so a value is wrapped in single quotes and each embedded single quote is
 * written as '\'' (close, escaped quote, reopen).
 */

/** Characters that never need quoting in any POSIX shell context we emit. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote one value for POSIX sh. NUL cannot be carried by sh at all and is refused. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) {
    throw new Error(`a value for the shell contains a NUL byte: ${JSON.stringify(value)}`);
  }
  if (value !== '' && SAFE_WORD.test(value) && !value.startsWith('=')) {
    return value;
  }
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quote every word and join them with spaces: a ready command line. */
export function shellCommand(...words: string[]): string {
  return words.map(shellQuote).join(' ');
}

/** Quote a value that must always be quoted (for example text inside printf). */
export function shellQuoteAlways(value: string): string {
  if (value.includes('\0')) {
    throw new Error(`a value for the shell contains a NUL byte: ${JSON.stringify(value)}`);
  }
  if (!value.includes("'")) return `'${value}'`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
