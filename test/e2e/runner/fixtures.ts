/**
 * Hand-written cdk.tf.json in the shape the library synthesizes (cdktf 0.21): null_resources
 * with triggers, an ssh connection through self.triggers.*, a create remote-exec and a
 * destroy remote-exec running self.triggers.destroy_script.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface FixtureHost {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly keyPath: string;
  readonly hostKey?: string;
  /** The connection's timeout (Terraform retries connecting until then; default 2m). */
  readonly timeout?: string;
}

export interface FixtureResource {
  readonly name: string;
  /** Lines of the create script after `#!/bin/sh` and `set -eu`. */
  readonly create: string[];
  /** Body of the destroy script; no destroy provisioner when undefined. */
  readonly destroy?: string;
  readonly dependsOn?: string[];
  /** Extra triggers (values are Terraform templates, e.g. "${null_resource.a.id}"). */
  readonly triggers?: Record<string, string>;
  readonly onFailure?: 'continue';
  /** Trigger keys under lifecycle.ignore_changes. */
  readonly ignoreTriggers?: string[];
}

export function nullResource(r: FixtureResource, host: FixtureHost): Record<string, unknown> {
  const provisioner: unknown[] = [
    { 'remote-exec': { inline: ['#!/bin/sh', 'set -eu', ...r.create], ...(r.onFailure ? { on_failure: r.onFailure } : {}) } },
  ];
  if (r.destroy !== undefined) provisioner.push({ 'remote-exec': { when: 'destroy', inline: ['${self.triggers.destroy_script}'] } });
  return {
    triggers: {
      host: host.host, port: String(host.port), user: host.user, key_path: host.keyPath, host_key: host.hostKey ?? '', bastion_host: '',
      ...(r.destroy !== undefined ? { destroy_script: `#!/bin/sh\nset -eu\n${r.destroy}\n` } : {}),
      ...(r.triggers ?? {}),
    },
    ...(r.dependsOn ? { depends_on: r.dependsOn.map((d) => `null_resource.${d}`) } : {}),
    connection: {
      type: 'ssh', host: '${self.triggers.host}', port: '${self.triggers.port}', user: '${self.triggers.user}',
      private_key: '${file(self.triggers.key_path)}', host_key: '${self.triggers.host_key}', timeout: host.timeout ?? '2m',
    },
    provisioner,
    ...(r.ignoreTriggers ? { lifecycle: { ignore_changes: r.ignoreTriggers.map((k) => `triggers["${k}"]`) } } : {}),
  };
}

export function stackJson(resources: Record<string, unknown>): Record<string, unknown> {
  return {
    '//': { metadata: { backend: 'local', stackName: 'test', version: '0.21.0' } },
    'provider': { null: [{}] },
    'terraform': { required_providers: { null: { source: 'hashicorp/null', version: '3.2.4' } } },
    'resource': { null_resource: resources },
  };
}

/** Writes OUT/stacks/STACK/cdk.tf.json (replacing it) and returns OUT. */
export function writeStack(outDir: string, json: unknown, stack = 'test'): string {
  const dir = path.join(outDir, 'stacks', stack);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  return outDir;
}

export function writeResources(outDir: string, host: FixtureHost, resources: FixtureResource[], stack = 'test'): string {
  return writeStack(outDir, stackJson(Object.fromEntries(resources.map((r) => [r.name, nullResource(r, host)]))), stack);
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
