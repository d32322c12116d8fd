/**
 * Scenario 6: the k-th shim command of a step fails once (fakebsd's fault switch), or the SSH
 * connection drops when the script reaches it (the host's drop hook); the apply fails; the
 * next apply converges to what a clean run makes. Every run is on a fresh fake host, so a
 * half-done run can never leak into the next k; runs are compared by what they changed on
 * their host (hostView change sets), which does not depend on the host.
 *
 * The phase's starting point (a host with `before` applied, and its Terraform state) is made
 * once and every run starts from a copy of it (Bench.snapshot / fromSnapshot: the host's
 * overlay layer and the state with the connection moved to the copy's port), instead of
 * applying `before` again on each of hundreds of hosts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { armDrop, disarmDrop, REPO_DIR } from '../host';
import { AppBuilder, Bench, BenchOptions, BenchSnapshot, failureText } from './bench';
import { Figures } from './figures';
import { changeSet, hostView, scopeClaims } from './view';

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const fakebsd = require(path.join(REPO_DIR, 'test/e2e/fakebsd/index.js'));

/** A phase of an app: `before` is applied cleanly first, then `app` is what a fault hits. */
export interface FaultPhase {
  readonly before?: AppBuilder;
  /** Run on the starting point after `before` (a reboot that a loader tunable needs). */
  readonly prepare?: (bench: Bench) => Promise<void>;
  readonly app: AppBuilder;
  /** The host's options (its release, its mirror's releases). Default Bench.start's. */
  readonly bench?: BenchOptions;
}

export interface CleanRun {
  /** What the clean apply of `app` changed, key -> entry after. */
  readonly changes: Map<string, string>;
  /** The shim commands it ran, in order (one provisioner at a time). */
  readonly commands: string[];
  /**
   * The commands started through the host's wrappers (the ones a script ran), in order: what
   * the drop hook counts. A shim that another shim starts (rc.d/jail's jail(8) under service)
   * runs without the wrapper, so the fail switch sees it and the drop hook does not.
   */
  readonly wrapperStarts: string[];
}

/** The commands an injection of that kind counts. */
export function injectionTargets(clean: CleanRun, injection: Injection): string[] {
  return injection === 'drop' ? clean.wrapperStarts : clean.commands;
}

/** What happens at the k-th command: it fails (exit 1 with fakebsd's message), or the connection drops before it runs. */
export type Injection = 'fail' | 'drop';

export interface FaultRun {
  readonly k: number;
  readonly injection: Injection;
  /** The command that was failed. */
  readonly command: string;
  /** Whether the faulted apply failed (a fault in a probe may just take the other branch). */
  readonly applyFailed: boolean;
  /** Resources the faulted apply reported failed, with Terraform's message. */
  readonly failures: { address: string; message: string }[];
  /** For a drop: "N SHIM" of the command where the connection dropped (undefined: the drop never fired). */
  readonly dropped?: string;
  /** Provisioner runs of the apply after the fault. */
  readonly recoveryRuns: number;
  /** Differences between what the two applies changed and what the clean run changed. */
  readonly divergence: string[];
}

/** One provisioner at a time: the k-th command is the same command in every run. */
const SERIAL = { parallelism: 1 };

const prepared = new Map<FaultPhase, Promise<BenchSnapshot>>();

/** The phase's starting point, made once: a fresh host with `before` applied cleanly. */
function phaseStart(phase: FaultPhase): Promise<BenchSnapshot> {
  let start = prepared.get(phase);
  if (!start) {
    start = (async () => {
      const bench = await Bench.start(phase.bench);
      try {
        if (phase.before) {
          bench.synth(phase.before);
          const r = await bench.apply(SERIAL);
          if (!r.ok) throw new Error(`the clean apply before the faulted phase failed:\n${failureText(r)}`);
        }
        if (phase.prepare) await phase.prepare(bench);
        return await bench.snapshot();
      } finally {
        await bench.stop();
      }
    })();
    prepared.set(phase, start);
  }
  return start;
}

/** Forgets the phase's starting point (after its last run). */
export async function releasePhase(phase: FaultPhase): Promise<void> {
  const start = prepared.get(phase);
  prepared.delete(phase);
  if (start) (await start.catch(() => undefined))?.remove();
}

async function withPhase<T>(phase: FaultPhase, fn: (bench: Bench) => Promise<T>): Promise<T> {
  const bench = await Bench.fromSnapshot(await phaseStart(phase));
  try {
    bench.synth(phase.app);
    return await fn(bench);
  } finally {
    await bench.stop();
  }
}

/** Whether the synthesized resource at `address` (null_resource.NAME) has a destroy provisioner. */
function hasDestroy(bench: Bench, address: string): boolean {
  const stacks = path.join(bench.out, 'stacks');
  const name = address.replace(/^null_resource\./, '');
  return fs.readdirSync(stacks).some((stack) => {
    const res = JSON.parse(fs.readFileSync(path.join(stacks, stack, 'cdk.tf.json'), 'utf8')).resource?.null_resource?.[name];
    return (res?.provisioner ?? []).some((p: Record<string, { when?: string }>) => Object.values(p).some((x) => x.when === 'destroy'));
  });
}

function commandWords(entry: Record<string, unknown>): string {
  return [entry.cmd, ...(entry.argv as string[])].join(' ');
}

export function cleanRun(phase: FaultPhase): Promise<CleanRun> {
  return withPhase(phase, async (bench) => {
    const before = hostView(bench.host);
    const mark = bench.commandCount();
    const r = await bench.apply(SERIAL);
    if (!r.ok) throw new Error(`the clean apply failed:\n${failureText(r)}`);
    // The copy of the starting point plans only the phase's own steps (its state moved to the copy),
    // and steps without a destroy, replaced when their inputs change (the host's prune step when a
    // keep-list does, a rolling jail's roll): their replacement only runs their create, which the
    // sweep faults like any other.
    const replaced = r.replaced.filter((a) => hasDestroy(bench, a));
    if (replaced.length + r.destroyed.length > 0) throw new Error(`the clean run on a copy replaced ${replaced.join(', ')} and destroyed ${r.destroyed.join(', ')}`);
    // The log is written when a command ends (lockf after the commands it ran); the fault switch
    // counts starts. The fake host has its own pid namespace, so pids give the order of starts.
    const started = bench.host.commandsLog().slice(mark).sort((a, b) => (a.pid as number) - (b.pid as number));
    return {
      changes: changeSet(before, hostView(bench.host)),
      commands: started.map(commandWords),
      wrapperStarts: started.filter((e) => e.nestedIn === undefined).map(commandWords),
    };
  });
}

export function faultRun(phase: FaultPhase, k: number, clean: CleanRun, injection: Injection = 'fail'): Promise<FaultRun> {
  return withPhase(phase, async (bench) => {
    const before = hostView(bench.host);
    if (injection === 'fail') fakebsd.setFault(bench.host.root, { failAt: k });
    else armDrop(bench.host, k);
    const faulted = await bench.apply(SERIAL);
    let dropped: string | undefined;
    if (injection === 'fail') fakebsd.clearFaults(bench.host.root);
    else dropped = disarmDrop(bench.host);
    const recovery = await bench.apply(SERIAL);
    const changes = changeSet(before, hostView(bench.host));
    const divergence: string[] = [];
    if (!recovery.ok) divergence.push(`the apply after the fault failed:\n${failureText(recovery)}`);
    // The view says only that a scope is claimed; the claim must be this state's helper step.
    const ids = Object.values(bench.resourceIds());
    for (const [file, id] of Object.entries(scopeClaims(bench.host))) {
      if (!ids.includes(id)) divergence.push(`${file}: claimed by ${id}, which is no resource of this run's state`);
    }
    for (const key of new Set([...changes.keys(), ...clean.changes.keys()])) {
      if (changes.get(key) !== clean.changes.get(key)) divergence.push(`${key}: clean run ${clean.changes.get(key) ?? 'unchanged'}, after fault ${changes.get(key) ?? 'unchanged'}`);
    }
    return {
      k, injection, command: injectionTargets(clean, injection)[k - 1] ?? '?', applyFailed: !faulted.ok, dropped,
      failures: faulted.failures.map((f) => ({ address: f.address, message: f.message })),
      recoveryRuns: recovery.provisionerRuns, divergence,
    };
  });
}

/** Runs `fn` for every item, at most `width` at once (each on its own fake host), in item order. */
export async function inPool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/**
 * Fault runs at once, each on its own fake host and its own Terraform (E2E_FAULT_POOL). A run
 * is mostly CPU (Terraform, sshd, a Node process per shim command) with short waits on SSH, so
 * on this project's 2-core machines a few more runs than cores keep both busy.
 */
const POOL = Number(process.env.E2E_FAULT_POOL ?? 3);

/**
 * The two sweeps of a phase, as jest tests in the calling describe: every k failed, then every
 * k dropped; each k's run converges. One phase per test file (scenarios-faults-*.test.ts), so
 * jest's workers share the sweeps of scenario 6.
 */
export function faultSweeps(name: string, phase: FaultPhase, figures: Figures): void {
  afterAll(() => releasePhase(phase));
  let clean: Promise<CleanRun> | undefined;
  const cleanOnce = () => (clean ??= cleanRun(phase));
  const scenario = (injection: Injection, title: string) => figures.scenario(`6. ${name}: ${title}`, async () => {
    const c = await cleanOnce();
    expect(c.commands.length).toBeGreaterThan(0);
    const started = Date.now();
    const targets = injectionTargets(c, injection);
    const runs = await inPool(targets.map((_c, i) => i + 1), POOL, (k) => faultRun(phase, k, c, injection));
    const failedApplies = runs.filter((r) => r.applyFailed);
    figures.row(`${injection}: ${name}`, {
      commands: targets.length, 'k tried': runs.length, 'applies failed': failedApplies.length,
      converged: runs.filter((r) => r.divergence.length === 0).length, 'wall s': Math.round((Date.now() - started) / 1000),
    });
    if (injection === 'fail') {
      const tolerated = runs.filter((r) => !r.applyFailed).map((r) => `k=${r.k} ${r.command}`);
      if (tolerated.length > 0) figures.note(`${name}: a failure of these probes took the other branch and the apply succeeded: ${tolerated.join('; ')}`);
    } else {
      // A drop always fires at its command and always fails the step: the connection is gone.
      expect(runs.filter((r) => r.dropped === undefined || !r.applyFailed).map((r) => ({ k: r.k, command: r.command, dropped: r.dropped, failures: r.failures }))).toEqual([]);
      expect(runs.every((r) => r.failures.length === 1 && /remote command exited without exit status/.test(r.failures[0].message))).toBe(true);
    }
    expect(runs.filter((r) => r.divergence.length > 0).map((r) => ({ k: r.k, command: r.command, divergence: r.divergence }))).toEqual([]);
  }, 900_000);
  scenario('fail', 'after the k-th command failed, for every k, the next apply converges to the clean run\'s state');
  scenario('drop', 'after the connection dropped before the k-th command, for every k, the next apply converges to the clean run\'s state');
}
