import { Construct } from 'constructs';
import { HostStep, stepScripts } from '../host';
import { FreeBsdRelease } from '../release';
import { freebsdUpdateCleanupLines, freebsdUpdateLines, helperCall, JAIL_STATE_DIR, ScriptBuilder, shellQuote } from '../shell';
import * as v from '../validate';
import * as p from '../validate/props';
import { addUpdateStep } from './inside';
import { IJail, JAIL_LIKE, JAIL_MEMBERS } from './interfaces';
import { jailRunning } from './scripts';

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
    });
    const jail = props.jail;
    const target = props.targetRelease === undefined ? undefined : v.validated(at, 'targetRelease', () => v.release(props.targetRelease!.name));
    props.targetRelease?.annotateSupport(this);
    const runId = v.validated(at, 'runId', () => v.singleLine(props.runId ?? ''));
    const b = new ScriptBuilder('update');
    b.action(`freebsd-update of jail ${jail.name}${target ? ` to ${target}` : ''}`,
      ...freebsdUpdateLines({ basedir: jail.path, what: `jail ${jail.name}`, targetRelease: target }));
    if (props.restart ?? true) {
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
      dependsOn: [jail.configStep],
      // A recreated dataset has none of the updates: apply them again.
      replaceOn: { dataset: jail.datasetStep.contentHash, ...(runId ? { run_id: runId } : {}) },
    });
    addUpdateStep(jail, this.step);
  }
}
