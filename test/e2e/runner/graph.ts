/**
 * Runs a dependency graph of actions the way terraform walks its graph: each action waits for
 * the actions it depends on, at most `parallelism` run at once (terraform's -parallelism=10),
 * and after the first failure nothing new starts while the ones in flight finish.
 */

export interface GraphAction {
  readonly key: string;
  readonly after: readonly string[];
  readonly run: () => Promise<void>;
}

export interface GraphResult {
  readonly completed: string[];
  readonly failed: { key: string; error: Error }[];
  /** Never started because something failed first. */
  readonly skipped: string[];
  /** Highest number of actions that ran at the same time. */
  readonly maxConcurrent: number;
}

export class CycleError extends Error {}

/** Throws CycleError naming the keys of a cycle; unknown dependencies are an error too. */
export function checkAcyclic(actions: readonly GraphAction[]): void {
  const byKey = new Map(actions.map((a) => [a.key, a]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (key: string, trail: string[]): void => {
    if (state.get(key) === 'done') return;
    if (state.get(key) === 'visiting') throw new CycleError(`dependency cycle: ${[...trail.slice(trail.indexOf(key)), key].join(' -> ')}`);
    const a = byKey.get(key);
    if (!a) throw new CycleError(`${trail[trail.length - 1]} depends on unknown ${key}`);
    state.set(key, 'visiting');
    for (const d of a.after) visit(d, [...trail, key]);
    state.set(key, 'done');
  };
  for (const a of actions) visit(a.key, []);
}

export async function runGraph(actions: readonly GraphAction[], parallelism = 10): Promise<GraphResult> {
  checkAcyclic(actions);
  const pending = new Map(actions.map((a) => [a.key, a]));
  const done = new Set<string>();
  const completed: string[] = [];
  const failed: { key: string; error: Error }[] = [];
  let running = 0;
  let maxConcurrent = 0;

  return new Promise((resolve) => {
    const finishIfIdle = () => {
      if (running > 0) return;
      if (pending.size === 0 || failed.length > 0) {
        resolve({ completed, failed, skipped: [...pending.keys()], maxConcurrent });
      }
    };
    const startReady = () => {
      if (failed.length === 0) {
        // Declaration order among ready actions keeps runs reproducible.
        for (const a of [...pending.values()]) {
          if (running >= parallelism) break;
          if (!a.after.every((d) => done.has(d))) continue;
          pending.delete(a.key);
          running++;
          maxConcurrent = Math.max(maxConcurrent, running);
          a.run().then(
            () => { done.add(a.key); completed.push(a.key); },
            (e: unknown) => { failed.push({ key: a.key, error: e instanceof Error ? e : new Error(String(e)) }); },
          ).finally(() => { running--; startReady(); });
        }
      }
      finishIfIdle();
    };
    startReady();
  });
}
