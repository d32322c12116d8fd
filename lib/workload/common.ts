import { createHash } from 'crypto';
import { Construct, IConstruct } from 'constructs';
import { HostStep, HostStepUpload, stepScripts } from '../host';
import { HostKind, keepHostClaim, pruneHostBefore } from '../host/prune';
import { addFileStep, addServiceStep } from '../jail/inside';
import { IJail } from '../jail/interfaces';
import { ScriptBuilder } from '../shell';
import * as v from '../validate';

/**
 * Something inside a jail that a JailService can be restarted on (`restartOn`): a JailFile, a
 * JailRcConf. Its step's change replaces the service's step, which stops and starts the service.
 */
export interface IJailServiceInput extends IConstruct {
  /** The step that makes it true in the jail. */
  readonly step: HostStep;
}

/** What an IJailServiceInput has, checked where one is given. @internal */
export const INPUT_MEMBERS = ['step', 'node'];

/** A name of an account or group in the jail (pw's rules, as FreeBSD's usr.sbin/pw takes them). @internal */
export function accountName(value: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/.test(value) || value.startsWith('-')) {
    throw new v.ValidationError(`${JSON.stringify(value)} must be a user or group name of letters, digits and _ . - (at most 32, not starting with - or .)`);
  }
  return value;
}

/** An octal file mode like "0644" or "640" (no setuid, setgid or sticky bits). @internal */
export function fileMode(value: string): string {
  if (!/^0?[0-7]{3}$/.test(value)) throw new v.ValidationError(`${JSON.stringify(value)} must be an octal mode like "0644" (three octal digits, an optional leading 0)`);
  return value.length === 3 ? `0${value}` : value;
}

/** A path inside a jail: absolute, normalized, without `..`. @internal */
export function jailPath(value: string): string {
  return v.absolutePath(value);
}

/** An rc.d service name (usr.sbin/service: the script's file name, also its rc.conf prefix). @internal */
export function serviceName(value: string): string {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(value)) throw new v.ValidationError(`${JSON.stringify(value)} must be an rc.d service name of letters, digits and _ (like "nginx" or "postgresql")`);
  return value;
}

/** A short digest of text (claim file names). @internal */
export function shortDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** A step inside a jail, as the workload constructs make one. @internal */
export interface InsideStepProps {
  readonly description: string;
  readonly create: ScriptBuilder;
  readonly destroy: ScriptBuilder;
  /** Its place among the jail's steps: with the files (and rc.conf), or with the services. */
  readonly order: 'file' | 'service';
  /** The host kind whose claim it keeps, and the key. */
  readonly kind: HostKind;
  readonly claimKey: string;
  readonly uploads?: HostStepUpload[];
  readonly watchFiles?: string[];
  readonly replaceOn?: { [key: string]: string };
  /** Steps beside the jail's configuration step that it runs after. */
  readonly after?: HostStep[];
}

/** The after-roll twin of a workload step in a rolling jail. */
const afterRoll = new WeakMap<HostStep, HostStep>();

/**
 * The step of a workload construct in `jail`: after the jail's configuration step, in its place
 * inside the jail (lib/jail/inside.ts), its claim kept for the host's prune step, which runs
 * before it (a removed construct's claim of the same path or service goes first). @internal
 */
export function insideJailStep(scope: Construct, id: string, jail: IJail, props: InsideStepProps): HostStep {
  const step = new HostStep(scope, id, {
    host: jail.host,
    description: props.description,
    ...stepScripts(props.create, props.destroy),
    uploads: props.uploads,
    watchFiles: props.watchFiles,
    // A jail made again from a new source (a template's new snapshot) starts from the template's
    // files: the step's work is done again there. (A rolling jail's dataset step names no source:
    // its after-roll twin below does that.)
    replaceOn: { ...props.replaceOn, dataset: jail.datasetStep.contentHash },
    dependsOn: [jail.configStep, ...(props.after ?? [])],
  });
  const place = props.order === 'file' ? addFileStep : addServiceStep;
  place(jail, step);
  keepHostClaim(jail.host, props.kind, props.claimKey, scope);
  pruneHostBefore(jail.host, step);
  if (jail.rollStep) {
    // A rolling jail's new dataset needs the step's work again, without its destroy: replaced
    // with the roll, the step would stop its service in the apply's destroy phase, with every
    // other rolling jail's, before any jail rolled. This step has no destroy; its create is the
    // step's own (it converges), run again whenever the jail rolls.
    const again = new HostStep(scope, `${id}-after-roll`, {
      host: jail.host,
      description: `${props.description}, again after jail ${jail.name} rolled`,
      ...stepScripts(props.create),
      uploads: props.uploads,
      watchFiles: props.watchFiles,
      replaceOn: { roll: jail.rollStep.contentHash, step: step.contentHash },
      // After the twins of what the step runs after (a service after another's check, again).
      dependsOn: [step, jail.rollStep, ...(props.after ?? []).flatMap((s) => afterRoll.get(s) ?? [])],
    });
    afterRoll.set(step, again);
    place(jail, again);
    pruneHostBefore(jail.host, again);
  }
  return step;
}
