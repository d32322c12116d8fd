import { IConstruct } from 'constructs';

/**
 * The constructs of an app by class, found with one tree walk per app (validation runs on the
 * complete tree). Cross-construct checks use it: a walk per construct made synth of 1000 jails
 * 4x slower (commit 7ee38ed).
 */
const ALL = new WeakMap<IConstruct, IConstruct[]>();
const BY_CLASS = new WeakMap<IConstruct, Map<Function, IConstruct[]>>();

/** @internal */
export function constructsOfApp<T extends IConstruct>(root: IConstruct, cls: abstract new (...args: any[]) => T): T[] {
  let byClass = BY_CLASS.get(root);
  if (!byClass) {
    byClass = new Map();
    BY_CLASS.set(root, byClass);
  }
  let found = byClass.get(cls);
  if (!found) {
    let all = ALL.get(root);
    if (!all) {
      all = root.node.findAll();
      ALL.set(root, all);
    }
    found = all.filter((c) => c instanceof cls);
    byClass.set(cls, found);
  }
  return found as T[];
}

/** The first construct before `self` in `list` that `same` matches (each clash is reported once, on the later construct). */
export function earlierMatch<T>(list: readonly T[], self: T, same: (other: T) => boolean): T | undefined {
  for (const other of list) {
    if (other === self) return undefined;
    if (same(other)) return other;
  }
  return undefined;
}
