/**
 * pf.conf(5) text from typed rules, in the notebook's terms: macros, NAT of a jail network
 * (IPv4 out of `($if)`, IPv6 to an explicit address), port forwards (`rdr pass [log]`) and
 * plain filter rules. Two renderings:
 * - anchor mode: the rules file loaded with `pfctl -a ANCHOR -f FILE`, plus the three hook
 *   lines the host's /etc/pf.conf needs, and an awk program that puts them where pfctl
 *   accepts them in whatever the administrator wrote (sbin/pfctl/parse.y: check_rulestate);
 * - whole-file mode: a pf.conf in pf.conf(5)'s category order, for hosts the library owns.
 * A value written `$NAME` refers to a macro; it is validated as what it expands to.
 */
import { PF_ANCHOR_ROOT } from '../shell/names';
import { ValidationError } from '../validate';
import {
  AddressFamily, addressOrNetwork, familyOf, interfaceName, ipAddress, network, pfAnchorPath, pfMacroName, portNumber, portRange,
} from '../validate/net';

/** `NAME = "value"`. */
export interface PfMacro {
  readonly name: string;
  readonly value: string;
}

/** A port, or an inclusive range `from:to`. */
export type PfPorts = number | { readonly from: number; readonly to: number };

/** Where a translation goes: an interface's current address `($if)`, or a fixed address. */
export type PfTranslationTarget = { readonly interface: string } | { readonly address: string };

/** `nat on IF FAMILY from SOURCE to any -> TARGET`. */
export interface PfNatRule {
  /** The external interface (or `$MACRO`). */
  readonly interface: string;
  readonly family: AddressFamily;
  /** The jail network (or `$MACRO`). */
  readonly source: string;
  /**
   * `{ interface }` renders `($if)`, which follows the interface's address changes; IPv6 should
   * use `{ address }` because an interface name may resolve to its link-local address.
   */
  readonly translation: PfTranslationTarget;
}

/** `rdr [pass] [log] on IF FAMILY proto P to DEST port PORTS -> TARGET [port TPORT]`. */
export interface PfRedirectRule {
  readonly interface: string;
  readonly family: AddressFamily;
  readonly protocol: 'tcp' | 'udp';
  /** The external address the forward listens on: `($if)` or a fixed address. */
  readonly destination: PfTranslationTarget;
  readonly ports: PfPorts;
  /** The jail's address (or `$MACRO`). */
  readonly target: string;
  /** The first target port when it differs (a range maps onto the same-sized range). @default - the same ports */
  readonly targetPort?: number;
  /** `pass`: translated packets skip the filter rules. @default true */
  readonly pass?: boolean;
  /** `log` to pflog0. @default false */
  readonly log?: boolean;
}

/** A plain filter rule: `pass|block [in|out] [log] [quick] [on IF] [FAMILY] [proto P] from A to B [port P]`. */
export interface PfFilterRule {
  readonly action: 'pass' | 'block';
  readonly direction?: 'in' | 'out';
  readonly log?: boolean;
  readonly quick?: boolean;
  readonly interface?: string;
  readonly family?: AddressFamily;
  readonly protocol?: 'tcp' | 'udp';
  /** An address or network (or `$MACRO`). @default - any */
  readonly from?: string;
  /** @default - any */
  readonly to?: string;
  /** Destination port(s); needs a protocol. */
  readonly ports?: PfPorts;
}

/** The rules one app loads: macros, translation (nat, then rdr), filtering. */
export interface PfRuleset {
  readonly macros?: readonly PfMacro[];
  readonly nat?: readonly PfNatRule[];
  readonly redirects?: readonly PfRedirectRule[];
  readonly filters?: readonly PfFilterRule[];
}

/** A whole pf.conf: a ruleset plus the options and normalization only the main ruleset has. */
export interface PfConf extends PfRuleset {
  /** `set skip on { ... }`. @default - none */
  readonly skipInterfaces?: readonly string[];
  /** `set block-policy`. @default - pf's own (drop) */
  readonly blockPolicy?: 'drop' | 'return';
  /** `scrub in all`. @default false */
  readonly scrubIncoming?: boolean;
}

/** The anchor every hook points at (the library's name); each app's rules live in a child anchor of it. */

/** The path an owner's rules are loaded into: `cdktf-freebsd-jails/NAME`. */
export function pfAnchorFor(name: string): string {
  return pfAnchorPath(`${PF_ANCHOR_ROOT}/${name}`);
}

// ---------------------------------------------------------------- validation

type Kind = 'interface' | 'address' | 'network' | 'host';

/** Checks a value (or the macro it names) as `kind`; returns the family it implies, if any. */
function checkValue(macros: ReadonlyMap<string, string>, value: string, kind: Kind, family: AddressFamily | undefined, what: string): AddressFamily | undefined {
  let expanded = value;
  if (value.startsWith('$')) {
    const name = value.slice(1);
    pfMacroName(name);
    const v = macros.get(name);
    if (v === undefined) throw new ValidationError(`${what}: macro ${JSON.stringify(value)} is not defined`);
    expanded = v;
  }
  try {
    if (kind === 'interface') {
      interfaceName(expanded);
      return undefined;
    }
    if (kind === 'address') return familyOf(ipAddress(expanded, family));
    if (kind === 'network') return familyOf(network(expanded, family));
    return familyOf(addressOrNetwork(expanded, family));
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError(`${what}: ${value === expanded ? '' : `${value} = `}${e.message}`);
    throw e;
  }
}

function checkPorts(ports: PfPorts, what: string): void {
  try {
    if (typeof ports === 'number') portNumber(ports);
    else portRange(ports.from, ports.to);
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError(`${what}: ${e.message}`);
    throw e;
  }
}

function macroMap(macros: readonly PfMacro[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const m of macros ?? []) {
    pfMacroName(m.name);
    if (map.has(m.name)) throw new ValidationError(`pf macro ${m.name} is defined twice`);
    // A macro value is quoted in the file: no quotes, newlines or $ inside (parse.y would expand it).
    if (m.value === '' || /["\n\r$\\#]/.test(m.value)) throw new ValidationError(`pf macro ${m.name}: ${JSON.stringify(m.value)} must be a non-empty value without " $ \\ # or newlines`);
    map.set(m.name, m.value);
  }
  return map;
}

function checkTarget(macros: ReadonlyMap<string, string>, t: PfTranslationTarget, family: AddressFamily, what: string): void {
  if ('interface' in t) checkValue(macros, t.interface, 'interface', undefined, what);
  else checkValue(macros, t.address, 'address', family, what);
}

/** Validates every value of a ruleset (macros expanded); throws a ValidationError naming the rule and value. */
export function validatePfRuleset(rs: PfRuleset): void {
  const macros = macroMap(rs.macros);
  (rs.nat ?? []).forEach((r, i) => {
    const what = `nat rule ${i + 1}`;
    checkValue(macros, r.interface, 'interface', undefined, `${what} interface`);
    checkValue(macros, r.source, 'network', r.family, `${what} source`);
    checkTarget(macros, r.translation, r.family, `${what} translation`);
  });
  (rs.redirects ?? []).forEach((r, i) => {
    const what = `port forward ${i + 1}`;
    checkValue(macros, r.interface, 'interface', undefined, `${what} interface`);
    checkTarget(macros, r.destination, r.family, `${what} destination`);
    checkPorts(r.ports, `${what} ports`);
    checkValue(macros, r.target, 'address', r.family, `${what} target`);
    if (r.targetPort !== undefined) checkPorts(r.targetPort, `${what} target port`);
    if (r.targetPort !== undefined && typeof r.ports !== 'number' && r.targetPort + (r.ports.to - r.ports.from) > 65535) {
      throw new ValidationError(`${what} target port: ${r.targetPort} maps ${r.ports.from}:${r.ports.to} beyond 65535`);
    }
  });
  (rs.filters ?? []).forEach((r, i) => {
    const what = `filter rule ${i + 1}`;
    if (r.interface !== undefined) checkValue(macros, r.interface, 'interface', undefined, `${what} interface`);
    const f1 = r.from === undefined ? undefined : checkValue(macros, r.from, 'host', r.family, `${what} from`);
    const f2 = r.to === undefined ? undefined : checkValue(macros, r.to, 'host', r.family ?? f1, `${what} to`);
    if (f1 !== undefined && f2 !== undefined && f1 !== f2) throw new ValidationError(`${what}: from and to are of different address families`);
    if (r.ports !== undefined) {
      if (r.protocol === undefined) throw new ValidationError(`${what}: a port needs a protocol (tcp or udp)`);
      checkPorts(r.ports, `${what} ports`);
    }
  });
}

// ---------------------------------------------------------------- rendering

const ports = (p: PfPorts): string => (typeof p === 'number' ? String(p) : p.from === p.to ? String(p.from) : `${p.from}:${p.to}`);
const target = (t: PfTranslationTarget): string => ('interface' in t ? `(${t.interface})` : t.address);

/** `XIF = "em0"` lines. */
export function renderPfMacros(macros: readonly PfMacro[]): string[] {
  return macros.map((m) => `${m.name} = "${m.value}"`);
}

export function renderPfNat(r: PfNatRule): string {
  return `nat on ${r.interface} ${r.family} from ${r.source} to any -> ${target(r.translation)}`;
}

export function renderPfRedirect(r: PfRedirectRule): string {
  const words = ['rdr'];
  if (r.pass ?? true) words.push('pass');
  if (r.log) words.push('log');
  words.push('on', r.interface, r.family, 'proto', r.protocol, 'to', target(r.destination), 'port', ports(r.ports), '->', r.target);
  if (r.targetPort !== undefined) {
    // parse.y: `port N:*` maps a range onto one of the same size; a plain `port N` sends all to N.
    words.push('port', typeof r.ports === 'number' ? String(r.targetPort) : `${r.targetPort}:*`);
  }
  return words.join(' ');
}

export function renderPfFilter(r: PfFilterRule): string {
  const words: string[] = [r.action];
  if (r.direction) words.push(r.direction);
  if (r.log) words.push('log');
  if (r.quick) words.push('quick');
  if (r.interface !== undefined) words.push('on', r.interface);
  if (r.family) words.push(r.family);
  if (r.protocol) words.push('proto', r.protocol);
  if (r.from === undefined && r.to === undefined && r.ports === undefined) words.push('all');
  else {
    words.push('from', r.from ?? 'any', 'to', r.to ?? 'any');
    if (r.ports !== undefined) words.push('port', ports(r.ports));
  }
  return words.join(' ');
}

function ruleLines(rs: PfRuleset): { macros: string[]; nat: string[]; rdr: string[]; filters: string[] } {
  validatePfRuleset(rs);
  return {
    macros: renderPfMacros(rs.macros ?? []),
    nat: (rs.nat ?? []).map(renderPfNat),
    rdr: (rs.redirects ?? []).map(renderPfRedirect),
    filters: (rs.filters ?? []).map(renderPfFilter),
  };
}

/**
 * The rules file of one anchor (`pfctl -a cdktf-freebsd-jails/NAME -f FILE`): macros, then
 * translation, then filtering. Options and scrub belong to the main ruleset only.
 */
export function renderPfAnchorRules(rs: PfRuleset): string {
  const l = ruleLines(rs);
  return [...l.macros, ...l.nat, ...l.rdr, ...l.filters].map((x) => x + '\n').join('');
}

/** A whole pf.conf in pf.conf(5)'s category order, with the notebook's section comments. */
export function renderPfConf(conf: PfConf): string {
  const l = ruleLines(conf);
  const options: string[] = [];
  for (const i of conf.skipInterfaces ?? []) interfaceName(i);
  if (conf.skipInterfaces && conf.skipInterfaces.length > 0) {
    options.push(conf.skipInterfaces.length === 1 ? `set skip on ${conf.skipInterfaces[0]}` : `set skip on { ${conf.skipInterfaces.join(' ')} }`);
  }
  if (conf.blockPolicy) options.push(`set block-policy ${conf.blockPolicy}`);
  const scrub = conf.scrubIncoming ? ['scrub in all'] : [];
  const section = (head: string, lines: string[]) => [head, ...lines];
  const out = [
    ...section('# MACROS/TABLES', l.macros),
    '',
    ...section('# OPTIONS (set skip, etc.)', options),
    ...section('# NORMALIZATION (scrub)', scrub),
    '# QUEUEING',
    '',
    '# TRANSLATION',
    ...section('## NAT', l.nat),
    '',
    ...section('## REDIRECT (Port Forwarding)', l.rdr),
    '',
    ...section('# FILTERING (Pass/Block)', l.filters),
  ];
  return out.map((x) => x + '\n').join('');
}

