/**
 * Scenario 10 (VNET half): examples/vnet-lab applied by Terraform on the fake host. The lab
 * builds the notebook's topology (the host helper's `vnet-list -r` prints the notebook's
 * listing), a second apply runs nothing, stopping every jail and `service jail start` (a
 * reboot: rc.d/jail, no library, no Terraform) rebuilds the same, and destroy removes every
 * netgraph node and interface the lab made and nothing of the host's.
 */
import { VnetLabStack } from '../../examples/vnet-lab/main';
import { HOST_HELPER_PATH } from '../../lib';
import { NOTEBOOK_LAB_LISTING } from '../vnet/notebook-lab';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { rawState, runningJails } from './scenarios/view';

const figures = new Figures('scenario 10 on examples/vnet-lab (root)');
const LAB = ['r1', 'vpnh1', 'vpnh2', 'vpnr1', 'vpnr2'];

describeOnFakeHost('scenario 10: the VNET lab', () => {
  let bench: Bench;
  let networkBefore: { nodes: string[]; ifaces: string[] };

  /** The host's netgraph nodes (id, type, name) and interfaces: what the lab may touch. */
  const network = () => {
    const s = rawState(bench.host) as unknown as { ng?: { nodes: Record<string, { type: string; name: string }> }; ifaces: Record<string, unknown> };
    return {
      nodes: Object.entries(s.ng?.nodes ?? {}).filter(([, n]) => n.type !== 'socket').map(([id, n]) => `${id} ${n.type} ${n.name}`).sort(),
      ifaces: Object.keys(s.ifaces).sort(),
    };
  };
  const listing = async () => {
    const r = await bench.host.hostExec(`${HOST_HELPER_PATH} vnet-list -r`);
    expect([r.code, r.stderr]).toEqual([0, '']);
    return r.stdout;
  };

  beforeAll(async () => {
    bench = await Bench.start({
      seed: (h) => {
        h.writeFile('/var/cache/pkg/.keep', '');
      },
    });
    // ng_ether attached to em0 before the lab: the host's own node, which must survive.
    expect((await bench.host.hostExec('kldload -n ng_ether && ngctl list >/dev/null')).code).toBe(0);
    networkBefore = network();
    bench.synth((app, env) => new VnetLabStack(app, 'vnet-lab', env));
  }, 180_000);
  afterAll(async () => {
    await bench?.stop();
    figures.print();
  });

  figures.scenario('10a. the lab applies; the helper\'s listing on the host equals the notebook\'s vnet list -r', async () => {
    const commands = bench.commandCount();
    const report = await bench.apply();
    expectOk(report);
    figures.row('fresh apply', { resources: report.created.length, ...runCells(report, bench.commandCount() - commands) });
    expect(runningJails(bench.host)).toEqual(LAB);
    expect(await listing()).toBe(NOTEBOOK_LAB_LISTING);
    // WireGuard on the routers, added offline.
    const pkgs = (await bench.host.hostExec('pkg -j vpnr1 info -q wireguard-tools && pkg -j vpnr2 info -q wireguard-tools')).code;
    expect(pkgs).toBe(0);
  });

  figures.scenario('10b. applying again runs nothing', async () => {
    const report = await expectSecondApplyIdle(bench);
    figures.row('idle re-apply', { resources: report.unchanged.length, ...runCells(report, 0) });
  });

  figures.scenario('10c. every jail stopped leaves no switch; service jail start (a reboot without the library) rebuilds the same', async () => {
    // Over SSH, inside the fake host's namespaces like Terraform's scripts (hostExec enters only
    // its mount namespace: /dev/fd there is another pid namespace's, and lockf cannot lock).
    const stop = await bench.ssh('service jail stop');
    expect([stop.code, stop.stderr]).toEqual([0, '']);
    expect(runningJails(bench.host)).toEqual([]);
    // Nothing of the switches is left; lo1 is the JailHost's cloned interface, there until destroy.
    expect(network()).toEqual({ ...networkBefore, ifaces: [...networkBefore.ifaces, 'lo1'].sort() });
    expect(await listing()).toBe('');
    const start = await bench.ssh('service jail start');
    expect([start.code, start.stderr]).toEqual([0, '']);
    expect(runningJails(bench.host)).toEqual(LAB);
    expect(await listing()).toBe(NOTEBOOK_LAB_LISTING);
    // Still what Terraform applied: nothing to do.
    await expectSecondApplyIdle(bench);
  }, 900_000);

  figures.scenario('10d. destroy removes every node, interface and bridge the lab made, and nothing of the host\'s', async () => {
    const commands = bench.commandCount();
    const report = await bench.destroy();
    figures.row('destroy', { resources: report.destroyed.length, ...runCells(report, bench.commandCount() - commands) });
    expectOk(report);
    expect(runningJails(bench.host)).toEqual([]);
    expect(network()).toEqual(networkBefore);
    // The helper went with the last step of the host.
    expect((await bench.host.hostExec(`test -e ${HOST_HELPER_PATH}`)).code).toBe(1);
  });
});
