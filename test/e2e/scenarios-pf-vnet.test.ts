/**
 * The production shape of issue 22 on the fake host: a routed VNET switch behind the host, a
 * VNET web jail on it, PfNat with NAT out for the switch's subnet and forwards of 80 and 443 to
 * the web jail, beside the administrator's own pf.conf. The forwards' rdr go to the jail's
 * address on the switch and the fake's pf evaluation (pfDelivery) takes a connection to the
 * host's external address there; a second apply runs nothing; destroy leaves pf as it was. A
 * VNET jail with given resolvers gets them as its /etc/resolv.conf at start, and a VNET jail
 * that would get a copy of a loopback nameserver is refused at apply, then converges with its
 * own resolvers.
 */
import * as path from 'path';
import { JailAddressFamily, JailFromSnapshot, JailHost, JailRemovalPolicy, JailResolvers, JailSource, JailVnetNetwork, PfNat, PfNatNetwork, PfPortForward, PfPortRange, VnetBridge, VnetBridgeMode } from '../../lib';
import { REPO_DIR } from './host';
import { adminPf } from './scenarios/admin';
import { labApp, LabStack } from './scenarios/apps';
import { Bench, describeOnFakeHost, failureText } from './scenarios/bench';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { pfLoaded, pfState, runningJails } from './scenarios/view';

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const fakebsd = require(path.join(REPO_DIR, 'test/e2e/fakebsd/index.js'));

const ADMIN_PF = 'ext_if = "em0"\nset skip on lo0\npass in on $ext_if proto tcp to port 22\npass out all\n';
const CLIENT = { from: '198.51.100.7', to: '192.0.2.10', iface: 'em0' };
const GIVEN = 'nameserver 172.31.0.1\nnameserver 2001:db8::53\nsearch example.org\noptions edns0\n';

interface Shape {
  /** A third VNET jail, `app`, and its resolvers (undefined: the default copy). */
  readonly app?: { resolvers?: JailResolvers };
}

/** The routed switch vi0, web (default resolvers) and db (given ones) on it, PfNat in front of web. */
function webstackApp(shape: Shape, seen: { pf?: PfNat; vi0?: VnetBridge } = {}) {
  return labApp({ jails: [] }, (lab: LabStack) => {
    const jailHost = new JailHost(lab, 'jails', { host: lab.host });
    const vi0 = new VnetBridge(lab, 'vi0', { host: lab.host, mode: VnetBridgeMode.routed({ gateways: ['172.31.0.1/24'] }) });
    const jail = (id: string, address: string, resolvers?: JailResolvers) => new JailFromSnapshot(lab, id, {
      jailHost, source: JailSource.template(lab.template), removalPolicy: JailRemovalPolicy.DESTROY, resolvers,
      networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi0, addresses: [address] }], defaultRouter: '172.31.0.1' })],
    });
    const web = jail('web', '172.31.0.11/24');
    jail('db', '172.31.0.12/24', JailResolvers.nameservers(['172.31.0.1', '2001:db8::53'], { search: ['example.org'], options: ['edns0'] }));
    if (shape.app) jail('app', '172.31.0.13/24', shape.app.resolvers);
    seen.vi0 = vi0;
    seen.pf = new PfNat(lab, 'pf', {
      host: lab.host,
      externalInterface: 'em0',
      natNetworks: vi0.subnets.map((s) => PfNatNetwork.ipv4(s)),
      portForwards: [80, 443].map((port) => PfPortForward.toJail(web, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(port) })),
    });
  });
}

describeOnFakeHost('issue 22: forwards to a VNET web jail behind a routed switch; a jail\'s resolvers', () => {
  const figures = new Figures('issue 22: routed VNET switch, PfNat NAT out and forwards (root)');
  let bench: Bench;
  let pfBefore: ReturnType<typeof adminPf>;
  let enabledBefore: boolean;
  const seen: { pf?: PfNat; vi0?: VnetBridge } = {};

  beforeAll(async () => {
    bench = await Bench.start({ seed: (h) => h.writeFile('/var/cache/pkg/.keep', '') });
    const r = await bench.host.hostExec(`printf '%s' '${ADMIN_PF}' > /etc/pf.conf && pfctl -f /etc/pf.conf`);
    expect([r.code, r.stderr]).toEqual([0, '']);
    pfBefore = adminPf(bench.host, pfState(bench.host) as never);
    enabledBefore = pfState(bench.host).enabled;
    bench.synth(webstackApp({}, seen));
  }, 180_000);
  afterAll(async () => {
    await bench?.stop();
    figures.print();
  });

  figures.scenario('22a. applies: NAT of the switch\'s subnet, rdr of 80 and 443 to web\'s switch address, and a connection to em0:80 reaches web', async () => {
    const commands = bench.commandCount();
    const report = await bench.apply();
    expectOk(report);
    figures.row('fresh apply', { resources: report.created.length, ...runCells(report, bench.commandCount() - commands) });
    expect(runningJails(bench.host)).toEqual(['db', 'web']);
    const anchor = seen.pf!.anchor;
    expect(pfLoaded(bench.host, anchor)).toEqual([
      'nat on em0 inet from 172.31.0.0/24 to any -> (em0)',
      'rdr pass on em0 inet proto tcp to (em0) port 80 -> 172.31.0.11',
      'rdr pass on em0 inet proto tcp to (em0) port 443 -> 172.31.0.11',
    ]);
    expect(pfState(bench.host).enabled).toBe(true);
    for (const port of [80, 443]) {
      expect(fakebsd.pfDelivery(bench.host.root, { ...CLIENT, port })).toEqual({ reached: { jail: 'web', address: '172.31.0.11', port } });
    }
    expect(fakebsd.pfDelivery(bench.host.root, { ...CLIENT, port: 8080 })).toEqual({ reached: null, reason: 'not redirected: no rdr rule matches' });
    // The operator's SSH is neither redirected nor blocked.
    expect(fakebsd.pfVerdict(bench.host.root, { ...CLIENT, port: 22 }).blocked).toBe(false);
  });

  figures.scenario('22b. resolvers: db has the given ones as its /etc/resolv.conf, web the host\'s copy', async () => {
    expect(bench.host.readFile('/vm/db/etc/resolv.conf')).toBe(GIVEN);
    expect(bench.host.readFile('/vm/web/etc/resolv.conf')).toBe(bench.host.readFile('/etc/resolv.conf'));
    // The jail sees the same file from inside.
    const inside = await bench.ssh('jexec db cat /etc/resolv.conf');
    expect([inside.code, inside.stdout]).toEqual([0, GIVEN]);
  });

  figures.scenario('22c. applying again runs nothing', async () => {
    const report = await expectSecondApplyIdle(bench);
    figures.row('idle re-apply', { resources: report.unchanged.length, ...runCells(report, 0) });
  });

  figures.scenario('22d. the host runs local_unbound (nameserver 127.0.0.1): a VNET jail that would get the copy is refused before it is written; given resolvers, it applies', async () => {
    const hostResolv = bench.host.readFile('/etc/resolv.conf');
    bench.host.writeFile('/etc/resolv.conf', '# local_unbound\nnameserver 127.0.0.1\noptions edns0\n');
    try {
      bench.synth(webstackApp({ app: {} }, seen));
      const refused = await bench.apply();
      expect(refused.ok).toBe(false);
      expect(refused.failures.map((f) => f.address)).toEqual([expect.stringMatching(/^null_resource\.app_config/)]);
      expect(failureText(refused)).toContain('error: jail app (/vm/app) is a VNET jail and the host\'s /etc/resolv.conf names nameserver 127.0.0.1 (a resolver on the host\'s loopback, like local_unbound)');
      expect(runningJails(bench.host)).toEqual(['db', 'web']);
      expect(bench.host.exists('/etc/jail.conf.d/app.conf')).toBe(false);
      bench.synth(webstackApp({ app: { resolvers: JailResolvers.nameservers(['172.31.0.1']) } }, seen));
      expectOk(await bench.apply());
      expect(runningJails(bench.host)).toEqual(['app', 'db', 'web']);
      expect(bench.host.readFile('/vm/app/etc/resolv.conf')).toBe('nameserver 172.31.0.1\n');
      await expectSecondApplyIdle(bench);
    } finally {
      bench.host.writeFile('/etc/resolv.conf', hostResolv);
    }
  }, 900_000);

  figures.scenario('22e. destroy leaves pf as it was: the administrator\'s pf.conf and rules, pf off, no jail, no anchor', async () => {
    const commands = bench.commandCount();
    const report = await bench.destroy();
    figures.row('destroy', { resources: report.destroyed.length, ...runCells(report, bench.commandCount() - commands) });
    expectOk(report);
    expect(runningJails(bench.host)).toEqual([]);
    expect(adminPf(bench.host, pfState(bench.host) as never)).toEqual(pfBefore);
    expect(pfState(bench.host).enabled).toBe(enabledBefore);
    expect(bench.host.readFile('/etc/pf.conf')).toBe(ADMIN_PF);
    expect(Object.entries(pfState(bench.host).anchors).filter(([a, r]) => a.startsWith('cdktf-freebsd-jails') && (r.nat.length || r.rules.length))).toEqual([]);
    expect(fakebsd.pfDelivery(bench.host.root, { ...CLIENT, port: 80 }).reached).toBeNull();
  }, 900_000);
});
