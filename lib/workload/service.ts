import { Construct } from 'constructs';
import { HOST_SETTINGS_KIND, hostSettingsStateFile, HostStep } from '../host';
import { defineHostKind, keepHostClaim } from '../host/prune';
import { settingsApplyArgs } from '../host/settings';
import { JAIL_SERVICES_DIR, ownerMark, ScriptBuilder } from '../shell';
import { IJail, JAIL_LIKE, JAIL_MEMBERS } from '../jail/interfaces';
import * as v from '../validate';
import * as p from '../validate/props';
import { IJailServiceInput, INPUT_MEMBERS, insideJailStep, jailPath, serviceName, shortDigest } from './common';
import { JailHealthCheck, JailHealthCheckKind } from './health';
import { jailRcItems } from './rcconf';

/**
 * Services in jails, claimed per jail and service: stopped by the prune step first (before the
 * jails it removes and before the host settings that enable them). @internal
 */
export const JAIL_SERVICES_KIND = defineHostKind({
  name: 'jail-services',
  claims: 'services in jails',
  how: 'stopped (onestop); their rc.conf variables go with their host settings',
  title: 'services in jails',
  pruneAction: 'jail-service-prune',
  pruneOrder: 5,
  helperModule: 'workload.sh',
  constructs: ['JailService'],
});

/** An rc.d service of a jail. */
export interface JailServiceProps {
  /** The jail (running; the service's rc.d script installed, by a JailPackages for instance). */
  readonly jail: IJail;
  /** The rc.d name of the service: `nginx`, `postgresql`. Its `NAME_enable` is set to YES. */
  readonly name: string;
  /**
   * Further rc.conf variables of the service, in the jail's rc.conf, held and undone as
   * JailRcConf's are: `{ postgresql_flags: '-w' }`. A change restarts the service.
   * @default - only NAME_enable
   */
  readonly rcConf?: { [name: string]: string };
  /**
   * What the service reads at start (JailFile, JailRcConf): when one of them changes, the
   * service is restarted; written before the service starts. Declared, never guessed: a file
   * not listed here is no reason to restart.
   * @default - none
   */
  readonly restartOn?: IJailServiceInput[];
  /**
   * Services (of this jail or of others) that must run, and pass their health checks, before
   * this one starts: the app after its database. Terraform order (depends_on): each one's step
   * waits for its own health check, so this one starts once they are healthy.
   * @default - none
   */
  readonly after?: JailService[];
  /**
   * The check that tells the service works, waited for after each (re)start.
   * @default - none: started is enough
   */
  readonly healthCheck?: JailHealthCheck;
  /**
   * A one-time preparation before the first start, run while a path it makes is missing: a
   * database's `{ command: 'initdb', creates: '/var/db/postgres/data17' }`
   * (`service -j JAIL NAME initdb`).
   * @default - none
   */
  readonly initialize?: JailServiceInitialization;
}

/** A one-time preparation of a service: an extra command of its rc.d script, run until it made a path. */
export interface JailServiceInitialization {
  /** The rc.d script's extra command (its `extra_commands`), like `initdb`. */
  readonly command: string;
  /** A path inside the jail that the command makes: it runs only while the path is missing. */
  readonly creates: string;
}

/**
 * An rc.d service of a jail: enabled in the jail's rc.conf (`NAME_enable=YES`, with `rcConf`,
 * held and undone like host settings), running (`service -j JAIL NAME start` unless `onestatus`
 * says it runs), healthy (its health check, if any, passes after every (re)start). Restarted
 * when something in `restartOn` changes (its step is replaced: the service stopped, then started),
 * left alone when nothing did. When it goes (destroy, or the host's prune step when it leaves
 * the app) it is stopped and its variables undone. Runs after the jail's packages and files.
 */
export class JailService extends Construct {
  /** The jail. */
  public readonly jail: IJail;
  /** The rc.d name. */
  public readonly name: string;
  /**
   * The health check.
   * @default - none
   */
  public readonly healthCheck?: JailHealthCheck;
  /** The step that enables, starts and checks the service. */
  public readonly step: HostStep;
  /** Where the host records the rc.conf changes the service made. */
  public readonly stateFile: string;

  constructor(scope: Construct, id: string, props: JailServiceProps) {
    super(scope, id);
    const at = this.node.path;
    p.checkProps(at, 'JailService', props, {
      jail: p.required(p.shaped('IJail', JAIL_MEMBERS, JAIL_LIKE)),
      name: p.required(p.str('"nginx"')),
      rcConf: p.map(p.str(), '{ nginx_flags: "-q" }'),
      restartOn: p.list(p.shaped('IJailServiceInput', INPUT_MEMBERS, 'new JailFile(scope, "conf", { jail, path: "/usr/local/etc/nginx/nginx.conf", content })'), 'JailFile or JailRcConf constructs'),
      after: p.list(p.instanceOf(JailService, 'new JailService(scope, "db", { jail, name: "postgresql" })'), 'JailService constructs'),
      healthCheck: p.instanceOf(JailHealthCheck, 'JailHealthCheck.tcp(80)'),
      initialize: p.struct('JailServiceInitialization', {
        command: p.required(p.str('"initdb"')),
        creates: p.required(p.str('"/var/db/postgres/data17"')),
      }, '{ command: "initdb", creates: "/var/db/postgres/data17" }'),
    });
    const jail = props.jail;
    this.jail = jail;
    this.name = v.validated(at, 'name', () => serviceName(props.name));
    this.healthCheck = props.healthCheck;
    const items = jailRcItems(at, 'rcConf', jail, { [`${this.name}_enable`]: 'YES', ...(props.rcConf ?? {}) });
    const mark = ownerMark(jail.host.ownershipScope, at);
    this.stateFile = hostSettingsStateFile(mark);
    const claim = `${JAIL_SERVICES_DIR}/${shortDigest(`${jail.name}:${this.name}`)}`;
    const description = `service ${this.name} in jail ${jail.name}`;
    const create = new ScriptBuilder(description)
      .banner(`enabling ${this.name} in jail ${jail.name}'s rc.conf: ${items.map((i) => `${i.name.slice(jail.path.length + 1)}=${i.value}`).join(' ')}`)
      .helper('settings-apply', ...settingsApplyArgs(this.stateFile, items));
    if (props.initialize) {
      const command = v.validated(at, 'initialize.command', () => serviceName(props.initialize!.command));
      const creates = v.validated(at, 'initialize.creates', () => jailPath(props.initialize!.creates));
      create.banner(`preparing ${this.name} in jail ${jail.name} (${command}) unless ${creates} exists`)
        .helper('jail-service-init', jail.name, this.name, command, creates);
    }
    create.banner(`starting ${this.name} in jail ${jail.name} unless it runs`)
      .helper('jail-service-start', claim, mark, jail.name, this.name);
    if (props.healthCheck) {
      const args = v.validated(at, 'healthCheck', () => healthArgs(jail, props.healthCheck!));
      create.banner(`waiting for ${this.name} in jail ${jail.name} to be healthy: ${props.healthCheck.describe()}`)
        .helper('jail-health', jail.name, this.name, ...args);
    }
    const destroy = new ScriptBuilder(description)
      .banner(`stopping ${this.name} in jail ${jail.name}`).helper('jail-service-stop', claim, mark)
      .banner('undoing only the recorded rc.conf changes').helper('settings-undo', this.stateFile);
    const inputs = props.restartOn ?? [];
    const replaceOn: Record<string, string> = {};
    inputs.forEach((input, i) => { replaceOn[`restart_on_${i}`] = input.step.contentHash; });
    this.step = insideJailStep(this, 'run', jail, {
      description, create, destroy, order: 'service', kind: JAIL_SERVICES_KIND, claimKey: mark,
      replaceOn,
      watchFiles: inputs.flatMap((input) => input.step.watchedFiles),
      after: [...inputs.map((input) => input.step), ...(props.after ?? []).map((s) => s.step)],
    });
    keepHostClaim(jail.host, HOST_SETTINGS_KIND, this.stateFile, this);
  }
}

/** The jail-health arguments after JAIL SERVICE. */
function healthArgs(jail: IJail, check: JailHealthCheck): string[] {
  check._check();
  const timing = [String(check.retries), String(check.intervalSeconds), String(check.timeoutSeconds)];
  if (check.kind === JailHealthCheckKind.COMMAND) return [...timing, 'command', ...check.commandWords];
  const address = check.address ?? jail.addresses[0]?.ip;
  if (address === undefined) {
    throw new v.ValidationError(`jail ${jail.name} has no address on the host (a VNET jail's are inside it): give the check's address, like JailHealthCheck.tcp(80, { address: "10.0.1.5" })`);
  }
  if (check.kind === JailHealthCheckKind.TCP) return [...timing, 'tcp', address, String(check.port)];
  const host = address.includes(':') ? `[${address}]` : address;
  return [...timing, 'http', `http://${host}:${check.port}${check.path}`];
}
