'use strict';
// jail(8) with a configuration file: -c / -m / -cm / -r / -rc / -R, -e SEP, -f FILE (- for
// standard input, config.c load_config), -q, -J FILE, -i, -p N.
// -e SEP (usr.sbin/jail/jail.c, JF_SHOW: load_config, then show_jails and exit 0) prints every
// configured non-wildcard jail of the file (and of what it .includes), one a line in file
// order: its parameters as print_jail writes them, name=value joined by SEP, "name" first
// (load_config adds it before the jail's own; "jid" for an all-digit name), a value list joined by "," with quoted_print's
// quoting, a parameter without value by its name alone. Nothing is started or checked:
// unknown parameters pass, a variable that is not found is warned about on stderr.
// -c without a jail name starts every jail of the file (state.c start_state: JF_WILD), skips
// the ones that run already, goes on past one that fails and then exits 1 (jail.c main).
// -rc restarts (usr.sbin/jail/jail.c, JF_RESTART: stop with the configuration's parameters,
// then create; a jail that is not running is "not found" and nothing is started).
// Host-side hooks (exec.prepare, exec.prestart, exec.created, exec.poststart,
// exec.prestop, exec.poststop, exec.release) really run through /bin/sh -c, in the order of
// startcommands/stopcommands in usr.sbin/jail/jail.c; commands inside the jail (exec.start,
// exec.stop, command) are recorded in the state. zfs.dataset (15.x) runs `zfs jail` after
// exec.created; the jail's cpuset and attached datasets go with its record when it is removed.
// Mounts, addresses and vnet interfaces are checked and recorded as jail(8) would do them.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { out, err, fail, hostPath, readStdin, Exit } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');
const J = require('../lib/jailconf');
const R = require('../lib/release');
const D = require('../lib/devfsrules');
const { setAddr } = require('./ifconfig');
const { stopJailDaemons } = require('../lib/rcsubr');
const Net = require('../lib/jailnet');

const SCRIPT = path.join(__dirname, '..', 'fakebsd.js');

const USAGE = `usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]
            -[cmr] param=value ... [command=command ...]
       jail [-dqv] [-f file] [-e separator] -[cmr] [jail]
       jail [-qv] [-f conf_file] -[rR] ['*' | jail ...]
       jail [-dhilqv] [-J jid_file] [-u username] [-U username]
            [-n jailname] [-s securelevel]
            path hostname [ip[,...]] command ...`;

const one = (p, k) => (p[k] && p[k].length ? p[k][p[k].length - 1] : undefined);
const isTrue = (p, k) => one(p, k) !== undefined && one(p, k) !== 'false' && one(p, k) !== '0';

function loadConf(file) {
  const { host, kld } = State.read((s) => ({ host: s.host, kld: s.kld }));
  const stdin = file === '-';
  const real = stdin ? null : hostPath(file);
  if (!stdin && !fs.existsSync(real)) fail(1, `jail: ${file}: No such file or directory`);
  try {
    return J.load(real, stdin ? 'STDIN' : file, { release: R.parse(host.release).major, kld, hostPath, text: stdin ? readStdin().toString('utf8') : undefined });
  } catch (e) {
    if (e instanceof J.ConfError) fail(1, `jail: ${e.message}`);
    throw e;
  }
}

function resolve(conf, name) {
  try {
    return conf.get(name);
  } catch (e) {
    if (e instanceof J.ConfError) fail(1, `jail: ${e.message}`);
    throw e;
  }
}

/** Run a host hook list; returns false (after printing jail(8)'s complaint) on failure. */
function runHooks(name, params, key, quiet) {
  for (const cmd of params[key] || []) {
    const env = isTrue(params, 'exec.clean')
      ? { PATH: '/bin:/usr/bin', TERM: process.env.TERM || 'dumb', HOME: '/root', USER: 'root', SHELL: '/bin/sh' }
      : { ...process.env };
    // The shims find their state through these even after exec.clean.
    for (const k of ['FAKEBSD_ROOT', 'FAKEBSD_NOLOG']) if (process.env[k]) env[k] = process.env[k];
    const r = spawnSync('/bin/sh', ['-c', cmd], { env, stdio: ['ignore', 'inherit', 'inherit'], cwd: '/' });
    if (r.status !== 0) {
      err(`jail: ${name}: ${cmd}: failed\n`);
      return false;
    }
  }
  return true;
}

/** Lines of an fstab (mount.fstab file or `mount` parameter entries). */
function fstabEntries(name, params) {
  const entries = [];
  for (const line of params.mount || []) entries.push(line);
  const fstab = one(params, 'mount.fstab');
  if (fstab) {
    const real = hostPath(fstab);
    if (!fs.existsSync(real)) throw new Exit(1, `jail: ${name}: ${fstab}: No such file or directory\n`);
    for (const l of fs.readFileSync(real, 'utf8').split('\n')) if (l.trim() && !l.trim().startsWith('#')) entries.push(l);
  }
  return entries.map((l) => {
    const [src, dst, type, opts = 'rw'] = l.trim().split(/\s+/);
    if (!dst || !type) throw new Exit(1, `jail: ${name}: ${l}: invalid fstab entry\n`);
    return { src, dst, type, opts };
  });
}

/** jail(8) refuses mount points that do not exist or go through a symlink. */
function checkMountPoint(name, dst) {
  let cur = hostPath('/');
  for (const part of path.posix.normalize(dst).split('/').filter(Boolean)) {
    cur = path.join(cur, part);
    let st;
    try { st = fs.lstatSync(cur); } catch { throw new Exit(1, `jail: ${name}: ${dst}: No such file or directory\n`); }
    if (st.isSymbolicLink()) throw new Exit(1, `jail: ${name}: ${dst}: mount point is a symbolic link\n`);
  }
  if (!fs.statSync(cur).isDirectory()) throw new Exit(1, `jail: ${name}: ${dst}: Not a directory\n`);
}

function create(name, params, opts) {
  const p = params;
  const jpath = one(p, 'path');
  if (State.read((s) => Object.values(s.jails.running).some((j) => j.name === name))) fail(1, `jail: ${name}: already exists`);
  if (!jpath) fail(1, `jail: ${name}: path: no value`);
  if (/[.]/.test(name) && !name.split('.').every(Boolean)) fail(1, `jail: ${name}: invalid jail name`);
  // Checks that need no side effects come first, as jail(8) fails before doing anything.
  const mounts = fstabEntries(name, p);
  const ruleset = one(p, 'devfs_ruleset') || '4';
  const ifaceAddrs = [];
  for (const fam of ['ip4', 'ip6']) {
    for (const a of (p[`${fam}.addr`] || []).flatMap((x) => x.split(','))) {
      const [ifn, addr] = a.includes('|') ? a.split('|') : [one(p, 'interface'), a];
      ifaceAddrs.push({ fam: fam === 'ip4' ? 'inet' : 'inet6', ifn, addr: addr.trim() });
    }
  }
  if (!runHooks(name, p, 'exec.prepare', opts.q)) throw new Exit(1, '');
  const done = { addrs: [], mounts: [] };
  const undo = () => State.update((s) => {
    for (const a of done.addrs) if (s.ifaces[a.ifn]) setAddr(s.ifaces[a.ifn], a.fam, a.addr, true);
    s.mounts = s.mounts.filter((m) => !done.mounts.includes(m.dst));
  });
  try {
    State.update((s) => {
      for (const a of ifaceAddrs) {
        if (!a.ifn) continue;
        if (!s.ifaces[a.ifn]) throw new Exit(1, `ifconfig: interface ${a.ifn} does not exist\njail: ${name}: /sbin/ifconfig ${a.ifn} ${a.fam} ${a.addr} alias: failed\n`);
        setAddr(s.ifaces[a.ifn], a.fam, a.addr, false);
        done.addrs.push(a);
      }
      for (const m of mounts) {
        checkMountPoint(name, m.dst);
        if (m.type === 'nullfs' && !fs.existsSync(hostPath(m.src))) throw new Exit(1, `mount_nullfs: ${m.src}: No such file or directory\njail: ${name}: mount.fstab: failed\n`);
        s.mounts.push({ type: m.type, src: m.src, dst: path.posix.normalize(m.dst), opts: m.opts.split(','), jail: name });
        done.mounts.push(path.posix.normalize(m.dst));
      }
      const special = [['mount.devfs', 'devfs', 'dev'], ['mount.fdescfs', 'fdescfs', 'dev/fd'], ['mount.procfs', 'procfs', 'proc']];
      for (const [k, type, sub] of special) {
        if (!isTrue(p, k)) continue;
        const dst = path.posix.join(jpath, sub);
        if (type === 'devfs' && !D.isLoaded(s, ruleset)) {
          // FreeBSD would mount an unfiltered /dev; the fake refuses so the mistake shows.
          throw new Exit(1, `jail: ${name}: devfs_ruleset ${ruleset} was never loaded (the jail would see all of /dev)\n`);
        }
        // devfs provides dev/fd: with devfs mounted on the jail's dev, fdescfs has its mount point.
        const devfsProvides = type === 'fdescfs' && s.mounts.some((m) => m.type === 'devfs' && m.dst === path.posix.join(jpath, 'dev'));
        if (!devfsProvides && !fs.existsSync(hostPath(dst))) throw new Exit(1, `jail: ${name}: ${k}: ${dst}: No such file or directory\n`);
        s.mounts.push({ type, src: type, dst, opts: type === 'devfs' ? [`ruleset=${ruleset}`] : [], jail: name });
        done.mounts.push(dst);
      }
    });
    if (!runHooks(name, p, 'exec.prestart', opts.q)) throw new Exit(1, '');
    const jid = State.update((s) => {
      if (!fs.existsSync(hostPath(jpath)) || !fs.statSync(hostPath(jpath)).isDirectory()) throw new Exit(1, `jail: ${name}: path ${jpath}: No such file or directory\n`);
      if (Object.values(s.jails.running).some((j) => j.name === name)) throw new Exit(1, `jail: ${name}: already exists\n`);
      // sys/kern/kern_jail.c kern_jail_set: PR_VNET with PR_IP4_USER or PR_IP6_USER is EINVAL,
      // "vnet jails cannot have IP address restrictions" (jail(8) prints it after the name).
      if (isTrue(p, 'vnet') && ['ip4.addr', 'ip6.addr'].some((k) => (p[k] || []).some((x) => x.trim()))) {
        throw new Exit(1, `jail: ${name}: vnet jails cannot have IP address restrictions\n`);
      }
      // kern_jail_set: enforce_statfs outside 0..2 is EINVAL with no message of its own, which
      // libjail's jailparam_set words as "jail_set: Invalid argument".
      const es = one(p, 'enforce_statfs');
      if (es !== undefined && !/^[0-2]$/.test(es.trim())) throw new Exit(1, `jail: ${name}: jail_set: Invalid argument\n`);
      const id = s.jails.nextJid++;
      s.jails.running[id] = {
        jid: id, name, path: jpath, hostname: one(p, 'host.hostname') || name, params: p,
        ip4: (p['ip4.addr'] || []).flatMap((x) => x.split(',')).map((a) => a.split('|').pop().split('/')[0]),
        ip6: (p['ip6.addr'] || []).flatMap((x) => x.split(',')).map((a) => a.split('|').pop().split('/')[0]),
        vnet: isTrue(p, 'vnet'), started: new Date().toISOString(), execs: [],
      };
      return id;
    });
    const fail2 = (msg) => { stopJail(name, p, { ...opts, hooks: false }); throw new Exit(1, msg); };
    if (!runHooks(name, p, 'exec.created', opts.q)) fail2('');
    // zfs.dataset (15.0 on): after exec.created and before vnet.interface and exec.start
    // (startcommands in usr.sbin/jail/jail.c), one `zfs jail JID DATASET` each, so the jail's
    // rc can mount them; one that fails fails the start.
    for (const ds of (p['zfs.dataset'] || []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean)) {
      const r = spawnSync(process.execPath, [SCRIPT, 'zfs', 'jail', String(jid), ds], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, FAKEBSD_NESTED_IN: 'jail' } });
      if (r.status !== 0) fail2(`jail: ${name}: /sbin/zfs jail ${jid} ${ds}: failed\n`);
    }
    const vnetErr = State.update((s) => {
      for (const ifn of (p['vnet.interface'] || []).flatMap((x) => x.split(','))) {
        if (!s.ifaces[ifn] || s.ifaces[ifn].vnet) return `ifconfig: interface ${ifn} does not exist\njail: ${name}: vnet.interface: failed\n`;
        s.ifaces[ifn].vnet = name;
        s.ifaces[ifn].inet = []; // if_vmove detaches the addresses the host had set
        s.ifaces[ifn].inet6 = [];
      }
      const j = s.jails.running[jid];
      for (const k of ['exec.start', 'command']) for (const c of p[k] || []) j.execs.push({ param: k, cmd: c });
      return null;
    });
    if (vnetErr) fail2(vnetErr);
    // exec.start runs inside the jail (jail(8) command.c: /bin/sh -c in the jail; a failing
    // command fails the start and the jail is removed). The fake has no binaries in there: it
    // runs what jexec can run in a vnet jail (/sbin/ifconfig, /sbin/route, /sbin/sysctl, in
    // the jail's own stack) and only records the rest.
    if (isTrue(p, 'vnet')) {
      for (const c of p['exec.start'] || []) {
        const words = c.trim().split(/\s+/);
        // usr.sbin/jail/jail.c runs the exec.start commands in their order (run_command, one
        // per value). When the jail's rc runs, what it finds of its network is recorded: the
        // addresses of its interfaces and its default routes (rc's services start with them).
        if (/^(\/bin\/sh\s+)?\/etc\/rc$/.test(c.trim())) {
          State.update((s) => {
            const ifaces = Object.fromEntries(Object.entries(s.ifaces).filter(([, i]) => i.vnet === name).map(([n, i]) => [n, [...(i.inet || []), ...(i.inet6 || [])]]));
            const routes = Object.entries(s.routes[name] || {}).filter(([k]) => / default$/.test(k)).map(([k, gw]) => `${k} ${gw}`);
            s.jails.running[jid].rcSaw = { ifaces, routes };
          });
          continue;
        }
        const m = /^\/sbin\/(ifconfig|route|sysctl)$/.exec(words[0]);
        if (!m) continue;
        const r = spawnSync(process.execPath, [SCRIPT, m[1], ...words.slice(1)], {
          stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, FAKEBSD_NESTED_IN: 'jail', FAKEBSD_JAIL: name },
        });
        if (r.status !== 0) fail2(`jail: ${name}: ${c}: failed\n`);
      }
    }
    if (!runHooks(name, p, 'exec.poststart', opts.q)) fail2('');
    if (opts.J) fs.writeFileSync(hostPath(opts.J), `${jid}\tname=${name} path=${jpath} host.hostname=${one(p, 'host.hostname') || name}\n`);
    if (opts.i) out(`${jid}\n`);
    else if (!opts.q) out(`${name}: created\n`);
  } catch (e) {
    if (e instanceof Exit && State.read((s) => !Object.values(s.jails.running).some((j) => j.name === name))) undo();
    throw e;
  }
}

/** Stop a running jail; params from the configuration (or the ones it was started with). */
function stopJail(name, params, opts) {
  const hooks = opts.hooks !== false;
  const p = params;
  if (hooks && !runHooks(name, p, 'exec.prestop', opts.q)) throw new Exit(1, '');
  // Removing a jail kills its processes (kern_jail.c prison_remove): the daemons its rc.d
  // scripts started go, and its addresses leave the jails' network (lib/jailnet.js).
  stopJailDaemons(name);
  State.update((s) => {
    const j = Object.values(s.jails.running).find((x) => x.name === name);
    if (!j) return;
    for (const c of p['exec.stop'] || []) j.execs.push({ param: 'exec.stop', cmd: c });
    s.jails.stopped = s.jails.stopped || [];
    s.jails.stopped.push({ name, jid: j.jid, execs: j.execs, stopped: new Date().toISOString() });
    if (s.jails.stopped.length > 50) s.jails.stopped.shift();
    delete s.jails.running[j.jid];
    // The vnet dies with the jail (vnet_destroy): its interfaces go back to the host without
    // the addresses set inside (if_vmove detaches them), its routes and sysctls are gone.
    for (const ifc of Object.values(s.ifaces)) {
      if (ifc.vnet !== name) continue;
      ifc.vnet = null;
      ifc.inet = [];
      ifc.inet6 = [];
    }
    if (j.vnet) {
      delete s.routes[name];
      for (const k of Object.keys(s.sysctl)) if (k.startsWith(`jail:${name}:`)) delete s.sysctl[k];
    }
  });
  Net.sync();
  if (hooks && !runHooks(name, p, 'exec.poststop', opts.q)) throw new Exit(1, '');
  if (opts.R) return;
  State.update((s) => {
    s.mounts = s.mounts.filter((m) => m.jail !== name);
    for (const fam of ['ip4', 'ip6']) {
      for (const a of (p[`${fam}.addr`] || []).flatMap((x) => x.split(','))) {
        const [ifn, addr] = a.includes('|') ? a.split('|') : [one(p, 'interface'), a];
        if (ifn && s.ifaces[ifn]) setAddr(s.ifaces[ifn], fam === 'ip4' ? 'inet' : 'inet6', addr.trim(), true);
      }
    }
  });
  if (hooks && !runHooks(name, p, 'exec.release', opts.q)) throw new Exit(1, '');
  if (!opts.q) out(`${name}: removed\n`);
}

/** quoted_print of usr.sbin/jail/jail.c. */
function quoted(str) {
  const qc = str === '' ? '"' : str.includes("'") ? '"' : str.includes('"') ? "'" : /[ \t]/.test(str) ? '"' : '';
  let o = '';
  for (const ch of str) o += ch === '\\' || (qc && ch === qc) ? `\\${ch}` : ch;
  return `${qc}${o}${qc}`;
}

/** jail -e SEP: show_jails. */
function show(conf, sep) {
  for (const n of conf.order) {
    let shown;
    try {
      shown = conf.show(n);
    } catch (e) {
      if (!(e instanceof J.ConfError)) throw e;
      err(`jail: ${e.message}\n`);
      shown = { params: { name: [n] }, spelled: {}, bare: {} };
    }
    // config.c load_config: a jail name that strtol reads whole (and not as 0) is its jid.
    const jid = /^\d+$/.test(n) && Number(n) !== 0;
    const fields = Object.entries(shown.params).map(([k, vals]) =>
      (shown.bare[k] ? shown.spelled[k] : `${k === 'name' && jid ? 'jid' : shown.spelled[k] || k}=${vals.map(quoted).join(',')}`));
    out(`${fields.join(sep)}\n`);
  }
  return 0;
}

function main(argv) {
  const g = getopt(argv, 'cde:f:hiJ:lmn:p:qrRs:u:U:v', { prog: 'jail', usage: USAGE });
  if (g.has('e')) {
    if (['c', 'm', 'r', 'R'].some((o) => g.has(o))) fail(1, 'fakebsd: jail -e with -c, -m, -r or -R is not implemented by the fake');
    return show(loadConf(g.get('f') || '/etc/jail.conf'), g.get('e'));
  }
  const c = g.has('c');
  const m = g.has('m');
  const r = g.has('r');
  const R2 = g.has('R');
  const restart = c && r && !m && !R2;
  if (!restart && [c || m, r, R2].filter(Boolean).length !== 1) fail(1, USAGE);
  if (g.args.some((a) => a.includes('='))) fail(1, 'fakebsd: jail param=value on the command line is not implemented by the fake; use -f');
  const file = g.get('f') || '/etc/jail.conf';
  const opts = { q: g.has('q'), J: g.get('J'), R: R2, i: g.has('i') };
  const running = () => State.read((s) => Object.values(s.jails.running));
  if (restart) {
    const conf = loadConf(file);
    if (g.args.length === 0) fail(1, USAGE);
    for (const n of g.args) {
      if (!conf.order.includes(n)) fail(1, `jail: "${n}" not found`);
      if (!running().some((j) => j.name === n)) fail(1, `jail: "${n}" not found`);
      const { params } = resolve(conf, n);
      stopJail(n, params, opts);
      create(n, params, opts);
    }
    return 0;
  }
  if (r || R2) {
    const conf = fs.existsSync(hostPath(file)) || g.has('f') ? loadConf(file) : null;
    let names = g.args;
    if (names.length === 0) fail(1, USAGE);
    if (names.includes('*')) names = running().map((j) => j.name);
    let status = 0;
    for (const n of names) {
      const j = running().find((x) => x.name === n || String(x.jid) === n);
      if (!j) { err(`jail: "${n}" not found\n`); status = 1; continue; }
      const params = (!R2 && conf && conf.order.includes(j.name) ? resolve(conf, j.name).params : j.params);
      stopJail(j.name, params, { ...opts, hooks: !R2 });
    }
    return status;
  }
  const conf = loadConf(file);
  const wild = g.args.length === 0;
  const names = wild ? conf.order : g.args;
  let status = 0;
  for (const n of names) {
    if (!conf.order.includes(n)) fail(1, `jail: "${n}" not found`);
    const isRunning = running().some((j) => j.name === n);
    // Every jail of the file (JF_WILD): one that runs is left as it is, not "already exists".
    if (wild && isRunning && !m) continue;
    try {
      const { params } = resolve(conf, n);
      if (isRunning && m) {
        State.update((s) => { const j = Object.values(s.jails.running).find((x) => x.name === n); j.params = { ...j.params, ...params }; });
        if (!opts.q) out(`${n}: updated\n`);
        continue;
      }
      if (!c) fail(1, `jail: "${n}" not found`);
      create(n, params, opts);
    } catch (e) {
      // One jail failing fails the command; with the whole file the other jails still start.
      if (!(e instanceof Exit) || !wild) throw e;
      err(e.message);
      status = 1;
    }
  }
  return status;
}

module.exports = { main };
