/**
 * Doc conventions of lib/ (aws-cdk's): every optional prop's `@default` gives the value
 * (a literal, a constant, an enum member) or `- behaviour`.
 */
import * as fs from 'fs';
import * as path from 'path';

const LIB = path.join(__dirname, '..', '..', 'lib');
const VALUE = /^(- \S|"|'|`|\d|true\b|false\b|\[|\{|[A-Z][A-Za-z0-9_]*\.[A-Z_0-9]+\b|[A-Z_][A-Z0-9_]+\b)/;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []);
}

test('every @default says the value or - behaviour', () => {
  const defaults = sources(LIB).flatMap((f) =>
    [...fs.readFileSync(f, 'utf8').matchAll(/@default (.+)/g)].map((m) => ({ at: path.relative(LIB, f), text: m[1] })));
  expect(defaults.length).toBeGreaterThan(50);
  expect(defaults.filter((d) => !VALUE.test(d.text))).toEqual([]);
  expect(VALUE.test('none')).toBe(false);
});
