/**
 * Runs synthesized stacks (cdktf.out/stacks/NAME/cdk.tf.json) through the real Terraform
 * binary, as `cdktf deploy` does: init, then apply (or destroy) with -json, per stack in name
 * order, stopping after a failed stack. The null provider is the test double, reattached.
 *
 * Each stack's state lives at `${stateFile}.${stack}.tfstate`, outside cdktf.out (a synth
 * replaces that directory): an override file points the local backend there.
 */
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { terraformEnv } from '../../support/terraform';
import { nullProvider } from '../provider/launch';
import { emptyReport, RunReport } from './report';
import { addStackOutcome, parseUi, stateResources } from './ui';

export interface RunOptions {
  /** terraform's -parallelism (default 10, Terraform's own default). */
  readonly parallelism?: number;
  /** Only these stacks (default all, in name order). */
  readonly stacks?: string[];
  /** Receives each provisioner output line Terraform reports, prefixed with the resource address. */
  readonly log?: (line: string) => void;
}

/** The override file in each stack directory that moves the local backend's state out of cdktf.out. */
export const STATE_OVERRIDE = 'e2e_state_override.tf.json';

interface Exec { code: number; stdout: string; stderr: string }

/**
 * Terraform's Go garbage collector at its default (GOGC=100) took half of an apply's CPU here:
 * 1.5-1.7 s user time per apply of the lab app, measured; at GOGC=400 an apply takes 0.55-0.8 s
 * for a peak RSS of about 170 MB instead of 90 MB. A fault run's two applies are about half of
 * its CPU, so the collector runs less often. A GOGC of the caller's wins.
 */
const TERRAFORM_GC = { GOGC: process.env.GOGC ?? '400' };

/**
 * `terraform init` of a stack writes only .terraform (the backend's configuration; the
 * reattached provider installs nothing). With the state path relative to the stack directory,
 * that directory is the same for every synth of the same backend and providers: it is made
 * once per test process and copied (init takes about a second, a copy a millisecond).
 */
let initCache: string | undefined;
function initCacheDir(): string {
  if (!initCache) {
    initCache = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-e2e-init-'));
    const dir = initCache;
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return initCache;
}

/** What init depends on: the override and the stack's terraform block (backend, required providers). */
function initKey(dir: string, override: string): string {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8'));
  return createHash('sha256').update(override).update(JSON.stringify(json.terraform ?? {})).update(JSON.stringify(json.provider ?? {})).digest('hex').slice(0, 16);
}

function run(binary: string, cwd: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<Exec> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => {
      const s = d.toString();
      stdout += s;
      if (!onLine) return;
      partial += s;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const l of lines) onLine(l);
    });
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-65_536); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function stackNames(outDir: string, only?: string[]): string[] {
  const dir = path.join(outDir, 'stacks');
  const all = fs.readdirSync(dir).filter((s) => fs.existsSync(path.join(dir, s, 'cdk.tf.json'))).sort();
  if (!only) return all;
  const missing = only.filter((s) => !all.includes(s));
  if (missing.length > 0) throw new Error(`no stack ${missing.join(', ')} in ${outDir} (there are ${all.join(', ')})`);
  return all.filter((s) => only.includes(s));
}

/** `terraform apply` or `destroy` of every stack; never throws for a failed resource (see report.ok). */
export async function runTerraform(binary: string, outDir: string, stateFile: string, command: 'apply' | 'destroy', opts: RunOptions = {}): Promise<RunReport> {
  const started = Date.now();
  const provider = await nullProvider();
  const env = terraformEnv(provider.reattach, TERRAFORM_GC);
  const report = emptyReport();
  const stacks = stackNames(outDir, opts.stacks);
  for (const stack of stacks) {
    const dir = path.join(outDir, 'stacks', stack);
    const state = path.resolve(`${stateFile}.${stack}.tfstate`);
    const override = JSON.stringify({ terraform: { backend: { local: { path: path.relative(dir, state) } } } }, null, 2);
    // Init once per synthesized stack and state location (a synth replaces the directory).
    const initialized = path.join(dir, '.terraform', 'e2e-initialized');
    if (!fs.existsSync(initialized) || fs.readFileSync(initialized, 'utf8') !== override) {
      fs.writeFileSync(path.join(dir, STATE_OVERRIDE), override);
      const cached = path.join(initCacheDir(), initKey(dir, override));
      if (fs.existsSync(cached)) {
        fs.cpSync(cached, path.join(dir, '.terraform'), { recursive: true });
      } else {
        const init = await run(binary, dir, ['init', '-input=false', '-no-color', '-reconfigure'], env);
        if (init.code !== 0) throw new Error(`terraform init failed in ${dir}:\n${init.stdout}${init.stderr}`);
        const tmp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
        fs.cpSync(path.join(dir, '.terraform'), tmp, { recursive: true });
        try { fs.renameSync(tmp, cached); } catch { fs.rmSync(tmp, { recursive: true, force: true }); /* another run cached it first */ }
      }
      fs.writeFileSync(initialized, override);
    }
    const show = async () => {
      if (!fs.existsSync(state)) return { addresses: [], tainted: [] };
      const r = await run(binary, dir, ['show', '-json', '-no-color'], env);
      if (r.code !== 0) throw new Error(`terraform show failed in ${dir}:\n${r.stderr}`);
      return stateResources(r.stdout);
    };
    const before = command === 'destroy' ? await show() : { addresses: [], tainted: [] };
    const args = [command, '-auto-approve', '-input=false', '-json', `-parallelism=${opts.parallelism ?? 10}`];
    const label = (address: string) => (stacks.length > 1 ? `${stack}:${address}` : address);
    const onLine = opts.log ? (line: string) => {
      try {
        const m = JSON.parse(line);
        if (m.type === 'provision_progress') opts.log!(`${label(m.hook.resource.addr)}: ${m.hook.output}`);
      } catch { /* not a UI message */ }
    } : undefined;
    const applyStarted = Date.now();
    const r = await run(binary, dir, args, env, onLine);
    report.applyMs += Date.now() - applyStarted;
    addStackOutcome(report, { command, messages: parseUi(r.stdout), taintedBefore: new Set(before.tainted), after: await show(), exitCode: r.code, label });
    if (r.code !== 0 && report.failures.length === 0) {
      report.failures.push({ address: label('(stack)'), phase: command === 'destroy' ? 'destroy' : 'create', message: `terraform ${command} exited ${r.code}`, output: r.stderr });
    }
    if (!report.ok) break; // like cdktf deploy: a failed stack stops the ones after it
  }
  report.durationMs = Date.now() - started;
  return report;
}
