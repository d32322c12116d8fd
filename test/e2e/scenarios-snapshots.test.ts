/**
 * Snapshots before change (issue 23) end to end with Terraform on the fake host: a JailUpdate
 * takes one snapshot of the jail's dataset before freebsd-update, a second apply takes none, a
 * changed runId another; the policy's count is kept (older ones destroyed, the administrator's
 * own snapshot never touched); the helper's jail-rollback restores a file changed after a
 * snapshot and starts the jail again; a template update retires the old dataset carrying a
 * snapshot of the moment, and the update runs (with its snapshot) on the new dataset.
 */
import { JailSnapshotPolicy, JailUpdate } from '../../lib';
import { HOST_HELPER_PATH } from '../../lib/shell';
import { labApp, LabProps } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { datasets, rawState, runningJails } from './scenarios/view';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const F = require('./fakebsd');

const H1: LabProps = { jails: [{ n: 1 }] };
const app = (runId: string, lab: LabProps = H1) => labApp(lab, (l) => new JailUpdate(l, 'h1-update', {
  jail: l.jails[0], runId, snapshotPolicy: JailSnapshotPolicy.keep(2),
}));

describeOnFakeHost('snapshots before change, kept by policy, and the helper\'s rollback', () => {
  let bench: Bench;
  beforeAll(async () => { bench = await Bench.start(); }, 120_000);
  afterAll(async () => { await bench?.stop(); });

  const zfs = (...args: string[]) => {
    const r = F.run(bench.host.root, 'zfs', args);
    if (r.status !== 0) throw new Error(`zfs ${args.join(' ')}: ${r.stderr}`);
    return r.stdout as string;
  };
  /** The snapshots of a dataset, oldest first: [name with the time as <time>, kind]. */
  const snapshotsOf = (ds: string) => zfs('list', '-H', '-t', 'snapshot', '-d', '1', '-s', 'createtxg', '-o', 'name,cdktf-freebsd-jails:snapshot', ds)
    .split('\n').filter(Boolean).map((l) => l.split('\t')).map(([n, k]) => [n.replace(/\d{8}T\d{6}Z/g, '<time>'), k]);
  const librarySnapshots = (ds: string) => snapshotsOf(ds).filter(([, k]) => k !== '-').map(([n]) => n);
  const helper = async (...args: string[]) => bench.ssh([HOST_HELPER_PATH, ...args].map((a) => `'${a}'`).join(' '));

  test('a JailUpdate takes one snapshot of the jail\'s dataset before freebsd-update; a second apply none', async () => {
    bench.synth(app('r1'));
    expectOk(await bench.apply());
    expect(librarySnapshots('zroot/vm/h1')).toEqual([expect.stringMatching(/^zroot\/vm\/h1@cdktf-before-update-<time>-[0-9a-f]{12}$/)]);
    const [name] = zfs('list', '-H', '-t', 'snapshot', '-d', '1', '-o', 'name', 'zroot/vm/h1').split('\n');
    expect(zfs('get', '-H', '-o', 'value', 'cdktf-freebsd-jails:owner,cdktf-freebsd-jails:reason', name)).toBe('lab:lab/h1-update\nfreebsd-update of jail h1 (run r1)\n');
    // The snapshot is of the system before the update: its userland is the template's.
    const version = (ds: string) => /USERLAND_VERSION="([^"]*)"/.exec(bench.host.readFile(`/var/db/fakebsd/zfs/${rawState(bench.host).zfs.datasets[ds].guid}/bin/freebsd-version`))![1];
    expect(version(name)).toBe(version('zroot/vm/tmpl/14.3@p3'));
    await expectSecondApplyIdle(bench);
    expect(librarySnapshots('zroot/vm/h1').length).toBe(1);
  }, 600_000);

  test('a changed runId takes another; the policy keeps the newest two; the administrator\'s snapshot stays', async () => {
    zfs('snapshot', 'zroot/vm/h1@admin');
    const first = librarySnapshots('zroot/vm/h1')[0];
    bench.synth(app('r2'));
    expectOk(await bench.apply());
    expect(librarySnapshots('zroot/vm/h1').length).toBe(2);
    bench.synth(app('r3'));
    expectOk(await bench.apply());
    const now = snapshotsOf('zroot/vm/h1');
    expect(now.length).toBe(3);
    expect(now[0]).toEqual(['zroot/vm/h1@admin', '-']);
    expect(librarySnapshots('zroot/vm/h1')).not.toContain(first);
    expect(librarySnapshots('zroot/vm/h1').length).toBe(2);
  }, 600_000);

  test('the helper lists the jail\'s snapshots and rolls the jail back to one: a file changed since is restored, the jail runs again', async () => {
    const list = await helper('jail-snapshots', 'h1');
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n').filter((l) => l.startsWith('zroot/vm/h1@')).length).toBe(3);
    const newest = zfs('list', '-H', '-t', 'snapshot', '-d', '1', '-s', 'createtxg', '-o', 'name', 'zroot/vm/h1').trimEnd().split('\n').pop()!;
    const crontab = bench.host.readFile('/vm/h1/etc/crontab');
    bench.host.writeFile('/vm/h1/etc/crontab', 'changed after the snapshot\n');
    bench.host.writeFile('/vm/h1/root/notes', 'written after the snapshot\n');
    const r = await helper('jail-rollback', 'h1', newest.split('@')[1]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`==> rolling zroot/vm/h1 back to ${newest}`);
    expect(bench.host.readFile('/vm/h1/etc/crontab')).toBe(crontab);
    expect(bench.host.exists('/vm/h1/root/notes')).toBe(false);
    expect(runningJails(bench.host)).toContain('h1');
    const log = bench.host.commandsLog() as { cmd: string; argv: string[] }[];
    const stop = log.findIndex((e) => e.cmd === 'service' && e.argv.join(' ') === 'jail onestop h1');
    const rollback = log.findIndex((e) => e.cmd === 'zfs' && e.argv[0] === 'rollback');
    const start = log.findIndex((e, i) => i > rollback && e.cmd === 'service' && e.argv.join(' ') === 'jail start h1');
    expect(stop).toBeGreaterThanOrEqual(0);
    expect(stop).toBeLessThan(rollback);
    expect(rollback).toBeLessThan(start);
  }, 600_000);

  test('a template update retires the old dataset with a snapshot of the moment; the update runs on the new one', async () => {
    bench.synth(app('r3', { ...H1, template: { snapshotName: 'p4' } }));
    expectOk(await bench.apply());
    const ds = datasets(bench.host);
    const retired = Object.keys(ds).filter((n) => /^zroot\/vm\/\.retired\/h1-\d{8}T\d{6}Z$/.test(n));
    expect(retired.length).toBe(1);
    const kept = snapshotsOf(retired[0]);
    // What it carried along (the administrator's, the update's two), then the one of the moment.
    expect(kept.map(([, k]) => k)).toEqual(['-', 'before-update', 'before-update', 'before-retire']);
    expect(kept[3][0]).toBe('zroot/vm/.retired/h1-<time>@cdktf-before-retire-<time>');
    expect(ds['zroot/vm/h1'].origin).toBe('zroot/vm/tmpl/14.3@p4');
    expect(librarySnapshots('zroot/vm/h1')).toEqual([expect.stringMatching(/^zroot\/vm\/h1@cdktf-before-update-<time>-[0-9a-f]{12}$/)]);
    await expectSecondApplyIdle(bench);
  }, 600_000);
});
