/**
 * Scenario 6 of issue 4, and the dropped connections of issue 8, for the template step.
 * For every k (not a sample), the k-th command on the host fails once (fakebsd's fault switch),
 * or the SSH connection drops when the script reaches it (the k-th command never runs); the
 * apply fails; the next apply converges to what a clean run makes. Each run is on a fresh fake
 * host copied from the phase's starting point (scenarios/faults.ts). One phase per file
 * (scenarios-faults-template, -jail, -packages-online, -packages-offline, -update), so jest's
 * workers share scenario 6.
 */
import { labApp } from './scenarios/apps';
import { describeOnFakeHost } from './scenarios/bench';
import { faultSweeps, FaultPhase } from './scenarios/faults';
import { Figures } from './scenarios/figures';

const NAME = 'template step';
const PHASE: FaultPhase = { app: labApp({ jails: [] }) };
const figures = new Figures(`scenario 6: faults and dropped connections (one fresh host per run): ${NAME}`);

describeOnFakeHost(`scenario 6: faults: ${NAME}`, () => {
  afterAll(() => figures.print());
  faultSweeps(NAME, PHASE, figures);
});
