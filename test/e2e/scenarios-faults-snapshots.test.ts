/**
 * Scenario 6 of issue 4 for the snapshots before change (issue 23), over the new commands only:
 * a JailUpdate's run on a jail that has an older snapshot of that JailUpdate (snapshot-before:
 * its snapshots listed, one taken, the older one's clones read and it destroyed as keep(1)
 * says). For every k whose command is one of these, the k-th command fails once, or the
 * connection drops before it; the next apply converges to what a clean run makes
 * (scenarios/faults.ts): one snapshot of the run, the old one gone. The rest of the step's
 * commands are swept in scenarios-faults-update. The snapshot before a retirement runs in a
 * destroy (a replacement, or prune), which a sweep on a copy of the starting point does not
 * run; its commands are failed one by one in helper-snapshots.test.ts.
 */
import { JailSnapshotPolicy, JailUpdate } from '../../lib';
import { labApp, LabProps } from './scenarios/apps';
import { describeOnFakeHost } from './scenarios/bench';
import { cleanRun, CleanRun, faultRun, FaultPhase, inPool, Injection, injectionTargets, releasePhase } from './scenarios/faults';
import { Figures } from './scenarios/figures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const F = require('./fakebsd');

const H1: LabProps = { jails: [{ n: 1 }] };
/** The commands of snapshot-before. */
const NEW_COMMAND = /^zfs (snapshot |list -H -t snapshot -d 1 |get -H -o value clones |destroy \S+@)/;
const OLDER = 'zroot/vm/h1@cdktf-before-update-20260101T000000Z-aaaaaaaaaaaa';

const PHASE: FaultPhase = {
  before: labApp(H1),
  // An earlier run's snapshot of the JailUpdate, which keep(1) destroys once this run has its own.
  prepare: async (bench) => {
    const r = F.run(bench.host.root, 'zfs', ['snapshot', '-o', 'cdktf-freebsd-jails:owner=lab:lab/h1-update', '-o', 'cdktf-freebsd-jails:snapshot=before-update',
      '-o', 'cdktf-freebsd-jails:change=aaaaaaaaaaaa', '-o', 'cdktf-freebsd-jails:reason=an earlier run', OLDER]);
    if (r.status !== 0) throw new Error(r.stderr);
  },
  app: labApp(H1, (l) => new JailUpdate(l, 'h1-update', { jail: l.jails[0], runId: 'r1', snapshotPolicy: JailSnapshotPolicy.keep(1) })),
};
const NAME = 'snapshot-before of a JailUpdate (one taken, the older one destroyed)';
const figures = new Figures('scenario 6: faults and dropped connections at the commands of snapshots before change');

describeOnFakeHost('scenario 6: faults: snapshots before change', () => {
  afterAll(async () => {
    figures.print();
    await releasePhase(PHASE);
  });
  let clean: Promise<CleanRun> | undefined;
  for (const injection of ['fail', 'drop'] as Injection[]) {
    test(`6. ${NAME}: ${injection} at each new command, the next apply converges`, async () => {
      const c = await (clean ??= cleanRun(PHASE));
      expect([...c.changes.keys()].filter((k) => k.includes('@cdktf-before-update-'))).toEqual(expect.arrayContaining([
        'zfs zroot/vm/h1@cdktf-before-update-<time>-aaaaaaaaaaaa', expect.stringMatching(/^zfs zroot\/vm\/h1@cdktf-before-update-<time>-[0-9a-f]{12}$/)]));
      const targets = injectionTargets(c, injection);
      const ks = targets.map((cmd, i) => (NEW_COMMAND.test(cmd) ? i + 1 : 0)).filter((k) => k > 0);
      expect(targets.filter((t) => NEW_COMMAND.test(t)).map((t) => t.split(' ').slice(0, 2).join(' '))).toEqual(['zfs list', 'zfs snapshot', 'zfs list', 'zfs get', 'zfs destroy']);
      const runs = await inPool(ks, 2, (k) => faultRun(PHASE, k, c, injection));
      figures.row(`${injection}: ${NAME}`, { commands: targets.length, 'k tried': runs.length, 'applies failed': runs.filter((r) => r.applyFailed).length, converged: runs.filter((r) => r.divergence.length === 0).length });
      expect(runs.every((r) => r.applyFailed)).toBe(true);
      expect(runs.filter((r) => r.divergence.length > 0).map((r) => ({ k: r.k, command: r.command, divergence: r.divergence }))).toEqual([]);
    }, 1_500_000);
  }
});
