import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { HostStep, stepScripts } from '../host';
import { FreeBsdRelease } from '../release';
import { freebsdUpdateCleanupLines, freebsdUpdateLines, helperCall, JAIL_STATE_DIR, ownerMark, ScriptBuilder, shellQuote, SNAPSHOT_BEFORE_UPDATE } from '../shell';
import * as v from '../validate';
import * as p from '../validate/props';
import { addUpdateStep, jailContentHash, jailMadeSteps } from './inside';
import { IJail, JAIL_LIKE, JAIL_MEMBERS } from './interfaces';
import { JailSnapshotPolicy, snapshotsKept } from './policy';
import { jailRunning } from './scripts';

/**
 * The snapshots a JailUpdate keeps unless told otherwise: the state before its last run, to
 * roll back a change that went wrong, and the one before, for a problem found only after the
 * next run. An upgrade rewrites most of the base system, so each costs up to its size (about
 * 1 GB); two bound that.
 */
export const DEFAULT_UPDATE_SNAPSHOTS = 2;

/** Properties of a jail's system update. */
export interface JailUpdateProps {
  /** The jail. */
  readonly jail: IJail;
  /**
   * Upgrade to this release (like `FreeBsdRelease.V15_1`), with `freebsd-update -r`. A
   * release past its end of life gets a synth-time warning.
   * @default - only security and errata updates of the jail's own release
   */
  readonly targetRelease?: FreeBsdRelease;
  /**
   * Any text; changing it runs the update again (for example a date).
   * @default - runs when created and when its other properties change
   */
  readonly runId?: string;
  /**
   * Restart the jail after the update when it runs.
   * @default true
   */
  readonly restart?: boolean;
  /**
   * A snapshot of the jail's dataset (`DATASET@cdktf-before-update-<UTC time>-<run>`, not of
   * datasets under it) before freebsd-update changes it, and how many of this JailUpdate's
   * snapshots are kept (older ones are destroyed). A re-run of the same run after a failure
   * takes none. The snapshots stay when the JailUpdate is removed; roll back with the host
   * helper's `jail-rollback`.
   * @default - `JailSnapshotPolicy.keep(2)`: a snapshot before each run, the newest two kept
   */
  readonly snapshotPolicy?: JailSnapshotPolicy;
}

/**
 * freebsd-update for a jail, from the host: `freebsd-update -b <jail path> --currently-running
 * <the jail's release> fetch install` (the release is read from the jail's own
 * freebsd-version, never the host's). With `targetRelease`, an upgrade with `-r`, then
 * `install` until nothing is pending (three installs across a major version). Nothing is
 * asked: locally modified files under /etc are kept as they are. A release past its end of
 * life still gets what was fetched, with a warning in the log. Updating a template never
 * touches jails made from it: each jail is updated by its own JailUpdate. Destroying it
 * removes freebsd-update's work directory of the jail (fetched files, rollback data).
 */
export class JailUpdate extends Construct {
  /** The step. */
  public readonly step: HostStep;

  constructor(scope: Construct, id: string, props: JailUpdateProps) {
    super(scope, id);
    const at = this.node.path;
    p.checkProps(at, 'JailUpdate', props, {
      jail: p.required(p.shaped('IJail', JAIL_MEMBERS, JAIL_LIKE)),
      targetRelease: p.instanceOf(FreeBsdRelease, p.releaseLike),
      runId: p.str(),
      restart: p.bool,
      snapshotPolicy: p.instanceOf(JailSnapshotPolicy, 'JailSnapshotPolicy.keep(2) or JailSnapshotPolicy.none()'),
    });
    // The path is the owner mark of its snapshots, read back from `zfs list -H` (tab-separated).
    v.validated(at, 'construct path', () => v.fieldText(at));
    const jail = props.jail;
    const target = props.targetRelease === undefined ? undefined : v.validated(at, 'targetRelease', () => v.release(props.targetRelease!.name));
    props.targetRelease?.annotateSupport(this);
    const runId = v.validated(at, 'runId', () => v.singleLine(props.runId ?? ''));
    const keep = v.validated(at, 'snapshotPolicy', () => snapshotsKept(props.snapshotPolicy ?? JailSnapshotPolicy.keep(DEFAULT_UPDATE_SNAPSHOTS)));
    const restart = props.restart ?? true;
    const b = new ScriptBuilder('update');
    if (keep > 0) {
      // One run of this step is one change: the same inputs re-run after a failure take no second snapshot.
      const change = createHash('sha256').update(JSON.stringify([jail.datasetStep.contentHash, target ?? '', runId, restart])).digest('hex').slice(0, 12);
      const reason = `freebsd-update of jail ${jail.name}${target ? ` to ${target}` : ''}${runId ? ` (run ${runId})` : ''}`;
      b.action(`snapshot of ${jail.datasetName} before the update (the newest ${keep} kept)`,
        helperCall('snapshot-before', jail.datasetName, ownerMark(jail.host.ownershipScope, at), SNAPSHOT_BEFORE_UPDATE, change, String(keep), reason));
    }
    b.action(`freebsd-update of jail ${jail.name}${target ? ` to ${target}` : ''}`,
      ...freebsdUpdateLines({ basedir: jail.path, what: `jail ${jail.name}`, targetRelease: target }));
    if (restart) {
      // As boot starts it (service jail restart): what runs after the update is what runs after a reboot.
      // A restart that failed half way (stopped, not started again) is marked, so that the next
      // run starts the jail it stopped instead of taking it for one the administrator stopped.
      const mark = shellQuote(`${JAIL_STATE_DIR}/${jail.name}.restarting`);
      b.action(`restarting jail ${jail.name} if it runs`,
        `if ${jailRunning(jail.name)}; then`,
        `  mkdir -p ${JAIL_STATE_DIR}`,
        `  : > ${mark}`,
        `  ${helperCall('jail-restart', jail.name)}`,
        `elif [ -e ${mark} ]; then`,
        `  echo ${shellQuote(`==> jail ${jail.name} was stopped by an unfinished restart: starting it`)}`,
        `  ${helperCall('jail-start', jail.name)}`,
        'fi',
        `rm -f ${mark}`);
    }
    this.step = new HostStep(this, 'update', {
      host: jail.host,
      description: `freebsd-update of jail ${jail.name}${target ? ` to ${target}` : ''}`,
      ...stepScripts(b, new ScriptBuilder('update').action(`removing the freebsd-update work directory of jail ${jail.name}`, ...freebsdUpdateCleanupLines(jail.path))),
      dependsOn: jailMadeSteps(jail),
      // A recreated dataset has none of the updates: apply them again.
      replaceOn: { dataset: jailContentHash(jail), ...(runId ? { run_id: runId } : {}) },
    });
    addUpdateStep(jail, this.step);
  }
}
