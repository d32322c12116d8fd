'use strict';
// fakebsd: strict fake FreeBSD commands for the end-to-end test bed.
// The rig installs the shims with installShims(root) and prepares the host with
// initHost(root, ...); tests drive them with run(root, 'zfs', ['list']).
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { buildMirror } = require('./lib/mirror');

const SCRIPT = path.join(__dirname, 'fakebsd.js');

/** Each shim and the FreeBSD paths where the rig installs it. */
const COMMANDS = {
  zfs: ['/sbin/zfs'],
  sysrc: ['/usr/sbin/sysrc'],
  jail: ['/usr/sbin/jail'],
  jls: ['/usr/sbin/jls'],
  jexec: ['/usr/sbin/jexec'],
  service: ['/usr/sbin/service'],
  pkg: ['/usr/sbin/pkg'],
  pfctl: ['/sbin/pfctl'],
  devfs: ['/sbin/devfs'],
  ngctl: ['/usr/sbin/ngctl'],
  ifconfig: ['/sbin/ifconfig'],
  route: ['/sbin/route'],
  sysctl: ['/sbin/sysctl'],
  mount: ['/sbin/mount'],
  umount: ['/sbin/umount'],
  lockf: ['/usr/bin/lockf'],
  kldload: ['/sbin/kldload'],
  uname: ['/usr/bin/uname', '/bin/uname'],
  fetch: ['/usr/bin/fetch'],
  'freebsd-update': ['/usr/sbin/freebsd-update'],
  'freebsd-version': ['/bin/freebsd-version'],
  sha256: ['/sbin/sha256'],
  daemon: ['/usr/sbin/daemon'],
  rctl: ['/usr/bin/rctl'],
  cpuset: ['/usr/bin/cpuset'],
  pw: ['/usr/sbin/pw'],
  nc: ['/usr/bin/nc'],
};

/** Commands whose module exists (the table may name some still being written). */
function implemented() {
  return Object.keys(COMMANDS).filter((c) => fs.existsSync(path.join(__dirname, 'commands', `${c}.js`)));
}

/**
 * Write `#!/bin/sh\nexec NODE SCRIPT NAME "$@"` wrappers at each command's paths under root.
 * scriptPath is fakebsd.js as seen from inside the fake host (default: this file's path).
 * Returns the host paths written. Existing files (say the Linux /bin/uname) are replaced.
 */
function installShims(root, { nodePath = '/usr/bin/node', scriptPath = SCRIPT, only } = {}) {
  const written = [];
  for (const name of only || implemented()) {
    for (const p of COMMANDS[name]) {
      const real = path.join(root, p);
      fs.mkdirSync(path.dirname(real), { recursive: true });
      try { fs.unlinkSync(real); } catch { /* not there */ }
      fs.writeFileSync(real, `#!/bin/sh\nexec ${nodePath} ${scriptPath} ${name} "$@"\n`, { mode: 0o755 });
      written.push(p);
    }
  }
  return written;
}

/** Run fn with FAKEBSD_ROOT pointing at root, for in-process use of the state modules. */
function withRoot(root, fn) {
  const saved = process.env.FAKEBSD_ROOT;
  process.env.FAKEBSD_ROOT = root;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.FAKEBSD_ROOT;
    else process.env.FAKEBSD_ROOT = saved;
  }
}

/**
 * Prepare a fake host under root: state with pool zroot, the host's release,
 * /etc/defaults files, optionally a test mirror (built under /var/db/fakebsd/mirror).
 * Options: release ('14.3-RELEASE-p5'), kernel (defaults to release), mirror (true, or
 * { baseUrl, dir } with dir a path on the fake host), releases for the mirror, latest
 * (patch levels the fake update server offers: { '14.3-RELEASE': 5 }), now (the clock
 * freebsd-update compares end-of-life dates with, e.g. '2026-12-01T00:00:00Z'), ifaces (extra),
 * kernelFeatures (the kernel's FEATURE()s, default ['vimage'] as GENERIC: [] is a kernel without
 * VIMAGE; GENERIC also has 'racct' and 'rctl'), missingModules (modules with no .ko to load, like
 * ['ng_bridge']), cpus (CPUs the host has, default 4), loaderConf (text of /boot/loader.conf,
 * read as the host's last boot did: `loaderConf: 'kern.racct.enable="1"\n'`).
 */
function initHost(root, opts = {}) {
  return withRoot(root, () => {
    const State = require('./lib/state');
    const { hostPath, dbDir } = require('./lib/host');
    fs.mkdirSync(dbDir(), { recursive: true });
    let mirror = null;
    if (opts.mirror) {
      const baseUrl = opts.mirror.baseUrl || 'https://download.freebsd.org/';
      const dir = opts.mirror.dir || '/var/db/fakebsd/mirror';
      if (!opts.mirror.dir) mirror = buildMirror(hostPath(dir), { releases: opts.releases });
      fs.writeFileSync(dbDir('mirror.json'), JSON.stringify({ baseUrl, dir }));
    }
    for (const [rel, text] of Object.entries(DEFAULT_FILES)) {
      const p = hostPath(rel);
      if (fs.existsSync(p)) continue;
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text);
    }
    // The host's resolvers as dhclient writes them for ifconfig_em0="DHCP" (sbin/dhclient/
    // dhclient-script, add_new_resolv_conf: `search DOMAIN`, then one `nameserver` line per
    // server), never the file of the machine the fake runs on (the overlay's lower layer: a
    // systemd machine's stub resolver 127.0.0.53, or a symlink out of the host). Unlinked first.
    fs.rmSync(hostPath('/etc/resolv.conf'), { force: true });
    fs.writeFileSync(hostPath('/etc/resolv.conf'), HOST_RESOLV_CONF);
    fs.mkdirSync(hostPath('/var/db/freebsd-update'), { recursive: true });
    for (const d of ['/var/run', '/var/log', '/tmp', '/etc', '/usr/local/etc', '/boot']) fs.mkdirSync(hostPath(d), { recursive: true });
    if (opts.loaderConf !== undefined) fs.writeFileSync(hostPath('/boot/loader.conf'), opts.loaderConf);
    State.update((s) => {
      if (opts.release) s.host.release = opts.release;
      s.host.kernel = opts.kernel || opts.release || s.host.kernel;
      if (opts.latest) s.update.latest = opts.latest;
      if (opts.now) s.update.now = opts.now; // freebsd-update's clock (end of life), an ISO date
      if (opts.ifaces) Object.assign(s.ifaces, opts.ifaces);
      if (opts.kernelFeatures) s.host.features = [...opts.kernelFeatures]; // a custom kernel: [] has no VIMAGE
      if (opts.missingModules) s.host.missingModules = [...opts.missingModules];
      if (opts.cpus) s.host.cpus = opts.cpus;
      require('./lib/loader').boot(s);
    });
    return { mirror };
  });
}

/** The fake host's /etc/resolv.conf (see initHost). */
const HOST_RESOLV_CONF = 'search example.org\nnameserver 192.0.2.1\n';

const DEFAULT_FILES = {
  '/etc/defaults/devfs.rules': require('./lib/devfsrules').DEFAULTS_TEXT,
  // Every installed FreeBSD has an rc.conf (bsdinstall writes one); it has no /etc/jail.conf.
  '/etc/rc.conf': 'hostname="fakebsd"\nifconfig_em0="DHCP"\nsshd_enable="YES"\nzfs_enable="YES"\n',
  '/etc/freebsd-update.conf': require('./commands/freebsd-update').DEFAULT_CONF,
};

/** Run a shim as a child process against root. Returns spawnSync's result with strings. */
function run(root, name, args = [], { input, env = {}, log = true, cwd } = {}) {
  return spawnSync(process.execPath, [SCRIPT, name, ...args], {
    input,
    cwd,
    encoding: input && Buffer.isBuffer(input) ? undefined : 'utf8',
    env: { ...process.env, FAKEBSD_ROOT: root, ...(log ? {} : { FAKEBSD_NOLOG: '1' }), ...env },
    maxBuffer: 1 << 28,
  });
}

/**
 * An administrator's own dataset before the first apply: `zfs create -p` with props,
 * then files written into its mountpoint ({ 'etc/foo': 'text' }). Not logged.
 */
function seedDataset(root, name, { props = {}, files = {}, snapshot } = {}) {
  const o = Object.entries(props).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  const r = run(root, 'zfs', ['create', '-p', ...o, name], { log: false });
  if (r.status !== 0) throw new Error(`seedDataset ${name}: ${r.stderr}`);
  const mp = run(root, 'zfs', ['get', '-H', '-o', 'value', 'mountpoint', name], { log: false }).stdout.trim();
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(root, mp, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  if (snapshot) {
    const s = run(root, 'zfs', ['snapshot', `${name}@${snapshot}`], { log: false });
    if (s.status !== 0) throw new Error(`seedDataset ${name}@${snapshot}: ${s.stderr}`);
  }
  return mp;
}

/** Arm a fault: setFault(root, { failAt: 3 }) or setFault(root, { 'zfs clone': { failOnCall: 1 } }). */
function setFault(root, faults) {
  const f = path.join(root, 'var/db/fakebsd/faults.json');
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, JSON.stringify(faults));
}

function clearFaults(root) {
  fs.rmSync(path.join(root, 'var/db/fakebsd/faults.json'), { force: true });
}

/** Parsed commands.log: [{ t, pid, cmd, argv, cwd, exit, jail?, nestedIn? }]. */
function readCommandsLog(root) {
  const f = path.join(root, 'var/db/fakebsd/commands.log');
  if (!fs.existsSync(f)) return [];
  return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** The state JSON (datasets, running jails, interfaces, mounts, pf, ...), read under the lock. */
function readState(root) {
  return withRoot(root, () => require('./lib/state').read());
}

/** Change the state directly (tests and the rig: e.g. mark a jail offline). */
function updateState(root, fn) {
  return withRoot(root, () => require('./lib/state').update(fn));
}

/**
 * Would the host's loaded pf rules refuse a new TCP connection { from, to, port = 22, iface = 'em0' }?
 * Returns { blocked, reason } (lib/pfeval.js); the rig asks before it lets an SSH client in.
 */
function pfVerdict(root, connection) {
  return require('./lib/pfeval').evaluateConnection(readState(root), connection);
}

/**
 * Where would a new TCP connection { from, to, port, iface = 'em0' } that the host's pf redirects
 * end up? { reached: { jail, address, port } } or { reached: null, reason } (lib/pfeval.js).
 */
function pfDelivery(root, connection) {
  return require('./lib/pfeval').deliverConnection(readState(root), connection);
}

/**
 * A reboot of the fake host, as rc does one: rc.shutdown stops every jail (`service jail
 * stop`), the kernel's run-time state goes (rctl rules, sysctl values set at run time), the
 * kernel takes its tunables from the loader's files again, rc.d/sysctl applies
 * /etc/sysctl.conf, and rc.d/jail starts the jails (`service jail start`). Interfaces, mounts
 * and pf are kept as they are (the fake does not replay netif, mountcritlocal or pf at boot).
 * Returns the two service runs ({ stop, start }, spawnSync results).
 */
function reboot(root) {
  const stop = run(root, 'service', ['jail', 'stop'], { log: false });
  updateState(root, (s) => {
    // What rc.d/jail did not stop (jail_enable=NO) dies with the kernel, without its hooks.
    for (const j of Object.values(s.jails.running)) {
      delete s.jails.running[j.jid];
      s.mounts = s.mounts.filter((m) => m.jail !== j.name);
      for (const ifc of Object.values(s.ifaces)) if (ifc.vnet === j.name) Object.assign(ifc, { vnet: null, inet: [], inet6: [] });
    }
    // A dataset mounted from inside a jail is not mounted at boot (zfs mount -a skips jailed ones).
    const Z = require('./lib/zfsdata');
    for (const d of Object.values(s.zfs.datasets)) if (d.mounted && d.inJail) Z.unmount(s, d, { keepDir: true });
    s.rctl = { rules: [] };
    for (const k of Object.keys(s.sysctl)) if (!k.startsWith('jail:')) delete s.sysctl[k];
    const conf = path.join(root, 'etc/sysctl.conf');
    if (fs.existsSync(conf)) {
      for (const line of fs.readFileSync(conf, 'utf8').split('\n')) {
        const m = /^\s*([A-Za-z0-9_.%-]+)\s*=\s*"?([^"#]*?)"?\s*(#.*)?$/.exec(line);
        if (m) s.sysctl[m[1]] = m[2];
      }
    }
    withRoot(root, () => require('./lib/loader').boot(s));
  });
  const start = run(root, 'service', ['jail', 'start'], { log: false });
  return { stop, start };
}

/**
 * Stops every daemon the jails' rc.d scripts started and the jails' network namespace
 * (lib/jailnet.js). Tests on a temporary root call it; in the rig the host's pid namespace
 * takes them down with it.
 */
function stopServices(root) {
  return withRoot(root, () => {
    require('./lib/rcsubr').stopAllDaemons();
    require('./lib/jailnet').teardown();
  });
}

module.exports = {
  reboot, COMMANDS, SCRIPT, implemented, installShims, initHost, buildMirror, run, seedDataset,
  setFault, clearFaults, readCommandsLog, readState, updateState, withRoot, pfVerdict, pfDelivery, stopServices,
};
