/**
 * Scenario 10 (VNET half): examples/vnet-lab applied by Terraform on the fake host. The lab
 * builds the notebook's topology (the host helper's `vnet-list -r` prints the notebook's
 * listing), a second apply runs nothing, stopping every jail and `service jail start` (a
 * reboot: rc.d/jail, no library, no Terraform) rebuilds the same, and destroy removes every
 * netgraph node and interface the lab made and nothing of the host's. The same again on the
 * if_bridge backend (VNET_BACKEND=if_bridge: bridges and epairs instead of netgraph nodes),
 * with the same listing. Then two apps (two ownership scopes) that both declare switch vi1:
 * the second is refused at its switch step and the first app's switch is untouched.
 */
import { VnetLabStack } from '../../examples/vnet-lab/main';
import { HOST_HELPER_PATH, JailFromSnapshot, JailRemovalPolicy, JailSource, JailVnetNetwork, VnetBackend, VnetBridge } from '../../lib';
import { labApp, LabStack } from './scenarios/apps';
import { NOTEBOOK_LAB_LISTING } from '../vnet/notebook-lab';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { rawState, runningJails } from './scenarios/view';

const LAB = ['r1', 'vpnh1', 'vpnh2', 'vpnr1', 'vpnr2'];

/** The lab's scenario on one backend; `label` names it ('' for netgraph, the first). */
function labScenario(backend: 'netgraph' | 'if_bridge', label: string) {
  const figures = new Figures(`scenario 10${label} on examples/vnet-lab, ${backend} (root)`);
  describeOnFakeHost(`scenario 10${label}: the VNET lab on ${backend}`, () => {
    let bench: Bench;
    let networkBefore: { nodes: string[]; ifaces: string[] };

    /** The host's netgraph nodes (id, type, name) and interfaces: what the lab may touch. */
    const network = async () => {
      // The fake's ng_ether nodes follow the interfaces when ngctl next looks (ng_ether's attach
      // and detach would at once): every Ethernet interface has one while ng_ether is loaded.
      expect((await bench.host.hostExec('ngctl list >/dev/null')).code).toBe(0);
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
      networkBefore = await network();
      bench.synth((app, env) => new VnetLabStack(app, 'vnet-lab', { ...env, VNET_BACKEND: backend }));
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
      // The backend's own objects only: netgraph bridges, or if_bridge interfaces and no node.
      const made = await network();
      const bridges = made.ifaces.filter((i) => i.endsWith('br'));
      if (backend === 'if_bridge') {
        // No netgraph node of the backend's: the ether nodes ng_ether gave the new interfaces only.
        const ours = made.nodes.filter((n) => !networkBefore.nodes.includes(n));
        expect(ours.filter((n) => n.split(' ')[1] !== 'ether')).toEqual([]);
        expect(ours.map((n) => n.split(' ')[2]).sort()).toEqual(made.ifaces.filter((i) => !networkBefore.ifaces.includes(i) && i !== 'lo1'));
        expect(bridges).toEqual(['vi1br', 'vi2br', 'vri1br', 'vri2br']);
        // One epair host side IFh per jail interface of the listing, on the host.
        const jailIfaces = NOTEBOOK_LAB_LISTING.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim().split(' ')[1]);
        expect(made.ifaces.filter((i) => i.endsWith('h'))).toEqual(jailIfaces.map((i) => `${i}h`).sort());
      } else {
        expect(bridges).toEqual([]);
      }
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
      expect(await network()).toEqual({ ...networkBefore, ifaces: [...networkBefore.ifaces, 'lo1'].sort() });
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
      expect(await network()).toEqual(networkBefore);
      // The helper went with the last step of the host.
      expect((await bench.host.hostExec(`test -e ${HOST_HELPER_PATH}`)).code).toBe(1);
    });
  });
}

labScenario('netgraph', '');
labScenario('if_bridge', '-if_bridge');

/** A VNET jail NAME (construct id NAME) on switch vi1 of the lab stack. */
function vnetJailOnVi1(lab: LabStack, name: string, address: string) {
  const vi1 = new VnetBridge(lab, 'vi1', { host: lab.host, backend: VnetBackend.IF_BRIDGE });
  new JailFromSnapshot(lab, name, {
    jailHost: lab.jailHost!, source: JailSource.template(lab.template), removalPolicy: JailRemovalPolicy.DESTROY,
    networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi1, addresses: [address] }] })],
  });
}

describeOnFakeHost('scenario 10e: a switch name is one app\'s on a host', () => {
  const figures = new Figures('scenario 10e: two apps, one switch name (root)');
  afterAll(() => figures.print());

  figures.scenario('10e. a second app (another ownership scope) declaring switch vi1 is refused at its switch step; the first app\'s switch is untouched, and its destroy frees the name', async () => {
    const first = await Bench.start({ seed: (h) => h.writeFile('/var/cache/pkg/.keep', '') });
    const second = first.anotherApp();
    const listing = async () => (await first.host.hostExec(`${HOST_HELPER_PATH} vnet-list -r`)).stdout;
    const ifaces = () => Object.keys((rawState(first.host) as unknown as { ifaces: Record<string, unknown> }).ifaces).sort();
    try {
      first.synth(labApp({ jails: [{ n: 1 }], removalPolicy: JailRemovalPolicy.DESTROY, host: { ownershipScope: 'appa' } }, (lab) => vnetJailOnVi1(lab, 'v1', '10.9.0.1/24')));
      expectOk(await first.apply());
      const mine = 'vi1\n  v1 vi1_v1 10.9.0.1/24\n';
      expect(await listing()).toBe(mine);
      const before = ifaces();
      expect(first.host.readFile('/var/db/cdktf-freebsd-jails/vnet/vi1.owner')).toBe('appa:lab/vi1\n');

      second.synth(labApp({ jails: [{ n: 3 }], removalPolicy: JailRemovalPolicy.DESTROY, template: { name: '14.3b' }, host: { ownershipScope: 'appb' } },
        (lab) => vnetJailOnVi1(lab, 'v2', '10.9.0.2/24')));
      const commands = first.commandCount();
      const refused = await second.apply();
      figures.row('second app, refused', { resources: refused.created.length, ...runCells(refused, first.commandCount() - commands) });
      expect(refused.ok).toBe(false);
      expect(refused.failures.map((f) => f.address)).toEqual([expect.stringMatching(/^null_resource\.vi1_switch/)]);
      expect(refused.failures[0].output).toContain('error: switch vi1 on this host belongs to appa:lab/vi1, not to appb:lab/vi1');
      // Its jail on the switch was never made; the first app's switch is as it was.
      expect(runningJails(first.host)).not.toContain('v2');
      expect(await listing()).toBe(mine);
      expect(ifaces()).toEqual(before);

      // Destroying the refused app leaves the first app's switch alone; the first app has nothing to do.
      expectOk(await second.destroy());
      expect(await listing()).toBe(mine);
      expect(ifaces()).toEqual(before);
      await expectSecondApplyIdle(first);

      // The first app's destroy removes its switch and gives the name up.
      expectOk(await first.destroy());
      expect(await listing()).toBe('');
      expect((await first.host.hostExec('test -e /var/db/cdktf-freebsd-jails/vnet')).code).toBe(1);
    } finally {
      await first.stop();
    }
  }, 1_800_000);
});
