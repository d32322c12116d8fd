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
