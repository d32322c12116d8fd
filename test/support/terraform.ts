/**
 * Whether Terraform (or OpenTofu) can really check a synthesized stack here: the binary and a
 * local copy of the hashicorp/null provider (no registry is reachable from this machine).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Terraform's implicit local mirror directories (CLI configuration docs, "Implied Local Mirror Directories"). */
const MIRRORS = [
  path.join(os.homedir(), '.terraform.d/plugins'),
  path.join(os.homedir(), '.local/share/terraform/plugins'),
  '/usr/local/share/terraform/plugins',
  '/usr/share/terraform/plugins',
];

export interface TerraformAvailability {
  readonly binary?: string;
  readonly reason?: string;
}

export function terraformWithNullProvider(): TerraformAvailability {
  const which = spawnSync('/bin/sh', ['-c', 'command -v terraform || command -v tofu'], { encoding: 'utf8' });
  const binary = which.stdout.trim();
  if (!binary) return { reason: 'no terraform or tofu binary is installed' };
  const hasNull = MIRRORS.some((m) => fs.existsSync(path.join(m, 'registry.terraform.io/hashicorp/null')));
  if (!hasNull) return { reason: `${binary} exists, but no local copy of the hashicorp/null provider (no registry is reachable)` };
  return { binary };
}
