/**
 * The notebook's "Separate Network Configuration" as code: five VNET jails on four switches
 * separated from the host. r1 is the central router (a crude public network, with bpf for
 * tcpdump: devfs ruleset 10), vpnr1 and vpnr2 are the routers of two private sites (tun:
 * ruleset 11) and vpnh1, vpnh2 the hosts behind them; WireGuard goes onto the routers offline,
 * and every jail sees the host's package cache read-only at /mnt.
 *
 *                      vri1_vpnr1      vri1_vpnh1
 *       [Router(vpnr1)]o ------ (vri1br) ------ o[Host (vpnh1)]
 *     vi1_vpnr1 o      192.168.1.1   192.168.1.11
 *   172.31.1.11 |
 *            (vi1br)
 *   172.31.1.1  |
 *        vi1_r1 o  [Router(r1)]  o vi2_r1 172.31.2.1
 *            (vi2br)
 *   172.31.2.11 |
 *     vi2_vpnr2 o      192.168.2.1   192.168.2.11
 *       [Router(vpnr2)]o ------ (vri2br) ------ o[Host (vpnh2)]
 *
 * Connection settings come from the environment as in examples/notebook (FREEBSD_HOST, ...);
 * VNET_BACKEND=if_bridge builds the switches with if_bridge(4) and epair(4) instead of netgraph.
 * Run `npx cdktf synth` in this folder: the library puts the topology into the stack, as the
 * Terraform output vnet_topology_host (the listing the helper's `vnet-list -r` prints on the
 * host) and as cdktf.out/stacks/vnet-lab/vnet-topology-host.mmd (a Mermaid flowchart);
 * `npm start` at the top prints both.
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DevfsRuleset, FreeBsdHost, FreeBsdRelease, JailFromSnapshot, JailHost, JailPackages, JailSource, JailVnetNetwork, VnetBridge, ZfsTemplate } from '../../lib';
import { notebookDevfsRulesets, notebookHostProps, vnetBackend } from '../notebook/main';

/** One lab jail: its interfaces (switch, address), default router, forwarding, devfs ruleset. */
interface LabJailSpec {
  readonly name: string;
  readonly interfaces: Array<[switchName: string, address: string]>;
  readonly defaultRouter?: string;
  readonly forwarding?: boolean;
  readonly devfsRuleset?: number;
}

/** The notebook's lab, jail by jail, as its jail.conf has it. */
export const LAB_JAILS: LabJailSpec[] = [
  { name: 'r1', interfaces: [['vi1', '172.31.1.1/24'], ['vi2', '172.31.2.1/24']], forwarding: true, devfsRuleset: 10 },
  { name: 'vpnr1', interfaces: [['vi1', '172.31.1.11/24'], ['vri1', '192.168.1.1/24']], defaultRouter: '172.31.1.1', forwarding: true, devfsRuleset: 11 },
  { name: 'vpnr2', interfaces: [['vi2', '172.31.2.11/24'], ['vri2', '192.168.2.1/24']], defaultRouter: '172.31.2.1', forwarding: true, devfsRuleset: 11 },
  { name: 'vpnh1', interfaces: [['vri1', '192.168.1.11/24']], defaultRouter: '192.168.1.1' },
  { name: 'vpnh2', interfaces: [['vri2', '192.168.2.11/24']], defaultRouter: '192.168.2.1' },
];

export class VnetLabStack extends TerraformStack {
  public readonly host: FreeBsdHost;
  public readonly template: ZfsTemplate;
  public readonly jailHost: JailHost;
  /** vi1, vi2 (the "public" networks around r1), vri1, vri2 (the sites). */
  public readonly switches: Record<string, VnetBridge>;
  public readonly jails: JailFromSnapshot[];
  /** WireGuard on the two VPN routers, installed offline (the jails have no way out). */
  public readonly wireguard: JailPackages[];
  /** [devfsrules_bpfjail=10]: tcpdump on r1. */
  public readonly bpfJailRuleset: DevfsRuleset;
  /** [devfsrules_tunjail=11]: the VPN routers. */
  public readonly tunJailRuleset: DevfsRuleset;

  constructor(scope: Construct, id: string, env: NodeJS.ProcessEnv = process.env) {
    super(scope, id);
    this.host = new FreeBsdHost(this, 'host', notebookHostProps(env));
    // The notebook's /etc/devfs.rules: [devfsrules_bpfjail=10] and [devfsrules_tunjail=11].
    [this.bpfJailRuleset, this.tunJailRuleset] = notebookDevfsRulesets(this, this.host);
    const rulesets: Record<number, DevfsRuleset> = { 10: this.bpfJailRuleset, 11: this.tunJailRuleset };
    this.template = new ZfsTemplate(this, 'template', {
      host: this.host,
      release: FreeBsdRelease.V14_5,
      mirror: env.FREEBSD_MIRROR,
      snapshotName: 'p3',
    });
    // The lab's jail.conf has no resolv.conf copying: the jails have no DNS to reach.
    this.jailHost = new JailHost(this, 'jails', { host: this.host, defaults: { copyResolvConf: false } });
    // `vnet add -b`: switches only, nothing of them on the host.
    const backend = vnetBackend(env);
    this.switches = Object.fromEntries(['vi1', 'vi2', 'vri1', 'vri2'].map((n) => [n, new VnetBridge(this, n, { host: this.host, backend })]));
    this.jails = LAB_JAILS.map((j) =>
      new JailFromSnapshot(this, j.name, {
        jailHost: this.jailHost,
        source: JailSource.template(this.template),
        allow: { chflags: true, rawSockets: true },
        // The host's package cache, read-only: pkg add without a network.
        mounts: [{ device: '/var/cache/pkg', jailPath: '/mnt', type: 'nullfs', options: 'ro' }],
        networks: [new JailVnetNetwork({
          interfaces: j.interfaces.map(([sw, address]) => ({ bridge: this.switches[sw], addresses: [address] })),
          defaultRouter: j.defaultRouter,
          forwarding: j.forwarding,
        })],
        devfsRuleset: j.devfsRuleset === undefined ? undefined : rulesets[j.devfsRuleset],
      }));
    this.wireguard = this.jails.filter((j) => j.name === 'vpnr1' || j.name === 'vpnr2').map((j) =>
      new JailPackages(this, `${j.name}-wireguard`, { jail: j, packages: ['wireguard-tools'], offline: true, offlineMountPoint: '/var/cache/offline-pkg' }));
  }
}

if (require.main === module) {
  const app = new App();
  new VnetLabStack(app, 'vnet-lab');
  app.synth();
}
