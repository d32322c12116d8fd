'use strict';
// pfctl(8) for the pf.conf subset the library writes: macros, tables, set, scrub,
// nat/rdr (+ pass/log), pass/block, nat-anchor/rdr-anchor/anchor, load anchor.
// The category order of pf.conf(5) is enforced with parse.y's message; loaded rules
// are kept per anchor in the state.
const fs = require('fs');
const { out, err, fail, hostPath } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');

const USAGE = `usage: pfctl [-AdeghMmNnOPqRSrvz] [-a anchor] [-D macro=value] [-F modifier]
	[-f file] [-i interface] [-K host | network]
	[-k host | network | gateway | label | id] [-o level] [-p device]
	[-s modifier] [-t table -T command [address ...]] [-x level]`;
const ORDER = ['options', 'normalization', 'queueing', 'translation', 'filtering'];
const CATEGORY = {
  set: 'options', scrub: 'normalization', altq: 'queueing', queue: 'queueing',
  nat: 'translation', rdr: 'translation', binat: 'translation', 'nat-anchor': 'translation', 'rdr-anchor': 'translation', 'binat-anchor': 'translation',
  pass: 'filtering', block: 'filtering', anchor: 'filtering', antispoof: 'filtering', match: 'filtering',
};
const WORDS = new Set(['in', 'out', 'log', 'quick', 'on', 'inet', 'inet6', 'proto', 'from', 'to', 'any', 'all', 'port', 'pass', 'drop', 'return',
  'keep', 'modulate', 'synproxy', 'state', 'flags', 'label', 'tag', 'tagged', 'user', 'group', 'icmp-type', 'icmp6-type', 'self', 'no', 'rdr-to', 'nat-to',
  'static-port', 'round-robin', 'source-hash', 'random', 'bitmask', 'sticky-address', 'os', 'route-to', 'reply-to', 'dup-to', 'received-on', 'max-src-conn',
  'max-src-conn-rate', 'overload', 'flush', 'global', 'tcp', 'udp', 'icmp', 'icmp6', 'urpf-failed', 'fragment', 'reassemble', 'random-id', 'max-mss',
  'min-ttl', 'no-df', 'set-tos', 'scrub', 'unreachables', 'allow-opts', 'probability', 'divert-to', 'prio', 'queue', 'rtable', 'once', 'skip']);

class PfError extends Error {}

/** Parse a pf.conf text. Returns { rules: [...filter lines], nat: [...translation lines], anchors: [...], loads: [[anchor, file]] }. */
function parse(text, file, defines = {}) {
  const macros = { ...defines };
  const res = { options: [], scrub: [], nat: [], rules: [], tables: [], anchors: [], loads: [] };
  let last = -1;
  // Join continuation lines, remembering where each statement started.
  const lines = text.split('\n');
  const stmts = [];
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i];
    const start = i + 1;
    while (l.endsWith('\\') && i + 1 < lines.length) l = l.slice(0, -1) + ' ' + lines[++i];
    stmts.push({ line: start, text: l });
  }
  for (const { line, text: raw } of stmts) {
    const e = (msg) => new PfError(`${file}:${line}: ${msg}`);
    const l = stripComment(raw).trim();
    if (!l) continue;
    const mm = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(l);
    if (mm) {
      const q = /^"([^"]*)"$/.exec(mm[2].trim());
      if (!q) throw e('syntax error');
      macros[mm[1]] = expand(q[1], macros, e);
      continue;
    }
    const words = tokenize(expand(l, macros, e), e);
    const kw = words[0];
    if (kw === 'table') {
      if (!/^<[A-Za-z0-9_]+>$/.test(words[1] || '')) throw e('syntax error');
      res.tables.push(words.join(' '));
      continue;
    }
    if (kw === 'load') {
      if (words[1] !== 'anchor' || words[3] !== 'from' || words.length !== 5) throw e('syntax error');
      res.loads.push([unquote(words[2]), unquote(words[4])]);
      continue;
    }
    const cat = CATEGORY[kw];
    if (!cat) throw e('syntax error');
    const idx = ORDER.indexOf(cat);
    // parse.y: anchors may appear with filter rules; translation after filtering is an error.
    if (idx < last) throw e('Rules must be in order: options, normalization, queueing, translation, filtering');
    last = idx;
    if (kw === 'set') {
      if (!['skip', 'block-policy', 'optimization', 'limit', 'loginterface', 'timeout', 'state-policy', 'debug', 'hostid', 'ruleset-optimization', 'fingerprints', 'reassemble', 'require-order', 'state-defaults', 'keepcounters', 'syncookies'].includes(words[1])) throw e('syntax error');
      res.options.push(words.join(' '));
      continue;
    }
    if (kw.endsWith('anchor')) {
      if (!words[1] || !/^"[^"]*"$/.test(words[1])) throw e('syntax error');
      res.anchors.push(unquote(words[1]).replace(/\/\*$/, ''));
      (kw === 'anchor' ? res.rules : res.nat).push(words.join(' '));
      continue;
    }
    checkWords(words.slice(1), e);
    if (kw === 'nat' || kw === 'rdr' || kw === 'binat') {
      const arrow = words.indexOf('->');
      if (arrow < 0 || arrow === words.length - 1) throw e('syntax error');
      if (!words.includes('on') && kw !== 'rdr') throw e('syntax error');
      if (kw === 'rdr' && words.includes('port')) {
        const p = words[words.indexOf('port') + 1];
        if (!/^(\d+|\d+:\d+|[a-z]+)$/.test(p || '')) throw e('syntax error');
      }
      res.nat.push(words.join(' '));
    } else if (kw === 'scrub') res.scrub.push(words.join(' '));
    else res.rules.push(words.join(' '));
  }
  return res;
}

function stripComment(l) {
  let inq = false;
  for (let i = 0; i < l.length; i++) {
    if (l[i] === '"') inq = !inq;
    if (l[i] === '#' && !inq) return l.slice(0, i);
  }
  return l;
}

function expand(s, macros, e) {
  return s.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, n) => {
    if (!(n in macros)) throw e(`macro '${n}' not defined`);
    return macros[n];
  });
}

function tokenize(s, e) {
  const toks = [];
  const re = /\s*("[^"]*"|->|\{[^}]*\}|\([^)]*\)|<[^>]*>|!=|[^\s{}()<>"]+)/g;
  let m;
  let pos = 0;
  while ((m = re.exec(s))) {
    if (m.index !== pos && s.slice(pos, m.index).trim()) throw e('syntax error');
    toks.push(m[1]);
    pos = re.lastIndex;
  }
  if (s.slice(pos).trim()) throw e('syntax error');
  return toks;
}

const unquote = (w) => w.replace(/^"|"$/g, '');

/** Words that are neither keywords nor addresses/ports/interfaces are syntax errors. */
function checkWords(words, e) {
  for (const w of words) {
    if (WORDS.has(w) || w === '->' || /^[{(<"!]/.test(w)) continue;
    if (/^[0-9a-fA-F:.]+(\/\d+)?$/.test(w) || /^\d+(:\d+)?$/.test(w)) continue; // addresses, ports
    if (/^[a-z][a-z0-9_]*\d+$/i.test(w) || /^[a-z][a-z0-9_]*$/.test(w)) continue; // interfaces, service names
    throw e('syntax error');
  }
}

function main(argv) {
  const g = getopt(argv, 'AdeghMmNnOPqRSrvza:D:F:f:i:K:k:o:p:s:t:T:x:', { prog: 'pfctl', usage: USAGE });
  if (g.args.length) fail(1, USAGE);
  const anchor = (g.get('a') || '').replace(/\/\*$/, '');
  const quiet = g.has('q');
  const defines = Object.fromEntries(g.all('D').map((d) => d.split('=')));
  let status = 0;
  if (g.has('f')) {
    const file = g.get('f');
    const real = file === '-' ? 0 : hostPath(file);
    if (file !== '-' && !fs.existsSync(real)) fail(1, `pfctl: ${file}: No such file or directory`);
    let parsed;
    try {
      parsed = parse(fs.readFileSync(real, 'utf8'), file === '-' ? 'stdin' : file, defines);
    } catch (e) {
      if (!(e instanceof PfError)) throw e;
      fail(1, `${e.message}\npfctl: Syntax error in config file: pf rules not loaded`);
    }
    if (g.has('v')) for (const r of [...parsed.options, ...parsed.scrub, ...parsed.nat, ...parsed.rules]) out(r + '\n');
    if (!g.has('n')) {
      State.update((s) => {
        s.pf.anchors[anchor] = { options: parsed.options, scrub: parsed.scrub, nat: parsed.nat, rules: parsed.rules, tables: parsed.tables, declared: parsed.anchors };
        for (const [a, f] of parsed.loads) {
          const p = parse(fs.readFileSync(hostPath(f), 'utf8'), f, defines);
          s.pf.anchors[a] = { options: [], scrub: p.scrub, nat: p.nat, rules: p.rules, tables: p.tables, declared: p.anchors };
        }
      });
    }
  }
  if (g.has('F')) {
    const what = g.get('F');
    if (!['all', 'rules', 'nat', 'Tables', 'states', 'info', 'Sources', 'queue', 'ethernet'].includes(what)) fail(1, `pfctl: Unknown flush modifier '${what}'\n${USAGE}`);
    State.update((s) => {
      const a = s.pf.anchors[anchor] || (s.pf.anchors[anchor] = { options: [], scrub: [], nat: [], rules: [], tables: [], declared: [] });
      if (what === 'all' || what === 'rules') { a.rules = []; a.scrub = []; if (!quiet) err('rules cleared\n'); }
      if (what === 'all' || what === 'nat') { a.nat = []; if (!quiet) err('nat cleared\n'); }
      if (what === 'all' || what === 'Tables') a.tables = [];
    });
  }
  if (g.has('e')) {
    const was = State.update((s) => { const w = s.pf.enabled; s.pf.enabled = true; return w; });
    if (was) fail(1, 'pfctl: pf already enabled');
    if (!quiet) err('pf enabled\n');
  }
  if (g.has('d')) {
    const was = State.update((s) => { const w = s.pf.enabled; s.pf.enabled = false; return w; });
    if (!was) fail(1, 'pfctl: pf not enabled');
    if (!quiet) err('pf disabled\n');
  }
  if (g.has('s')) {
    const what = g.get('s');
    State.read((s) => {
      const a = s.pf.anchors[anchor] || { options: [], scrub: [], nat: [], rules: [], declared: [] };
      if (what === 'rules' || what === 'r') [...a.scrub, ...a.rules].forEach((r) => out(r + '\n'));
      else if (what === 'nat' || what === 'n') a.nat.forEach((r) => out(r + '\n'));
      else if (what === 'Anchors' || what === 'A') {
        const prefix = anchor ? anchor + '/' : '';
        const names = Object.keys(s.pf.anchors).filter((k) => k && k.startsWith(prefix) && (g.has('v') || !k.slice(prefix.length).includes('/')));
        const declared = (s.pf.anchors[anchor] || { declared: [] }).declared.filter((d) => d.startsWith(prefix));
        [...new Set([...declared, ...names])].sort().forEach((n) => out(`  ${n}\n`));
      } else if (what === 'info' || what === 'i') out(`Status: ${s.pf.enabled ? 'Enabled' : 'Disabled'} for 0 days 00:00:00           Debug: Urgent\n`);
      else if (what === 'Tables' || what === 'T') (a.tables || []).forEach((t) => out(t.split(/\s+/)[1].replace(/[<>]/g, '') + '\n'));
      else { status = 1; err(`pfctl: Unknown show modifier '${what}'\n${USAGE}\n`); }
    });
  }
  return status;
}

module.exports = { main, parse };
