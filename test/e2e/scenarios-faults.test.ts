/**
 * Scenario 6 of issue 4, and the dropped connections of issue 8: for each step, the k-th
 * command on the host fails once (fakebsd's fault switch), or the SSH connection drops when
 * the script reaches it (the k-th command never runs); the apply fails; the next apply
 * converges to what a clean run makes. Every k, not a sample: every command of the template
 * step, of one jail's steps (jail host settings, prune, dataset, config of h1), of a JailPackages
 * step online (update, upgrade, install) and offline (fetch on the host, add in the jail), and of
 * a JailUpdate step (an upgrade: upgrade, the installs, the restart). Each run is on a fresh
 * fake host copied from the phase's starting point, POOL of them at once.
 */
import * as path from 'path';
import { FreeBsdRelease, JailPackages, JailRemovalPolicy, JailUpdate } from '../../lib';
import { REPO_DIR } from './host';
import { labApp } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { CleanRun, cleanRun, faultRun, FaultPhase, injectionTargets, inPool, Injection, releasePhase } from './scenarios/faults';
import { Figures } from './scenarios/figures';
import { diffViews, hostView } from './scenarios/view';

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const fakebsd = require(path.join(REPO_DIR, 'test/e2e/fakebsd/index.js'));

const figures = new Figures('scenario 6: faults and dropped connections (one fresh host per run)');
/**
 * Fault runs at once, each on its own fake host and its own Terraform (E2E_FAULT_POOL). A run
 * is mostly CPU (Terraform, sshd, a Node process per shim command) with short waits on SSH, so
 * on this project's 2-core machines a few more runs than cores keep both busy.
 */
const POOL = Number(process.env.E2E_FAULT_POOL ?? 3);

const H1 = [{ n: 1 }];
const PHASES: { name: string; phase: FaultPhase }[] = [
  { name: 'template step', phase: { app: labApp({ jails: [] }) } },
  { name: 'jail steps (settings, prune, dataset, config of h1)', phase: { before: labApp({ jails: [] }), app: labApp({ jails: H1 }) } },
  {
    name: 'JailPackages step, online (update, upgrade, install)',
    phase: { before: labApp({ jails: H1 }), app: labApp({ jails: H1 }, (lab) => new JailPackages(lab, 'h1-packages', { jail: lab.jails[0], packages: ['git-lite', 'vim-console'], update: true, upgrade: true })) },
  },
  {
    name: 'JailPackages step, offline (fetch on the host, add in the jail)',
    phase: { before: labApp({ jails: H1 }), app: labApp({ jails: H1 }, (lab) => new JailPackages(lab, 'h1-packages', { jail: lab.jails[0], packages: ['git-lite'], offline: true })) },
  },
  {
    name: 'JailUpdate step (upgrade to 14.5, installs, restart)',
    phase: { before: labApp({ jails: H1 }), app: labApp({ jails: H1 }, (lab) => new JailUpdate(lab, 'h1-update', { jail: lab.jails[0], targetRelease: FreeBsdRelease.V14_5 })) },
  },
];

describeOnFakeHost('scenario 6: faults', () => {
  afterAll(() => figures.print());

  for (const { name, phase } of PHASES) {
    afterAll(() => releasePhase(phase));
    let clean: Promise<CleanRun> | undefined;
    const cleanOnce = () => (clean ??= cleanRun(phase));
    const scenario = (injection: Injection, title: string) => figures.scenario(`6. ${name}: ${title}`, async () => {
      const c = await cleanOnce();
      expect(c.commands.length).toBeGreaterThan(0);
      const started = Date.now();
      const targets = injectionTargets(c, injection);
      const runs = await inPool(targets.map((_c, i) => i + 1), POOL, (k) => faultRun(phase, k, c, injection));
      const failedApplies = runs.filter((r) => r.applyFailed);
      figures.row(`${injection}: ${name}`, {
        commands: targets.length, 'k tried': runs.length, 'applies failed': failedApplies.length,
        converged: runs.filter((r) => r.divergence.length === 0).length, 'wall s': Math.round((Date.now() - started) / 1000),
      });
      if (injection === 'fail') {
        const tolerated = runs.filter((r) => !r.applyFailed).map((r) => `k=${r.k} ${r.command}`);
        if (tolerated.length > 0) figures.note(`${name}: a failure of these probes took the other branch and the apply succeeded: ${tolerated.join('; ')}`);
      } else {
        // A drop always fires at its command and always fails the step: the connection is gone.
        expect(runs.filter((r) => r.dropped === undefined || !r.applyFailed).map((r) => ({ k: r.k, command: r.command, dropped: r.dropped, failures: r.failures }))).toEqual([]);
        expect(runs.every((r) => r.failures.length === 1 && /remote command exited without exit status/.test(r.failures[0].message))).toBe(true);
      }
      expect(runs.filter((r) => r.divergence.length > 0).map((r) => ({ k: r.k, command: r.command, divergence: r.divergence }))).toEqual([]);
    }, 900_000);
    scenario('fail', 'after the k-th command failed, for every k, the next apply converges to the clean run\'s state');
    scenario('drop', 'after the connection dropped before the k-th command, for every k, the next apply converges to the clean run\'s state');
  }

  test('6b. a jail whose configuration step failed (tainted) still leaves nothing behind on destroy', async () => {
    // Terraform runs no destroy provisioner of a tainted resource: the jail's dataset step,
    // whose destroy does run, must remove the conf file, hosts lines and jail_list word too.
    const bench = await Bench.start();
    try {
      const pristine = hostView(bench.host);
      bench.synth(labApp({ jails: [{ n: 1 }], removalPolicy: JailRemovalPolicy.DESTROY }));
      // rc.d/jail's `jail -i -f /etc/jail.conf -c h1` (service jail start h1, as boot starts it) fails.
      fakebsd.setFault(bench.host.root, { 'jail -i -f /etc/jail.conf -c h1': { failOnCall: 1 } });
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
