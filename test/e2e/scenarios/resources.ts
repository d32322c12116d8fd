/** The app of the resource-limit scenarios (scenarios-resources, scenarios-faults-resources) and a reboot of the fake host. */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { notebookHostProps } from '../../../examples/notebook/main';
import {
  FreeBsdHost, FreeBsdRelease, HostSettings, JailAddress, JailFromSnapshot, JailHost, JailResourceLimits, JailSource, JailZfsProperties, ZfsTemplate,
} from '../../../lib';
import { REPO_DIR } from '../host';
import { BINARIES } from '../host/preconditions';
import { fakebsdIndex } from '../host/shims';
import { AppBuilder, Bench } from './bench';

export interface ResourcesProps {
  readonly limits?: JailResourceLimits;
  readonly zfsProperties?: JailZfsProperties;
  /** HostSettings with kern.racct.enable=1 in /boot/loader.conf. */
  readonly loader?: boolean;
  /** The jail h1 (default true); without it only the host, the template and the JailHost. */
  readonly jail?: boolean;
}

class ResourcesStack extends TerraformStack {
  constructor(scope: Construct, id: string, env: Record<string, string>, props: ResourcesProps) {
    super(scope, id);
    const host = new FreeBsdHost(this, 'host', notebookHostProps(env));
    if (props.loader) new HostSettings(this, 'racct', { host, loaderTunables: { 'kern.racct.enable': '1' }, description: 'rctl: kern.racct.enable' });
    const template = new ZfsTemplate(this, 'template', { host, release: FreeBsdRelease.V14_3, snapshotName: 'p3' });
    const jailHost = new JailHost(this, 'jails', { host });
    if (props.jail === false) return;
    new JailFromSnapshot(this, 'h1', {
      jailHost, source: JailSource.template(template), addresses: [JailAddress.onInterface('lo1', '127.1.1.1/32')],
      limits: props.limits, zfsProperties: props.zfsProperties,
    });
  }
}
export const resourcesApp = (props: ResourcesProps): AppBuilder => (app, env) => {
  new ResourcesStack(app, 'lab', env, props);
};

/** A reboot of the fake host, run inside it (fakebsd's reboot: service jail stop, the kernel's tunables again, service jail start). */
export async function reboot(bench: Bench): Promise<{ stop: string; start: string }> {
  const script = `const r = require(${JSON.stringify(fakebsdIndex(REPO_DIR))}).reboot('/');`
    + 'process.stdout.write(JSON.stringify({ stop: String(r.stop.stdout) + String(r.stop.stderr), start: String(r.start.stdout) + String(r.start.stderr) }));';
  const r = await bench.host.hostExec(`exec ${BINARIES.node}`, script);
  if (r.code !== 0) throw new Error(`reboot failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
