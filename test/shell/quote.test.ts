import { execFileSync } from 'child_process';
import { shellCommand, shellQuote, shellQuoteAlways } from '../../lib/shell';

/** Strings that break naive quoting. */
const ADVERSARIAL = [
  '',
  ' ',
  'plain',
  "it's",
  "''",
  "'\\''",
  '"double"',
  '$HOME',
  '${HOME}',
  '$(id)',
  '`id`',
  'a\\b',
  'line1\nline2',
  '\n',
  'tab\there',
  '; rm -rf / #',
  '&& echo pwned',
  '| cat',
  '>/tmp/x',
  '*',
  '?',
  '[a-z]',
  '~root',
  '-n',
  '--',
  '=value',
  'ümlaut ✓ 日本語',
  '!event',
  '%{directive}',
  '#comment',
];

describe('shellQuote', () => {
  test.each(ADVERSARIAL)('round-trips %j through a real sh -c', (value) => {
    const out = execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(value)}`], { encoding: 'utf8' });
    expect(out).toBe(value);
  });

  test('every adversarial value is one word', () => {
    const script = `set -- ${ADVERSARIAL.map(shellQuote).join(' ')}; echo $#`;
    expect(execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }).trim()).toBe(String(ADVERSARIAL.length));
  });

  test('leaves plain words readable and quotes the rest', () => {
    expect(shellQuote('zroot/vm/h1')).toBe('zroot/vm/h1');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuoteAlways('plain')).toBe("'plain'");
  });

  test('refuses NUL, which sh cannot carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  test('shellCommand quotes each word', () => {
    const cmd = shellCommand('printf', '%s|', 'a b', "c'd", '$x');
    expect(execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' })).toBe("a b|c'd|$x|");
  });
});
