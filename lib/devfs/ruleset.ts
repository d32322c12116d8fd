/**
 * DevfsRuleset: a named, numbered devfs ruleset of one host. Its lines are one managed block of
 * /etc/devfs.rules, which rc.d/devfs reads at boot (rc.subr devfs_init_rulesets, file by file
 * in rc.conf's devfs_rulesets); its step loads the same rules now with `devfs rule -s N add`
 * and checks `devfs rule -s N show` against what they must print, so a jail that uses the
 * ruleset (its configuration step depends on this step) never starts with a ruleset that was
 * not loaded, which would give it all of /dev.
 */
import { Construct } from 'constructs';
import { FreeBsdHost, HostStep, stepScripts } from '../host';
import { constructsOfApp, earlierMatch } from '../host/app-index';
import { defineHostKind, keepHostClaim, pruneHostBefore } from '../host/prune';
import { DevfsRuleSpec, DevfsRulesetSpec, devfsRuleArguments, devfsShowText, renderDevfsRuleset } from '../render/devfsrules';
import { DEVFS_RULES_FILE, ScriptBuilder, shellQuote } from '../shell';
import * as v from '../validate';
import * as p from '../validate/props';
import { accountName, devfsPathPattern, devfsRulesetName, fileModeOctal, ownDevfsRulesetNumber } from '../validate/net';
import { devfsRulesetNumber, IDevfsRuleset } from './reference';

/** devfs rulesets, kept by number. */
const DEVFS_RULESET_KIND = defineHostKind({
  name: 'devfs-ruleset',
  claims: 'devfs rulesets',
  title: 'devfs rulesets',
  pruneAction: 'devfs-ruleset-prune',
  pruneOrder: 30,
  helperModule: 'devfs.sh',
  constructs: ['DevfsRuleset'],
});

/** Whether a rule hides or shows what it matches. */
export enum DevfsVisibility {
  /** `hide`: the node is not in the jail's /dev. */
  HIDE = 'hide',
  /** `unhide`: the node is in the jail's /dev. */
  UNHIDE = 'unhide',
}

/** What a rule does to the nodes its path matches (sbin/devfs/rule.c actions). */
export interface DevfsRuleOptions {
  /**
   * Hide or unhide the nodes.
   * @default - visibility unchanged
   */
  readonly visibility?: DevfsVisibility;
  /**
   * Owner: a user name of the host (devfs resolves it on the host when the rule is added), or a
   * numeric id that no account of the host has (say, a user that exists only in the jail).
   * devfs takes a name it cannot find as a number and refuses it, and `devfs rule show` prints
   * an id that has an account as its name: the step checks both before it touches anything.
   * @default - owner unchanged
   */
  readonly user?: string;
  /**
   * Group: a group name of the host, like `operator`, or a numeric id no group of the host has
   * (checked on the host as `user` is).
   * @default - group unchanged
   */
  readonly group?: string;
  /**
   * Mode in octal, like `0660`.
   * @default - mode unchanged
   */
  readonly mode?: string;
}

/** One rule of a ruleset beyond its includes and unhide paths. */
export class DevfsRule {
  /** `add path PATTERN unhide`. */
  public static unhide(path: string): DevfsRule {
    p.checkArgs('DevfsRule.unhide', [['path', path, p.required(p.str('"bpf*"'))]]);
    return new DevfsRule({ path, visibility: 'unhide' });
  }

  /** `add path PATTERN hide`. */
  public static hide(path: string): DevfsRule {
    p.checkArgs('DevfsRule.hide', [['path', path, p.required(p.str('"bpf*"'))]]);
    return new DevfsRule({ path, visibility: 'hide' });
  }

  /** `add hide`: everything hidden, as FreeBSD's devfsrules_hide_all does. */
  public static hideAll(): DevfsRule {
    return new DevfsRule({ visibility: 'hide' });
  }

  /**
   * `add path PATTERN [hide|unhide] [user U] [group G] [mode M]`, like
   * `DevfsRule.path('tun*', { visibility: DevfsVisibility.UNHIDE, group: 'operator', mode: '0660' })`.
   * At least one option is required.
   */
  public static path(path: string, options: DevfsRuleOptions): DevfsRule {
    p.checkArgs('DevfsRule.path', [['path', path, p.required(p.str('"bpf*"'))], ['options', options, p.required(p.struct('DevfsRuleOptions', {}, '{ visibility: DevfsVisibility.UNHIDE }'))]]);
    return new DevfsRule({ path, visibility: options.visibility, user: options.user, group: options.group, mode: options.mode });
  }

  /** @internal */
  public readonly _spec: DevfsRuleSpec;

  private constructor(spec: DevfsRuleSpec) {
    this._spec = spec;
  }
}

/** A devfs ruleset of a host, as a `[NAME=NUMBER]` section of /etc/devfs.rules. */
export interface DevfsRulesetProps {
  /** The host. */
  readonly host: FreeBsdHost;
  /**
   * The ruleset's name in `[NAME=NUMBER]`, like `devfsrules_bpfjail`: a sh variable name, since
   * rc.subr sets `NAME=NUMBER` for later `$NAME` references; not one of FreeBSD's defaults.
   */
  readonly rulesetName: string;
  /**
   * The ruleset number jails use (jail.conf `devfs_ruleset`), 6 to 65535: 1 to 5 are FreeBSD's
   * default rulesets (etc/defaults/devfs.rules).
   */
  readonly rulesetNumber: number;
  /**
   * Rulesets included first (`add include`), in order: FreeBSD's defaults, like
   * `JailDevfsRuleset.fromNumber(4)` (written `$devfsrules_jail`, as the notebook does), or
   * another DevfsRuleset of the same host (written by number; this one is loaded after it).
   * @default - none
   */
  readonly includes?: IDevfsRuleset[];
  /**
   * Path patterns under /dev to unhide (`add path 'bpf*' unhide`), after the includes.
   * @default - none
   */
  readonly unhide?: string[];
  /**
   * Further rules, after the unhide paths.
   * @default - none
   */
  readonly rules?: DevfsRule[];
}

/**
 * A named, numbered devfs ruleset: one managed block of /etc/devfs.rules (loaded at boot) and
 * the same rules loaded now, checked with `devfs rule -s N show`. Give it to a jail as
 * `devfsRuleset`: the jail gets `devfs_ruleset = N` and is configured after this step, so the
 * number cannot drift and an unloaded ruleset cannot be used. Destroy deletes the loaded rules
 * and the block, nothing else; what an administrator wrote in /etc/devfs.rules stays byte for
 * byte, and a header of theirs with this number or name is refused on the host.
 */
export class DevfsRuleset extends Construct implements IDevfsRuleset {
  /** The host. */
  public readonly host: FreeBsdHost;
  /** The name in `[NAME=NUMBER]`. */
  public readonly rulesetName: string;
  /** The ruleset number (jail.conf `devfs_ruleset`). */
  public readonly rulesetNumber: number;
  /** The step that writes the block and loads the rules; jails that use the ruleset depend on it. */
  public readonly step: HostStep;
  /** The same step, as IDevfsRuleset names it (always set on a DevfsRuleset). */
  public readonly rulesetStep?: HostStep;
  /** The ruleset's lines in /etc/devfs.rules (header included). */
  public readonly rulesText: string;
  /** What `devfs rule -s N show` prints once the ruleset is loaded. */
  public readonly expectedShow: string;

  constructor(scope: Construct, id: string, props: DevfsRulesetProps) {
    super(scope, id);
    const at = this.node.path;
    p.checkProps(at, 'DevfsRuleset', props, {
      host: p.required(p.instanceOf(FreeBsdHost, 'new FreeBsdHost(scope, "host", { address: "192.0.2.10" })')),
      rulesetName: p.required(p.str('"devfsrules_bpfjail"')),
      rulesetNumber: p.required(p.num('10')),
      includes: p.list(p.struct('IDevfsRuleset', { rulesetNumber: p.required(p.num('4')) }, 'JailDevfsRuleset.fromNumber(4)'), 'rulesets'),
      unhide: p.list(p.str('"bpf*"'), 'path patterns'),
      rules: p.list(p.instanceOf(DevfsRule, 'DevfsRule.unhide("tun*")'), 'DevfsRule objects'),
    });
    this.host = props.host;
    this.rulesetName = v.validated(at, 'rulesetName', () => devfsRulesetName(props.rulesetName));
    this.rulesetNumber = v.validated(at, 'rulesetNumber', () => ownDevfsRulesetNumber(props.rulesetNumber));
    const includes = props.includes ?? [];
    const included = includes.map((r, i) => v.validated(at, `includes[${i}]`, () => this.includedNumber(r)));
    const spec: DevfsRulesetSpec = {
      name: this.rulesetName,
      number: this.rulesetNumber,
      includes: included,
      unhide: (props.unhide ?? []).map((p, i) => v.validated(at, `unhide[${i}]`, () => devfsPathPattern(p))),
      rules: (props.rules ?? []).map((r, i) => v.validated(at, `rules[${i}]`, () => checkedRule(r._spec))),
    };
    this.rulesText = renderDevfsRuleset(spec);
    this.expectedShow = devfsShowText(spec);

    // Two rulesets of one host with one number or name: the later one would replace the
    // earlier at boot (rc.subr deletes a set at its header) and `$NAME` would name the wrong one.
    this.node.addValidation({
      validate: () => {
        const all = constructsOfApp(this.node.root, DevfsRuleset);
        const byNumber = earlierMatch(all, this, (o) => o.host === this.host && o.rulesetNumber === this.rulesetNumber);
        const byName = earlierMatch(all, this, (o) => o.host === this.host && o.rulesetName === this.rulesetName);
        return [
          ...(byNumber ? [`${at}: invalid rulesetNumber: ${this.rulesetNumber} is already the devfs ruleset ${byNumber.node.path} (${byNumber.rulesetName}) on host ${this.host.address}`] : []),
          ...(byName ? [`${at}: invalid rulesetName: ${this.rulesetName} is already the name of the devfs ruleset ${byName.node.path} (${byName.rulesetNumber}) on host ${this.host.address}`] : []),
        ];
      },
    });

    const ours = includes.filter((r): r is DevfsRuleset => r instanceof DevfsRuleset);
    const title = `devfs ruleset ${this.rulesetNumber} (${this.rulesetName})`;
    const create = new ScriptBuilder(title);
    const accountChecks = devfsAccountChecks(title, spec.rules ?? []);
    if (accountChecks.length > 0) create.action(`${title}: the rules' users and groups are accounts of this host`, ...accountChecks);
    create
      .banner(`${title}: its block in ${DEVFS_RULES_FILE}, loaded and checked with devfs rule -s ${this.rulesetNumber} show`)
      .helper('devfs-ruleset-apply', props.host.ownershipScope, String(this.rulesetNumber), this.rulesetName, this.rulesText, this.expectedShow.replace(/\n$/, ''), ...devfsRuleArguments(spec));
    const destroy = new ScriptBuilder(title)
      .banner(`${title}: unloaded and its block removed from ${DEVFS_RULES_FILE}`)
      .helper('devfs-ruleset-remove', props.host.ownershipScope, String(this.rulesetNumber));
    this.step = new HostStep(this, 'rules', {
      host: this.host,
      description: title,
      ...stepScripts(create, destroy),
      dependsOn: ours.map((r) => r.step),
      // An included ruleset of ours must come first in the file too (an include of a ruleset not
      // yet loaded fails, and rc.subr then drops the rest of the file): replaced with it, this
      // block is written again after the new one.
      replaceOn: Object.fromEntries(ours.map((r) => [`include_${r.rulesetNumber}`, r.step.contentHash])),
    });
    this.rulesetStep = this.step;
    // Taken out of the app, its block and loaded rules are removed by the host's prune step
    // (its block "devfs ruleset N of SCOPE" is the claim), which runs first: a ruleset with a
    // removed one's name would be refused while the old block is there.
    keepHostClaim(this.host, DEVFS_RULESET_KIND, String(this.rulesetNumber), this);
    pruneHostBefore(this.host, this.step);
  }

  /** The number of an included ruleset: FreeBSD's defaults, the host's own, or ours on this host. */
  private includedNumber(r: IDevfsRuleset): number {
    const n = devfsRulesetNumber(r);
    if (n === 0) throw new v.ValidationError('0 is "no ruleset" and cannot be included');
    if (n === this.rulesetNumber) throw new v.ValidationError(`${n} is this ruleset itself`);
    if (r instanceof DevfsRuleset && r.host !== this.host) {
      throw new v.ValidationError(`${r.node.path} is a ruleset of host ${r.host.address}, not of ${this.host.address}`);
    }
    return n;
  }
}

/**
 * Shell lines that stop the step, before anything changes, where devfs would part from what
 * the rules say (sbin/devfs/rule.c rulespec_intok, rulespec_outfp): a name that is no account of
 * the host (getpwnam/getgrnam fail, and eatoi refuses the word: the load would fail half way and
 * the block in devfs.rules would stop rc.subr's reading of the file at boot), or an id that has
 * an account (show prints the name, not the id the check expects). getent(1) asks the same
 * databases, by name or by id.
 */
export function devfsAccountChecks(title: string, rules: readonly DevfsRuleSpec[]): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const r of rules) {
    for (const [kind, db, value] of [['user', 'passwd', r.user], ['group', 'group', r.group]] as const) {
      if (value === undefined || seen.has(`${kind} ${value}`)) continue;
      seen.add(`${kind} ${value}`);
      const q = shellQuote(value);
      if (/^\d+$/.test(value)) {
        lines.push(`if a=$(getent ${db} ${q}); then echo ${shellQuote(`${title}: ${kind} id ${value} is `)}"\${a%%:*}"${shellQuote(` on this host, and devfs rule show prints that name: write ${kind} `)}"\${a%%:*}" >&2; exit 1; fi`);
      } else {
        lines.push(`getent ${db} ${q} >/dev/null || { echo ${shellQuote(`${title}: ${kind} ${value} is no account of this host: devfs rule would refuse it (error converting to integer: ${value})`)} >&2; exit 1; }`);
      }
    }
  }
  return lines;
}

/** A rule's values checked one by one, so the error says which. */
function checkedRule(r: DevfsRuleSpec): DevfsRuleSpec {
  if (r.path !== undefined) devfsPathPattern(r.path);
  if (r.user !== undefined) accountName(r.user);
  if (r.group !== undefined) accountName(r.group);
  if (r.mode !== undefined) fileModeOctal(r.mode);
  if (!r.visibility && r.user === undefined && r.group === undefined && r.mode === undefined) {
    throw new v.ValidationError(`the rule${r.path !== undefined ? ` for ${JSON.stringify(r.path)}` : ''} needs an action: a visibility, user, group or mode`);
  }
  return r;
}
