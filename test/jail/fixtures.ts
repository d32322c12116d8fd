/** A stack with one host, a template and a JailHost, for jail tests. */
import { Testing, TerraformStack } from 'cdktf';
import { FreeBsdHost, FreeBsdHostProps, FreeBsdRelease, JailFromSnapshot, JailFromSnapshotProps, JailHost, JailSource, ZfsTemplate } from '../../lib';

export function jailStack(hostProps: Partial<FreeBsdHostProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'stack');
  const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', release: FreeBsdRelease.of('14.3'), ...hostProps });
  const template = new ZfsTemplate(stack, 'template', { host, snapshotName: 'p3', release: hostProps.release ?? FreeBsdRelease.of('14.3') });
  const jailHost = new JailHost(stack, 'jails', { host });
  const jail = (id: string, props: Partial<JailFromSnapshotProps> = {}) => new JailFromSnapshot(stack, id, { jailHost, source: JailSource.template(template), ...props });
  return { stack, host, template, jailHost, jail };
}

/** Synthesize with validations (duplicate names and addresses are checked there). */
export function synthValidated(stack: TerraformStack): string {
  return Testing.synth(stack, true);
}

