import { Construct } from 'constructs';
import { HostStep, stepScripts } from '../host';
import { helperCall, ScriptBuilder } from '../shell';
import * as v from '../validate';
import { JailFromSnapshot } from './jail';
import { jailRunning, word } from './scripts';

/** Properties of a jail's system update. */
export interface JailUpdateProps {
  /** The jail. */
  readonly jail: JailFromSnapshot;
  /**
   * Upgrade to this release (like `14.3`), with `freebsd-update -r`.
   * @default - only security and errata updates of the jail's own release
   */
  readonly targetRelease?: string;
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
 * freebsd-version, never the host's). With `targetRelease`, an upgrade with `-r`, `install`,
 * and a second `install` across major versions. Updating a template never touches jails
 * made from it: each jail is updated by its own JailUpdate.
 */
export class JailUpdate extends Construct {
  /** The step. */
  public readonly step: HostStep;

  constructor(scope: Construct, id: string, props: JailUpdateProps) {
    super(scope, id);
    const at = this.node.path;
    const jail = props.jail;
    const target = props.targetRelease === undefined ? undefined : v.validated(at, 'targetRelease', () => v.release(props.targetRelease!));
    const runId = v.validated(at, 'runId', () => v.singleLine(props.runId ?? ''));
    const p = word(jail.path);
    const fu = `env PAGER=cat freebsd-update --not-running-from-cron -b ${p} -d ${word(`${jail.path}/var/db/freebsd-update`)} --currently-running "$running"`;
    const b = new ScriptBuilder('update');
    const lines = [
      `if [ ! -x ${word(`${jail.path}/bin/freebsd-version`)} ]; then echo ${word(`error: ${jail.path} holds no FreeBSD userland`)} >&2; exit 1; fi`,
      `running=$(${word(`${jail.path}/bin/freebsd-version`)} -u)`,
      `mkdir -p ${word(`${jail.path}/var/db/freebsd-update`)}`,
    ];
    if (target) {
      lines.push(
        `case "$running" in ${target} | ${target}-p*)`,
        `  echo ${word(`==> jail ${jail.name} runs ${target} already`)}`,
        '  ;;',
        '*)',
        `  echo "==> upgrading jail ${jail.name} from $running to ${target}"`,
        // upgrade asks for confirmation on stdin; there is no one to answer but yes.
        `  yes | ${fu} -r ${target} upgrade`,
        // The first install after an upgrade installs /boot only, a major upgrade needs another
        // after that: install until freebsd-update has nothing pending, at most three times.
        '  n=0',
        '  while :; do',
        '    n=$((n + 1))',
        `    if out=$(${fu} install 2>&1); then status=0; else status=$?; fi`,
        `    printf '%s\\n' "$out"`,
        '    case "$out" in *"No updates are available to install"*) break ;; esac',
        `    if [ "$status" -ne 0 ]; then echo ${word(`error: freebsd-update install failed in jail ${jail.name}`)} >&2; exit 1; fi`,
        `    if [ "$n" -ge 3 ]; then echo ${word(`error: an install is still pending in jail ${jail.name} after 3 runs`)} >&2; exit 1; fi`,
        '  done',
        '  ;;',
        'esac',
      );
    } else {
      lines.push(`echo "==> updating jail ${jail.name} ($running)"`, `${fu} fetch install`);
    }
    b.action(`freebsd-update of jail ${jail.name}${target ? ` to ${target}` : ''}`, ...lines);
    if (props.restart ?? true) {
      // As boot starts it (service jail restart): what runs after the update is what runs after a reboot.
      b.action(`restarting jail ${jail.name} if it runs`, `if ${jailRunning(jail.name)}; then`, `  ${helperCall('jail-restart', jail.name)}`, 'fi');
    }
    this.step = new HostStep(this, 'update', {
      host: jail.host,
      description: `freebsd-update of jail ${jail.name}${target ? ` to ${target}` : ''}`,
      ...stepScripts(b),
      dependsOn: [jail.configStep],
      // A recreated dataset has none of the updates: apply them again.
      replaceOn: { dataset: jail.datasetStep.contentHash, ...(runId ? { run_id: runId } : {}) },
    });
  }
}
