/** How a jail's dataset is made, what happens to it when the jail goes, and the snapshots before a change. */
import * as v from '../validate';
import * as p from '../validate/props';

/** How a jail's dataset is made from the snapshot. */
export enum JailCreationMethod {
  /** `zfs clone`: instant, shares blocks with the snapshot, keeps the snapshot alive. */
  CLONE = 'clone',
  /** `zfs send | zfs receive`: an independent copy. */
  SEND_RECEIVE = 'send-receive',
}

/** What happens to a jail's dataset when the jail is removed (as CDK's RemovalPolicy). */
export enum JailRemovalPolicy {
  /** `zfs destroy -r`: the jail's data is gone. */
  DESTROY = 'destroy',
  /**
   * Renamed aside to `<jail root>/.retired/NAME-<UTC time>`, unmounted and marked retired;
   * never deleted by this library. A retained clone keeps its template snapshot alive.
   */
  RETAIN = 'retain',
}

/** The most snapshots of one kind a policy may keep: more is a backup scheme, not a way back from one change. */
export const MAX_SNAPSHOTS_KEPT = 100;

/**
 * Whether a change of a jail's dataset is preceded by a ZFS snapshot, and how many of them are
 * kept: `JailSnapshotPolicy.keep(2)` or `JailSnapshotPolicy.none()`. The snapshot is of the
 * jail's own dataset only, never of datasets under it or given to it: rolling the system back
 * must not roll back data written since.
 */
export class JailSnapshotPolicy {
  /**
   * Take a snapshot before each change and keep the newest `count` of the library's snapshots
   * of that kind (for a JailUpdate: its own snapshots of the jail's dataset; older ones are
   * destroyed, never one the library did not take or another construct's). On a jail, the
   * snapshot of its dataset as it is retired: a retired dataset never changes again, so that is
   * its only one and `count` makes no difference.
   * @param count from 1 to 100
   */
  public static keep(count: number): JailSnapshotPolicy {
    p.checkArgs('JailSnapshotPolicy.keep', [['count', count, p.required(p.num('2'))]]);
    return new JailSnapshotPolicy(count, false);
  }

  /** Take no snapshot. */
  public static none(): JailSnapshotPolicy {
    return new JailSnapshotPolicy(0, true);
  }

  /** How many snapshots are kept; 0: none are taken. */
  public readonly keepCount: number;
  /** Made by none(), not keep(0) (which is refused). @internal */
  public readonly _none: boolean;

  private constructor(count: number, none: boolean) {
    this.keepCount = count;
    this._none = none;
  }
}

/** The policy's count, checked: 0 (none) or a whole number from 1 to MAX_SNAPSHOTS_KEPT. */
export function snapshotsKept(policy: JailSnapshotPolicy): number {
  const n = policy.keepCount;
  if (policy._none) return 0;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SNAPSHOTS_KEPT) {
    throw new v.ValidationError(`JailSnapshotPolicy.keep(${n}): the count is a whole number from 1 to ${MAX_SNAPSHOTS_KEPT}; `
      + 'JailSnapshotPolicy.none() takes no snapshot');
  }
  return n;
}
