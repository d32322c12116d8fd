'use strict';
// sysctl(8) over a small MIB: the values the library reads and the forwarding knobs it sets.
const { out, err, fail } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');
const R = require('../lib/release');

const READONLY = (s) => ({
  // FEATURE(name, desc) (sys/sys/sysctl.h) makes kern.features.NAME, read-only 1, only in a kernel
  // built with it: FEATURE(vimage) is in sys/net/vnet.c, compiled with options VIMAGE. A kernel
  // without it has no such oid (`sysctl -n kern.features.vimage`: unknown oid, status 1).
  ...Object.fromEntries((s.host.features ?? ['vimage']).map((f) => [`kern.features.${f}`, '1'])),
  'kern.osrelease': s.host.kernel,
  'kern.ostype': 'FreeBSD',
  'kern.osreldate': R.osreldate(s.host.kernel),
  'kern.securelevel': '-1',
  'kern.bootfile': '/boot/kernel/kernel',
  'hw.machine': s.host.arch,
  'hw.ncpu': String(s.host.cpus ?? 4),
  'security.jail.jailed': process.env.FAKEBSD_JAIL ? '1' : '0',
  'security.jail.vnet': process.env.FAKEBSD_JAIL ? '1' : '0',
});
const WRITABLE = {
  'net.inet.ip.forwarding': '0', 'net.inet6.ip6.forwarding': '0', 'security.jail.allow_raw_sockets': '0',
  'security.jail.set_hostname_allowed': '1', 'security.jail.enforce_statfs': '2', 'security.jail.mount_allowed': '0',
  'net.link.bridge.pfil_member': '1', 'net.link.bridge.pfil_bridge': '0', 'kern.module_path': '/boot/kernel;/boot/modules',
};

/**
 * Writable oids a host of this release has, with their defaults. net.link.bridge.member_ifaddrs
 * (sys/net/if_bridge.c, commit 0a1294f6, D49995): 0 by default from FreeBSD 15.0 (bridge(4),
 * the 15.0 release notes), modelled as absent before it.
 */
function writable(s) {
  const major = Number(String(s.host.kernel).split('.')[0]);
  return { ...WRITABLE, ...(major >= 15 ? { 'net.link.bridge.member_ifaddrs': '0' } : {}) };
}

/**
 * Loader tunables read-only at run time (CTLFLAG_RDTUN), with the value the kernel booted with:
 * kern.racct.enable (sys/kern/kern_racct.c, SYSCTL_BOOL ... CTLFLAG_RDTUN) exists only in a
 * kernel with options RACCT (its FEATURE(racct)).
 */
function tunables(s) {
  const L = require('../lib/loader');
  const features = s.host.features ?? ['vimage'];
  return features.includes('racct') ? { 'kern.racct.enable': L.tunable(s, 'kern.racct.enable') } : {};
}

/** The value of oid NAME on the host (the jail's view under FAKEBSD_JAIL), or undefined. */
function value(s, name) {
  const scope = process.env.FAKEBSD_JAIL ? `jail:${process.env.FAKEBSD_JAIL}:` : '';
  return READONLY(s)[name] ?? tunables(s)[name] ?? s.sysctl[scope + name] ?? writable(s)[name];
}

function main(argv) {
  const g = getopt(argv, 'abdeFhiJlNnoqTtWx', { prog: 'sysctl', usage: 'usage: sysctl [-bdeFhiJlNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n       sysctl [-bdeFhJlNnoqTtWx] [ -B <bufsize> ] -a' });
  if (g.args.length === 0) fail(1, 'usage: sysctl [-bdeFhiJlNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...');
  const scope = process.env.FAKEBSD_JAIL ? `jail:${process.env.FAKEBSD_JAIL}:` : '';
  let status = 0;
  State.update((s) => {
    const ro = READONLY(s);
    for (const a of g.args) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      const cur = value(s, name);
      if (cur === undefined) {
        if (!g.has('i')) { err(`sysctl: unknown oid '${name}'\n`); status = 1; }
        continue;
      }
      if (eq < 0) { out(g.has('n') ? `${cur}\n` : `${name}: ${cur}\n`); continue; }
      const v = a.slice(eq + 1);
      if (name in ro) { err(`sysctl: oid '${name}' is read only\n`); status = 1; continue; }
      // sbin/sysctl/sysctl.c parse(): an oid without CTLFLAG_WR but with CTLFLAG_TUN.
      if (name in tunables(s)) {
        err(`sysctl: oid '${name}' is a read only tunable\nsysctl: Tunable values are set in /boot/loader.conf\n`);
        status = 1;
        continue;
      }
      if (/^\d+$/.test(writable(s)[name]) && !/^-?\d+$/.test(v)) { err(`sysctl: invalid integer '${v}'\n`); status = 1; continue; }
      s.sysctl[scope + name] = v;
      if (!g.has('q')) out(g.has('n') ? `${v}\n` : `${name}: ${cur} -> ${v}\n`);
    }
  });
  return status;
}

module.exports = { main, value };
