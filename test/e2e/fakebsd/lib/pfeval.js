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
      return r.no ? { none: true } : { rule: r.text, anchor: anchorName };
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

module.exports = { evaluateConnection };
