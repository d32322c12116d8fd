/**
 * The helper's revision contract (issue 19): every change of the helper's text comes with a new
 * revision, so an installed newer helper is never replaced by an older build's (the install
 * compares HELPER_REVISION only). test/fixtures/helper-contract/revisions.json records the
 * SHA-256 of each revision's text; the end-to-end suite runs the stored scripts of earlier
 * revisions' builds against the current helper (scenarios-concurrency.test.ts, 19c).
 */
import * as fs from 'fs';
import * as path from 'path';
import { HOST_HELPER_REVISION, HOST_HELPER_SHA256 } from '../../lib/shell';

const RECORD = path.join(__dirname, '..', 'fixtures', 'helper-contract', 'revisions.json');
const recorded: Record<string, string> = JSON.parse(fs.readFileSync(RECORD, 'utf8'));

test('the current helper text is recorded under the current revision: a changed text needs a new revision', () => {
  const hint = `the host helper's text changed (SHA-256 ${HOST_HELPER_SHA256}): raise HOST_HELPER_REVISION in lib/shell/helper.ts `
    + `to ${HOST_HELPER_REVISION + 1}, record that digest under it in ${path.relative(process.cwd(), RECORD)}, and capture the outgoing `
    + `revision's scripts (scripts/capture-helper-contract.sh COMMIT ${HOST_HELPER_REVISION})`;
  if (recorded[String(HOST_HELPER_REVISION)] !== HOST_HELPER_SHA256) throw new Error(hint);
  expect(recorded[String(HOST_HELPER_REVISION)]).toBe(HOST_HELPER_SHA256);
});

test('revisions only grow, and no two revisions have the same text', () => {
  const revisions = Object.keys(recorded).map(Number);
  expect(Math.max(...revisions)).toBe(HOST_HELPER_REVISION);
  expect(new Set(Object.values(recorded)).size).toBe(revisions.length);
});

test('every revision below the current one whose build is captured has its app\'s scripts stored', () => {
  const dir = path.dirname(RECORD);
  for (const d of fs.readdirSync(dir).filter((e) => /^r\d+$/.test(e))) {
    for (const variant of ['full', 'pruned']) {
      expect(fs.existsSync(path.join(dir, d, variant, 'cdk.tf.json'))).toBe(true);
      expect(fs.existsSync(path.join(dir, d, variant, 'assets', 'cdktf-freebsd-jails', 'helper-1'))).toBe(true);
    }
    expect(Number(d.slice(1))).toBeLessThan(HOST_HELPER_REVISION);
  }
});
