'use strict';
// pf.conf as sbin/pfctl/parse.y reads it, for the subset jail hosts use: the lexer (comments,
// `\` continuations, quotes, $macro expansion outside quotes, newlines inside { } lists),
// macros, tables, set, scrub, nat/rdr (pass, log, ports, -> target port), filter rules
// (pass/block/match with the grammar's word order), antispoof, nat-/rdr-/anchor with inline
// { } bodies, load anchor; and check_rulestate's category order. Rules come back structured
// (lib/pfeval.js evaluates them) and as text (pfctl -s prints it).
// `include "FILE"` splices FILE in as parse.y's pushfile does: one rulestate, one
// require-order and one macro table across the files (they are parse.y globals), errors named
// after the file they are in, and a file that cannot be opened fails the include.
const { isIP } = require('net');

const ORDER_ERROR = 'Rules must be in order: options, ethernet, normalization, queueing, translation, filtering';
// parse.y PFCTL_STATE_*: the order check_rulestate enforces.
const STATE = { option: 1, ether: 2, scrub: 3, queue: 4, nat: 5, filter: 6 };
// `set` options that call check_rulestate(PFCTL_STATE_OPTION); the others may appear anywhere.
const ORDERED_SET = new Set(['reassemble', 'optimization', 'loginterface', 'block-policy', 'fail-policy', 'fingerprints', 'debug']);
const SET_OPTIONS = new Set([...ORDERED_SET, 'ruleset-optimization', 'timeout', 'limit', 'hostid', 'require-order', 'state-policy', 'skip', 'state-defaults', 'keepcounters', 'syncookies']);
const SERVICES = { ssh: 22, http: 80, https: 443, domain: 53, smtp: 25, ntp: 123, ftp: 21, telnet: 23, imap: 143, pop3: 110 };

class PfSyntax extends Error {}

/**
 * Statements of a text: [{ line, tokens }], tokens { t: 'word'|'string'|'punct'|'macro'|'nl', v }.
 * A statement ends at a newline outside { } (inside, newlines stay as 'nl' tokens: lists and
 * inline anchors span lines). Macros stay unexpanded: expand() does that when the statement runs.
 */
function lex(text) {
  const stmts = [];
  let cur = [];
  let line = 1;
  let startLine = 1;
  let depth = 0;
  let i = 0;
  const src = text.replace(/\\\n/g, () => ' \u0001'); // continuation: join, keep the line count
  const push = (tok) => { if (!cur.length) startLine = line; cur.push(tok); };
  const end = () => { if (cur.length) stmts.push({ line: startLine, tokens: cur }); cur = []; };
  while (i < src.length) {
    const c = src[i];
    if (c === '\u0001') { line++; i++; continue; }
    if (c === '\n') { line++; i++; if (depth === 0) end(); else if (cur.length) cur.push({ t: 'nl', v: '\n' }); continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '"' || c === "'") {
      const j = src.indexOf(c, i + 1);
      if (j < 0) throw new PfSyntax(`${line}:reached end of file while parsing quoted string`);
      push({ t: 'string', v: src.slice(i + 1, j).replace(/\u0001/g, '') });
      line += (src.slice(i, j).match(/\n/g) || []).length;
      i = j + 1;
      continue;
    }
    if (c === '$') {
      const m = /^\$([A-Za-z0-9_]*)/.exec(src.slice(i));
      push({ t: 'macro', v: m[1], line });
      i += m[0].length;
      continue;
    }
    if (c === '-' && src[i + 1] === '>') { push({ t: 'punct', v: '->' }); i += 2; continue; }
    if ('{}()<>!,=/'.includes(c)) {
      if (c === '{') depth++;
      if (c === '}') depth = Math.max(0, depth - 1);
      push({ t: 'punct', v: c });
      i++;
      continue;
    }
    let j = i;
    while (j < src.length && !/[\s{}()<>!,="'#$\u0001/]/.test(src[j])) j++;
    push({ t: 'word', v: src.slice(i, j) });
    i = j;
  }
  end();
  return stmts;
}

/** Replace macro tokens by their values, lexed again (parse.y's parsebuf; no second expansion). */
function expand(tokens, macros) {
  const out = [];
  for (const t of tokens) {
    if (t.t !== 'macro') { out.push(t); continue; }
    if (!(t.v in macros)) throw new PfSyntax(`macro '${t.v}' not defined`);
    const sub = lex(macros[t.v].replace(/\$/g, '\u0002'));
    for (const st of sub) for (const x of st.tokens) out.push(x);
  }
  return out;
}

const tokenText = (tokens) => tokens.map((t) => (t.t === 'string' ? `"${t.v}"` : t.v)).join(' ')
  .replace(/ \/ /g, '/').replace(/\( /g, '(').replace(/ \)/g, ')').replace(/< /g, '<').replace(/ >(?= |$)/g, '>');

/** A cursor over one statement's tokens. */
class Cursor {
  constructor(tokens) { this.tokens = tokens; this.i = 0; }
  peek(k = 0) { const t = this.tokens[this.i + k]; return t ? t.v : undefined; }
  is(v) { return this.peek() === v; }
  eat(v) { if (this.is(v)) { this.i++; return true; } return false; }
  next() { const t = this.tokens[this.i++]; if (!t) throw new PfSyntax('syntax error'); return t.v; }
  expect(v) { if (!this.eat(v)) throw new PfSyntax('syntax error'); }
  done() { return this.i >= this.tokens.length; }
}

/** `{ a, b }` or a single item read by one(). */
function list(c, one) {
  if (!c.eat('{')) return [one(c)];
  const items = [];
  while (!c.eat('}')) { if (c.eat(',')) continue; items.push(one(c)); }
  if (!items.length) throw new PfSyntax('syntax error');
  return items;
}

function ifItem(c) {
  const not = c.eat('!');
  const name = c.next();
  if (!/^[A-Za-z][A-Za-z0-9_.]*$/.test(name)) throw new PfSyntax('syntax error');
  if (name.length > 15) throw new PfSyntax('interface name too long');
  return { not, name };
}

function host(c) {
  const not = c.eat('!');
  let h;
  if (c.eat('(')) {
    const name = c.next();
    c.expect(')');
    h = { kind: 'dynif', name: name.split(':')[0], mod: name.split(':')[1] };
  } else if (c.eat('<')) {
    h = { kind: 'table', name: c.next() };
    c.expect('>');
  } else {
    const w = c.next();
    if (w === 'any') h = { kind: 'any' };
    else if (w === 'self') h = { kind: 'self' };
    else if (w === 'no-route' || w === 'urpf-failed') h = { kind: w };
    else if (isIP(w)) {
      let prefix;
      if (c.eat('/')) {
        prefix = Number(c.next());
        if (!Number.isInteger(prefix) || prefix > (isIP(w) === 4 ? 32 : 128)) throw new PfSyntax('illegal netmask');
      }
      h = { kind: 'addr', addr: w, prefix: prefix ?? (isIP(w) === 4 ? 32 : 128) };
    } else if (/^[A-Za-z][A-Za-z0-9_.]*(:(network|broadcast|peer|0))*$/.test(w)) {
      h = { kind: 'if', name: w.split(':')[0], mod: w.split(':')[1] };
    } else throw new PfSyntax(`no IP address found for ${w}`);
  }
  return { not, ...h };
}

function portNum(w) {
  if (/^\d+$/.test(w)) {
    const n = Number(w);
    if (n > 65535) throw new PfSyntax(`illegal port value ${n}`);
    return n;
  }
  if (w in SERVICES) return SERVICES[w];
  throw new PfSyntax(`illegal port value ${w}`);
}

/** portspec item: N, name, N:M, op N, N >< M, N <> M. */
function portItem(c) {
  const ops = ['=', '!', '<', '>'];
  if (ops.includes(c.peek())) {
    let op = c.next();
    if ((op === '!' || op === '<' || op === '>') && c.is('=')) op += c.next();
    if (op === '!') throw new PfSyntax('syntax error');
    return { op, a: portNum(c.next()) };
  }
  const w = c.next();
  const m = /^(\w+):(\w+)$/.exec(w);
  if (m) return { op: ':', a: portNum(m[1]), b: portNum(m[2]) };
  const a = portNum(w);
  if (c.is('<') && c.peek(1) === '>') { c.i += 2; return { op: '<>', a, b: portNum(c.next()) }; }
  if (c.is('>') && c.peek(1) === '<') { c.i += 2; return { op: '><', a, b: portNum(c.next()) }; }
  return { op: '=', a };
}

/** fromto: `all` | [from HOSTS [port P]] [to HOSTS [port P]]. */
function fromto(c) {
  const r = { from: [{ not: false, kind: 'any' }], to: [{ not: false, kind: 'any' }], fromPort: null, toPort: null };
  if (c.eat('all')) return r;
  if (c.eat('from')) {
    if (!c.is('port')) r.from = list(c, host);
    if (c.eat('port')) r.fromPort = list(c, portItem);
  }
  if (c.eat('to')) {
    if (!c.is('port')) r.to = list(c, host);
    if (c.eat('port')) r.toPort = list(c, portItem);
  }
  return r;
}

function common(c, r, { direction = true, quick = true } = {}) {
  if (direction && (c.is('in') || c.is('out'))) r.direction = c.next();
  if (c.eat('log')) { r.log = true; if (c.is('(')) { while (!c.eat(')')) c.next(); } }
  if (quick && c.eat('quick')) r.quick = true;
  if (c.eat('on')) r.on = list(c, ifItem);
  if (c.is('inet') || c.is('inet6')) r.af = c.next();
  if (c.eat('proto')) r.proto = list(c, (x) => { const p = x.next(); if (!/^(tcp|udp|icmp|icmp6|ipv6-icmp|carp|pfsync|gre|esp|ah|\d+)$/.test(p)) throw new PfSyntax(`unknown protocol ${p}`); return p; });
  Object.assign(r, fromto(c));
}

const FILTER_OPTS = new Set(['allow-opts', 'once', 'fragment', 'no-sync', 'sloppy']);

function filterOpts(c, r) {
  while (!c.done() && !c.is('{')) {
    const w = c.next();
    if (w === 'flags') { const f = c.next(); if (!/^[FSRPAUEW]*$/.test(f)) throw new PfSyntax('syntax error'); if (c.eat('/')) c.next(); }
    else if (w === 'keep' || w === 'modulate' || w === 'synproxy') { c.expect('state'); if (c.eat('(')) { while (!c.eat(')')) c.next(); } r.state = w; }
    else if (w === 'no') { c.expect('state'); r.state = 'no'; }
    else if (['label', 'tag', 'tagged', 'queue', 'rtable', 'probability', 'max-mss', 'min-ttl', 'ridentifier', 'dnpipe', 'dnqueue'].includes(w)) c.next();
    else if (w === 'user' || w === 'group' || w === 'icmp-type' || w === 'icmp6-type' || w === 'os') list(c, (x) => x.next());
    else if (w === 'set' && c.is('prio')) { c.next(); c.next(); }
    else if (FILTER_OPTS.has(w)) { /* flag */ }
    else throw new PfSyntax('syntax error');
  }
}

/** One statement's parse: { kind, state (for the order check), text, rule?, ... }. */
function statement(c, macros, ctx) {
  const first = c.peek();
  const text = tokenText(c.tokens.filter((t) => t.t !== 'nl'));
  // varset: STRING '=' varstring
  if (c.peek(1) === '=' && c.tokens[0].t === 'word') {
    const name = c.next();
    c.next();
    const vals = [];
    while (!c.done()) vals.push(c.next());
    if (!vals.length) throw new PfSyntax('syntax error');
    macros[name] = vals.join(' ');
    return { kind: 'macro' };
  }
  if (first === 'table') {
    c.next();
    c.expect('<');
    const name = c.next();
    c.expect('>');
    const entries = [];
    while (!c.done()) {
      const w = c.peek();
      if (w === 'persist' || w === 'const' || w === 'counters') c.next();
      else if (w === '{') { c.next(); while (!c.eat('}')) { if (c.eat(',')) continue; entries.push(host(c)); } }
      else if (w === 'file') { c.next(); c.next(); }
      else throw new PfSyntax(`invalid table option '${w}'`);
    }
    return { kind: 'table', name, entries, text };
  }
  if (first === 'load') {
    c.next(); c.expect('anchor');
    const name = c.next(); c.expect('from'); const file = c.next();
    if (!c.done()) throw new PfSyntax('syntax error');
    return { kind: 'load', anchor: ctx.anchor ? `${ctx.anchor}/${name}` : name, file };
  }
  if (first === 'include') {
    // include: INCLUDE STRING; no check_rulestate of its own (the file's statements have theirs).
    c.next();
    if (!c.tokens[c.i] || c.tokens[c.i].t === 'punct' || c.tokens[c.i].t === 'nl') throw new PfSyntax('syntax error');
    const file = c.next();
    if (!c.done()) throw new PfSyntax('syntax error');
    return { kind: 'include', file };
  }
  if (first === 'set') {
    c.next();
    const opt = c.next();
    if (!SET_OPTIONS.has(opt)) throw new PfSyntax('syntax error');
    const r = { kind: 'set', opt, text, state: ORDERED_SET.has(opt) ? STATE.option : null };
    if (opt === 'skip') { c.expect('on'); r.skip = list(c, ifItem).map((x) => x.name); }
    else if (opt === 'block-policy') { const v = c.next(); if (v !== 'drop' && v !== 'return') throw new PfSyntax('syntax error'); }
    else if (opt === 'require-order') { const v = c.next(); if (v !== 'yes' && v !== 'no') throw new PfSyntax('syntax error'); r.requireOrder = v === 'yes'; }
    else while (!c.done()) c.next();
    if (!c.done()) throw new PfSyntax('syntax error');
    return r;
  }
  if (first === 'ether') { while (!c.done()) c.next(); return { kind: 'ether', text, state: STATE.ether }; }
  if (first === 'altq' || first === 'queue') { while (!c.done()) c.next(); return { kind: 'queue', text, state: STATE.queue }; }
  const no = c.eat('no');
  const kw = c.next();
  if (kw === 'scrub') {
    const r = { kind: 'scrub', text, state: STATE.scrub };
    common(c, r, { quick: false });
    while (!c.done()) c.next(); // scrub_opts
    return r;
  }
  if (kw === 'nat' || kw === 'rdr' || kw === 'binat') {
    const r = { kind: kw, no, text, state: STATE.nat };
    if (c.eat('pass')) { if (no) throw new PfSyntax('"pass" not valid with "no"'); r.pass = true; }
    if (c.eat('log')) r.log = true;
    if (c.eat('on')) r.on = list(c, ifItem);
    if (c.is('inet') || c.is('inet6')) r.af = c.next();
    if (c.eat('proto')) r.proto = list(c, (x) => x.next());
    Object.assign(r, fromto(c));
    while (c.is('tag') || c.is('tagged') || c.is('rtable')) { c.next(); c.next(); }
    if (!c.done() && !c.is('->')) throw new PfSyntax('syntax error');
    if (c.eat('->')) {
      if (no) throw new PfSyntax("translation rule with 'no' does not need '->'");
      r.target = list(c, host);
      if (c.eat('port')) {
        const w = c.next();
        if (!/^(\w+)(:(\w+|\*))?$/.test(w)) throw new PfSyntax('syntax error');
        const [a, b] = w.split(':');
        portNum(a);
        if (b && b !== '*') portNum(b);
        r.targetPort = w;
      }
      while (!c.done()) {
        const w = c.next();
        if (!['static-port', 'round-robin', 'random', 'bitmask', 'source-hash', 'sticky-address'].includes(w)) throw new PfSyntax('syntax error');
      }
    } else if (!no) throw new PfSyntax("translation rule requires '-> address'");
    if (!c.done()) throw new PfSyntax('syntax error');
    return r;
  }
  if (no) throw new PfSyntax('syntax error');
  if (kw === 'nat-anchor' || kw === 'rdr-anchor' || kw === 'binat-anchor') {
    const name = c.next();
    const r = { kind: kw, name, text, state: STATE.nat };
    if (c.eat('on')) r.on = list(c, ifItem);
    if (c.is('inet') || c.is('inet6')) r.af = c.next();
    if (c.eat('proto')) r.proto = list(c, (x) => x.next());
    Object.assign(r, fromto(c));
    if (!c.done()) throw new PfSyntax('syntax error');
    return r;
  }
  if (kw === 'anchor') {
    let name = null;
    if (c.tokens[c.i] && c.tokens[c.i].t === 'string') name = c.next();
    if (name && (name.startsWith('_') || name.includes('/_'))) throw new PfSyntax("anchor names beginning with '_' are reserved for internal use");
    const r = { kind: 'anchor', name, text, state: STATE.filter };
    common(c, r);
    filterOpts(c, r);
    return r;
  }
  if (kw === 'antispoof') {
    const r = { kind: 'antispoof', text, state: STATE.filter };
    if (c.eat('log')) r.log = true;
    if (c.eat('quick')) r.quick = true;
    c.expect('for');
    r.for = list(c, ifItem);
    if (c.is('inet') || c.is('inet6')) r.af = c.next();
    while (!c.done()) c.next();
    return r;
  }
  if (kw === 'pass' || kw === 'block' || kw === 'match') {
    const r = { kind: 'filter', action: kw, text, state: STATE.filter };
    if (kw === 'block' && /^(drop|return|return-rst|return-icmp|return-icmp6)$/.test(c.peek() || '')) {
      c.next();
      if (c.is('(')) { while (!c.eat(')')) c.next(); }
    }
    common(c, r);
    filterOpts(c, r);
    if (!c.done()) throw new PfSyntax('syntax error');
    return r;
  }
  throw new PfSyntax('syntax error');
}

/**
 * Parse a ruleset text. `include(name)` reads an included file (its text, or null when it
 * cannot be opened; without it every include fails). Returns { errors: ['FILE:LINE: msg'...], ruleset } where the ruleset
 * is { options, scrub, nat, rules, tables, loads, inline: { name: ruleset } } with structured
 * rules. Like parse.y, parsing goes on after an error so every error is reported.
 */
function parseRuleset(text, file, { defines = {}, anchor = '', include = () => null } = {}) {
  const { stmts, error } = lexFile(text, file);
  if (error) return { errors: [error], ruleset: emptyRuleset() };
  const errors = [];
  const rs = emptyRuleset();
  // parse_config: rulestate = PFCTL_STATE_NONE, require_order = 1, for each file pfctl parses.
  const order = { rulestate: 0, requireOrder: true, include, depth: 0 };
  runStatements(stmts, file, { ...defines }, anchor, rs, errors, false, order);
  return { errors, ruleset: rs };
}

/** FILE's statements, or its syntax error as `FILE:LINE: msg`. */
function lexFile(text, file) {
  try {
    return { stmts: lex(text) };
  } catch (e) {
    if (!(e instanceof PfSyntax)) throw e;
    const [ln, msg] = e.message.split(/:(.*)/s);
    return { error: `${file}:${ln}: ${msg}` };
  }
}

// pushfile() has no depth limit; files include each other until fopen fails. The fake stops here.
const MAX_INCLUDE_DEPTH = 32;

/** `include "NAME"`: NAME's statements run in place, with the includer's order and macros. */
function runInclude(name, file, line, macros, anchor, rs, errors, order) {
  const text = order.depth < MAX_INCLUDE_DEPTH ? order.include(name) : null;
  if (text === null || text === undefined) {
    // pushfile: warn("%s", name), then yyerror("failed to include file %s").
    errors.push(`pfctl: ${name}: ${order.depth < MAX_INCLUDE_DEPTH ? 'No such file or directory' : 'Too many open files'}`);
    errors.push(`${file}:${line}: failed to include file ${name}`);
    return;
  }
  const { stmts, error } = lexFile(text, name);
  if (error) { errors.push(error); return; }
  order.depth++;
  try {
    runStatements(stmts, name, macros, anchor, rs, errors, false, order);
  } finally {
    order.depth--;
  }
}

const emptyRuleset = () => ({ options: [], scrub: [], nat: [], rules: [], tables: {}, loads: [], inline: {} });

function runStatements(stmts, file, macros, anchor, rs, errors, inlineBody, order) {
  for (const st of stmts) {
    try {
      const isMacroDef = st.tokens.length > 1 && st.tokens[0].t === 'word' && st.tokens[1].v === '=';
      const tokens = isMacroDef ? [...st.tokens.slice(0, 2), ...expand(st.tokens.slice(2), macros)] : expand(st.tokens, macros);
      const body = inlineBodyOf(tokens);
      const r = statement(new Cursor(body ? body.head : tokens.filter((t) => t.t !== 'nl')), macros, { anchor });
      if (inlineBody && !['filter', 'anchor'].includes(r.kind)) throw new PfSyntax('syntax error');
      if (r.requireOrder !== undefined) order.requireOrder = r.requireOrder;
      // check_rulestate: a global, so an inline anchor's body and included files share it.
      if (r.state) {
        if (order.requireOrder && order.rulestate > r.state) throw new PfSyntax(ORDER_ERROR);
        order.rulestate = r.state;
      }
      if (r.kind === 'include') { runInclude(r.file, file, st.line, macros, anchor, rs, errors, order); continue; }
      if (r.kind === 'set') rs.options.push(r);
      else if (r.kind === 'scrub') rs.scrub.push(r);
      else if (['nat', 'rdr', 'binat', 'nat-anchor', 'rdr-anchor', 'binat-anchor'].includes(r.kind)) rs.nat.push(r);
      else if (['filter', 'anchor', 'antispoof'].includes(r.kind)) rs.rules.push(r);
      else if (r.kind === 'table') rs.tables[r.name] = r.entries;
      else if (r.kind === 'load') rs.loads.push([r.anchor, r.file]);
      if (body) {
        if (r.kind !== 'anchor') throw new PfSyntax('syntax error');
        if (r.name && r.name.includes('/')) throw new PfSyntax("anchor paths containing '/' cannot be used for inline anchors.");
        r.inline = true;
        const name = r.name || `_${Object.keys(rs.inline).length + 1}`;
        const sub = emptyRuleset();
        runStatements(splitLines(body.inner, st.line), file, macros, anchor ? `${anchor}/${name}` : name, sub, errors, true, order);
        rs.inline[name] = sub;
        r.name = name;
      } else if (r.kind === 'anchor' && !r.name) throw new PfSyntax('anchors without explicit rules must specify a name');
    } catch (e) {
      if (!(e instanceof PfSyntax)) throw e;
      errors.push(`${file}:${st.line}: ${e.message}`);
    }
  }
}

/** `anchor ... { NL rules NL }`: the tokens before the brace and the body. */
function inlineBodyOf(tokens) {
  if (!tokens.length || tokens[0].v !== 'anchor') return null;
  const open = tokens.findIndex((t) => t.v === '{' && t.t === 'punct');
  if (open < 0) return null;
  // A `{` right after `anchor "name"` or the rule's options opens a body only when a newline follows.
  if (!tokens[open + 1] || tokens[open + 1].t !== 'nl') return null;
  if (tokens[tokens.length - 1].v !== '}') throw new PfSyntax('syntax error');
  return { head: tokens.slice(0, open).filter((t) => t.t !== 'nl'), inner: tokens.slice(open + 1, -1) };
}

function splitLines(tokens, line) {
  const out = [];
  let cur = [];
  let ln = line;
  for (const t of tokens) {
    if (t.t === 'nl') { ln++; if (cur.length) out.push({ line: ln - 1, tokens: cur }); cur = []; continue; }
    cur.push(t);
  }
  if (cur.length) out.push({ line: ln, tokens: cur });
  return out;
}

module.exports = { parseRuleset, lex, ORDER_ERROR, PfSyntax, SERVICES, emptyRuleset };
