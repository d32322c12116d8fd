/**
 * Plan and apply of one stack with terraform's null_resource semantics:
 * - changed triggers: destroy (destroy provisioners with the OLD self) then create;
 * - a failed create leaves the resource tainted and fails the apply;
 * - a tainted resource is replaced WITHOUT its destroy provisioners;
 * - a resource removed from the configuration just leaves the state: its destroy
 *   provisioners went away with its block, so they do not run (terraform's documentation);
 * - destroys run in reverse dependency order, creates in dependency order, up to 10 at once.
 */
import { ResourceConfig, StackConfig } from './config';
import { evaluateTemplate, UNKNOWN } from './expressions';
import { GraphAction, runGraph } from './graph';
import { ProvisionContext, ProvisionError, ProvisionTally, runProvisioners } from './provision';
import { newResourceId, ResourceState, StackState, triggersEqual } from './state';

export type PlannedAction = 'create' | 'replace' | 'replace-tainted' | 'no-op' | 'remove';

export interface PlannedChange {
  readonly address: string;
  readonly action: PlannedAction;
  readonly reason?: string;
}

export interface Failure {
  readonly address: string;
  readonly phase: 'create' | 'destroy';
  readonly message: string;
  readonly output: string;
}

/** What one run did. Addresses are `null_resource.NAME` (prefixed `STACK:` when several stacks were run). */
export interface RunReport {
  engine: 'runner' | 'terraform';
  ok: boolean;
  created: string[];
  replaced: string[];
  destroyed: string[];
  /** Left the state without destroy provisioners: removed from the configuration, or tainted at destroy. */
  removedWithoutProvisioners: string[];
  unchanged: string[];
  /** Tainted in the state after this run. */
  tainted: string[];
  provisionerRuns: number;
  sshConnections: number;
  sshSessions: number;
  sessionsByResource: Record<string, number>;
  /** SSH connections (multiplexed: one per resource run) by resource address. */
  connectionsByResource: Record<string, number>;
  continuedFailures: string[];
  failures: Failure[];
  notStarted: string[];
  maxConcurrent: number;
  durationMs: number;
}

export function emptyReport(engine: RunReport['engine'] = 'runner'): RunReport {
  return {
    engine, ok: true, created: [], replaced: [], destroyed: [], removedWithoutProvisioners: [], unchanged: [], tainted: [],
    provisionerRuns: 0, sshConnections: 0, sshSessions: 0, sessionsByResource: {}, connectionsByResource: {}, continuedFailures: [], failures: [],
    notStarted: [], maxConcurrent: 0, durationMs: 0,
  };
}

export interface StackRun {
  readonly stack: StackConfig;
  readonly state: StackState;
  /** Persist the state (called after every change, like terraform's incremental state writes). */
  readonly save: () => void;
  readonly ctx: ProvisionContext;
  readonly report: RunReport;
  /** Label used in the report for an address. */
  readonly label: (address: string) => string;
  readonly parallelism: number;
}

/** Triggers evaluated against the ids of the resources they reference; UNKNOWN if one is (re)created. */
function evaluateTriggers(res: ResourceConfig, ids: Record<string, string | undefined>, baseDir: string): Record<string, string> | typeof UNKNOWN {
  const out: Record<string, string> = {};
  for (const [k, t] of Object.entries(res.triggers)) {
    const v = evaluateTemplate(t, `${res.address}.triggers.${k}`, { resourceIds: ids, baseDir });
    if (v === UNKNOWN) return UNKNOWN;
    out[k] = v;
  }
  return out;
}

export function planStack(stack: StackConfig, state: StackState): PlannedChange[] {
  const decided = new Map<string, PlannedChange>();
  const decide = (address: string): PlannedChange => {
    const known = decided.get(address);
    if (known) return known;
    const res = stack.resources.get(address)!;
    const ids: Record<string, string | undefined> = {};
    // Dependencies first (the config parser refused unknown ones; graph.ts refuses cycles at apply).
    for (const d of res.dependsOn) ids[d] = decide(d).action === 'no-op' ? state.resources[d]?.id : undefined;
    const prior = state.resources[address];
    let change: PlannedChange;
    if (!prior) change = { address, action: 'create' };
    else if (prior.tainted) change = { address, action: 'replace-tainted', reason: 'tainted' };
    else {
      const triggers = evaluateTriggers(res, ids, stack.dir);
      if (triggers === UNKNOWN) change = { address, action: 'replace', reason: 'triggers reference a resource that will be replaced' };
      else if (!triggersEqual(withoutKeys(triggers, res.ignoredTriggers), withoutKeys(prior.triggers, res.ignoredTriggers))) {
        const keys = [...new Set([...Object.keys(triggers), ...Object.keys(prior.triggers)])]
          .filter((k) => !res.ignoredTriggers.includes(k) && triggers[k] !== prior.triggers[k]);
        change = { address, action: 'replace', reason: `triggers changed: ${keys.sort().join(', ')}` };
      } else change = { address, action: 'no-op' };
    }
    decided.set(address, change);
    return change;
  };
  guardCycles(stack);
  const changes = [...stack.resources.keys()].map(decide);
  for (const address of Object.keys(state.resources)) {
    if (!stack.resources.has(address)) changes.push({ address, action: 'remove', reason: 'removed from the configuration' });
  }
  return changes;
}

/** Triggers without the keys under lifecycle.ignore_changes (their prior values stay in state). */
function withoutKeys(triggers: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(triggers).filter(([k]) => !keys.includes(k)));
}

function guardCycles(stack: StackConfig): void {
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (a: string, trail: string[]): void => {
    if (done.has(a)) return;
    if (visiting.has(a)) throw new Error(`${stack.name}: dependency cycle: ${[...trail, a].join(' -> ')}`);
    visiting.add(a);
    for (const d of stack.resources.get(a)!.dependsOn) visit(d, [...trail, a]);
    done.add(a);
  };
  for (const a of stack.resources.keys()) visit(a, []);
}

function newTally(): ProvisionTally {
  return { runs: 0, connections: 0, sessions: 0, continued: [] };
}

function addTally(run: StackRun, address: string, t: ProvisionTally): void {
  const r = run.report;
  r.provisionerRuns += t.runs;
  r.sshConnections += t.connections;
  r.sshSessions += t.sessions;
  r.continuedFailures.push(...t.continued);
  const label = run.label(address);
  r.sessionsByResource[label] = (r.sessionsByResource[label] ?? 0) + t.sessions;
  r.connectionsByResource[label] = (r.connectionsByResource[label] ?? 0) + t.connections;
}

/** Runs destroy provisioners with the prior object as self, then drops the resource from the state. */
async function destroyResource(run: StackRun, address: string, prior: ResourceState): Promise<void> {
  const res = run.stack.resources.get(address);
  const tally = newTally();
  try {
    if (res) await runProvisioners(res, 'destroy', { triggers: prior.triggers, id: prior.id }, run.ctx, tally);
  } catch (e) {
    const err = e as ProvisionError;
    run.report.failures.push({ address: run.label(address), phase: 'destroy', message: err.message, output: err.output ?? '' });
    throw e; // the resource stays in the state; the next apply tries again
  } finally {
    addTally(run, address, tally);
  }
  delete run.state.resources[address];
  run.save();
}

async function createResource(run: StackRun, res: ResourceConfig): Promise<void> {
  const ids: Record<string, string | undefined> = {};
  for (const d of res.dependsOn) ids[d] = run.state.resources[d]?.id;
  const triggers = evaluateTriggers(res, ids, run.stack.dir);
  if (triggers === UNKNOWN) throw new Error(`${res.address}: a referenced resource has no id after its create`);
  const id = newResourceId();
  const tally = newTally();
  const record = (tainted: boolean) => {
    run.state.resources[res.address] = { id, triggers, dependencies: [...res.dependsOn], tainted };
    run.save();
  };
  try {
    await runProvisioners(res, 'create', { triggers, id }, run.ctx, tally);
  } catch (e) {
    const err = e as ProvisionError;
    record(true);
    run.report.failures.push({ address: run.label(res.address), phase: 'create', message: err.message, output: err.output ?? '' });
    throw e;
  } finally {
    addTally(run, res.address, tally);
  }
  record(false);
}

/** Who depends on `address`, according to the state and the configuration. */
function dependents(run: StackRun, address: string, among: Set<string>): string[] {
  return [...among].filter((other) =>
    (run.state.resources[other]?.dependencies ?? []).includes(address)
    || (run.stack.resources.get(other)?.dependsOn ?? []).includes(address));
}

async function execute(run: StackRun, actions: GraphAction[]): Promise<void> {
  const result = await runGraph(actions, run.parallelism);
  run.report.maxConcurrent = Math.max(run.report.maxConcurrent, result.maxConcurrent);
  run.report.notStarted.push(...result.skipped.map((k) => `${k.split(':')[0]}:${run.label(k.slice(k.indexOf(':') + 1))}`));
  if (result.failed.length > 0) run.report.ok = false;
  for (const f of result.failed) {
    if (!(f.error instanceof ProvisionError) && !run.report.failures.some((x) => x.message === f.error.message)) {
      run.report.failures.push({ address: f.key, phase: f.key.startsWith('destroy:') ? 'destroy' : 'create', message: f.error.message, output: '' });
    }
  }
}

export async function applyStack(run: StackRun): Promise<PlannedChange[]> {
  const plan = planStack(run.stack, run.state);
  const byAction = (...a: PlannedAction[]) => new Set(plan.filter((c) => a.includes(c.action)).map((c) => c.address));
  for (const address of byAction('remove')) {
    delete run.state.resources[address];
    run.report.removedWithoutProvisioners.push(run.label(address));
  }
  if (byAction('remove').size > 0) run.save();
  run.report.unchanged.push(...[...byAction('no-op')].map(run.label));

  const destroying = byAction('replace');
  const creating = byAction('create', 'replace', 'replace-tainted');
  const actions: GraphAction[] = [];
  for (const address of destroying) {
    const prior = run.state.resources[address];
    actions.push({
      key: `destroy:${address}`,
      after: dependents(run, address, destroying).map((d) => `destroy:${d}`),
      run: () => destroyResource(run, address, prior),
    });
  }
  for (const address of creating) {
    const res = run.stack.resources.get(address)!;
    const after = res.dependsOn.filter((d) => creating.has(d)).map((d) => `create:${d}`);
    if (destroying.has(address)) after.push(`destroy:${address}`);
    actions.push({
      key: `create:${address}`,
      after,
      run: async () => {
        // A tainted object goes away without its destroy provisioners (terraform's documented behaviour).
        if (run.state.resources[address]?.tainted) delete run.state.resources[address];
        await createResource(run, res);
        (plan.find((c) => c.address === address)!.action === 'create' ? run.report.created : run.report.replaced).push(run.label(address));
      },
    });
  }
  await execute(run, actions);
  return plan;
}

/** `terraform destroy`: every resource in the state, dependents first. */
export async function destroyStack(run: StackRun): Promise<void> {
  const all = new Set(Object.keys(run.state.resources));
  const actions: GraphAction[] = [...all].map((address) => {
    const prior = run.state.resources[address];
    return {
      key: `destroy:${address}`,
      after: dependents(run, address, all).map((d) => `destroy:${d}`),
      run: async () => {
        // Tainted objects and objects whose block is gone have no destroy provisioners to run.
        if (prior.tainted || !run.stack.resources.has(address)) {
          delete run.state.resources[address];
          run.save();
          run.report.removedWithoutProvisioners.push(run.label(address));
          return;
        }
        await destroyResource(run, address, prior);
        run.report.destroyed.push(run.label(address));
      },
    };
  });
  await execute(run, actions);
}

export function finishReport(run: StackRun): void {
  for (const [address, r] of Object.entries(run.state.resources)) if (r.tainted) run.report.tainted.push(run.label(address));
}
