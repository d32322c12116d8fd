/**
 * The Terraform binary the tests run, and the offline environment they run it in. The
 * hashicorp/null provider is the test double in test/e2e/provider, handed over with
 * TF_REATTACH_PROVIDERS: no registry, no plugin directory, no lock file.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Where this project's machine image has it (CI and every developer machine). */
export const DEFAULT_TERRAFORM = '/usr/local/bin/terraform';

export interface TerraformAvailability {
  readonly binary?: string;
  readonly reason?: string;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

/** E2E_TERRAFORM_BIN, else /usr/local/bin/terraform, else terraform on PATH; or why there is none. */
export function terraformBinary(env: NodeJS.ProcessEnv = process.env): TerraformAvailability {
  if (env.E2E_TERRAFORM_BIN) {
    return fs.existsSync(env.E2E_TERRAFORM_BIN) ? { binary: env.E2E_TERRAFORM_BIN } : { reason: `E2E_TERRAFORM_BIN=${env.E2E_TERRAFORM_BIN} does not exist` };
  }
  const binary = fs.existsSync(DEFAULT_TERRAFORM) ? DEFAULT_TERRAFORM : onPath('terraform');
  return binary ? { binary } : { reason: `no terraform binary (${DEFAULT_TERRAFORM}, PATH, E2E_TERRAFORM_BIN)` };
}

/**
 * Offline and non-interactive: no CLI configuration (so no provider installation settings
 * from the machine), no checkpoint (version check) traffic, no prompts; the null provider
 * is the double at `reattach`.
 */
export function terraformEnv(reattach: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0',
    TF_REATTACH_PROVIDERS: reattach,
    ...extra,
  };
}
