/**
 * The notebook's "Routed Configuration": VNET jail v1 on a switch whose host side is the
 * interface vi0 holding the gateway 172.31.0.1/24; the host forwards (gateway_enable,
 * net.inet.ip.forwarding). `npx cdktf synth` here. Connection settings come from the
 * environment as in examples/notebook; VNET_BACKEND=if_bridge builds the switch with if_bridge(4)
 * and epair(4) instead of netgraph.
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { FreeBsdHost, FreeBsdRelease, JailFromSnapshot, JailHost, JailSource, JailVnetNetwork, VnetBridge, VnetBridgeMode, ZfsTemplate } from '../../lib';
import { notebookHostProps, vnetBackend } from '../notebook/main';

export class RoutedStack extends TerraformStack {
  public readonly host: FreeBsdHost;
  public readonly network: VnetBridge;
  public readonly jail: JailFromSnapshot;

  constructor(scope: Construct, id: string, env: NodeJS.ProcessEnv = process.env) {
    super(scope, id);
    this.host = new FreeBsdHost(this, 'host', notebookHostProps(env));
    const template = new ZfsTemplate(this, 'template', { host: this.host, release: FreeBsdRelease.V14_5, mirror: env.FREEBSD_MIRROR, snapshotName: 'p3' });
    const jailHost = new JailHost(this, 'jails', { host: this.host });
    // $net = "vi0", $gwv4 = "172.31.0.1", $plen = 24: `vnet add -4 $gwv4/$plen`.
    this.network = new VnetBridge(this, 'vi0', { host: this.host, mode: VnetBridgeMode.routed({ gateways: ['172.31.0.1/24'] }) });
    this.jail = new JailFromSnapshot(this, 'v1', {
      jailHost,
      source: JailSource.template(template),
      networks: [new JailVnetNetwork({ interfaces: [{ bridge: this.network, addresses: ['172.31.0.11/24'] }], defaultRouter: '172.31.0.1' })],
    });
  }
}

if (require.main === module) {
  const app = new App();
  new RoutedStack(app, 'routed');
  app.synth();
}
