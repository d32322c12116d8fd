/**
 * The devfs ruleset a jail's devfs mount uses (jail.conf `devfs_ruleset`). A DevfsRuleset
 * construct (rules written to /etc/devfs.rules and loaded) implements IDevfsRuleset; a
 * ruleset the host defines already is referenced by number.
 */
import { HostStep } from '../host';
import { ValidationError } from '../validate';
import { MAX_DEVFS_RULESET } from '../validate/net';
import * as p from '../validate/props';

/** Highest devfs ruleset number: one constant for references and the rulesets the library defines. */
export { MAX_DEVFS_RULESET };

/** A devfs ruleset that jails can use. */
export interface IDevfsRuleset {
  /** The ruleset number (devfs_ruleset). */
  readonly rulesetNumber: number;
  /**
   * The step that defines and loads the ruleset; jails that use it are configured after it.
   * @default - none: the ruleset exists on the host already
   */
  readonly rulesetStep?: HostStep;
}

/** References to devfs rulesets that are not defined by this app. */
export class JailDevfsRuleset {
  /** FreeBSD's `devfsrules_jail` (4), what a jail's devfs gets without devfs_ruleset. */
  public static readonly DEVFSRULES_JAIL: IDevfsRuleset = { rulesetNumber: 4 };
  /** FreeBSD's `devfsrules_jail_vnet` (5): devfsrules_jail and pf. */
  public static readonly DEVFSRULES_JAIL_VNET: IDevfsRuleset = { rulesetNumber: 5 };

  /**
   * A ruleset the host has (from /etc/defaults/devfs.rules, like 4 `devfsrules_jail`, or the
   * administrator's /etc/devfs.rules). A number never loaded is an empty ruleset: the jail
   * would see all of /dev.
   */
  public static fromNumber(rulesetNumber: number): IDevfsRuleset {
    p.checkArgs('JailDevfsRuleset.fromNumber', [['rulesetNumber', rulesetNumber, p.required(p.num('4'))]]);
    return { rulesetNumber };
  }

  private constructor() {}
}

/** The checked number of a ruleset (for the jail's error, which names the construct). */
export function devfsRulesetNumber(ruleset: IDevfsRuleset): number {
  const n = ruleset.rulesetNumber;
  if (!Number.isInteger(n) || n < 0 || n > MAX_DEVFS_RULESET) {
    throw new ValidationError(`devfsRuleset ${n} must be an integer from 0 to ${MAX_DEVFS_RULESET}`);
  }
  return n;
}
