/**
 * Scenario 6 of issue 4 (faults and dropped connections) for the workload steps of issue 22: a
 * JailFile (inline, taken over), a JailFile uploaded from the operator's machine, a JailRcConf and
 * two JailServices with HTTP health checks, added to a jail whose packages are there already. For
 * every k the k-th command on the host fails once, or the SSH connection drops before it; the
 * apply fails; the next apply converges to what a clean run makes (scenarios/faults.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { JailPackages } from '../../lib';
import { labApp } from './scenarios/apps';
import { describeOnFakeHost } from './scenarios/bench';
import { faultSweeps, FaultPhase } from './scenarios/faults';
import { Figures } from './scenarios/figures';
import { workloadApp } from './scenarios/workloads';

const secretPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'workload-secret-')), 'secret.conf');
fs.writeFileSync(secretPath, 'password = fault-sweep\n');
const NAME = 'workload steps (files, rc.conf, services with health checks)';
const PHASE: FaultPhase = {
  before: labApp({ jails: [{ n: 1 }] }, (lab) => new JailPackages(lab, 'h1-packages', { jail: lab.jails[0], packages: ['nginx', 'uwsgi-py311'] })),
  app: workloadApp({ secretPath }),
};
const figures = new Figures(`scenario 6: faults and dropped connections (one fresh host per run): ${NAME}`);

describeOnFakeHost(`scenario 6: faults: ${NAME}`, () => {
  afterAll(() => figures.print());
  faultSweeps(NAME, PHASE, figures);
});
