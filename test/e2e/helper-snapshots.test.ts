/**
 * The host helper's snapshot actions (lib/shell/helper/snapshots.sh) against the fake host's
 * zfs(8): snapshot-before takes one snapshot per change and keeps its owner's newest KEEP,
 * never touching another owner's or the administrator's; jail-dataset-remove snapshots a
 * dataset once before retiring it; jail-rollback refuses what is not the jail's. The whole
 * flow over SSH with Terraform is test/e2e/scenarios-snapshots.test.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { F, helperOnFakeHost, shimsAt } from './fakebsd-support';

let root: string;
const { ok, write } = shimsAt(() => root);
let installed: ReturnType<typeof helperOnFakeHost>;
let helper: string;
const run = (...args: string[]) => installed.run(...args);
const helperOk = (...args: string[]) => installed.ok(...args);
/** DATASET's snapshots, oldest first, with owner and kind. */
const snaps = (ds: string) => ok('zfs', 'list', '-H', '-t', 'snapshot', '-d', '1', '-s', 'createtxg', '-o', 'name,cdktf-freebsd-jails:owner,cdktf-freebsd-jails:snapshot', ds)
  .split('\n').filter(Boolean).map((l) => l.split('\t'));
const OWNER = 'lab:lab/h1-update';

beforeAll(() => {
  installed = helperOnFakeHost(() => root, 'helper-snapshots-shims-');
  helper = installed.helper;
});
afterAll(() => installed.remove());
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'helper-snapshots-'));
  F.initHost(root, {});
  ok('zfs', 'create', '-o', 'mountpoint=/vm', 'zroot/vm');
  ok('zfs', 'create', '-o', 'cdktf-freebsd-jails:owner=lab:lab/h1', '-o', 'cdktf-freebsd-jails:role=jail', '-o', 'cdktf-freebsd-jails:jail=h1', 'zroot/vm/h1');
  write('/vm/h1/etc/motd', 'one\n');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('snapshot-before', () => {
  test('one snapshot per change, named and marked; the same change again takes none', () => {
    const out = helperOk('snapshot-before', 'zroot/vm/h1', OWNER, 'before-update', 'c1', '2', 'freebsd-update of jail h1');
    const [[name, owner, kind]] = snaps('zroot/vm/h1');
    expect(name).toMatch(/^zroot\/vm\/h1@cdktf-before-update-\d{8}T\d{6}Z-c1$/);
    expect([owner, kind]).toEqual([OWNER, 'before-update']);
    expect(out).toContain(`==> snapshot ${name} (freebsd-update of jail h1)`);
    expect(ok('zfs', 'get', '-H', '-o', 'value', 'cdktf-freebsd-jails:change,cdktf-freebsd-jails:reason', name)).toBe('c1\nfreebsd-update of jail h1\n');
    expect(helperOk('snapshot-before', 'zroot/vm/h1', OWNER, 'before-update', 'c1', '2', 'freebsd-update of jail h1')).toContain(`==> ${name} is the snapshot of this change already`);
    expect(snaps('zroot/vm/h1').length).toBe(1);
  });

  test('the newest KEEP of the owner\'s kept; another owner\'s and the administrator\'s never touched', () => {
    ok('zfs', 'snapshot', 'zroot/vm/h1@admin');
    helperOk('snapshot-before', 'zroot/vm/h1', 'lab:lab/other', 'before-update', 'o1', '1', 'other');
    for (const c of ['c1', 'c2', 'c3']) helperOk('snapshot-before', 'zroot/vm/h1', OWNER, 'before-update', c, '2', `run ${c}`);
    const list = snaps('zroot/vm/h1');
    // A snapshot inherits the user properties of its filesystem (the jail's owner here): the
    // library's carry the kind too, set on the snapshot itself.
    expect(list.map(([n, o, k]) => [n.replace(/\d{8}T\d{6}Z-/, ''), o, k])).toEqual([
      ['zroot/vm/h1@admin', 'lab:lab/h1', '-'],
      ['zroot/vm/h1@cdktf-before-update-o1', 'lab:lab/other', 'before-update'],
      ['zroot/vm/h1@cdktf-before-update-c2', OWNER, 'before-update'],
      ['zroot/vm/h1@cdktf-before-update-c3', OWNER, 'before-update'],
    ]);
  });

  test('a change whose id an older snapshot carries is another run of it: a new snapshot', () => {
    for (const c of ['a', 'b', 'a']) helperOk('snapshot-before', 'zroot/vm/h1', OWNER, 'before-update', c, '5', c);
    expect(snaps('zroot/vm/h1').map(([n]) => n.replace(/\d{8}T\d{6}Z-/, ''))).toEqual(['a', 'b', 'a'].map((c) => `zroot/vm/h1@cdktf-before-update-${c}`));
  });

  test('a name taken in this second (the same change run twice within it): the next free second\'s name', () => {
    // The names of this second and the next few, taken; each run of a change must still get its snapshot.
    const stamp = (t: number) => new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const now = Date.now();
    const taken = [0, 1, 2, 3].map((k) => stamp(now + k * 1000));
    for (const t of taken) ok('zfs', 'snapshot', `zroot/vm/h1@cdktf-before-update-${t}-a`);
    helperOk('snapshot-before', 'zroot/vm/h1', OWNER, 'before-update', 'a', '5', 'a');
    const mine = snaps('zroot/vm/h1').filter(([, o]) => o === OWNER).map(([n]) => /-(\d{8}T\d{6}Z)-a$/.exec(n)![1]);
    expect(mine).toHaveLength(1);
    expect(mine[0] > taken[taken.length - 1]).toBe(true);
  });

  test('an old snapshot with a clone is left, with a warning', () => {
    helperOk('snapshot-before', 'zroot/vm/h1', OWNER, 'before-update', 'c1', '1', 'c1');
    const [[first]] = snaps('zroot/vm/h1');
    ok('zfs', 'clone', first, 'zroot/vm/copy');
    const r = run('snapshot-before', 'zroot/vm/h1', OWNER, 'before-update', 'c2', '1', 'c2');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`warning: ${first} is older than the 1 kept but has clones (zroot/vm/copy): left\n`);
    expect(snaps('zroot/vm/h1').length).toBe(2);
  });

  test('bad KEEP, KIND or CHANGE and a missing dataset are refused', () => {
    expect(run('snapshot-before', 'zroot/vm/h1', OWNER, 'before-update', 'c1', '0', 'r').stderr).toBe("helper-1: error: snapshot-before: KEEP must be a number from 1, not '0'\n");
    expect(run('snapshot-before', 'zroot/vm/h1', OWNER, 'Before update', 'c1', '1', 'r').stderr).toBe("helper-1: error: snapshot-before: KIND must be of a-z, 0-9 and -, not 'Before update'\n");
    expect(run('snapshot-before', 'zroot/vm/h1', OWNER, 'before-update', 'c-1', '1', 'r').stderr).toBe("helper-1: error: snapshot-before: CHANGE must be of a-z and 0-9, not 'c-1'\n");
    expect(run('snapshot-before', 'zroot/vm/nosuch', OWNER, 'before-update', 'c1', '1', 'r').stderr).toBe('helper-1: error: dataset zroot/vm/nosuch does not exist\n');
    expect(snaps('zroot/vm/h1')).toEqual([]);
  });
});

describe('jail-dataset-remove: a snapshot before the retirement', () => {
  const retired = () => ok('zfs', 'list', '-H', '-r', '-t', 'all', '-o', 'name', 'zroot/vm/.retired').split('\n').filter((n) => n.includes('@'));

  test('the retired dataset carries a snapshot of the moment, marked as the jail\'s', () => {
    helperOk('jail-dataset-remove', 'zroot/vm/h1', 'zroot/vm', '/vm', 'h1');
    const [snap] = retired();
    expect(snap).toMatch(/^zroot\/vm\/\.retired\/h1-\d{8}T\d{6}Z@cdktf-before-retire-\d{8}T\d{6}Z$/);
    expect(ok('zfs', 'get', '-H', '-o', 'value', 'cdktf-freebsd-jails:owner,cdktf-freebsd-jails:snapshot', snap)).toBe('lab:lab/h1\nbefore-retire\n');
  });

  test('a retirement that failed after its snapshot takes none again', () => {
    F.setFault(root, { 'zfs rename': { failOnCall: 1 } });
    expect(run('jail-dataset-remove', 'zroot/vm/h1', 'zroot/vm', '/vm', 'h1').status).not.toBe(0);
    F.clearFaults(root);
    expect(snaps('zroot/vm/h1').length).toBe(1);
    expect(helperOk('jail-dataset-remove', 'zroot/vm/h1', 'zroot/vm', '/vm', 'h1')).toContain('is the snapshot of this change already');
    expect(retired().length).toBe(1);
  });

  test('a failure at any of its commands, then the action again: one retired dataset with one snapshot of the moment', () => {
    const start = F.readCommandsLog(root).length;
    helperOk('jail-dataset-remove', 'zroot/vm/h1', 'zroot/vm', '/vm', 'h1');
    const commands = F.readCommandsLog(root).slice(start).map((e: { cmd: string; argv: string[] }) => [e.cmd, ...e.argv].join(' '));
    expect(commands.filter((c: string) => /^zfs (get -H -o value cdktf-freebsd-jails:(removal|owner)|list -H -t snapshot -d 1|snapshot) /.test(c)).length).toBe(4);
    for (let k = 1; k <= commands.length; k++) {
      fs.rmSync(root, { recursive: true, force: true });
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'helper-snapshots-'));
      F.initHost(root, {});
      ok('zfs', 'create', '-o', 'mountpoint=/vm', 'zroot/vm');
      ok('zfs', 'create', '-o', 'cdktf-freebsd-jails:owner=lab:lab/h1', '-o', 'cdktf-freebsd-jails:role=jail', '-o', 'cdktf-freebsd-jails:jail=h1', 'zroot/vm/h1');
      F.setFault(root, { failAt: k });
      const failed = run('jail-dataset-remove', 'zroot/vm/h1', 'zroot/vm', '/vm', 'h1');
      F.clearFaults(root);
      if (failed.status !== 0) helperOk('jail-dataset-remove', 'zroot/vm/h1', 'zroot/vm', '/vm', 'h1');
      const all = ok('zfs', 'list', '-H', '-r', '-t', 'all', '-o', 'name', 'zroot/vm').split('\n').filter(Boolean).map((n) => n.replace(/\d{8}T\d{6}Z/g, '<time>'));
      expect([k, commands[k - 1], all]).toEqual([k, commands[k - 1], ['zroot/vm', 'zroot/vm/.retired', 'zroot/vm/.retired/h1-<time>', 'zroot/vm/.retired/h1-<time>@cdktf-before-retire-<time>']]);
      const snap = ok('zfs', 'list', '-H', '-t', 'snapshot', '-r', '-o', 'name', 'zroot/vm/.retired').trim();
      expect([k, ok('zfs', 'get', '-H', '-o', 'value', 'cdktf-freebsd-jails:owner,cdktf-freebsd-jails:snapshot', snap)]).toEqual([k, 'lab:lab/h1\nbefore-retire\n']);
    }
  });

  test('retain-no-snapshot on the dataset (JailSnapshotPolicy.none()): retired, with no snapshot', () => {
    ok('zfs', 'set', 'cdktf-freebsd-jails:removal=retain-no-snapshot', 'zroot/vm/h1');
    helperOk('jail-dataset-remove', 'zroot/vm/h1', 'zroot/vm', '/vm', 'h1');
    expect(retired()).toEqual([]);
  });
});

describe('jail-snapshots and jail-rollback', () => {
  test('the jail\'s snapshots are listed oldest first with why the library took them', () => {
    ok('zfs', 'snapshot', 'zroot/vm/h1@admin');
    helperOk('snapshot-before', 'zroot/vm/h1', OWNER, 'before-update', 'c1', '1', 'freebsd-update of jail h1');
    const lines = helperOk('jail-snapshots', 'h1').trimEnd().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['NAME', 'CREATION', 'USED', 'CDKTF-FREEBSD-JAILS:SNAPSHOT', 'CDKTF-FREEBSD-JAILS:REASON']);
    expect(lines.slice(1).map((l) => [l.split(/\s+/)[0].replace(/\d{8}T\d{6}Z-/, ''), l.split(/\s{2,}/).slice(-2)])).toEqual([
      ['zroot/vm/h1@admin', ['-', '-']],
      ['zroot/vm/h1@cdktf-before-update-c1', ['before-update', 'freebsd-update of jail h1']],
    ]);
  });

  test('a stopped jail is rolled back and stays stopped; the younger snapshots go', () => {
    ok('zfs', 'snapshot', 'zroot/vm/h1@one');
    write('/vm/h1/etc/motd', 'two\n');
    ok('zfs', 'snapshot', 'zroot/vm/h1@two');
    const out = helperOk('jail-rollback', 'h1', 'one');
    expect(out).toContain('==> the younger snapshots go with the rollback: zroot/vm/h1@two');
    expect(fs.readFileSync(path.join(root, 'vm/h1/etc/motd'), 'utf8')).toBe('one\n');
    expect(snaps('zroot/vm/h1').map(([n]) => n)).toEqual(['zroot/vm/h1@one']);
    expect(ok('jls', '-N')).not.toContain('h1');
  });

  test('another dataset\'s snapshot, a missing one and an unknown jail are refused', () => {
    ok('zfs', 'create', 'zroot/vm/other');
    ok('zfs', 'snapshot', 'zroot/vm/other@s');
    expect(run('jail-rollback', 'h1', 'zroot/vm/other@s').stderr).toBe("helper-1: error: snapshot zroot/vm/other@s is not of jail h1's dataset zroot/vm/h1; refusing to roll back\n");
    expect(run('jail-rollback', 'h1', '@nosuch').stderr).toBe(`helper-1: error: snapshot zroot/vm/h1@nosuch does not exist (${helper} jail-snapshots h1 lists them)\n`);
    expect(run('jail-rollback', 'h1', 'nosuch').stderr).toBe(`helper-1: error: snapshot zroot/vm/h1@nosuch does not exist (${helper} jail-snapshots h1 lists them)\n`);
    expect(run('jail-rollback', 'h9', 'x').stderr).toBe('helper-1: error: no dataset of jail h9 made by cdktf-freebsd-jails\n');
  });
});
