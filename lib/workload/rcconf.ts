import { Construct } from 'constructs';
import { HOST_SETTINGS_KIND, hostSettingsStateFile, HostStep } from '../host';
import { settingsApplyArgs } from '../host/settings';
import { ownerMark, ScriptBuilder } from '../shell';
import { IJail, JAIL_LIKE, JAIL_MEMBERS } from '../jail/interfaces';
import * as v from '../validate';
import * as p from '../validate/props';
import { IJailServiceInput, insideJailStep } from './common';

/** rc.conf variables of a jail. */
export interface JailRcConfProps {
  /** The jail. */
  readonly jail: IJail;
  /**
   * Variables and their values, like `{ nginx_flags: '-q' }`... values are one word of plain
   * characters (letters, digits and `_ . , : / @ + = -`); yes-like values compare as rc.subr's
   * checkyesno does.
   */
  readonly variables: { [name: string]: string };
  /**
   * What the variables are for, one line (the step's description).
   * @default "rc.conf of jail NAME"
   */
  readonly description?: string;
}

const VALUE = /^[A-Za-z0-9_.,:/@+=-]*$/;

/** The settings-apply items of a jail's variables (kind jail-rc, name ROOT:VARIABLE). @internal */
export function jailRcItems(at: string, prop: string, jail: IJail, variables: { [name: string]: string }) {
  return Object.entries(variables).map(([name, value]) => {
    v.validated(at, `${prop} name`, () => v.shellVariableName(name));
    if (typeof value !== 'string' || !VALUE.test(value)) {
      throw new v.ValidationError(`${at}: invalid ${prop}.${name}: ${JSON.stringify(value)} must be one word of letters, digits and _ . , : / @ + = - (an rc.conf value without blanks)`);
    }
    return { kind: 'jail-rc', name: `${jail.path}:${name}`, value };
  });
}

/**
 * rc.conf variables of a jail, set with `sysrc -R ROOT` in the jail's /etc/rc.conf and held like
 * the host's settings (HostSettings): what the jail had already is never recorded, so never
 * undone; what this construct changed is undone when it goes (destroy, or the host's prune step
 * when it leaves the app), a variable the administrator set before put back to its value.
 * A JailService's `rcConf` is the same, with the service's step.
 */
export class JailRcConf extends Construct implements IJailServiceInput {
  /** The step that sets the variables. */
  public readonly step: HostStep;
  /** Where the host records what this construct changed. */
  public readonly stateFile: string;

  constructor(scope: Construct, id: string, props: JailRcConfProps) {
    super(scope, id);
    const at = this.node.path;
    p.checkProps(at, 'JailRcConf', props, {
      jail: p.required(p.shaped('IJail', JAIL_MEMBERS, JAIL_LIKE)),
      variables: p.required(p.map(p.str(), '{ nginx_flags: "-q" }')),
      description: p.str('"rc.conf of the web jail"'),
    });
    const jail = props.jail;
    const items = jailRcItems(at, 'variables', jail, props.variables);
    if (items.length === 0) throw new v.ValidationError(`${at}: invalid variables: none given`);
    this.stateFile = hostSettingsStateFile(ownerMark(jail.host.ownershipScope, at));
    const description = v.validated(at, 'description', () => v.singleLine(props.description ?? `rc.conf of jail ${jail.name}`));
    const create = new ScriptBuilder(description)
      .banner(`${description}: ${Object.entries(props.variables).map(([n, val]) => `${n}=${val}`).join(' ')}`)
      .helper('settings-apply', ...settingsApplyArgs(this.stateFile, items));
    const destroy = new ScriptBuilder(description).banner('undoing only the recorded changes').helper('settings-undo', this.stateFile);
    this.step = insideJailStep(this, 'apply', jail, { description, create, destroy, order: 'file', kind: HOST_SETTINGS_KIND, claimKey: this.stateFile });
  }
}
