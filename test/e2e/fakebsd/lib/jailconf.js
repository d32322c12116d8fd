'use strict';
// jail.conf(5) as usr.sbin/jail reads it (jaillex.l, jailparse.y, config.c):
// statements end in ';'; `name;`, `name = a, b;`, `name += a;`, `name value;`;
// `$var = ...;` user variables; blocks `NAME { ... }` (nested = "parent.child");
// comments #, //, /* */; pieces written without blanks between them join into one
// string; $var and ${var} expand unquoted and in double quotes, not in single quotes;
// `.include "glob";` since 14.0.
const fs = require('fs');
const path = require('path');

class ConfError extends Error {}

// Kernel and pseudo-parameters that jail(8) knows (FREEBSD.md).
const BOOL = ['persist', 'allow.set_hostname', 'allow.sysvipc', 'allow.raw_sockets', 'allow.chflags', 'allow.quotas', 'allow.socket_af', 'allow.mlock',
  'allow.reserved_ports', 'allow.read_msgbuf', 'allow.unprivileged_proc_debug', 'allow.mount', 'allow.nfsd', 'allow.suser', 'allow.routing', 'allow.vmm',
  'exec.clean', 'ip_hostname', 'mount.devfs', 'mount.fdescfs', 'mount.procfs', 'ip4.saddrsel', 'ip6.saddrsel'];
const MOUNT_FS = ['devfs', 'fdescfs', 'fusefs', 'nullfs', 'procfs', 'linprocfs', 'linsysfs', 'tmpfs', 'zfs'];
const PARAMS = ['name', 'path', 'securelevel', 'osreldate', 'osrelease', 'enforce_statfs', 'devfs_ruleset', 'vnet', 'children.max', 'host',
  'host.hostname', 'host.domainname', 'host.hostuuid', 'host.hostid', 'ip4', 'ip6', 'ip4.addr', 'ip6.addr', 'linux', 'linux.osname', 'linux.osrelease',
  'sysvmsg', 'sysvsem', 'sysvshm', 'meta', 'env', 'jid',
  'exec.prepare', 'exec.prestart', 'exec.created', 'exec.start', 'exec.poststart', 'exec.prestop', 'exec.stop', 'exec.poststop', 'exec.release',
  'exec.consolelog', 'exec.fib', 'exec.jail_user', 'exec.system_jail_user', 'exec.system_user', 'exec.timeout', 'command', 'depend', 'interface',
  'mount', 'mount.fstab', 'stop.timeout', 'vnet.interface', 'zfs.dataset', ...BOOL];
const LIST = ['ip4.addr', 'ip6.addr', 'exec.prepare', 'exec.prestart', 'exec.created', 'exec.start', 'exec.poststart', 'exec.prestop', 'exec.stop',
  'exec.poststop', 'exec.release', 'command', 'depend', 'mount', 'vnet.interface', 'zfs.dataset'];
const JAILSYS = ['vnet', 'host', 'ip4', 'ip6', 'sysvmsg', 'sysvsem', 'sysvshm', 'linux'];

/** Canonical name and boolean value of a parameter written as "noX" / "allow.noX". */
function canonical(name) {
  const m = /^(.*?\.)?no([a-z_].*)$/.exec(name);
  if (m && !PARAMS.includes(name)) {
    const base = (m[1] || '') + m[2];
    if (BOOL.includes(base) || base.startsWith('allow.mount.') || JAILSYS.includes(base)) return { name: base, negated: true };
  }
  return { name, negated: false };
}

/**
 * Pseudo-parameters newer than a release: zfs.dataset came with FreeBSD 15.0 (jail(8): "add
 * support for ZFS datasets", commit e0dfe185cbca, which bumped __FreeBSD_version for jail
 * managers); an older jail(8) takes it for an unknown parameter.
 */
const SINCE = { 'zfs.dataset': 15 };

/**
 * Is this a parameter jail(8) accepts on this host? (allow.mount.<fs> needs the fs module;
 * release is the host's major version, the newest when not given.)
 */
function known(name, kld, release = Infinity) {
  if (SINCE[name] && release < SINCE[name]) return false;
  if (PARAMS.includes(name)) return true;
  const m = /^allow\.mount\.([a-z]+)$/.exec(name);
  if (m) return MOUNT_FS.includes(m[1]) && kld.includes(m[1]);
  return false;
}

// ---------------------------------------------------------------- lexer
// Tokens: { t: 'STR'|'VAR'|'{'|'}'|';'|','|'='|'+=', v, joined, line, quoted }
function lex(text, file) {
  const toks = [];
  let i = 0;
  let line = 1;
  let joined = false; // like "instr": touching the previous string piece
  const err = (msg) => { throw new ConfError(`${file} line ${line}: ${msg}`); };
  const push = (t, v, extra = {}) => { toks.push({ t, v, joined, line, ...extra }); joined = t === 'STR' || t === 'VAR'; };
  const atom = /[A-Za-z0-9_!%&()\-.:<>?@[\]^`|~]/;
  const unescape = (s) => s.replace(/\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|\n|.)/g, (_, e) => {
    if (e === '\n') return '';
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }[e] ?? e;
  });
  const variable = () => {
    if (text[i + 1] === '{') {
      const j = text.indexOf('}', i);
      const nl = text.indexOf('\n', i);
      if (j < 0 || (nl >= 0 && nl < j)) err('unterminated variable');
      push('VAR', text.slice(i + 2, j));
      i = j + 1;
      return true;
    }
    const m = /^\$([A-Za-z_][A-Za-z_0-9]*)/.exec(text.slice(i));
    if (!m) return false;
    push('VAR', m[1]);
    i += m[0].length;
    return true;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') { line++; i++; joined = false; continue; }
    if (/[ \t\r]/.test(c)) { i++; joined = false; continue; }
    if (c === '#' || text.startsWith('//', i)) { while (i < text.length && text[i] !== '\n') i++; joined = false; continue; }
    if (text.startsWith('/*', i)) {
      const j = text.indexOf('*/', i + 2);
      if (j < 0) err('unterminated comment');
      line += (text.slice(i, j).match(/\n/g) || []).length;
      i = j + 2;
      joined = false;
      continue;
    }
    if (text.startsWith('+=', i)) { push('+=', '+='); joined = false; i += 2; continue; }
    if (',;={}'.includes(c)) { push(c, c); joined = false; i++; continue; }
    if (c === "'") {
      const m = /^'((?:[^'\\]|\\[\s\S])*)'/.exec(text.slice(i));
      if (!m) err('unterminated string');
      push('STR', unescape(m[1]), { quoted: true });
      line += (m[0].match(/\n/g) || []).length;
      i += m[0].length;
      continue;
    }
    if (c === '"') {
      const m = /^"((?:[^"\\]|\\[\s\S])*)"/.exec(text.slice(i));
      if (!m) err('unterminated string');
      // Split the body into literal pieces and variables, all joined.
      const body = m[1];
      let k = 0;
      let lit = '';
      const flush = (force) => { if (lit || force) { push('STR', unescape(lit), { quoted: true }); lit = ''; } };
      let first = true;
      while (k < body.length) {
        if (body[k] === '\\') { lit += body.slice(k, k + 2); k += 2; continue; }
        if (body[k] === '$') {
          const mv = /^\$(?:\{([^\n"{}]*)\}|([A-Za-z_][A-Za-z_0-9]*))/.exec(body.slice(k));
          if (mv) {
            if (lit || first) flush(first);
            first = false;
            push('VAR', mv[1] ?? mv[2]);
            k += mv[0].length;
            continue;
          }
          if (body[k + 1] === '{') err('unterminated variable');
        }
        lit += body[k++];
      }
      if (lit || first) flush(true);
      line += (m[0].match(/\n/g) || []).length;
      i += m[0].length;
      continue;
    }
    if (c === '$') {
      if (variable()) continue;
      push('STR', '$');
      i++;
      continue;
    }
    if (c === '\\') { push('STR', unescape(text.slice(i, i + 2))); i += 2; continue; }
    if (atom.test(c) || '*+/'.includes(c)) {
      let j = i;
      if ('*+/'.includes(c)) j = i + 1;
      else while (j < text.length && atom.test(text[j])) j++;
      push('STR', text.slice(i, j));
      i = j;
      continue;
    }
    err('syntax error');
  }
  return toks;
}

// ---------------------------------------------------------------- parser
// A string value is a list of pieces: { s } literal or { v } variable.
function parse(text, file, { release = 14, seen = new Set() } = {}) {
  const toks = lex(text, file);
  let p = 0;
  const peek = () => toks[p];
  const syntax = (tok) => { throw new ConfError(`${file} line ${tok ? tok.line : (toks.length ? toks[toks.length - 1].line : 1)}: syntax error`); };
  const string = () => {
    const tok = peek();
    if (!tok || (tok.t !== 'STR' && tok.t !== 'VAR')) syntax(tok);
    const pieces = [];
    do {
      const x = toks[p++];
      pieces.push(x.t === 'STR' ? { s: x.v } : { v: x.v });
    } while (peek() && (peek().t === 'STR' || peek().t === 'VAR') && peek().joined);
    return pieces;
  };
  const value = () => {
    const vals = [string()];
    while (peek() && peek().t === ',') { p++; vals.push(string()); }
    return vals;
  };
  // Returns a list of statements: { kind: 'param', name, op, values, line, isVar } | { kind: 'jail', name, body } | { kind: 'include', ... }
  const block = (top) => {
    const stmts = [];
    for (;;) {
      const tok = peek();
      if (!tok) { if (top) return stmts; syntax(tok); }
      if (tok.t === '}') { if (top) syntax(tok); p++; return stmts; }
      if (tok.t === ';') { p++; continue; }
      if (tok.t !== 'STR' && tok.t !== 'VAR') syntax(tok);
      const nameTok = toks[p++];
      if (peek() && (peek().t === 'STR' || peek().t === 'VAR') && peek().joined) syntax(peek());
      const next = peek();
      if (next && next.t === '{' && nameTok.t === 'STR') {
        p++;
        stmts.push({ kind: 'jail', name: nameTok.v, body: block(false), line: nameTok.line });
        continue;
      }
      const st = { kind: 'param', name: nameTok.v, isVar: nameTok.t === 'VAR', op: null, values: [], line: nameTok.line };
      if (next && (next.t === '=' || next.t === '+=')) { p++; st.op = next.t; st.values = value(); }
      else if (next && (next.t === 'STR' || next.t === 'VAR')) { st.op = '='; st.values = value(); }
      if (!peek() || peek().t !== ';') syntax(peek());
      p++;
      if (st.name === '.include' && !st.isVar) {
        if (release < 14) throw new ConfError(`${file} line ${st.line}: unknown parameter: .include`);
        if (st.values.length !== 1 || st.values[0].some((x) => x.v !== undefined)) throw new ConfError(`${file} line ${st.line}: .include: variables are not allowed`);
        st.kind = 'include';
        st.pattern = st.values[0].map((x) => x.s).join('');
      }
      stmts.push(st);
    }
  };
  return block(true);
}

/** Expand .include statements (glob relative to nothing: absolute patterns), recursively. */
function expandIncludes(stmts, { release, readFile, glob, file }) {
  const out = [];
  for (const st of stmts) {
    if (st.kind === 'include') {
      for (const f of glob(st.pattern)) out.push(...expandIncludes(parse(readFile(f), f, { release }), { release, readFile, glob, file: f }));
    } else if (st.kind === 'jail') out.push({ ...st, body: expandIncludes(st.body, { release, readFile, glob, file }) });
    else out.push({ ...st, file: st.file || file });
  }
  return out;
}

/**
 * Resolve the jails of a configuration: each jail gets the '*' parameters (in file
 * order) then its enclosing blocks' and its own. Returns { order: [names], jails: { name: params } }
 * where params are raw statements; use resolveJail() for values.
 */
function jailsOf(stmts) {
  const globals = [];
  const jails = {};
  const order = [];
  const walk = (list, prefix, inherited) => {
    const own = [];
    for (const st of list) {
      if (st.kind === 'param') (prefix === null ? globals : own).push(st);
    }
    for (const st of list) {
      if (st.kind !== 'jail') continue;
      const name = prefix === null ? st.name : `${prefix}.${st.name}`;
      if (name === '*') { globals.push(...st.body.filter((x) => x.kind === 'param')); continue; }
      if (!jails[name]) order.push(name);
      jails[name] = { inherited: [...inherited, ...own], body: st.body.filter((x) => x.kind === 'param'), line: st.line };
      walk(st.body.filter((x) => x.kind === 'jail'), name, [...inherited, ...own, ...st.body.filter((x) => x.kind === 'param')]);
    }
  };
  walk(stmts, null, []);
  for (const n of order) jails[n].stmts = [...globals, ...jails[n].inherited, ...jails[n].body];
  return { order, jails };
}

/**
 * Final parameters of one jail: { params: { name: [values] }, vars }. Throws ConfError
 * (message without the "jail: " prefix) for unknown parameters and variable errors.
 */
function resolveJail(name, stmts, { kld = [], check = true, release } = {}) {
  const params = { name: [name] };
  const vars = {};
  // How each parameter was last written (`jail -e` prints that spelling, and a bare one without "=").
  const spelled = {};
  const bare = {};
  for (const st of stmts) {
    if (st.isVar) {
      if (known(canonical(st.name).name, kld) || PARAMS.includes(st.name)) throw new ConfError(`${name}: ${st.name}: variable name is a parameter`);
      vars[st.name] = st.values;
      continue;
    }
    const { name: pname, negated } = canonical(st.name);
    if (check && !known(pname, kld, release)) throw new ConfError(`${name}: unknown parameter: ${st.name}`);
    if (pname === 'name') continue;
    spelled[pname] = st.name;
    bare[pname] = st.op === null;
    let vals = st.values;
    if (st.op === null) vals = negated ? [[{ s: 'false' }]] : BOOL.includes(pname) || pname.startsWith('allow.mount.') || pname === 'vnet' ? [[{ s: 'true' }]] : [];
    if (st.op === '+=' && params[pname]) params[pname] = [...params[pname], ...vals];
    else params[pname] = vals;
  }
  // Expand variables now that all parameters and variables are known.
  const expand = (pieces, where, depth = 0) => pieces.map((x) => {
    if (x.s !== undefined) return x.s;
    if (depth > 10) throw new ConfError(`${name}: ${where}: variable loop`);
    if (vars[x.v]) return vars[x.v].map((v) => expand(v, where, depth + 1)).join(',');
    if (params[x.v] !== undefined && x.v !== where) return params[x.v].map((v) => (typeof v === 'string' ? v : expand(v, x.v, depth + 1))).join(',');
    throw new ConfError(`${name}: ${where}: variable "${x.v}" not found`);
  }).join('');
  const out = {};
  for (const [k, vals] of Object.entries(params)) out[k] = vals.map((v) => (typeof v === 'string' ? v : expand(v, k)));
  for (const k of Object.keys(out)) if (!LIST.includes(k) && out[k].length > 1) out[k] = [out[k].join(',')];
  return { params: out, spelled, bare };
}

/**
 * Read and resolve a configuration file as jail(8) on a host of `release` (major number);
 * `text` in place of the file's content (`-f -` reads standard input).
 */
function load(realFile, displayFile, { release, kld, hostPath, text }) {
  const glob = (pattern) => {
    const dir = path.posix.dirname(pattern);
    const re = new RegExp('^' + path.posix.basename(pattern).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
    const real = hostPath(dir);
    if (!fs.existsSync(real)) return [];
    return fs.readdirSync(real).filter((f) => re.test(f)).sort().map((f) => path.posix.join(dir, f));
  };
  const readFile = (f) => fs.readFileSync(hostPath(f), 'utf8');
  const stmts = expandIncludes(parse(text ?? fs.readFileSync(realFile, 'utf8'), displayFile, { release }), { release, readFile, glob, file: displayFile });
  const { order, jails } = jailsOf(stmts);
  return {
    order,
    get: (name) => (jails[name] ? resolveJail(name, jails[name].stmts, { kld, release }) : null),
    // As `jail -e` sees a jail: parameter names are not checked (nothing is imported).
    show: (name) => resolveJail(name, jails[name].stmts, { kld, check: false }),
  };
}

module.exports = { ConfError, lex, parse, jailsOf, resolveJail, load, known, canonical, PARAMS, BOOL, LIST };
