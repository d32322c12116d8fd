/**
 * Scenario 6 of issue 4 (faults and dropped connections) for the rolling upgrade of issue 23: a
 * rolling jail with nginx and an HTTP check, made from the 14.5 template, moved to the 15.1
 * template beside it. For every k the k-th command of the roll (its roll step, its packages, its
 * service again) fails once, or the SSH connection drops before it; the apply fails; the next
 * apply converges to what a clean roll makes (scenarios/faults.ts).
 */
import { FreeBsdRelease } from '../../lib';
import { describeOnFakeHost } from './scenarios/bench';
import { faultSweeps, FaultPhase } from './scenarios/faults';
import { Figures } from './scenarios/figures';
import { rollingApp } from './scenarios/rolling';

const NAME = 'the roll of a jail to a new template (14.5 to 15.1)';
const PHASE: FaultPhase = {
  bench: { release: '15.1-RELEASE', mirrorReleases: ['14.5', '15.1'] },
  before: rollingApp({ jails: 1, release: FreeBsdRelease.V14_5 }),
  app: rollingApp({ jails: 1, release: FreeBsdRelease.V15_1 }),
};
const figures = new Figures(`scenario 6: faults and dropped connections (one fresh host per run): ${NAME}`);

describeOnFakeHost(`scenario 6: faults: ${NAME}`, () => {
  afterAll(() => figures.print());
  faultSweeps(NAME, PHASE, figures);
});
