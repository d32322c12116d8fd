/**
 * API.md is generated from the compiled assembly by jsii-docgen and committed; this fails
 * when it no longer matches the code (run `npm run build` and commit API.md).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './support/sh';

const root = path.join(__dirname, '..');

test('API.md is current', () => {
  expect(fs.existsSync(path.join(root, '.jsii'))).toBe(true); // npm test compiles first
  const fresh = path.join(tempDir(), 'API.md');
  execFileSync(path.join(root, 'node_modules/.bin/jsii-docgen'), ['-o', fresh], {
    cwd: root,
    env: { ...process.env, JSII_SILENCE_SUPPORT_WARNING: '1' },
    stdio: 'pipe',
  });
  const committed = fs.readFileSync(path.join(root, 'API.md'), 'utf8');
  const generated = fs.readFileSync(fresh, 'utf8');
  if (committed !== generated) {
    throw new Error('API.md is stale: run `npm run build` and commit API.md');
  }
  expect(generated).toContain('### ZfsTemplate');
}, 120000);

/**
 * The docs of the public API name only what every jsii language sees: a module-level constant of
 * the TypeScript package (DEFAULT_RELEASE_MIRROR) is no member of any class in Python, Java, C#
 * or Go, so a doc that names one names nothing there. Enum members and static members are
 * written with their class (`FreeBsdRelease.V14_5`) and are fine.
 */
test('no public doc names a TypeScript-only constant', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('../lib');
  const constants = new Set(Object.keys(lib).filter((k) => /^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(k) && typeof lib[k] !== 'function'));
  expect(constants.has('DEFAULT_RELEASE_MIRROR')).toBe(true);
  const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
  const found: string[] = [];
  for (const [fqn, type] of Object.entries<any>(assembly.types)) {
    const docs: [string, Record<string, string>][] = [[fqn, type.docs ?? {}],
      ...[...(type.properties ?? []), ...(type.methods ?? [])].map((m: any): [string, Record<string, string>] => [`${fqn}.${m.name}`, m.docs ?? {}])];
    for (const [where, d] of docs) {
      for (const text of Object.values(d)) {
        for (const m of String(text).matchAll(/(?<![A-Za-z0-9_.])[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g)) {
          if (constants.has(m[0])) found.push(`${where}: ${m[0]}`);
        }
      }
    }
  }
  expect(found).toEqual([]);
});
