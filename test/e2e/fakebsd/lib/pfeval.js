'use strict';
// Would pf, with the rules loaded in the fake's state, refuse a new TCP connection from
// `from` to `to` port `port` arriving on `iface`? pf(4)'s evaluation, for the rule subset
// lib/pfrules.js parses (share/man/man5/pf.conf.5, "PACKET FILTERING" and "ANCHORS"):
// - pf disabled, or `set skip on` the interface: nothing is filtered;
// - translation first, first match wins: an rdr (main ruleset, or an anchor an rdr-anchor
//   hook reaches) that takes the connection sends it elsewhere: the operator is cut off;
//   `no rdr` stops translation;
// - filtering, last match wins, `quick` ends evaluation; anchors run where their `anchor`
//   rule stands (`name/*` runs each child anchor in name order); no match passes.
// The rig asks this before accepting an SSH connection (see the issue-11 report).
const { isIP } = require('net');

function toBits(addr) {
  if (isIP(addr) === 4) return { bits: addr.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n), width: 32 };
  let [h, t = ''] = addr.split('::');
  const g = (s) => (s === '' ? [] : s.split(':'));
  const hs = g(h);
  const ts = g(t);
  const all = addr.includes('::') ? [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts] : hs;
  return { bits: all.reduce((n, x) => (n << 16n) | BigInt(parseInt(x, 16)), 0n), width: 128 };
}

function inNet(addr, net, prefix) {
  if (isIP(addr) !== isIP(net)) return false;
  const a = toBits(addr);
  const n = toBits(net);
  const shift = BigInt(a.width - prefix);
  return a.bits >> shift === n.bits >> shift;
}

/** The addresses ([addr, prefix]) of an interface in the state. */
function ifaceAddrs(state, name) {
  const i = state.ifaces[name];
  if (!i) return [];
  return [...(i.inet || []), ...(i.inet6 || [])].map((a) => { const [x, p] = a.split('/'); return [x, Number(p || (isIP(x) === 4 ? 32 : 128))]; });
}

function hostMatches(state, h, addr, tables) {
  let m;
  switch (h.kind) {
    case 'any': m = true; break;
    case 'addr': m = inNet(addr, h.addr, h.prefix); break;
    case 'self': m = Object.keys(state.ifaces).some((n) => ifaceAddrs(state, n).some(([a]) => a === addr)); break;
    case 'if': case 'dynif':
      m = ifaceAddrs(state, h.name).some(([a, p]) => (h.mod === 'network' ? inNet(addr, a, p) : a === addr));
      break;
    case 'table': m = (tables[h.name] || []).some((e) => hostMatches(state, e, addr, tables)); break;
    default: m = false;
  }
  return h.not ? !m : m;
}

const anyHost = (state, list, addr, tables) => {
  const pos = list.filter((h) => !h.not);
  const neg = list.filter((h) => h.not);
  return (pos.length === 0 || pos.some((h) => hostMatches(state, h, addr, tables))) && neg.every((h) => hostMatches(state, h, addr, tables));
};

function portMatches(list, port) {
  if (!list) return true;
  return list.some(({ op, a, b }) => {
    switch (op) {
      case '=': return port === a;
      case '!=': return port !== a;
      case '<': return port < a;
      case '<=': return port <= a;
      case '>': return port > a;
      case '>=': return port >= a;
      case ':': return port >= a && port <= b;
      case '><': return port > a && port < b;
      case '<>': return port < a || port > b;
      default: return false;
    }
  });
}

const ifMatches = (list, iface) => !list || list.some((i) => (i.name === iface) !== i.not);
const famOf = (addr) => (isIP(addr) === 4 ? 'inet' : 'inet6');

/** The packet's match against a rule's common fields (on, af, proto, from/to, ports). */
function matches(state, r, pkt, tables) {
  if (r.direction && r.direction !== 'in') return false;
  if (!ifMatches(r.on, pkt.iface)) return false;
  if (r.af && r.af !== famOf(pkt.from)) return false;
  if (r.proto && !r.proto.includes('tcp')) return false;
  if (!anyHost(state, r.from, pkt.from, tables) || !anyHost(state, r.to, pkt.to, tables)) return false;
  // The client's source port is ephemeral: a rule that names source ports is taken to miss it.
  if (r.fromPort && !portMatches(r.fromPort, 49152)) return false;
  return portMatches(r.toPort, pkt.port);
}

/** The anchors an anchor call reaches: `name/*` = each child in name order, else the anchor itself. */
function reached(state, base, name) {
  const full = base ? `${base}/${name}` : name;
  if (!full.endsWith('/*')) return state.pf.anchors[full] ? [full] : [];
  const parent = full.slice(0, -2);
  return Object.keys(state.pf.anchors).filter((k) => k.startsWith(parent + '/') && !k.slice(parent.length + 1).includes('/')).sort();
}

function translate(state, anchorName, pkt, depth = 0) {
  const rs = state.pf.anchors[anchorName];
  if (!rs || depth > 10) return null;
  for (const r of rs.nat || []) {
    if (r.kind === 'rdr-anchor') {
      if (!matches(state, r, pkt, rs.tables || {})) continue;
      for (const a of reached(state, '', r.name)) { const t = translate(state, a, pkt, depth + 1); if (t) return t; }
    } else if (r.kind === 'rdr' && matches(state, r, pkt, rs.tables || {})) {
      return r.no ? { none: true } : { rule: r.text, anchor: anchorName, target: r.target, targetPort: r.targetPort, toPort: r.toPort, pass: !!r.pass };
    }
  }
  return null;
}

function filter(state, anchorName, pkt, acc, depth = 0) {
  const rs = state.pf.anchors[anchorName];
  if (!rs || depth > 10) return false;
  for (const r of rs.rules || []) {
    if (r.kind === 'antispoof') continue;
    if (!matches(state, r, pkt, rs.tables || {})) continue;
    if (r.kind === 'anchor') {
      const targets = r.inline ? [anchorName ? `${anchorName}/${r.name}` : r.name] : reached(state, '', r.name);
      for (const a of targets) if (filter(state, a, pkt, acc, depth + 1)) return true;
      continue;
    }
    if (r.action === 'match') continue;
    acc.action = r.action;
    acc.rule = r.text;
    acc.anchor = anchorName;
    if (r.quick) return true;
  }
  return false;
}

/**
 * Evaluate a new TCP connection { from, to, port, iface } against the state's pf.
 * Returns { blocked, reason }: reason names the rule (and anchor) that decided.
 */
function evaluateConnection(state, { from, to, port = 22, iface = 'em0' }) {
  const pf = state.pf;
  if (!pf.enabled) return { blocked: false, reason: 'pf is disabled' };
  const main = pf.anchors[''] || {};
  const skipped = (main.options || []).flatMap((o) => o.skip || []);
  if (skipped.includes(iface)) return { blocked: false, reason: `set skip on ${iface}` };
  const pkt = { from, to, port, iface };
  const t = translate(state, '', pkt);
  if (t && !t.none) return { blocked: true, reason: `redirected by "${t.rule}"${t.anchor ? ` in anchor ${t.anchor}` : ''}` };
  const acc = { action: 'pass', rule: null, anchor: '' };
  filter(state, '', pkt, acc);
  if (acc.action === 'block') return { blocked: true, reason: `blocked by "${acc.rule}"${acc.anchor ? ` in anchor ${acc.anchor}` : ''}` };
  return { blocked: false, reason: acc.rule ? `passed by "${acc.rule}"` : 'no rule matches (pass)' };
}

/** The port an rdr sends `port` to: its `port N` (a range maps onto a range from N), or the same. */
function redirectedPort(t, port) {
  if (!t.targetPort) return port;
  const start = Number(t.targetPort.split(':')[0]);
  const range = (t.toPort || []).find((p) => p.op === ':');
  return range ? start + (port - range.a) : start;
}

/** The host's interface (not moved into a jail) whose network holds `addr`: its connected route. */
function connectedInterface(state, addr) {
  for (const [name, i] of Object.entries(state.ifaces)) {
    if (i.vnet) continue;
    const hit = ifaceAddrs(state, name).find(([a, p]) => inNet(addr, a, p) && isIP(a) === isIP(addr));
    if (hit) return { name, address: hit[0] };
  }
  return null;
}

/**
 * Where does a new TCP connection { from, to, port, iface } that pf redirects end up? pf(4)
 * translates first (the first matching rdr, as evaluateConnection); without `pass` the filter
 * rules see the translated packet (pf.conf(5), "TRANSLATION"). The translated packet is
 * forwarded, so the host needs IP forwarding (net.inet.ip.forwarding / net.inet6.ip6.forwarding:
 * sys/netinet/ip_input.c hands a packet for another host to ip_forward only then) and a
 * connected route: a host interface whose network holds the target (sys/net/route.c). The jail
 * whose VNET interface holds the address takes it when it runs, and the connection works only
 * when the jail's replies come back through the host: the client is on one of the jail's
 * networks, or the jail's default route is the host's address on that network (pf translates
 * the replies back only on the host; replies by another router never reach the client).
 * Returns { reached: { jail, address, port } } or { reached: null, reason }.
 */
function deliverConnection(state, { from, to, port, iface = 'em0' }) {
  const pf = state.pf;
  const main = pf.anchors[''] || {};
  const skipped = (main.options || []).flatMap((o) => o.skip || []);
  if (!pf.enabled || skipped.includes(iface)) return { reached: null, reason: `not redirected: ${pf.enabled ? `set skip on ${iface}` : 'pf is disabled'}` };
  const pkt = { from, to, port, iface };
  const t = translate(state, '', pkt);
  if (!t || t.none) return { reached: null, reason: 'not redirected: no rdr rule matches' };
  const target = (t.target || [])[0];
  if (!target || target.kind !== 'addr') return { reached: null, reason: `redirected by "${t.rule}" to no single address` };
  const address = target.addr;
  const tport = redirectedPort(t, port);
  if (!t.pass) {
    const acc = { action: 'pass', rule: null, anchor: '' };
    filter(state, '', { ...pkt, to: address, port: tport }, acc);
    if (acc.action === 'block') return { reached: null, reason: `redirected to ${address} port ${tport}, then blocked by "${acc.rule}"` };
  }
  const v6 = isIP(address) === 6;
  const knob = v6 ? 'net.inet6.ip6.forwarding' : 'net.inet.ip.forwarding';
  if (String((state.sysctl || {})[knob] || '0') !== '1') return { reached: null, reason: `redirected to ${address}, but the host does not forward (${knob}=0)` };
  const via = connectedInterface(state, address);
  if (!via) return { reached: null, reason: `redirected to ${address}, but the host has no route to it (no interface of the host is on its network)` };
  const held = Object.entries(state.ifaces).find(([, i]) => i.vnet && [...(i.inet || []), ...(i.inet6 || [])].some((a) => a.split('/')[0] === address));
  if (!held) return { reached: null, reason: `redirected to ${address} through ${via.name}, where no jail holds it` };
  const jail = held[1].vnet;
  if (!Object.values(state.jails.running).some((j) => j.name === jail)) return { reached: null, reason: `redirected to ${address} through ${via.name}: jail ${jail} is not running` };
  const local = ifaceAddrs(state, held[0]).some(([a, p]) => inNet(from, a, p));
  const back = ((state.routes || {})[jail] || {})[`${v6 ? 'inet6' : 'inet'} default`];
  if (!local && back !== via.address) {
    return { reached: null, reason: `redirected to ${address} in jail ${jail}, whose replies go ${back ? `to ${back}` : 'nowhere (no default route)'}, not back through the host (${via.address} on ${via.name})` };
  }
  return { reached: { jail, address, port: tport } };
}

module.exports = { evaluateConnection, deliverConnection };
