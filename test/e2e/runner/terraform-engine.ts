/**
 * E2E_ENGINE=terraform: the same scenarios through a real `terraform` or `tofu` binary.
 * Only runs fully offline: the null provider must come from a local plugin directory
 * (E2E_TF_PLUGIN_DIR, TF_PLUGIN_CACHE_DIR or ~/.terraform.d/plugins), never a registry.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emptyReport, RunReport } from './apply';

export type Engine = { kind: 'runner' } | { kind: 'terraform'; binary: string; pluginDir: string };

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

function nullProviderDir(): string | undefined {
  const candidates = [process.env.E2E_TF_PLUGIN_DIR, process.env.TF_PLUGIN_CACHE_DIR, path.join(os.homedir(), '.terraform.d/plugins')];
  return candidates.find((d) => d && ['registry.terraform.io', 'registry.opentofu.org']
    .some((reg) => fs.existsSync(path.join(d, reg, 'hashicorp/null'))));
}

/** Which engine the scenarios use, or why the requested one cannot run. */
export function selectEngine(env: NodeJS.ProcessEnv = process.env): Engine | { skip: string } {
  if ((env.E2E_ENGINE ?? 'runner') === 'runner') return { kind: 'runner' };
  if (env.E2E_ENGINE !== 'terraform') return { skip: `unknown E2E_ENGINE=${env.E2E_ENGINE} (runner or terraform)` };
  const binary = env.E2E_TERRAFORM_BIN ?? onPath('terraform') ?? onPath('tofu');
  if (!binary) return { skip: 'E2E_ENGINE=terraform but neither terraform nor tofu is on PATH' };
  const pluginDir = nullProviderDir();
  if (!pluginDir) {
    return { skip: `E2E_ENGINE=terraform: ${binary} found, but no hashicorp/null provider in a local plugin directory (set E2E_TF_PLUGIN_DIR)` };
  }
  return { kind: 'terraform', binary, pluginDir };
}

/** Offline and quiet: no checkpoint (version check) traffic, no prompts, no colours. */
function tfEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
}

function tf(engine: { binary: string }, cwd: string, args: string[]): { code: number; output: string } {
  const r = spawnSync(engine.binary, [...args, '-no-color'], { cwd, env: tfEnv(), encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 1 << 28 });
  return { code: r.status ?? 1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Runs `apply` or `destroy` for every stack, keeping one state file per stack next to `stateFile`. */
export function runTerraform(engine: { binary: string; pluginDir: string }, outDir: string, stateFile: string, command: 'apply' | 'destroy'): RunReport {
  const started = Date.now();
  const report = emptyReport('terraform');
  const stacksDir = path.join(outDir, 'stacks');
  for (const stack of fs.readdirSync(stacksDir).sort()) {
    const dir = path.join(stacksDir, stack);
    const init = tf(engine, dir, ['init', '-input=false', `-plugin-dir=${engine.pluginDir}`]);
    if (init.code !== 0) throw new Error(`${engine.binary} init failed in ${dir}:\n${init.output}`);
    const state = path.resolve(`${stateFile}.${stack}.tfstate`);
    const r = tf(engine, dir, [command, '-auto-approve', '-input=false', '-parallelism=10', `-state=${state}`]);
    // "null_resource.x: Provisioning with 'remote-exec'..." once per provisioner run.
    report.provisionerRuns += (r.output.match(/Provisioning with '/g) ?? []).length;
    for (const m of r.output.matchAll(/^(null_resource\.[\w-]+): (Creation|Destruction) complete/gm)) {
      (m[2] === 'Creation' ? report.created : report.destroyed).push(m[1]);
    }
    if (r.code !== 0) {
      report.ok = false;
      report.failures.push({ address: stack, phase: command === 'apply' ? 'create' : 'destroy', message: `${engine.binary} ${command} exited ${r.code}`, output: r.output.slice(-8192) });
      break;
    }
  }
  report.durationMs = Date.now() - started;
  return report;
}
