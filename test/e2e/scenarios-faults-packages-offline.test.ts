/**
 * Scenario 6 of issue 4, and the dropped connections of issue 8, for a JailPackages step offline (fetch on the host, add in the jail).
 * For every k (not a sample), the k-th command on the host fails once (fakebsd's fault switch),
 * or the SSH connection drops when the script reaches it (the k-th command never runs); the
 * apply fails; the next apply converges to what a clean run makes. Each run is on a fresh fake
 * host copied from the phase's starting point (scenarios/faults.ts). One phase per file
 * (scenarios-faults-template, -jail, -packages-online, -packages-offline, -update), so jest's
 * workers share scenario 6.
 */
import { JailPackages } from '../../lib';
import { labApp } from './scenarios/apps';
import { describeOnFakeHost } from './scenarios/bench';
import { faultSweeps, FaultPhase } from './scenarios/faults';
import { Figures } from './scenarios/figures';

const H1 = [{ n: 1 }];
const NAME = 'JailPackages step, offline (fetch on the host, add in the jail)';
const PHASE: FaultPhase = { before: labApp({ jails: H1 }), app: labApp({ jails: H1 }, (lab) => new JailPackages(lab, 'h1-packages', { jail: lab.jails[0], packages: ['git-lite'], offline: true })) };
const figures = new Figures(`scenario 6: faults and dropped connections (one fresh host per run): ${NAME}`);

describeOnFakeHost(`scenario 6: faults: ${NAME}`, () => {
  afterAll(() => figures.print());
  faultSweeps(NAME, PHASE, figures);
});
