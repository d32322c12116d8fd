/**
 * Scenario 6 of issue 4: for each step, the k-th command on the host fails once; the apply
 * fails; the next apply converges to what a clean run makes. Every command of the template
 * step is failed in turn; the jail steps (jail host settings, prune, dataset, config of one
 * jail) are sampled. Bounded: at most MAX_JAIL_SAMPLES runs for the jail steps.
 */
import * as path from 'path';
import { JailRemovalPolicy } from '../../lib';
import { REPO_DIR } from './host';
import { labApp } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { cleanRun, faultRun, FaultPhase, FaultRun, sampleK } from './scenarios/faults';
import { Figures } from './scenarios/figures';
import { diffViews, hostView } from './scenarios/view';

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const fakebsd = require(path.join(REPO_DIR, 'test/e2e/fakebsd/index.js'));

const figures = new Figures('scenario 6: faults (one fresh host per run)');
const MAX_TEMPLATE_RUNS = 40;
const MAX_JAIL_SAMPLES = 9;

const PHASES: { name: string; phase: FaultPhase; max: number }[] = [
  { name: 'template step', phase: { app: labApp({ jails: [] }) }, max: MAX_TEMPLATE_RUNS },
  { name: 'jail steps (settings, prune, dataset, config of h1)', phase: { before: labApp({ jails: [] }), app: labApp({ jails: [{ n: 1 }] }) }, max: MAX_JAIL_SAMPLES },
];

describeOnFakeHost('scenario 6: faults', () => {
  afterAll(() => figures.print());

  for (const { name, phase, max } of PHASES) {
    figures.scenario(`6. ${name}: after a failed command the next apply converges to the clean run's state`, async () => {
      const clean = await cleanRun(phase);
      expect(clean.commands.length).toBeGreaterThan(0);
      const runs: FaultRun[] = [];
      for (const k of sampleK(clean.commands.length, max)) runs.push(await faultRun(phase, k, clean));
      const failedApplies = runs.filter((r) => r.applyFailed);
      figures.row(name, {
        commands: clean.commands.length, 'k tried': runs.length, 'applies failed': failedApplies.length,
        converged: runs.filter((r) => r.divergence.length === 0).length,
      });
      const tolerated = runs.filter((r) => !r.applyFailed).map((r) => `k=${r.k} ${r.command}`);
      if (tolerated.length > 0) figures.note(`${name}: a failure of these probes took the other branch and the apply succeeded: ${tolerated.join('; ')}`);
      expect(runs.filter((r) => r.divergence.length > 0).map((r) => ({ k: r.k, command: r.command, divergence: r.divergence }))).toEqual([]);
    }, 480_000);
  }

  test('6b. a jail whose configuration step failed (tainted) still leaves nothing behind on destroy', async () => {
    // Terraform runs no destroy provisioner of a tainted resource: the jail's dataset step,
    // whose destroy does run, must remove the conf file, hosts lines and jail_list word too.
    const bench = await Bench.start();
    try {
      const pristine = hostView(bench.host);
      bench.synth(labApp({ jails: [{ n: 1 }], removalPolicy: JailRemovalPolicy.DESTROY }));
      fakebsd.setFault(bench.host.root, { 'jail -f': { failOnCall: 1 } }); // `jail -f h1.conf -c h1` fails
      const failed = await bench.apply({ parallelism: 1 });
      fakebsd.clearFaults(bench.host.root);
      expect(failed.ok).toBe(false);
      expect(failed.tainted).toEqual([expect.stringMatching(/h1_config/)]);
      expect(bench.host.exists('/etc/jail.conf.d/h1.conf')).toBe(true);
      const destroyed = await bench.destroy({ parallelism: 1 });
      expect(destroyed.ok).toBe(true);
      expect(diffViews(pristine, hostView(bench.host))).toEqual([]);
    } finally {
      await bench.stop();
    }
  }, 300_000);
});
