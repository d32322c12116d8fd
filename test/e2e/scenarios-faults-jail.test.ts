/**
 * Scenario 6 of issue 4, and the dropped connections of issue 8, for one jail's steps (jail host settings, prune, dataset, config of h1).
 * For every k (not a sample), the k-th command on the host fails once (fakebsd's fault switch),
 * or the SSH connection drops when the script reaches it (the k-th command never runs); the
 * apply fails; the next apply converges to what a clean run makes. Each run is on a fresh fake
 * host copied from the phase's starting point (scenarios/faults.ts). One phase per file
 * (scenarios-faults-template, -jail, -packages-online, -packages-offline, -update), so jest's
 * workers share scenario 6.
 */
import * as path from 'path';
import { JailRemovalPolicy } from '../../lib';
import { REPO_DIR } from './host';
import { labApp } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { faultSweeps, FaultPhase } from './scenarios/faults';
import { Figures } from './scenarios/figures';
import { diffViews, hostView } from './scenarios/view';

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const fakebsd = require(path.join(REPO_DIR, 'test/e2e/fakebsd/index.js'));

const H1 = [{ n: 1 }];
const NAME = 'jail steps (settings, prune, dataset, config of h1)';
const PHASE: FaultPhase = { before: labApp({ jails: [] }), app: labApp({ jails: H1 }) };
const figures = new Figures(`scenario 6: faults and dropped connections (one fresh host per run): ${NAME}`);

describeOnFakeHost(`scenario 6: faults: ${NAME}`, () => {
  afterAll(() => figures.print());
  faultSweeps(NAME, PHASE, figures);

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
