/**
 * Scenario 6 of issue 4 for the steps of issue 23's first part: a jail made with rctl rules, a
 * cpuset and ZFS properties on a host whose loader tunable is set and which was rebooted. For
 * every k the k-th command fails once (or the connection drops before it); the next apply
 * converges to what a clean run makes (scenarios/faults.ts).
 */
import { RctlResource, RctlRule } from '../../lib';
import { describeOnFakeHost } from './scenarios/bench';
import { faultSweeps, FaultPhase } from './scenarios/faults';
import { Figures } from './scenarios/figures';
import { reboot, resourcesApp } from './scenarios/resources';

const NAME = 'jail limits and ZFS properties (limits, dataset, config, zfs-properties of h1)';
const PHASE: FaultPhase = {
  before: resourcesApp({ loader: true, jail: false }),
  prepare: async (bench) => { await reboot(bench); },
  app: resourcesApp({
    loader: true,
    limits: { rules: [RctlRule.deny(RctlResource.MEMORYUSE, '1g'), RctlRule.deny(RctlResource.MAXPROC, '200')], cpus: '0-1' },
    zfsProperties: { quota: '2G', compression: 'zstd', atime: false },
  }),
};
const figures = new Figures(`scenario 6: faults and dropped connections (one fresh host per run): ${NAME}`);

describeOnFakeHost(`scenario 6: faults: ${NAME}`, () => {
  afterAll(() => figures.print());
  faultSweeps(NAME, PHASE, figures);
});
