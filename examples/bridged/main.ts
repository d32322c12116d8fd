/**
 * The notebook's "Bridged Configuration": VNET jail b1 on a switch joined to the host's em0
 * (ng_ether), using the host's LAN and its router 192.168.1.1. `npx cdktf synth` here.
 * Connection settings come from the environment as in examples/notebook; VNET_BACKEND=if_bridge
 * builds the switch with if_bridge(4) and epair(4) instead of netgraph (on FreeBSD 15 that needs
 * an em0 without IP addresses: see VnetBackend.IF_BRIDGE).
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { FreeBsdHost, FreeBsdRelease, JailFromSnapshot, JailHost, JailSource, JailVnetNetwork, VnetBridge, VnetBridgeMode, ZfsTemplate } from '../../lib';
import { notebookHostProps, vnetBackend } from '../notebook/main';

export class BridgedStack extends TerraformStack {
  public readonly host: FreeBsdHost;
  public readonly uplink: VnetBridge;
  public readonly jail: JailFromSnapshot;

  constructor(scope: Construct, id: string, env: NodeJS.ProcessEnv = process.env) {
    super(scope, id);
    this.host = new FreeBsdHost(this, 'host', notebookHostProps(env));
    const template = new ZfsTemplate(this, 'template', { host: this.host, release: FreeBsdRelease.V14_5, mirror: env.FREEBSD_MIRROR, snapshotName: 'p3' });
    const jailHost = new JailHost(this, 'jails', { host: this.host });
    // $net = "em0": the switch em0br on em0's ng_ether node.
    this.uplink = new VnetBridge(this, 'em0', { host: this.host, mode: VnetBridgeMode.bridged('em0'), subnets: ['192.168.1.0/24'], backend: vnetBackend(env) });
    this.jail = new JailFromSnapshot(this, 'b1', {
      jailHost,
      source: JailSource.template(template),
      networks: [new JailVnetNetwork({ interfaces: [{ bridge: this.uplink, addresses: ['192.168.1.11/24'] }], defaultRouter: '192.168.1.1' })],
    });
  }
}

if (require.main === module) {
  const app = new App();
  new BridgedStack(app, 'bridged');
  app.synth();
}
