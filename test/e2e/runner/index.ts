/**
 * Test-only plan runner: does what terraform does for the null_resources in
 * cdktf.out/stacks/*\/cdk.tf.json. With E2E_ENGINE=terraform the real binary runs instead
 * (see terraform-engine.ts).
 *
 *   const report = await planAndApply('cdktf.out', '/tmp/state.json');
 *   await destroyAll('cdktf.out', '/tmp/state.json');
 */
import { applyStack, destroyStack, emptyReport, finishReport, PlannedChange, planStack, RunReport, StackRun } from './apply';
import { loadStacks, StackConfig } from './config';
import { OpenSshTransport } from './openssh';
import { loadState, saveState, StateFile } from './state';
import { Engine, runTerraform, selectEngine } from './terraform-engine';
import { Transport } from './transport';

export { RunReport, PlannedChange, Failure } from './apply';
export { ConfigError } from './config';
export { ExpressionError } from './expressions';
export { Transport, Connection, ConnectionSpec, ExecResult } from './transport';

export interface RunOptions {
  /** The SSH layer; default the OpenSSH client. Tests inject a fake. */
  readonly transport?: Transport;
  /** Like terraform's -parallelism (default 10). */
  readonly parallelism?: number;
  /** Only these stacks (default all, in name order). */
  readonly stacks?: string[];
  /** Receives provisioner output, one block per script run. */
  readonly log?: (line: string) => void;
  /** Caps connection timeouts (default: the plan's own, terraform's 5m when unset). */
  readonly maxConnectTimeoutMs?: number;
}

type StackStep = (run: StackRun) => Promise<unknown>;

async function runStacks(outDir: string, stateFile: string, opts: RunOptions, step: StackStep): Promise<RunReport> {
  const started = Date.now();
  const stacks = loadStacks(outDir, opts.stacks);
  const state = loadState(stateFile);
  const transport = opts.transport ?? new OpenSshTransport();
  const report = emptyReport('runner');
  for (const stack of stacks) {
    const run = stackRun(stack, state, stateFile, transport, opts, report, stacks.length > 1);
    await step(run);
    finishReport(run);
    if (!report.ok) break; // like cdktf deploy: a failed stack stops the ones after it
  }
  report.durationMs = Date.now() - started;
  return report;
}

function stackRun(stack: StackConfig, state: StateFile, stateFile: string, transport: Transport, opts: RunOptions, report: RunReport, prefix: boolean): StackRun {
  state.stacks[stack.name] ??= { resources: {} };
  return {
    stack,
    state: state.stacks[stack.name],
    save: () => saveState(stateFile, state),
    ctx: { transport, baseDir: stack.dir, log: opts.log, maxConnectTimeoutMs: opts.maxConnectTimeoutMs },
    report,
    label: (address) => (prefix ? `${stack.name}:${address}` : address),
    parallelism: opts.parallelism ?? 10,
  };
}

/** `terraform apply -auto-approve` for every stack. Never throws for a failed provisioner: see report.ok and report.failures. */
export function planAndApply(outDir: string, stateFile: string, opts: RunOptions = {}): Promise<RunReport> {
  return runStacks(outDir, stateFile, opts, applyStack);
}

/** `terraform destroy -auto-approve` for every stack. */
export function destroyAll(outDir: string, stateFile: string, opts: RunOptions = {}): Promise<RunReport> {
  return runStacks(outDir, stateFile, opts, destroyStack);
}

/** `terraform plan`: what apply would do, per stack. Touches nothing. */
export function plan(outDir: string, stateFile: string, opts: Pick<RunOptions, 'stacks'> = {}): Record<string, PlannedChange[]> {
  const state = loadState(stateFile);
  const out: Record<string, PlannedChange[]> = {};
  for (const stack of loadStacks(outDir, opts.stacks)) out[stack.name] = planStack(stack, state.stacks[stack.name] ?? { resources: {} });
  return out;
}

export { Engine, selectEngine };

/** planAndApply through the engine E2E_ENGINE selects (throws with the skip reason if it cannot run). */
export async function applyWithEngine(outDir: string, stateFile: string, opts: RunOptions = {}): Promise<RunReport> {
  const engine = requireEngine();
  return engine.kind === 'runner' ? planAndApply(outDir, stateFile, opts) : runTerraform(engine, outDir, stateFile, 'apply');
}

/** destroyAll through the engine E2E_ENGINE selects. */
export async function destroyWithEngine(outDir: string, stateFile: string, opts: RunOptions = {}): Promise<RunReport> {
  const engine = requireEngine();
  return engine.kind === 'runner' ? destroyAll(outDir, stateFile, opts) : runTerraform(engine, outDir, stateFile, 'destroy');
}

function requireEngine(): Engine {
  const engine = selectEngine();
  if ('skip' in engine) throw new Error(engine.skip);
  return engine;
}
