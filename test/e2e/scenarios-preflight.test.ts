/**
 * The VNET switch's preflight on hosts that cannot run VNET jails: a kernel without VIMAGE
 * (no kern.features.vimage at all, as a kernel built without `options VIMAGE`) and a netgraph
 * module with no .ko to load. The apply fails at the switch step with the step's own message;
 * no switch is made and no jail on it is configured or started; what else the apply changed
 * is only what does not wait for the switch (the jail's dataset); once the host is fixed the
 * same app converges, and the Terraform output vnet_topology_host is the live host's listing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { JailFromSnapshot, JailHost, JailSource, JailVnetNetwork, VnetBridge } from '../../lib';
import { labApp, LabStack } from './scenarios/apps';
import { Bench, describeOnFakeHost, failureText } from './scenarios/bench';
import { expectOk } from './scenarios/expect';
import { changeSet, hostView, rawState, runningJails } from './scenarios/view';
import { REPO_DIR } from './host';

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const fakebsd = require(path.join(REPO_DIR, 'test/e2e/fakebsd/index.js'));

/** The lab's host and template, a JailHost, and (vnet) a switch vi1 with jail v1 on it. */
const app = (vnet: boolean) => labApp({ jails: [] }, (lab: LabStack) => {
  const jailHost = new JailHost(lab, 'jails', { host: lab.host });
  if (!vnet) return;
  const vi1 = new VnetBridge(lab, 'vi1', { host: lab.host });
  new JailFromSnapshot(lab, 'v1', {
    jailHost,
    source: JailSource.template(lab.template),
    networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi1, addresses: ['10.9.1.11/24'] }] })],
  });
});

interface KernelView { kld: string[]; ng: unknown; ifaces: string[] }

describeOnFakeHost('VNET preflight: hosts that cannot run VNET jails', () => {
  let bench: Bench;
  const kernel = (): KernelView => {
    const s = rawState(bench.host) as unknown as { kld: string[]; ng: { nodes: Record<string, unknown> }; ifaces: Record<string, unknown> };
    return { kld: [...s.kld].sort(), ng: s.ng.nodes, ifaces: Object.keys(s.ifaces).sort() };
  };
  const setKernel = (features: string[], missingModules: string[]) => fakebsd.updateState(bench.host.root, (s: any) => {
    s.host.features = features;
    s.host.missingModules = missingModules;
  });
  /** The resource addresses of a report's list that start with `prefix`. */
  const named = (list: string[], prefix: string) => list.filter((a) => a.startsWith(`null_resource.${prefix}`));

  beforeAll(async () => {
    bench = await Bench.start();
    // The host and template without VNET, applied on a kernel that has everything.
    bench.synth(app(false));
    expectOk(await bench.apply());
    bench.synth(app(true));
  }, 300_000);
  afterAll(async () => {
    await bench?.stop();
  });

  test('a kernel without VIMAGE: the switch step fails with its message; no switch, no jail; only the dataset, which does not wait for the switch, was made', async () => {
    setKernel([], []);
    const check = await bench.host.hostExec('sysctl -n kern.features.vimage');
    expect([check.code, check.stderr]).toEqual([1, "sysctl: unknown oid 'kern.features.vimage'\n"]);
    const before = hostView(bench.host);
    const kernelBefore = kernel();
    const report = await bench.apply();
    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => f.address)).toEqual([expect.stringMatching(/^null_resource\.vi1_switch/)]);
    expect(report.failures[0].output).toContain('error: this kernel has no VIMAGE (sysctl kern.features.vimage is not 1): VNET jails need it. '
      + 'GENERIC has "options VIMAGE" since FreeBSD 12.0 (sys/amd64/conf/GENERIC; arm64: sys/arm64/conf/std.arm64): boot GENERIC, or add "options VIMAGE" to this custom kernel and rebuild it');
    // Nothing after the kernel check ran: no module loaded, no netgraph node, no interface.
    expect(report.failures[0].output).not.toContain('netgraph modules');
    expect(kernel()).toEqual(kernelBefore);
    // The jail's configuration waits for the switch: not made, not started.
    expect(named(report.created, 'v1_config')).toEqual([]);
    expect(runningJails(bench.host)).toEqual([]);
    expect(bench.host.exists('/etc/jail.conf.d/v1.conf')).toBe(false);
    // All that changed: the jail's dataset (its step waits only for the template), nothing else.
    expect(named(report.created, 'v1_dataset')).toHaveLength(1);
    const changed = [...changeSet(before, hostView(bench.host)).keys()];
    expect(changed.filter((k) => !/^(zfs zroot\/vm\/v1|mount \/vm\/v1|file \/vm\/v1(\/.*)?)$/.test(k))).toEqual([]);
    expect(changed).toEqual(expect.arrayContaining(['zfs zroot/vm/v1', 'file /vm/v1/etc/rc.conf']));
  }, 300_000);

  test('a netgraph module that cannot load: the switch step fails with kldload\'s and its own message; no switch, no jail', async () => {
    setKernel(['vimage'], ['ng_bridge']);
    const before = hostView(bench.host);
    const kernelBefore = kernel();
    const report = await bench.apply();
    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => f.address)).toEqual([expect.stringMatching(/^null_resource\.vi1_switch/)]);
    expect(report.failures[0].output).toContain("kldload: can't load ng_bridge: No such file or directory");
    expect(report.failures[0].output).toContain('error: the netgraph modules cannot be loaded (kldload netgraph ng_socket ng_bridge ng_eiface): VNET switches need them');
    // kldload loads the others (sbin/kldload: file by file); no node, no interface was made.
    expect(kernel()).toEqual({ ...kernelBefore, kld: [...new Set([...kernelBefore.kld, 'netgraph', 'ng_socket', 'ng_eiface'])].sort() });
    expect(kernel().kld).not.toContain('ng_bridge');
    expect(runningJails(bench.host)).toEqual([]);
    expect(named(report.created, 'v1_config')).toEqual([]);
    // Nothing else changed: the dataset was there from the run before.
    expect([...changeSet(before, hostView(bench.host)).keys()]).toEqual([]);
  }, 300_000);

  test('on a fixed host the same app converges: the switch, the jail, the listing', async () => {
    setKernel(['vimage'], []);
    const report = await bench.apply();
    expect([report.ok, failureText(report)]).toEqual([true, '']);
    expect(runningJails(bench.host)).toEqual(['v1']);
    const listing = await bench.host.hostExec('/usr/local/libexec/cdktf-freebsd-jails/helper-1 vnet-list -r');
    expect([listing.code, listing.stdout]).toEqual([0, 'vi1\n  v1 vi1_v1 10.9.1.11/24\n']);
    // The Terraform output the library made at synth is what the live host lists.
    const state = JSON.parse(fs.readFileSync(`${bench.stateFile}.lab.tfstate`, 'utf8'));
    expect(state.outputs.vnet_topology_host).toEqual({ value: listing.stdout, type: 'string' });
  }, 300_000);
});
