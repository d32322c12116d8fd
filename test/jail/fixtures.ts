/** A stack with one host, a template and a JailHost, for jail tests. */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing, TerraformStack } from 'cdktf';
import { tempDir } from '../support/sh';
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


/**
 * Runs a jail's host-side hook through /bin/sh -c, as jail(8) does, against a temporary jail
 * root and a directory standing for the host outside it: `setup` plants files, `command` gives
 * the hook's text for that root (its $path) and the temporary directory.
 */
export function runJailHook(command: (root: string, dir: string) => string, setup: (root: string, outside: string) => void): { r: SpawnSyncReturns<string>; root: string; outside: string } {
  const dir = tempDir();
  const root = path.join(dir, 'jail');
  const outside = path.join(dir, 'host');
  fs.mkdirSync(outside);
  fs.mkdirSync(root);
  setup(root, outside);
  return { r: spawnSync('/bin/sh', ['-c', command(root, dir)], { encoding: 'utf8' }), root, outside };
}
