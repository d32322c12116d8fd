'use strict';
// devfs rulesets: the kernel's loaded rulesets (state.devfs), rules as sbin/devfs/rule.c
// takes them, and devfs.rules(5) files as libexec/rc/rc.subr (devfs_rulesets_from_file) reads them.
const fs = require('fs');

// etc/defaults/devfs.rules, the rulesets loaded at boot (1..5).
const DEFAULTS_TEXT = `#
# The following are some default rules for devfs(5) mounts.
# The format is very simple. Empty lines and lines beginning
# with a hash '#' are ignored. If the hash mark occurs anywhere
# other than the beginning of a line, it and any subsequent
# characters will be ignored.  A line in between brackets '[]'
# denotes the beginning of a ruleset. In the brackets should
# be a name for the rule and its ruleset number.
#
# Very common rules
[devfsrules_hide_all=1]
add hide

[devfsrules_unhide_basic=2]
add path log unhide
add path null unhide
add path zero unhide
add path crypto unhide
add path random unhide
add path urandom unhide

[devfsrules_unhide_login=3]
add path 'ptyp*' unhide
add path 'ptyq*' unhide
add path 'ttyp*' unhide
add path 'ttyq*' unhide
add path ptmx unhide
add path pts unhide
add path 'pts/*' unhide
add path fd unhide
add path 'fd/*' unhide
add path stdin unhide
add path stdout unhide
add path stderr unhide

[devfsrules_jail=4]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic
add include $devfsrules_unhide_login
add path fuse unhide
add path zfs unhide

[devfsrules_jail_vnet=5]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic
add include $devfsrules_unhide_login
add include $devfsrules_jail
add path pf unhide
`;

function ensure(s) {
  if (!s.devfs) {
    s.devfs = { rulesets: {}, names: {}, applied: {} };
    loadText(s, DEFAULTS_TEXT);
  }
  return s.devfs;
}

/** Split a rule line as sh would (single/double quotes), without expansion. */
function words(line) {
  const res = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  let m;
  while ((m = re.exec(line))) res.push(m[1] ?? m[2] ?? m[3]);
  return res;
}

/**
 * Parse a rule's words (after "add [num]") as sbin/devfs/rule.c rulespec_intok does: conditions
 * (type, path) first, then actions (hide, unhide, user, group, mode, include); anything out of
 * place is an "unknown argument". Returns the text `devfs rule show` prints (rulespec_outfp
 * order, mode in octal without a leading zero) or throws an Error with devfs's message.
 * Names like $devfsrules_jail are the shell's business (rc.subr evals rule lines): here a
 * word must already be a number.
 */
function canonicalRule(w) {
  const e = (m) => new Error(`devfs rule: ${m}`);
  const r = {};
  let i = 0;
  for (;;) {
    const k = w[i];
    if (k === 'type') {
      if (w[i + 1] === undefined) throw e('expecting argument for type');
      if (!['disk', 'mem', 'tape', 'tty'].includes(w[i + 1])) throw e(`unknown type: ${w[i + 1]}`);
      r.type = w[i + 1];
      i += 2;
    } else if (k === 'path') {
      if (w[i + 1] === undefined) throw e('expecting argument for path');
      r.path = w[i + 1];
      i += 2;
    } else break;
  }
  for (; i < w.length; i++) {
    const k = w[i];
    if (k === 'hide' || k === 'unhide') { r[k] = true; continue; }
    if (!['user', 'group', 'mode', 'include'].includes(k)) throw e(`unknown argument: ${k}`);
    const v = w[++i];
    if (v === undefined || v === '') throw e(`expecting argument for ${k}`);
    if (k === 'mode') {
      if (!/^[0-7]{1,4}$/.test(v)) throw e(`invalid mode: ${v}`);
      r.mode = Number.parseInt(v, 8).toString(8);
    } else if (k === 'include') {
      if (!/^\d+$/.test(v) || Number(v) > 65535) throw e(`invalid number: ${v}`);
      r.include = String(Number(v));
    } else r[k] = v;
  }
  const out = [];
  if (r.type) out.push('type', r.type);
  if (r.path !== undefined) out.push('path', r.path);
  if (r.hide) out.push('hide');
  if (r.unhide) out.push('unhide');
  for (const k of ['user', 'group', 'mode', 'include']) if (r[k] !== undefined) out.push(k, r[k]);
  return out.join(' ');
}

function addRule(s, set, w, num) {
  const d = ensure(s);
  const text = canonicalRule(w);
  // sys/fs/devfs/devfs_rule.c devfs_rule_insert: an include of a ruleset that does not exist is ESRCH.
  const inc = /(?:^| )include (\d+)$/.exec(text);
  if (inc && !isLoaded(s, inc[1])) throw new Error('devfs rule: ioctl DEVFSIO_RADD: No such process');
  const rules = (d.rulesets[set] = d.rulesets[set] || []);
  const n = num !== undefined ? num : (rules.length ? rules[rules.length - 1].num : 0) + 100;
  if (rules.some((r) => r.num === n)) throw new Error('devfs rule: ioctl DEVFSIO_RADD: File exists');
  rules.push({ num: n, text });
  rules.sort((a, b) => a.num - b.num);
}

/**
 * Delete every rule of a set (sbin/devfs/rule.c rule_delset). devfs_ruleset_reap frees a set only
 * when it is empty and nothing refers to it: a rule of another set that includes it, or a devfs
 * mount that uses it (devfs_ruleset_use) keeps the empty set in existence.
 */
function deleteSet(s, set) {
  const d = ensure(s);
  if (!d.rulesets[set]) return;
  const gone = d.rulesets[set];
  d.rulesets[set] = [];
  // devfs_rule_delete: each deleted include lets go of the set it included.
  for (const r of gone) {
    const inc = /(?:^| )include (\d+)$/.exec(r.text);
    if (inc) reap(s, inc[1]);
  }
  reap(s, set);
}

function reap(s, set) {
  const d = ensure(s);
  if (!d.rulesets[set] || d.rulesets[set].length) return;
  const included = Object.values(d.rulesets).some((rules) => rules.some((r) => r.text === `include ${set}` || r.text.endsWith(` include ${set}`)));
  const mounted = (s.mounts || []).some((m) => m.type === 'devfs' && (m.opts || []).includes(`ruleset=${set}`));
  if (!included && !mounted) delete d.rulesets[set];
}

/**
 * Load a devfs.rules text as rc.subr's devfs_rulesets_from_file does, line by line: `#` lines
 * are skipped, a `[name=N]` header sets the shell variable name=N and runs `devfs rule -s N
 * delset`, any other line is cut at its first `#` and run as `eval devfs rule -s N LINE`
 * (so $name expands to a number, an unknown name to nothing). The first failing line stops
 * the file: what came before it stays loaded, the rest is not read. Returns null, or what went
 * wrong: `stderr` (devfs's own message) or `warning` (rc.subr's warn text, without its prefix).
 */
function loadText(s, text) {
  const d = ensure(s);
  let cur = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith('#')) continue;
    if (/^\[.*\]/.test(line)) {
      const num = /^\[.*=([0-9]*)\]/.exec(line);
      const name = /^\[(.*)=[0-9]*\]/.exec(line);
      if (!num || num[1] === '') return { warning: `devfs_rulesets_from_file: cannot extract rule number (${line})` };
      if (!name || name[1] === '') return { warning: `devfs_rulesets_from_file: cannot extract rule name (${line})` };
      cur = Number(num[1]);
      d.names[name[1]] = cur;
      deleteSet(s, cur);
      continue;
    }
    const cmd = line.replace(/#.*/, '').trim();
    if (!cmd) continue;
    // eval: $name from the headers read so far, then sh's word splitting and quote removal.
    const expanded = cmd.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n) => (d.names[n] !== undefined ? String(d.names[n]) : ''));
    const w = words(expanded);
    try {
      if (cur === null) throw new Error('devfs rule: invalid ruleset: (none)');
      if (w[0] !== 'add') throw new Error(`devfs rule: unknown command: ${w[0]}`);
      let rest = w.slice(1);
      let num;
      if (/^\d+$/.test(rest[0] || '')) { num = Number(rest[0]); rest = rest.slice(1); }
      addRule(s, cur, rest, num);
    } catch (e) {
      // devfs itself printed its error (errx/err); rc.subr adds nothing of its own here.
      return { stderr: `${e.message}\n` };
    }
  }
  return null;
}

function loadFile(s, realPath) {
  if (!fs.existsSync(realPath)) return null;
  return loadText(s, fs.readFileSync(realPath, 'utf8'));
}

const isLoaded = (s, n) => Object.prototype.hasOwnProperty.call(ensure(s).rulesets, String(n));

module.exports = { DEFAULTS_TEXT, ensure, words, addRule, deleteSet, reap, loadText, loadFile, isLoaded, canonicalRule };
