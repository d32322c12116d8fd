/**
 * Scenario 6 of issue 4 for issue 23's data datasets: a jail h1 made with a nullfs data dataset
 * and a delegated one (the datasets' steps and settings, h1's dataset and configuration with the
 * attachments). For every k the k-th command fails once (or the connection drops
 * before it); the next apply converges to what a clean run makes (scenarios/faults.ts).
 */
import { JailRemovalPolicy } from '../../lib';
import { describeOnFakeHost } from './scenarios/bench';
import { dataApp } from './scenarios/data';
import { faultSweeps, FaultPhase } from './scenarios/faults';
import { Figures } from './scenarios/figures';

const NAME = 'data datasets (dataset and settings of files and box, dataset and config of h1)';
const PHASE: FaultPhase = {
  before: dataApp({ jail: false }),
  app: dataApp({ files: JailRemovalPolicy.RETAIN, box: JailRemovalPolicy.DESTROY }),
};
const figures = new Figures(`scenario 6: faults and dropped connections (one fresh host per run): ${NAME}`);

describeOnFakeHost(`scenario 6: faults: ${NAME}`, () => {
  afterAll(() => figures.print());
  faultSweeps(NAME, PHASE, figures);
});
