/**
 * Scenario 6: the k-th shim command of a step fails once (fakebsd's fault switch); the apply
 * fails; the next apply converges to what a clean run makes. Every run is on a fresh fake host
 * (0.4 s to start), so a half-done run can never leak into the next k; runs are compared by
 * what they changed on their host (hostView change sets), which does not depend on the host.
 */
import * as path from 'path';
import { REPO_DIR } from '../host';
import { AppBuilder, Bench, failureText } from './bench';
import { changeSet, hostView } from './view';

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const fakebsd = require(path.join(REPO_DIR, 'test/e2e/fakebsd/index.js'));

/** A phase of an app: `before` is applied cleanly first, then `app` is what a fault hits. */
export interface FaultPhase {
  readonly before?: AppBuilder;
  readonly app: AppBuilder;
}

export interface CleanRun {
  /** What the clean apply of `app` changed, key -> entry after. */
  readonly changes: Map<string, string>;
  /** The shim commands it ran, in order (one provisioner at a time). */
  readonly commands: string[];
}

export interface FaultRun {
  readonly k: number;
  /** The command that was failed. */
  readonly command: string;
  /** Whether the faulted apply failed (a fault in a probe may just take the other branch). */
  readonly applyFailed: boolean;
  /** Provisioner runs of the apply after the fault. */
  readonly recoveryRuns: number;
  /** Differences between what the two applies changed and what the clean run changed. */
  readonly divergence: string[];
}

/** One provisioner at a time: the k-th command is the same command in every run. */
const SERIAL = { parallelism: 1 };

async function withPhase<T>(phase: FaultPhase, fn: (bench: Bench) => Promise<T>): Promise<T> {
  const bench = await Bench.start();
  try {
    if (phase.before) {
      bench.synth(phase.before);
      const r = await bench.apply(SERIAL);
      if (!r.ok) throw new Error(`the clean apply before the faulted phase failed:\n${failureText(r)}`);
    }
    bench.synth(phase.app);
    return await fn(bench);
  } finally {
    await bench.stop();
  }
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
    // The log is written when a command ends (lockf after the commands it ran); the fault switch
    // counts starts. The fake host has its own pid namespace, so pids give the order of starts.
    const started = bench.host.commandsLog().slice(mark).sort((a, b) => (a.pid as number) - (b.pid as number));
    return { changes: changeSet(before, hostView(bench.host)), commands: started.map(commandWords) };
  });
}

export function faultRun(phase: FaultPhase, k: number, clean: CleanRun): Promise<FaultRun> {
  return withPhase(phase, async (bench) => {
    const before = hostView(bench.host);
    fakebsd.setFault(bench.host.root, { failAt: k });
    const faulted = await bench.apply(SERIAL);
    fakebsd.clearFaults(bench.host.root);
    const recovery = await bench.apply(SERIAL);
    const changes = changeSet(before, hostView(bench.host));
    const divergence: string[] = [];
    if (!recovery.ok) divergence.push(`the apply after the fault failed:\n${failureText(recovery)}`);
    for (const key of new Set([...changes.keys(), ...clean.changes.keys()])) {
      if (changes.get(key) !== clean.changes.get(key)) divergence.push(`${key}: clean run ${clean.changes.get(key) ?? 'unchanged'}, after fault ${changes.get(key) ?? 'unchanged'}`);
    }
    return { k, command: clean.commands[k - 1] ?? '?', applyFailed: !faulted.ok, recoveryRuns: recovery.provisionerRuns, divergence };
  });
}

/** k = 1..count when it is at most `max`, else `max` values spread evenly (first and last included). */
export function sampleK(count: number, max: number): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i + 1);
  return [...new Set(Array.from({ length: max }, (_, i) => 1 + Math.round((i * (count - 1)) / (max - 1))))];
}
