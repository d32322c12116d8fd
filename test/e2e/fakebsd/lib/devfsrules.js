'use strict';
// devfs rulesets: the kernel's loaded rulesets (state.devfs), rules as sbin/devfs/rule.c
// takes them, and devfs.rules(5) files as libexec/rc/rc.subr (devfs_rulesets_from_file) reads them.
const fs = require('fs');
const { hostPath } = require('./host');

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
    s.devfs = { rulesets: {}, applied: {} };
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

/** The host's accounts file (/etc/passwd or /etc/group) as [name, id] pairs; getpwnam(3) reads the same data. */
function accounts(file) {
  let text = '';
  try { text = fs.readFileSync(hostPath(file), 'utf8'); } catch (e) { if (e.code !== 'ENOENT') throw e; }
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':')).map((f) => [f[0], Number(f[2])]);
}

/** sbin/devfs/devfs.c eatoi: strtol(3) base 10, the whole word, at most INT_MAX (an empty word is 0). */
function eatoi(v) {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)$/.exec(v);
  if (!m || (m[2] === '' && v.trim() !== '')) throw new Error(`devfs rule: error converting to integer: ${v}`);
  const n = m[2] === '' ? 0 : Number(m[1] + m[2]);
  if (n > 2147483647) throw new Error(`devfs rule: error converting to integer: ${v}`);
  // (int)l of a long below INT_MIN wraps; ids that low never name an account.
  return n;
}

/** sbin/devfs/devfs.c atonum/eatonum: strtoul(3) base 10, the whole word, at most UINT16_MAX. */
function eatonum(v) {
  if (!/^[ \t\n\v\f\r]*\+?\d+$/.test(v) || Number(v) > 65535) throw new Error(`devfs rule: error converting to number: ${v}`);
  return Number(v);
}

/**
 * `user NAME` / `group NAME` as rulespec_intok resolves them: getpwnam/getgrnam, and a name that
 * is no account goes through eatoi (so a number is an id, anything else an error). The rule keeps
 * the id; `show` prints it through getpwuid/getgrgid (rulespec_outfp): the name, or the number.
 */
function accountId(kind, v) {
  const list = accounts(kind === 'user' ? '/etc/passwd' : '/etc/group');
  const byName = list.find(([n]) => n === v);
  const id = byName ? byName[1] : eatoi(v);
  const byId = list.find(([, i]) => i === id);
  return byId ? byId[0] : String(id);
}

/**
 * Parse a rule's words (after "add [num]") as sbin/devfs/rule.c rulespec_intok does: conditions
 * (type, path) first, then actions (hide, unhide, user, group, mode, include); anything out of
 * place is an "unknown argument". Returns the text `devfs rule show` prints (rulespec_outfp
 * order, user and group through the host's accounts, mode in octal without a leading zero) or
 * throws an Error with devfs's message. Names like $devfsrules_jail are the shell's business
 * (rc.subr evals rule lines): here a word must already be a number. (The mode is taken in
 * octal only; setmode(3) would also take a symbolic mode.)
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
    if (v === undefined) throw e(`expecting argument for ${k}`);
    if (k === 'mode') {
      if (!/^[0-7]{1,4}$/.test(v)) throw e(`invalid mode: ${v}`);
      r.mode = Number.parseInt(v, 8).toString(8);
    } else if (k === 'include') {
      r.include = String(eatonum(v));
    } else r[k] = accountId(k, v);
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
 * `read line` (no -r) of sh(1) over the text: leading and trailing blanks go, a backslash quotes
 * the next character (and is removed), a backslash at the end of a line joins the next one.
 */
function readLines(text) {
  const out = [];
  const raw = text.split('\n');
  if (raw[raw.length - 1] === '') raw.pop();
  for (let i = 0; i < raw.length; i++) {
    let line = '';
    let cur = raw[i];
    for (;;) {
      let j = 0;
      let joined = false;
      while (j < cur.length) {
        if (cur[j] === '\\') {
          if (j + 1 === cur.length) { joined = i + 1 < raw.length; j++; break; }
          line += cur[j + 1];
          j += 2;
        } else line += cur[j++];
      }
      if (!joined) break;
      cur = raw[++i];
    }
    out.push(line.replace(/^[ \t]+|[ \t]+$/g, ''));
  }
  return out;
}

/**
 * The words `eval /sbin/devfs rule -s N $rulecmd` passes to devfs: sh(1)'s token rules over the
 * line (globbing is off: rc.subr runs set -f). Quotes group and are removed, a backslash quotes
 * the next character, `$name` / `${name}` expand outside single quotes (an unset name to
 * nothing, and unquoted results split again), and a `#` that begins a word starts a comment,
 * while a `#` inside a word is part of it. Shell operators would make the line another command:
 * the fake refuses them rather than guess.
 */
function evalWords(cmd, names) {
  const value = (n) => (names[n] !== undefined ? String(names[n]) : '');
  const words = [];
  let cur = null; // null: between words; else { text, quoted }
  const add = (text, quoted) => {
    if (cur === null) cur = { text: '', quoted: false };
    cur.text += text;
    cur.quoted = cur.quoted || quoted;
  };
  const end = () => { if (cur !== null && (cur.text !== '' || cur.quoted)) words.push(cur.text); cur = null; };
  const dollar = (i) => {
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(cmd.slice(i));
    return m ? { name: m[1] ?? m[2], length: m[0].length } : null;
  };
  for (let i = 0; i < cmd.length;) {
    const c = cmd[i];
    if (c === ' ' || c === '\t') { end(); i++; continue; }
    if (c === '#' && cur === null) break;
    if (c === "'") {
      const j = cmd.indexOf("'", i + 1);
      if (j < 0) throw new Error(`eval: Syntax error: Unterminated quoted string`);
      add(cmd.slice(i + 1, j), true);
      i = j + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < cmd.length && cmd[j] !== '"') {
        if (cmd[j] === '\\' && '$`"\\'.includes(cmd[j + 1] ?? '')) { text += cmd[j + 1]; j += 2; continue; }
        const d = cmd[j] === '$' ? dollar(j) : null;
        if (d) { text += value(d.name); j += d.length; continue; }
        text += cmd[j++];
      }
      if (j >= cmd.length) throw new Error(`eval: Syntax error: Unterminated quoted string`);
      add(text, true);
      i = j + 1;
      continue;
    }
    if (c === '\\') { add(cmd[i + 1] ?? '', true); i += 2; continue; }
    if (c === '$') {
      const d = dollar(i);
      if (d) {
        // Unquoted: the value is split into words again.
        const parts = value(d.name).split(/[ \t\n]+/);
        parts.forEach((p, k) => { if (k > 0) end(); if (p !== '') add(p, false); });
        i += d.length;
        continue;
      }
    }
    if (';&|<>()`'.includes(c)) throw new Error(`fakebsd: the rule line ${JSON.stringify(cmd)} holds the shell operator ${c}: rc.subr's eval would run it as shell syntax`);
    add(c, false);
    i++;
  }
  end();
  return words;
}

/**
 * Load a devfs.rules text as rc.subr's devfs_rulesets_from_file does (libexec/rc/rc.subr), line
 * by line through `read line`: a line that begins with `#` is skipped, a `[name=N]` header sets
 * the shell variable name=N and runs `devfs rule -s N delset`, any other line is run as
 * `eval /sbin/devfs rule -s N LINE` (its `${line%%"\#*"}` strips only a literal `\#*` suffix,
 * so a `#` is a comment only where sh's eval makes it one: at the start of a word). The first
 * failing line stops the file: what came before it stays loaded, the rest is not read. Returns
 * null, or what went wrong: `stderr` (devfs's own message) or `warning` (rc.subr's warn text,
 * without its prefix).
 */
function loadText(s, text, shell = newShell()) {
  ensure(s);
  for (const line of readLines(text)) {
    if (line.startsWith('#')) continue;
    if (/^\[.*\]/.test(line)) {
      const num = /^\[.*=([0-9]*)\]/.exec(line);
      const name = /^\[(.*)=[0-9]*\]/.exec(line);
      if (!num || num[1] === '') return { warning: `devfs_rulesets_from_file: cannot extract rule number (${line})` };
      if (!name || name[1] === '') return { warning: `devfs_rulesets_from_file: cannot extract rule name (${line})` };
      shell.rulenum = Number(num[1]);
      shell.names[name[1]] = shell.rulenum;
      deleteSet(s, shell.rulenum);
      continue;
    }
    const cmd = line.endsWith('\\#*') ? line.slice(0, -3) : line;
    if (!cmd) continue;
    try {
      const cur = shell.rulenum;
      const w = evalWords(cmd, shell.names);
      // Before any header $rulenum is empty: `devfs rule -s add ...` takes the first word as the number.
      if (cur === null) {
        if (w.length === 0) throw new Error('usage: devfs rule|ruleset [-s ruleset] command ...');
        eatonum(w[0]);
      }
      if (w.length === 0) continue;
      if (w[0] !== 'add') throw new Error(`devfs rule: unknown command: ${w[0]}`);
      let rest = w.slice(1);
      let num;
      if (/^\d+$/.test(rest[0] || '') && Number(rest[0]) <= 65535) { num = Number(rest[0]); rest = rest.slice(1); }
      addRule(s, cur, rest, num);
    } catch (e) {
      // devfs itself printed its error (errx/err); rc.subr adds nothing of its own here.
      return { stderr: `${e.message}\n` };
    }
  }
  return null;
}

function loadFile(s, realPath, shell = newShell()) {
  if (!fs.existsSync(realPath)) return null;
  return loadText(s, fs.readFileSync(realPath, 'utf8'), shell);
}

/**
 * The shell variables devfs_rulesets_from_file leaves behind: `rulenum` and one variable per
 * header name are not local, so the files of one devfs_init_rulesets run share them (a file
 * without a header adds to the last file's ruleset; `$devfsrules_jail` works after the defaults).
 */
function newShell() {
  return { names: {}, rulenum: null };
}

const isLoaded = (s, n) => Object.prototype.hasOwnProperty.call(ensure(s).rulesets, String(n));

module.exports = { DEFAULTS_TEXT, ensure, words, evalWords, readLines, eatonum, addRule, deleteSet, reap, loadText, loadFile, newShell, isLoaded, canonicalRule };
