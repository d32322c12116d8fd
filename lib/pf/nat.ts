/**
 * PfNat: the notebook's "NAT Configuration" as a construct: NAT of jail networks out of the
 * external interface, port forwards to jails (`rdr pass [log]`), optional filter rules.
 *
 * Anchor mode (the default): the rules go into the library's own pf anchor
 * (`cdktf-freebsd-jails/NAME`, loaded with `pfctl -a`); /etc/pf.conf gets only a managed block
 * with the hooks, placed where pfctl accepts it, and everything the administrator wrote stays
 * byte for byte. Whole-file mode: /etc/pf.conf is written whole, as the notebook does, for a
 * host the library owns entirely; destroy puts back the file that was there before.
 *
 * Every load is checked with `pfctl -n` first, and confirmed by a later step over a new SSH
 * connection: rules that cut the operator off are rolled back by the host itself
 * (lib/shell/pf-helper.ts). Three steps: claim (the anchor or pf.conf; its destroy undoes
 * PfNat), load (no destroy: a change of the rules replaces only this step, so the rules that
 * ran before stay loaded and become the rollback point), confirm.
 */
import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { FreeBsdHost } from '../host/host';
import { defineHostKind, keepHostClaim, pruneHostBefore } from '../host/prune';
import { HostSettings } from '../host/settings';
import { HostStep, stepScripts } from '../host/step';
import { JailAddress, JailAddressFamily } from '../jail/address';
import { IJail, JAIL_MEMBERS } from '../jail/interfaces';
import {
  PfConf, PfFilterRule as PfFilterRuleText, PfMacro, PfNatRule, PfPorts, PfRedirectRule, pfAnchorFor, renderPfAnchorRules, renderPfConf, validatePfRuleset,
} from '../render/pfconf';
import { ownerMark } from '../shell/names';
import { PF_CONF, PF_RULES_DIR } from '../shell/names';
import { ScriptBuilder } from '../shell/script';
import { shellQuote } from '../shell/quote';
import * as v from '../validate';
import * as p from '../validate/props';
import { AddressFamily, interfaceName, ipAddress, network } from '../validate/net';

/** pf anchors and whole-file pf.conf, kept by owner mark. */
const PF_KIND = defineHostKind({
  name: 'pf',
  claims: 'pf anchors and whole-file pf.conf',
  title: 'claimed pf anchors',
  pruneAction: 'pf-prune',
  pruneOrder: 20,
  helperModule: 'pf.sh',
  constructs: ['PfNat'],
});

/** How PfNat's rules reach pf. */
export enum PfMode {
  /**
   * The rules live in the library's own anchor; /etc/pf.conf gets only the hooks, in a
   * managed block. For hosts whose pf.conf belongs to an administrator.
   */
  ANCHOR = 'anchor',
  /**
   * /etc/pf.conf is written whole, in pf.conf(5)'s category order (macros, tables, options,
   * normalization, queueing, translation, filtering), as the notebook does. For hosts the
   * library owns entirely: one whole-file PfNat per host and no anchor-mode PfNat beside it.
   * The file that was there before is kept and put back (and loaded) on destroy.
   */
  WHOLE_FILE = 'whole-file',
}

/** A transport protocol of a forward or filter rule. */
export enum PfProtocol {
  /** TCP. */
  TCP = 'tcp',
  /** UDP. */
  UDP = 'udp',
}

/** A port or an inclusive range of ports. */
export class PfPortRange {
  /** One port, like 8080. */
  public static port(port: number): PfPortRange {
    p.checkArgs('PfPortRange.port', [['port', port, p.required(p.num('80'))]]);
    return new PfPortRange(port, port);
  }

  /** The ports `from` to `to`, inclusive (pf's `from:to`). */
  public static range(from: number, to: number): PfPortRange {
    p.checkArgs('PfPortRange.range', [['from', from, p.required(p.num('8000'))], ['to', to, p.required(p.num('8080'))]]);
    return new PfPortRange(from, to);
  }

  /** The first port. */
  public readonly from: number;
  /** The last port (equal to `from` for one port). */
  public readonly to: number;

  private constructor(from: number, to: number) {
    this.from = from;
    this.to = to;
  }

  /** @internal */
  public _ports(): PfPorts {
    return this.from === this.to ? this.from : { from: this.from, to: this.to };
  }
}

/** A jail network whose outgoing traffic is translated to the host's external address. */
export class PfNatNetwork {
  /** An IPv4 network, like `127.1.1.0/24`: translated to the external interface's address, `($if)`. */
  public static ipv4(cidr: string): PfNatNetwork {
    p.checkArgs('PfNatNetwork.ipv4', [['cidr', cidr, p.required(p.str('"172.31.0.0/24"'))]]);
    return new PfNatNetwork(cidr, JailAddressFamily.IPV4);
  }

  /**
   * An IPv6 network, like `fd00:1:1:1::0/64`: translated to PfNat's `externalIpv6Address`
   * (an interface name could resolve to its link-local address).
   */
  public static ipv6(cidr: string): PfNatNetwork {
    p.checkArgs('PfNatNetwork.ipv6', [['cidr', cidr, p.required(p.str('"fd00:31::/64"'))]]);
    return new PfNatNetwork(cidr, JailAddressFamily.IPV6);
  }

  /** The network, as written. */
  public readonly cidr: string;
  /** Its family. */
  public readonly family: JailAddressFamily;

  private constructor(cidr: string, family: JailAddressFamily) {
    this.cidr = cidr;
    this.family = family;
  }
}

/** Options of a port forward. */
export interface PfPortForwardOptions {
  /** The family: the jail's first address of it is the target. */
  readonly family: JailAddressFamily;
  /** The external port(s). */
  readonly ports: PfPortRange;
  /**
   * The protocol.
   * @default PfProtocol.TCP
   */
  readonly protocol?: PfProtocol;
  /**
   * The jail's first port when it differs (a range maps onto a range of the same size).
   * @default - the same ports
   */
  readonly targetPort?: number;
  /**
   * `log` the forwarded connections to pflog0.
   * @default false
   */
  readonly log?: boolean;
  /**
   * `pass`: forwarded packets skip the filter rules (`rdr pass`).
   * @default true
   */
  readonly pass?: boolean;
}

/** A port forward from the host's external address to a jail (`rdr pass on $XIF ... -> JAIL`). */
export class PfPortForward {
  /**
   * Forward to `jail`: its address of `options.family` (from the jail's networks) is the target,
   * so the forward follows the jail and is never a copied string.
   */
  public static toJail(jail: IJail, options: PfPortForwardOptions): PfPortForward {
    return new PfPortForward(jail, options);
  }

  /** The jail. */
  public readonly jail: IJail;
  /** The forward's options. */
  public readonly options: PfPortForwardOptions;

  private constructor(jail: IJail, options: PfPortForwardOptions) {
    this.jail = jail;
    this.options = options;
  }
}

/** Direction of a filter rule. */
export enum PfDirection {
  /** Packets coming in. */
  IN = 'in',
  /** Packets going out. */
  OUT = 'out',
}

/** Options of a filter rule. */
export interface PfFilterRuleOptions {
  /**
   * The direction.
   * @default - both
   */
  readonly direction?: PfDirection;
  /**
   * `log` matching packets.
   * @default false
   */
  readonly log?: boolean;
  /**
   * `quick`: a match ends evaluation.
   * @default false
   */
  readonly quick?: boolean;
  /**
   * Match only on PfNat's external interface.
   * @default false
   */
  readonly onExternalInterface?: boolean;
  /**
   * The family.
   * @default - both (or the family of the addresses)
   */
  readonly family?: JailAddressFamily;
  /**
   * The protocol (needed with `ports`).
   * @default - any
   */
  readonly protocol?: PfProtocol;
  /**
   * Source address or network.
   * @default - any
   */
  readonly from?: string;
  /**
   * Destination address or network.
   * @default - any
   */
  readonly to?: string;
  /**
   * Destination port(s).
   * @default - any
   */
  readonly ports?: PfPortRange;
}

/** A filter rule (`pass` or `block`), evaluated in the library's anchor. */
export class PfFilterRule {
  /** `pass ...`. */
  public static pass(options: PfFilterRuleOptions = {}): PfFilterRule {
    return new PfFilterRule('pass', options);
  }

  /** `block ...`. */
  public static block(options: PfFilterRuleOptions = {}): PfFilterRule {
    return new PfFilterRule('block', options);
  }

  /** pass or block. */
  public readonly action: string;
  /** The rule's options. */
  public readonly options: PfFilterRuleOptions;

  private constructor(action: string, options: PfFilterRuleOptions) {
    this.action = action;
    this.options = options;
  }
}

/** What PfNat does on a host. */
export interface PfNatProps {
  /** The host. */
  readonly host: FreeBsdHost;
  /** The external interface, like `em0` (the notebook's `$XIF`). */
  readonly externalInterface: string;
  /**
   * The host's external IPv6 address (the notebook's `$EXT_V6ADDR`): IPv6 NAT translates to it
   * and IPv6 forwards listen on it. Needed by any IPv6 network or forward.
   * @default - none
   */
  readonly externalIpv6Address?: string;
  /**
   * Jail networks translated on the way out.
   * @default - none
   */
  readonly natNetworks?: PfNatNetwork[];
  /**
   * Port forwards to jails.
   * @default - none
   */
  readonly portForwards?: PfPortForward[];
  /**
   * Filter rules, after the translation rules.
   * @default - none
   */
  readonly filterRules?: PfFilterRule[];
  /**
   * How the rules reach pf.
   * @default PfMode.ANCHOR
   */
  readonly mode?: PfMode;
  /**
   * Interfaces pf skips (`set skip on { ... }`, like `lo0`). Whole-file mode only: options
   * belong to the main ruleset.
   * @default - none
   */
  readonly skipInterfaces?: string[];
  /**
   * The name of the anchor under `cdktf-freebsd-jails/`; unique on the host. Anchor mode only.
   * @default - the construct id and a digest of the host's ownership scope and the construct path
   */
  readonly anchorName?: string;
  /**
   * Seconds after which a load that no new SSH connection confirmed is rolled back.
   * @default 120
   */
  readonly rollbackSeconds?: number;
}

/** A PfPortRange, or what to write for the number given. */
const portRange = p.instanceOf(PfPortRange, (given) => (typeof given === 'number' ? `PfPortRange.port(${given})` : 'PfPortRange.port(80) or PfPortRange.range(8000, 8010)'));
const family = p.oneOf('JailAddressFamily', JailAddressFamily);
const protocol = p.oneOf('PfProtocol', PfProtocol);

/** What PfNatProps must be, for users of untyped languages: errors name the props as written (`portForwards[0].jail`). */
const PF_NAT_PROPS: Record<string, p.Kind> = {
  host: p.required(p.instanceOf(FreeBsdHost, 'new FreeBsdHost(scope, "host", { address: "192.0.2.10" })')),
  externalInterface: p.required(p.str('"em0"')),
  externalIpv6Address: p.str('"2001:db8::1"'),
  natNetworks: p.list(p.instanceOf(PfNatNetwork, (given) => `PfNatNetwork.ipv4(${typeof given === 'string' ? JSON.stringify(given) : '"127.1.1.0/24"'})`), 'PfNatNetwork objects'),
  portForwards: p.list(p.instanceOf(PfPortForward, 'PfPortForward.toJail(jail, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(80) })', {
    jail: p.required(p.shaped('IJail', JAIL_MEMBERS, 'PfPortForward.toJail(new JailFromSnapshot(scope, "web", { jailHost, source }), { ... })')),
    options: p.required(p.struct('PfPortForwardOptions', {
      family: p.required(family),
      ports: p.required(portRange),
      protocol,
      targetPort: p.num('8080'),
      log: p.bool,
      pass: p.bool,
    }, '{ family: JailAddressFamily.IPV4, ports: PfPortRange.port(80) }')),
  }), 'PfPortForward objects'),
  filterRules: p.list(p.instanceOf(PfFilterRule, 'PfFilterRule.pass({ protocol: PfProtocol.TCP, ports: PfPortRange.port(22) })', {
    options: p.struct('PfFilterRuleOptions', {
      direction: p.oneOf('PfDirection', PfDirection),
      log: p.bool,
      quick: p.bool,
      onExternalInterface: p.bool,
      family,
      protocol,
      from: p.str('"10.0.0.0/8"'),
      to: p.str('"127.1.1.1"'),
      ports: portRange,
    }, '{ protocol: PfProtocol.TCP, ports: PfPortRange.port(22) }'),
  }), 'PfFilterRule objects'),
  mode: p.oneOf('PfMode', PfMode),
  skipInterfaces: p.list(p.str('"lo0"'), 'interface names'),
  anchorName: p.str('"web"'),
  rollbackSeconds: p.num('120'),
};

const familyWord = (f: JailAddressFamily): AddressFamily => (f === JailAddressFamily.IPV4 ? 'inet' : 'inet6');

/**
 * The address a forward to `jail` targets: its first of `family` that the host routes to (an
 * alias, an address on a routed VNET switch). Refused naming the cause: no address of the
 * family, or only ones the host cannot forward to (a bridged or switch-only VNET switch).
 */
function forwardTarget(at: string, i: number, jail: IJail, family: JailAddressFamily): JailAddress {
  const word = family === JailAddressFamily.IPV4 ? 'IPv4' : 'IPv6';
  const targets = (jail.forwardTargets ?? jail.addresses.map((a) => ({ address: a, where: 'an address of the jail', unreachable: undefined })))
    .filter((t) => t.address.family === family);
  const target = targets.find((t) => t.unreachable === undefined);
  if (target) return target.address;
  if (targets.length > 0) {
    const t = targets[0];
    throw new v.ValidationError(`${at}: invalid portForwards[${i}].jail: the port forward cannot reach ${jail.node.path} at its ${word} address ${t.address.ip} (${t.where}): ${t.unreachable}`);
  }
  throw new v.ValidationError(`${at}: invalid portForwards[${i}].options.family: the port forward to ${jail.node.path} needs an ${word} address of that jail, and it has none (an aliased address, or an address on a VNET interface of a routed switch)`);
}

/** The notebook's macro names: XIF, JAILNET_V4, JAILNET_V6 (then _2, _3 ...), EXT_V6ADDR. */
function natMacroName(family: JailAddressFamily, n: number): string {
  return `JAILNET_${family === JailAddressFamily.IPV4 ? 'V4' : 'V6'}${n === 1 ? '' : `_${n}`}`;
}

/** The PfNats of each host, to refuse a whole-file PfNat beside another at synth. */
const pfNatsOfHost = new WeakMap<FreeBsdHost, PfNat[]>();

/**
 * NAT and port forwards for jails, in the library's own pf anchor or (PfMode.WHOLE_FILE) as the
 * host's whole /etc/pf.conf. pf_enable and pflog_enable are set through HostSettings (undone
 * only when this set them); pf is enabled when it is not. Destroy flushes only this anchor and
 * takes out its hooks, or puts back the pf.conf that was there before the library wrote it.
 */
export class PfNat extends Construct {
  /** How the rules reach pf. */
  public readonly mode: PfMode;
  /** The anchor the rules are loaded into, like `cdktf-freebsd-jails/pf-1a2b3c4d` (whole-file mode: empty, the main ruleset). */
  public readonly anchor: string;
  /** The rules file on the host (loaded at boot through the hooks block; whole-file mode: /etc/pf.conf). */
  public readonly rulesFile: string;
  /** The rules as loaded: the anchor's rules, or the whole pf.conf in whole-file mode. */
  public readonly rulesText: string;
  /** The rules as a whole /etc/pf.conf in pf.conf(5)'s category order (the notebook's form). */
  public readonly pfConfText: string;
  /** pf_enable and pflog_enable. */
  public readonly settings: HostSettings;
  /**
   * Claims the anchor (or /etc/pf.conf) on the host for this PfNat; its destroy flushes the anchor
   * and takes out its hooks (whole-file mode: puts back the pf.conf that was there before).
   */
  public readonly claimStep: HostStep;
  /** Checks, saves the running rules, arms the rollback, loads. No destroy: a rule change replaces it and keeps the previous rules as the rollback point. */
  public readonly loadStep: HostStep;
  /** Confirms the load over a new SSH connection (disarms the rollback). */
  public readonly confirmStep: HostStep;

  constructor(scope: Construct, id: string, props: PfNatProps) {
    super(scope, id);
    const at = this.node.path;
    p.checkProps(at, 'PfNat', props, PF_NAT_PROPS);
    const mode = props.mode ?? PfMode.ANCHOR;
    if (mode !== PfMode.ANCHOR && mode !== PfMode.WHOLE_FILE) throw new v.ValidationError(`${at}: invalid mode: ${JSON.stringify(mode)} is not a PfMode`);
    this.mode = mode;
    const wholeFile = mode === PfMode.WHOLE_FILE;
    // Those still in the tree (a construct taken out with tryRemoveChild synthesizes nothing).
    const others = (pfNatsOfHost.get(props.host) ?? []).filter((o) => o.node.scope?.node.tryFindChild(o.node.id) === o);
    const clash = others.find((o) => wholeFile || o.mode === PfMode.WHOLE_FILE);
    if (clash) {
      throw new v.ValidationError(`${at}: invalid mode: a whole-file PfNat owns the host's /etc/pf.conf entirely, so it cannot share host ${props.host.node.path} with another PfNat: ${clash.node.path} (${clash.mode}) and ${at} (${mode})`);
    }
    const owner = ownerMark(props.host.ownershipScope, at);
    if (wholeFile && props.anchorName !== undefined) throw new v.ValidationError(`${at}: invalid anchorName: ${JSON.stringify(props.anchorName)}: a whole-file PfNat loads the main ruleset, not an anchor`);
    if (!wholeFile && props.skipInterfaces !== undefined) throw new v.ValidationError(`${at}: invalid skipInterfaces: options (set skip) belong to the main ruleset: use PfMode.WHOLE_FILE, or set them in the host's pf.conf`);
    const name = props.anchorName ?? `${id.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '')}-${createHash('sha256').update(owner).digest('hex').slice(0, 8)}`;
    v.validated(at, 'anchorName', () => {
      if (name.includes('/')) throw new v.ValidationError(`${JSON.stringify(name)} must be one anchor name, without /`);
      return pfAnchorFor(name);
    });
    this.anchor = wholeFile ? '' : pfAnchorFor(name);
    this.rulesFile = wholeFile ? PF_CONF : `${PF_RULES_DIR}/${name}.conf`;
    const seconds = props.rollbackSeconds ?? 120;
    if (!Number.isInteger(seconds) || seconds < 10 || seconds > 3600) {
      throw new v.ValidationError(`${at}: invalid rollbackSeconds: ${seconds} must be a whole number of seconds from 10 to 3600`);
    }
    (props.skipInterfaces ?? []).forEach((i, n) => v.validated(at, `skipInterfaces[${n}]`, () => interfaceName(i)));
    const ruleset = pfRuleset(at, props);
    this.pfConfText = renderPfConf(ruleset);
    this.rulesText = wholeFile ? this.pfConfText : renderPfAnchorRules(ruleset);

    this.settings = new HostSettings(this, 'settings', { host: props.host, rcConf: { pf_enable: 'YES', pflog_enable: 'YES' }, description: 'pf: pf_enable and pflog_enable' });
    const what = wholeFile ? PF_CONF : `pf anchor ${this.anchor}`;
    const claimDescription = wholeFile ? `${PF_CONF} written whole by ${owner}` : `pf anchor ${this.anchor} of ${owner}`;
    const claim = wholeFile
      ? new ScriptBuilder(claimDescription).banner(`claiming ${PF_CONF} (the file there now is kept for destroy)`).helper('pf-conf-claim', owner)
      : new ScriptBuilder(claimDescription).banner(`claiming pf anchor ${this.anchor}`).helper('pf-claim', this.anchor, this.rulesFile, owner);
    const unclaim = wholeFile
      ? new ScriptBuilder(claimDescription).banner(`putting back the ${PF_CONF} that was there before the library wrote it`).helper('pf-conf-remove', owner)
      : new ScriptBuilder(claimDescription).banner(`flushing pf anchor ${this.anchor} and taking out its hooks`).helper('pf-remove', this.anchor, this.rulesFile, owner);
    this.claimStep = new HostStep(this, 'claim', { host: props.host, description: claimDescription, dependsOn: [this.settings.step], ...stepScripts(claim, unclaim) });
    // Taken out of the app, its anchor (or pf.conf) is removed by the host's prune step, which
    // runs first: a PfNat that claims a removed one's anchor, or an anchor-mode PfNat in place of
    // a whole-file one, would be refused while the old claim is there.
    keepHostClaim(props.host, PF_KIND, owner, this);
    pruneHostBefore(props.host, this.claimStep);

    const description = wholeFile ? `pf rules of the whole ${PF_CONF}` : `pf rules of anchor ${this.anchor}`;
    const create = new ScriptBuilder(description);
    // pf takes rules for an interface that does not exist yet (it may appear later): a typo in
    // the name would load rules that never match, silently. This host has it now, or nothing loads.
    const xif = interfaceName(props.externalInterface);
    create.action(`external interface ${xif} on the host`,
      `ifconfig ${shellQuote(xif)} >/dev/null 2>&1 || { echo ${shellQuote(`error: ${at}: externalInterface ${xif} does not exist on host ${props.host.address} (ifconfig -l lists its interfaces); nothing was loaded`)} >&2; exit 1; }`);
    create.banner(`${what}: check, save and arm the rollback (${seconds} s), load`);
    if (wholeFile) create.helper('pf-conf-apply', owner, this.rulesText, String(seconds));
    else create.helper('pf-apply', this.anchor, this.rulesFile, this.rulesText, String(seconds));
    this.loadStep = new HostStep(this, 'load', { host: props.host, description, dependsOn: [this.claimStep], ...stepScripts(create) });
    const confirmDescription = `confirm ${what} over a new SSH connection`;
    const confirm = new ScriptBuilder(confirmDescription)
      .banner(`a new SSH connection got in: confirming the rules of ${what}`)
      .helper('pf-confirm', wholeFile ? PF_CONF : this.anchor);
    this.confirmStep = new HostStep(this, 'confirm', {
      host: props.host,
      description: confirmDescription,
      dependsOn: [this.loadStep],
      // A new load is a new confirmation.
      replaceOn: { load: this.loadStep.contentHash },
      ...stepScripts(confirm),
    });
    // Last: a PfNat whose props were refused is no PfNat of the host.
    pfNatsOfHost.set(props.host, [...others, this]);
  }
}

/**
 * The typed props as the renderer's ruleset, in the notebook's macros. Errors name the props as
 * the user wrote them (`natNetworks[0]`, `portForwards[1].jail`), not the rules made of them.
 */
function pfRuleset(at: string, props: PfNatProps): PfConf {
  const macros: PfMacro[] = [{ name: 'XIF', value: v.validated(at, 'externalInterface', () => interfaceName(props.externalInterface)) }];
  const v6 = props.externalIpv6Address;
  if (v6 !== undefined) {
    v.validated(at, 'externalIpv6Address', () => ipAddress(v6, 'inet6'));
  }
  const count = { [JailAddressFamily.IPV4]: 0, [JailAddressFamily.IPV6]: 0 };
  const nat: PfNatRule[] = [];
  for (const [i, n] of (props.natNetworks ?? []).entries()) {
    v.validated(at, `natNetworks[${i}]`, () => network(n.cidr, familyWord(n.family)));
    const macro = natMacroName(n.family, ++count[n.family]);
    macros.push({ name: macro, value: n.cidr });
    if (n.family === JailAddressFamily.IPV6 && v6 === undefined) throw new v.ValidationError(`${at}: invalid natNetworks[${i}]: IPv6 NAT of ${n.cidr} needs externalIpv6Address (the host's address it is translated to)`);
    nat.push({
      interface: '$XIF',
      family: familyWord(n.family),
      source: `$${macro}`,
      translation: n.family === JailAddressFamily.IPV4 ? { interface: '$XIF' } : { address: '$EXT_V6ADDR' },
    });
  }
  if (v6 !== undefined) macros.push({ name: 'EXT_V6ADDR', value: v6 });
  const redirects: PfRedirectRule[] = (props.portForwards ?? []).map((f, i) => {
    const o = f.options;
    if (f.jail.host !== props.host) {
      throw new v.ValidationError(`${at}: invalid portForwards[${i}].jail: ${f.jail.node.path} is a jail of host ${f.jail.host.node.path}, and this PfNat is on host ${props.host.node.path}: `
        + 'a port forward reaches only jails of its own host (its rdr would send the traffic to an address that host does not have); '
        + `forward the port with a PfNat of ${f.jail.host.node.path}`);
    }
    const address = forwardTarget(at, i, f.jail, o.family);
    if (o.family === JailAddressFamily.IPV6 && v6 === undefined) throw new v.ValidationError(`${at}: invalid portForwards[${i}]: the IPv6 port forward to ${f.jail.node.path} needs externalIpv6Address`);
    return {
      interface: '$XIF',
      family: familyWord(o.family),
      protocol: o.protocol ?? PfProtocol.TCP,
      destination: o.family === JailAddressFamily.IPV4 ? { interface: '$XIF' } : { address: '$EXT_V6ADDR' },
      ports: o.ports._ports(),
      target: address.ip,
      targetPort: o.targetPort,
      pass: o.pass ?? true,
      log: o.log ?? false,
    };
  });
  const filters: PfFilterRuleText[] = (props.filterRules ?? []).map((r) => {
    const o = r.options;
    return {
      action: r.action as 'pass' | 'block',
      direction: o.direction,
      log: o.log,
      quick: o.quick,
      interface: o.onExternalInterface ? '$XIF' : undefined,
      family: o.family === undefined ? undefined : familyWord(o.family),
      protocol: o.protocol,
      from: o.from,
      to: o.to,
      ports: o.ports?._ports(),
    };
  });
  const ruleset = { macros, nat, redirects, filters, skipInterfaces: props.skipInterfaces };
  try {
    validatePfRuleset(ruleset);
  } catch (e) {
    // The renderer numbers rules from 1 in its own words: here they are the props they came from.
    if (!(e instanceof v.ValidationError)) throw e;
    const m = /^(port forward|filter rule|nat rule) (\d+)( [a-z ]+)?: (.*)$/s.exec(e.message);
    if (!m) throw new v.ValidationError(`${at}: invalid rules: ${e.message}`);
    const prop = { 'port forward': 'portForwards', 'filter rule': 'filterRules', 'nat rule': 'natNetworks' }[m[1]]!;
    const field = m[3]?.trim().replace(/^target port$/, 'targetPort').replace(/^target$/, 'jail');
    const fields = ['ports', 'targetPort', 'from', 'to'];
    const where = field && fields.includes(field) ? `.options.${field}` : field === 'jail' ? '.jail' : '';
    throw new v.ValidationError(`${at}: invalid ${prop}[${Number(m[2]) - 1}]${where}: ${m[4]}`);
  }
  return ruleset;
}
