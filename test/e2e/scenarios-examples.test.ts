/**
 * Scenario 11: the examples on a FreeBSD 14.x and a 15.x fake host, through Terraform. Each is
 * applied, applied again (nothing runs), its jails stopped and started by `service jail` (a
 * reboot without the library) and destroyed; the host's interfaces are as they were. The VNET
 * examples run on both backends. 14.x: em0 has MTU 9000, so a bridged switch's jail interface
 * must have it too (if_bridge refuses a member of another MTU). 15.x: if_bridge keeps IP
 * addresses off bridge members (net.link.bridge.member_ifaddrs=0), so examples/bridged on
 * if_bridge, whose em0 holds the host's address, is refused at its switch step, and nothing of
 * it is made. examples/notebook and examples/vnet-lab on 14.x are scenarios 1-9 and 10.
 */
import { BridgedStack } from '../../examples/bridged/main';
import { NotebookStack } from '../../examples/notebook/main';
import { RoutedStack } from '../../examples/routed/main';
import { VnetLabStack } from '../../examples/vnet-lab/main';
import { AppBuilder, Bench, describeOnFakeHost } from './scenarios/bench';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { rawState, runningJails } from './scenarios/view';

type Backend = 'netgraph' | 'if_bridge';

interface Example {
  readonly name: string;
  readonly build: AppBuilder;
  readonly jails: string[];
  /** A VNET jail's interface and what its rc must have found: its addresses and default route. */
  readonly vnet?: { jail: string; iface: string; addresses: string[]; routes: string[] };
  /** What the apply must print (a warning). */
  readonly prints?: string;
}

const withBackend = (backend: Backend) => (env: NodeJS.ProcessEnv) => ({ ...env, VNET_BACKEND: backend });

const notebook: Example = { name: 'notebook', build: (app, env) => new NotebookStack(app, 'notebook', env), jails: ['h1', 'h2', 'h3', 'h4'] };
const bridged = (backend: Backend): Example => ({
  name: `bridged (${backend})`,
  build: (app, env) => new BridgedStack(app, 'bridged', withBackend(backend)(env)),
  jails: ['b1'],
  vnet: { jail: 'b1', iface: 'em0_b1', addresses: ['192.168.1.11/24'], routes: ['inet default 192.168.1.1'] },
  // The fake em0 has checksum offload, TSO and LRO on, as an em(4) has by default.
  prints: backend === 'netgraph' ? 'warning: bridged/em0: em0 has checksum offload, TSO or LRO on' : undefined,
});
const routed = (backend: Backend): Example => ({
  name: `routed (${backend})`,
  build: (app, env) => new RoutedStack(app, 'routed', withBackend(backend)(env)),
  jails: ['v1'],
  vnet: { jail: 'v1', iface: 'vi0_v1', addresses: ['172.31.0.11/24'], routes: ['inet default 172.31.0.1'] },
});
const vnetLab = (backend: Backend): Example => ({
  name: `vnet-lab (${backend})`,
  build: (app, env) => new VnetLabStack(app, 'vnet-lab', withBackend(backend)(env)),
  jails: ['r1', 'vpnh1', 'vpnh2', 'vpnr1', 'vpnr2'],
  vnet: { jail: 'vpnr1', iface: 'vi1_vpnr1', addresses: ['172.31.1.11/24'], routes: ['inet default 172.31.1.1'] },
});

/** The examples in turn on one fake host of `release`; `prepare` runs once before the first. */
function examplesOn(release: string, examples: Example[], prepare?: (bench: Bench) => Promise<void>) {
  const major = release.split('.')[0];
  const figures = new Figures(`scenario 11 on a ${release} host (root)`);
  describeOnFakeHost(`scenario 11: the examples on FreeBSD ${release}`, () => {
    let bench: Bench;
    let ifacesBefore: string[];
    const ifaces = () => Object.keys(rawState(bench.host).ifaces).sort();

    beforeAll(async () => {
      // The host's ports tree (the notebook's h1 mounts it) and package cache (the lab's jails mount it).
      bench = await Bench.start({
        release,
        seed: (h) => {
          h.writeFile('/usr/ports/README', 'the host\'s ports tree\n');
          h.writeFile('/var/cache/pkg/.keep', '');
        },
      });
      await prepare?.(bench);
      ifacesBefore = ifaces();
    }, 120_000);
    afterAll(async () => {
      await bench?.stop();
      figures.print();
    });

    for (const ex of examples) {
      figures.scenario(`11-${major}. ${ex.name}: applies, applies again idle, survives a reboot, destroys to the host as it was`, async () => {
        // The examples name the host's release; a jail may not be newer than it.
        bench.synth((app, env) => ex.build(app, { ...env, FREEBSD_RELEASE: release.replace(/-.*/, '') }));
        let destroyed = false;
        try {
          await exampleCycle(ex, () => { destroyed = true; });
        } finally {
          // A failed example leaves the next one a clean host all the same.
          if (!destroyed) await bench.destroy();
        }
      }, 900_000);
    }

    async function exampleCycle(ex: Example, onDestroyed: () => void) {
      const commands = bench.commandCount();
      const report = await bench.apply();
      expectOk(report);
      if (ex.prints) expect(report.messages.map((m) => m.hook?.output ?? '').join('\n')).toContain(ex.prints);
      figures.row(`${ex.name}: apply`, { resources: report.created.length, ...runCells(report, bench.commandCount() - commands) });
      expect(runningJails(bench.host)).toEqual(ex.jails);
      const checkVnet = () => {
        if (!ex.vnet) return;
        const s = rawState(bench.host) as unknown as { ifaces: Record<string, { mtu?: number; vnet?: string }>; jails: { running: Record<string, { name: string; rcSaw?: unknown }> } };
        const rcSaw = Object.values(s.jails.running).find((j) => j.name === ex.vnet!.jail)!.rcSaw as { ifaces: Record<string, string[]>; routes: string[] };
        expect(rcSaw.ifaces[ex.vnet.iface]).toEqual(ex.vnet.addresses);
        expect(rcSaw.routes).toEqual(ex.vnet.routes);
        // A bridged switch's jail interface has the uplink's MTU.
        if (ex.vnet.iface.startsWith('em0_')) expect(s.ifaces[ex.vnet.iface].mtu ?? 1500).toBe(s.ifaces.em0.mtu ?? 1500);
      };
      checkVnet();
      await expectSecondApplyIdle(bench);
      const stop = await bench.ssh('service jail stop');
      expect([stop.code, stop.stderr]).toEqual([0, '']);
      expect(runningJails(bench.host)).toEqual([]);
      const start = await bench.ssh('service jail start');
      expect([start.code, start.stderr]).toEqual([0, '']);
      expect(runningJails(bench.host)).toEqual(ex.jails);
      checkVnet();
      const destroyed = await bench.destroy();
      onDestroyed();
      expectOk(destroyed);
      expect(runningJails(bench.host)).toEqual([]);
      expect(ifaces()).toEqual(ifacesBefore);
    }
  });
}

examplesOn('14.5-RELEASE-p1', [bridged('netgraph'), bridged('if_bridge'), routed('if_bridge')], async (bench) => {
  // A LAN of jumbo frames: the uplink's MTU, which the switch must follow and never change.
  const r = await bench.host.hostExec('ifconfig em0 mtu 9000');
  expect([r.code, r.stderr]).toEqual([0, '']);
});

examplesOn('15.1-RELEASE-p1', [notebook, vnetLab('netgraph'), vnetLab('if_bridge'), bridged('netgraph'), routed('netgraph'), routed('if_bridge')]);

describeOnFakeHost('scenario 11: examples/bridged on if_bridge on FreeBSD 15, em0 holding the host\'s address', () => {
  const figures = new Figures('scenario 11 on a 15.1 host, bridged on if_bridge (root)');
  afterAll(() => figures.print());

  figures.scenario('11-15. the switch step refuses the uplink, names the construct and what to do, and makes nothing; destroy is clean', async () => {
    const bench = await Bench.start({ release: '15.1-RELEASE-p1' });
    try {
      const before = rawState(bench.host).ifaces;
      bench.synth((app, env) => new BridgedStack(app, 'bridged', { ...env, FREEBSD_RELEASE: '15.1', VNET_BACKEND: 'if_bridge' }));
      const report = await bench.apply();
      expect(report.ok).toBe(false);
      const output = report.failures.map((f) => f.output).join('\n').replace(/\r/g, '');
      expect(report.failures.map((f) => f.address)).toEqual(['null_resource.em0_switch_resource_61D19AF1']);
      expect(output).toContain('helper-1: error: the uplink em0 has IP addresses (inet ');
      expect(output).toContain('and this kernel keeps addresses off bridge members (net.link.bridge.member_ifaddrs=0');
      expect(output).toContain('Use the netgraph backend (VnetBackend.NETGRAPH');
      expect(runningJails(bench.host)).toEqual([]);
      // No bridge, no epair; em0 as it was (lo1 is the JailHost's, made before the switch).
      const after = rawState(bench.host).ifaces;
      expect(after.em0).toEqual(before.em0);
      expect(Object.keys(after).filter((i) => !(i in before) && i !== 'lo1')).toEqual([]);
      expectOk(await bench.destroy());
      expect(Object.keys(rawState(bench.host).ifaces).sort()).toEqual(Object.keys(before).sort());
    } finally {
      await bench.stop();
    }
  }, 900_000);
});
