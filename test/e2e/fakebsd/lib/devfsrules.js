'use strict';
// devfs rulesets: the kernel's loaded rulesets (state.devfs) and the rules-file
// format of devfs.rules(5) as rc.d/devfs reads it.
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
    loadText(s, DEFAULTS_TEXT, 'boot');
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
 * Parse a rule's words (after "add [num]"), resolving "include $name" through names.
 * Returns the canonical text devfs rule show prints, or throws an Error with devfs's message.
 */
function canonicalRule(w, names) {
  const out = [];
  let action = false;
  for (let i = 0; i < w.length; i++) {
    const k = w[i];
    if (k === 'path' || k === 'type' || k === 'user' || k === 'group' || k === 'mode' || k === 'include') {
      let v = w[++i];
      if (v === undefined) throw new Error(`devfs: missing argument for ${k}`);
      if (k === 'type' && !['disk', 'mem', 'tape', 'tty'].includes(v)) throw new Error(`devfs: unknown type: ${v}`);
      if (k === 'mode' && !/^[0-7]{1,4}$/.test(v)) throw new Error(`devfs: invalid mode: ${v}`);
      if (k === 'include') {
        if (v.startsWith('$')) {
          const n = names[v.slice(1)];
          if (n === undefined) throw new Error(`devfs: ruleset name ${v.slice(1)} is unknown`);
          v = String(n);
        } else if (!/^\d+$/.test(v)) throw new Error(`devfs: invalid ruleset: ${v}`);
        action = true;
      }
      if (k === 'user' || k === 'group' || k === 'mode') action = true;
      out.push(k, v);
    } else if (k === 'hide' || k === 'unhide') {
      action = true;
      out.push(k);
    } else {
      throw new Error(`devfs: unknown argument: ${k}`);
    }
  }
  if (!action) throw new Error('devfs: rule has no action');
  return out.join(' ');
}

function addRule(s, set, w, num) {
  const d = ensure(s);
  const rules = (d.rulesets[set] = d.rulesets[set] || []);
  const text = canonicalRule(w, d.names);
  const n = num !== undefined ? num : (rules.length ? rules[rules.length - 1].num : 0) + 100;
  if (rules.some((r) => r.num === n)) throw new Error(`devfs: ioctl DEVFSIO_RADD: File exists`);
  rules.push({ num: n, text });
  rules.sort((a, b) => a.num - b.num);
}

/**
 * Load a devfs.rules text as rc.d/devfs does. The whole text is checked first: with
 * one bad line nothing from it is loaded. Returns null or the error message.
 */
function loadText(s, text, label) {
  const d = s.devfs || (s.devfs = { rulesets: {}, names: {}, applied: {} });
  const plan = [];
  const names = { ...d.names };
  let cur = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/#.*/, '').trim();
    if (!line) continue;
    const h = /^\[([A-Za-z0-9_]+)=(\d+)\]$/.exec(line);
    if (h) {
      cur = Number(h[2]);
      names[h[1]] = cur;
      plan.push({ header: cur });
      continue;
    }
    if (line.startsWith('[')) return `${label}: line ${i + 1}: malformed ruleset header: ${line}`;
    if (cur === null) return `${label}: line ${i + 1}: rule outside a ruleset: ${line}`;
    const w = words(line);
    if (w[0] !== 'add') return `${label}: line ${i + 1}: devfs rule: unknown command: ${w[0]}`;
    let rest = w.slice(1);
    let num;
    if (/^\d+$/.test(rest[0] || '')) { num = Number(rest[0]); rest = rest.slice(1); }
    try {
      canonicalRule(rest, names);
    } catch (e) {
      return `${label}: line ${i + 1}: ${e.message}`;
    }
    plan.push({ set: cur, rest, num });
  }
  for (const step of plan) {
    if (step.header !== undefined) { d.rulesets[step.header] = []; continue; }
    Object.assign(d.names, names);
    addRule(s, step.set, step.rest, step.num);
  }
  Object.assign(d.names, names);
  return null;
}

function loadFile(s, realPath, label) {
  if (!fs.existsSync(realPath)) return null;
  return loadText(s, fs.readFileSync(realPath, 'utf8'), label);
}

const isLoaded = (s, n) => Object.prototype.hasOwnProperty.call(ensure(s).rulesets, String(n));

module.exports = { DEFAULTS_TEXT, ensure, words, addRule, loadText, loadFile, isLoaded, canonicalRule };
