'use strict';
// sysrc(8): read and edit rc.conf(5) files, the host's or (-j JAIL, -R DIR) another root's.
// Output format and statuses follow usr.sbin/sysrc/sysrc: "name: old -> new", "sysrc: unknown variable 'x'", -c/-x/-i/-e/-n.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { out, err, fail, hostPath } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const RC = require('../lib/rcconf');
const State = require('../lib/state');

const USAGE = "Usage: sysrc [OPTIONS] {name[[+|-]=value] ... | -a | -A | -l | -L [name ...]}\nTry `sysrc --help' for more information.";

// What /etc/defaults/rc.conf provides when the fake host has none of its own.
const BUILTIN_DEFAULTS = `rc_conf_files="/etc/rc.conf /etc/rc.conf.local"
hostname=""
cloned_interfaces=""
ifconfig_lo0="inet 127.0.0.1"
gateway_enable="NO"
ipv6_gateway_enable="NO"
defaultrouter="NO"
pf_enable="NO"
pf_rules="/etc/pf.conf"
pf_flags=""
pflog_enable="NO"
jail_enable="NO"
jail_conf="/etc/jail.conf"
jail_list=""
jail_reverse_stop="NO"
jail_parallel_start="NO"
devfs_rulesets="/etc/defaults/devfs.rules /etc/devfs.rules"
devfs_system_ruleset=""
cron_enable="YES"
sendmail_enable="NO"
sendmail_submit_enable="YES"
sendmail_outbound_enable="YES"
sendmail_msp_queue_enable="YES"
syslogd_enable="YES"
syslogd_flags="-s"
sshd_enable="NO"
zfs_enable="NO"
ntpd_enable="NO"
kld_list=""
`;

function defaultsFor(rootReal) {
  const f = path.join(rootReal, 'etc/defaults/rc.conf');
  const vars = {};
  RC.assignments(fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : BUILTIN_DEFAULTS, vars);
  return vars;
}

function main(argv) {
  const g = getopt(argv, 'aAcdDeEfFhij:lLnNqR:s:vxXf:', { prog: 'sysrc', usage: USAGE });
  if (g.has('h')) { out(USAGE + '\n'); return 1; }
  if (g.has('a') || g.has('A') || g.has('l') || g.has('L') || g.has('s') || g.has('X') || g.has('F') || g.has('d') || g.has('D') || g.has('E')) {
    fail(1, 'fakebsd: sysrc -a/-A/-l/-L/-s/-X/-F/-d/-D/-E are not implemented by the fake');
  }
  if (g.args.length === 0) fail(1, USAGE);
  // -j jail / -R dir: the same edit against another root. sysrc re-runs itself through
  // `jexec JAIL /bin/sh` (-j wins over -R) or `chroot DIR /bin/sh` (-R; a DIR that is the root
  // of a running jail goes through jexec); their refusals are jexec's and chroot(8)'s.
  let rootReal = hostPath('/');
  if (g.has('j') && !g.get('j')) fail(1, "sysrc: Missing or null argument to `-j' flag");
  if (g.has('R') && !g.get('R')) fail(1, "sysrc: Missing or null argument to `-R' flag");
  if (g.has('j')) {
    const name = g.get('j');
    const j = State.read((s) => State.findJail(s, name));
    if (!j) fail(1, `jexec: jail "${name}" not found`);
    rootReal = hostPath(j.path);
  } else if (g.has('R')) {
    rootReal = hostPath(g.get('R'));
    if (!fs.existsSync(rootReal)) fail(1, `chroot: ${g.get('R')}: No such file or directory`);
    if (!fs.statSync(rootReal).isDirectory()) fail(1, `chroot: ${g.get('R')}: Not a directory`);
  }
  const inRoot = (p) => (g.has('j') || g.has('R') ? path.join(rootReal, p) : hostPath(p));

  const defaults = defaultsFor(rootReal);
  const confs = g.has('f') ? g.all('f').join(' ').split(/\s+/).filter(Boolean) : (defaults.rc_conf_files || '/etc/rc.conf').split(/\s+/);
  const files = confs.map(inRoot);
  for (const f of files) {
    if (fs.existsSync(f) && spawnSync('/bin/sh', ['-n', f]).status !== 0) fail(1, 'sysrc: Exiting due to previous syntax errors');
  }
  const current = () => RC.source(files, defaults);
  const definedIn = (name) => [...files].reverse().find((f) => fs.existsSync(f) && RC.assignments(fs.readFileSync(f, 'utf8')).some((a) => a.name === name));

  const showName = !g.has('n');
  const equals = g.has('e') && showName;
  const sep = equals ? '="' : ': ';
  let status = 0;
  for (const arg of g.args) {
    const eq = arg.indexOf('=');
    let name = eq < 0 ? arg : arg.slice(0, eq);
    let mode = 'ASSIGN';
    if (eq >= 0 && name.endsWith('+')) { mode = 'APPEND'; name = name.slice(0, -1); }
    else if (eq >= 0 && name.endsWith('-')) { mode = 'REMOVE'; name = name.slice(0, -1); }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) { err(`sysrc: ${name}: invalid variable name\n`); status = 1; continue; }
    const vars = current();
    const known = Object.prototype.hasOwnProperty.call(vars, name);
    if (eq < 0) {
      if (!known) {
        if (!g.has('i') && !g.has('q')) err(`sysrc: unknown variable '${name}'\n`);
        status = 1;
        continue;
      }
      if (g.has('c')) continue;
      if (g.has('x')) { const f = definedIn(name); if (f) RC.deleteVar(f, name); continue; }
      if (g.has('N')) { out(name + '\n'); continue; }
      out(`${showName ? name + sep : ''}${vars[name]}${equals ? '"' : ''}\n`);
      continue;
    }
    if (g.has('x')) { const f = definedIn(name); if (f) RC.deleteVar(f, name); else status = 1; continue; }
    const value = arg.slice(eq + 1);
    const before = known ? vars[name] : '';
    let next = value;
    if (mode !== 'ASSIGN') next = editList(before, value, mode);
    if (g.has('c')) {
      if (!known || next !== before) status = 1;
      continue;
    }
    const target = definedIn(name) || files[0];
    fs.mkdirSync(path.dirname(target), { recursive: true });
    RC.setVar(target, name, next);
    const after = current()[name];
    if (g.has('N')) out(name + '\n');
    else out(`${showName ? name + sep : ''}${before}${equals ? '" #' : ''} -> ${equals ? '"' : ''}${after}${equals ? '"' : ''}\n`);
  }
  return status;
}

/** `+=` adds words that are absent, `-=` drops words; a leading non-alphanumeric char is the delimiter. */
function editList(before, change, mode) {
  const first = change[0] || '';
  const custom = first && !/[\sa-zA-Z0-9./]/.test(first);
  const delim = custom ? first : ' ';
  const split = (s) => (custom ? s.split(delim) : s.split(/\s+/)).filter(Boolean);
  const old = split(before);
  const words = split(change);
  if (mode === 'APPEND') {
    const res = [...old];
    for (const w of words) if (!old.includes(w) && !res.includes(w)) res.push(w);
    return res.join(delim);
  }
  return old.filter((w) => !words.includes(w)).join(delim);
}

module.exports = { main };
