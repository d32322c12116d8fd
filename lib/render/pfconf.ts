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
import { BLOCK_BEGIN, BLOCK_END, LIBRARY_NAME } from '../shell/names';
import { shellCommand, shellQuote } from '../shell/quote';
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
export const PF_ANCHOR_ROOT = LIBRARY_NAME;

/** The path an owner's rules are loaded into: `cdktf-freebsd-jails/NAME`. */
export function pfAnchorFor(name: string): string {
  return pfAnchorPath(`${PF_ANCHOR_ROOT}/${name}`);
}

/** pf.conf(5)'s categories in the order parse.y enforces (ethernet rules sit after options). */
export const PF_CATEGORY_ORDER = ['options', 'ethernet', 'normalization', 'queueing', 'translation', 'filtering'] as const;

/** The error pfctl prints for a category out of order (sbin/pfctl/parse.y check_rulestate). */
export const PF_ORDER_ERROR = 'Rules must be in order: options, ethernet, normalization, queueing, translation, filtering';

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

// ---------------------------------------------------------------- hooks in the host's pf.conf

/** The three hooks that make pf evaluate every anchor under PF_ANCHOR_ROOT. */
export function renderPfHookLines(root: string = PF_ANCHOR_ROOT): string[] {
  pfAnchorPath(root);
  return [`nat-anchor "${root}/*"`, `rdr-anchor "${root}/*"`, `anchor "${root}/*"`];
}

/**
 * awk (POSIX; FreeBSD's one-true-awk) that prints /etc/pf.conf with the managed block
 * ENVIRON["BEGIN_LINE"] ENVIRON["HOOKS"] ENVIRON["END_LINE"] placed where pfctl accepts it,
 * every other line as it was. An earlier block of ours is taken out first, so a file the
 * administrator rearranged converges. With HOOKS empty the block is only removed.
 *
 * Where (sbin/pfctl/parse.y): statements are found as parse.y reads them (`#` comments outside
 * quotes, `\` continuations, `{ }` lists and inline anchors spanning lines), and each gets the
 * state check_rulestate gives it: options (only the `set` options parse.y orders: reassemble,
 * optimization, loginterface, block-policy, fail-policy, fingerprints, debug), ether, scrub,
 * altq/queue, nat/rdr/binat and their anchors, filtering (pass, block, match, antispoof,
 * anchor). Other `set` options (skip, timeout, limit, state-policy, ...), macros, tables and
 * `load anchor` have no state and may stand anywhere, after filter rules too. `include "FILE"`
 * is read as pushfile splices it in (relative paths from the working directory, as pfctl
 * opens them): its statements count at the include line. The block goes right after the last
 * statement that must precede translation or is translation (or an unordered `set` before
 * any filter rule); without one, right before the first filter statement; without either, at
 * the end. Translation is first-match and filtering last-match, so the administrator's own
 * rules keep precedence. When pfctl would reject the block there (a `set require-order`
 * toggle), the nearest place it accepts is taken. When it accepts none (an included file
 * holds both translation and filter rules: the hooks would have to go inside it), the program
 * prints why on stderr and exits 3, leaving the file to its owner.
 */
export const PF_HOOKS_AWK = String.raw`
function scan(s,    i, c, q, out) {
  # Strip a comment outside quotes, count braces, note a trailing backslash.
  q = ""; out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (q != "") { if (c == q) q = ""; out = out c; continue }
    if (c == "\"" || c == "'") { q = c; out = out c; continue }
    if (c == "#") break
    if (c == "{") depth++
    if (c == "}") depth--
    out = out c
  }
  cont = (out ~ /\\[ \t]*$/)
  if (cont) sub(/\\[ \t]*$/, "", out)
  return out
}
# A whole statement, as parse.y's check_rulestate sees it: sets cls (0: no check; 1 options
# (only the set options parse.y orders), 2 ether, 3 scrub, 4 altq/queue, 5 translation,
# 6 filtering), ro (set require-order: 0 or 1, else -1), inc (the file of an include) and
# uset (a set option parse.y does not order).
function classify(s,    w, n, k) {
  cls = 0; ro = -1; inc = ""; uset = 0
  n = split(s, w, /[ \t]+/)
  k = 1
  if (w[1] == "" && n > 1) k = 2
  if (s ~ /^[ \t]*[A-Za-z0-9_]+[ \t]*=/) return
  if (w[k] == "set") {
    if (w[k + 1] ~ /^(reassemble|optimization|loginterface|block-policy|fail-policy|fingerprints|debug)$/) cls = 1
    else if (w[k + 1] == "require-order") ro = (w[k + 2] == "no") ? 0 : 1
    else uset = 1
    return
  }
  if (w[k] == "include") {
    inc = s
    sub(/^[ \t]*include[ \t]+/, "", inc)
    if (inc ~ /^"/) { inc = substr(inc, 2); sub(/".*$/, "", inc) }
    else if (inc ~ /^'/) { inc = substr(inc, 2); sub(/'.*$/, "", inc) }
    else sub(/[ \t].*$/, "", inc)
    return
  }
  if (w[k] == "no") k++
  if (w[k] == "ether") cls = 2
  else if (w[k] == "scrub") cls = 3
  else if (w[k] == "altq" || w[k] == "queue") cls = 4
  else if (w[k] ~ /^(nat|rdr|binat)(-anchor)?$/) cls = 5
  else if (w[k] ~ /^(pass|block|match|antispoof|anchor)$/) cls = 6
}
# Record the check_rulestate events of the statement ending on line POS of pf.conf.
function event(pos) {
  if (cls) { ne++; etype[ne] = "s"; eval[ne] = cls; epos[ne] = pos }
  if (ro >= 0) { ne++; etype[ne] = "r"; eval[ne] = ro; epos[ne] = pos }
}
# The statements of an included FILE, as pushfile splices them in at line POS of pf.conf.
function include(file, pos, lvl,    l, t, s, instmt, sd, sc, rc) {
  if (lvl > 16 || (file in reading)) { broken = 1; return }
  reading[file] = 1
  sd = depth; sc = cont
  depth = 0; cont = 0; instmt = 0; s = ""
  while ((rc = (getline l < file)) > 0) {
    t = scan(l)
    if (!instmt) { if (t ~ /^[ \t]*$/) continue; s = t } else s = s " " t
    instmt = (cont || depth > 0)
    if (!instmt) {
      classify(s)
      if (inc != "") include(inc, pos, lvl + 1)
      else event(pos)
    }
  }
  if (rc < 0) broken = 1
  close(file)
  delete reading[file]
  depth = sd; cont = sc
}
# Would pfctl accept the events with the hooks block (nat-anchor, rdr-anchor: translation;
# anchor: filtering) after line P (P < 0: without the block)? check_rulestate, event by event.
function accepts(p,    k, rs, req, done) {
  rs = 0; req = 1; done = (p < 0)
  for (k = 1; k <= ne; k++) {
    if (!done && epos[k] > p) { if (req && rs > 5) return 0; rs = 6; done = 1 }
    if (etype[k] == "r") req = eval[k]
    else { if (req && rs > eval[k]) return 0; rs = eval[k] }
  }
  if (!done) { if (req && rs > 5) return 0 }
  return 1
}
{ line[NR] = $0 }
END {
  n = 0; skip = 0
  for (i = 1; i <= NR; i++) {
    if (line[i] == ENVIRON["BEGIN_LINE"]) { skip = 1; continue }
    if (skip) { if (line[i] == ENVIRON["END_LINE"]) skip = 0; continue }
    keep[++n] = line[i]
  }
  if (ENVIRON["HOOKS"] == "") { for (i = 1; i <= n; i++) print keep[i]; exit 0 }
  depth = 0; cont = 0; instmt = 0; after = 0; before = 0; ne = 0; nends = 0; broken = 0
  for (i = 1; i <= n; i++) {
    text = scan(keep[i])
    if (!instmt) { if (text ~ /^[ \t]*$/) continue; stmt = text; first = i } else stmt = stmt " " text
    instmt = (cont || depth > 0)
    if (instmt) continue
    classify(stmt)
    u = uset
    ends[++nends] = i
    e0 = ne
    if (inc != "") { incfile[i] = inc; include(inc, i, 1) } else event(i)
    lo = 0; hi = 0
    for (k = e0 + 1; k <= ne; k++) if (etype[k] == "s") { if (eval[k] <= 5) lo = 1; else hi = 1 }
    if (hi && before == 0) before = first
    if (lo || (u && before == 0)) after = i
    mixed[i] = (lo && hi)
  }
  at = after ? after : (before ? before - 1 : n)
  # The place preferred, else the nearest later, else the nearest earlier one pfctl accepts. A
  # file pfctl rejects already (or that includes a file that cannot be read) keeps the preferred
  # place: the check of the result reports it.
  if (!broken && accepts(-1) && !accepts(at)) {
    found = 0
    for (j = 1; j <= nends && !found; j++) if (ends[j] > at && accepts(ends[j])) { found = 1; to = ends[j] }
    for (j = nends; j >= 1 && !found; j--) if (ends[j] < at && accepts(ends[j])) { found = 1; to = ends[j] }
    if (!found && accepts(0)) { found = 1; to = 0 }
    if (!found) {
      why = ""
      for (i = 1; i <= n; i++) if (mixed[i]) why = why sprintf("line %d includes %s, which holds both statements that must come before the hooks (options, normalization, queueing, translation) and filter rules, which must come after them; ", i, incfile[i])
      print why "pfctl would reject the hooks on any line of this file. Split the included file in two (up to its last translation rule, then from its first filter rule) and include both, one after the other: the hooks go between them" | "cat 1>&2"
      exit 3
    }
    at = to
  }
  for (i = 0; i <= n; i++) {
    if (i > 0) print keep[i]
    if (i == at) print ENVIRON["BEGIN_LINE"] "\n" ENVIRON["HOOKS"] "\n" ENVIRON["END_LINE"]
  }
}
`;

/** The marker lines of the hooks' managed block: the same `# BEGIN cdktf-freebsd-jails ID` form as every managed block. */
export function pfHookMarkers(blockId = 'pf-anchors'): { begin: string; end: string } {
  if (!/^[A-Za-z0-9_.-]+$/.test(blockId)) throw new ValidationError(`${JSON.stringify(blockId)} is not a block id`);
  return { begin: `${BLOCK_BEGIN} ${blockId}`, end: `${BLOCK_END} ${blockId}` };
}

// ---------------------------------------------------------------- pfctl command lines

/** pfctl(8) command lines for one anchor of ours (anchor mode), every word quoted. */
export interface PfAnchorCommands {
  /** Parse FILE as the anchor's rules without loading anything (exit 1 and pfctl's errors when bad). */
  check(file: string): string;
  /** Replace the anchor's rules with FILE (pfctl loads nothing from a file it rejects). */
  load(file: string): string;
  /** Write the anchor's running rules, translation then filtering, to FILE in loadable form. */
  save(file: string): string;
  /** Empty the anchor (rules, translation, tables); nothing outside it changes. */
  readonly flush: string;
}

export function pfAnchorCommands(anchor: string): PfAnchorCommands {
  pfAnchorPath(anchor);
  const a = (...w: string[]) => shellCommand('pfctl', '-a', anchor, ...w);
  return {
    check: (file) => a('-n', '-f', file),
    load: (file) => a('-f', file),
    save: (file) => `{ ${a('-s', 'nat')} && ${a('-s', 'rules')}; } > ${shellQuote(file)}`,
    flush: a('-F', 'all'),
  };
}
