'use strict';
// mount(8) for the file systems jails use. Mounting is recorded in the state (the
// fake host does not really mount); `mount` alone lists them with the ZFS ones.
const fs = require('fs');
const path = require('path');
const { out, fail, hostPath } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');
const M = require('../lib/mounts');

const USAGE = 'usage: mount [-adflpruvw] [-F fstab] [-o options] [-t ufs | external_type]\n       mount [-dfpruvw] special | node\n       mount [-dfpruvw] [-o options] [-t ufs | external_type] special node';
const TYPES = ['nullfs', 'devfs', 'fdescfs', 'procfs', 'tmpfs', 'linprocfs', 'linsysfs'];

function list(s) {
  const lines = [];
  for (const d of Object.values(s.zfs.datasets).filter((x) => x.mounted).sort((a, b) => a.mountedAt.length - b.mountedAt.length)) lines.push(`${d.name} on ${d.mountedAt} (zfs, local, noatime, nfsv4acls)`);
  lines.push('devfs on /dev (devfs)');
  for (const m of s.mounts) lines.push(`${m.src} on ${m.dst} (${m.type}, local${m.opts.includes('ro') ? ', read-only' : ''})`);
  return lines;
}

/** `mount -p`: the mounted file systems in fstab(5) format, ZFS datasets included. */
function listFstab(s) {
  const line = (src, dst, type, opts) => `${src}\t${dst}\t${type}\t${opts}\t0 0`;
  const lines = [];
  for (const d of Object.values(s.zfs.datasets).filter((x) => x.mounted).sort((a, b) => a.mountedAt.length - b.mountedAt.length)) lines.push(line(d.name, d.mountedAt, 'zfs', 'rw'));
  lines.push(line('devfs', '/dev', 'devfs', 'rw'));
  for (const m of s.mounts) lines.push(line(m.src, m.dst, m.type, m.opts.includes('ro') ? 'ro' : 'rw'));
  return lines;
}

/** Mount one file system, checking what mount(8) and the mount_* helpers check. */
function mountOne(s, type, src, dst, opts) {
  const tool = type === 'nullfs' ? 'mount_nullfs' : 'mount';
  if (!TYPES.includes(type)) fail(1, `mount: ${src}: Operation not supported by device`);
  if (!fs.existsSync(hostPath(dst))) fail(1, `${tool}: ${dst}: No such file or directory`);
  if (!fs.statSync(hostPath(dst)).isDirectory()) fail(1, `${tool}: ${dst}: Not a directory`);
  if (type === 'nullfs') {
    if (!fs.existsSync(hostPath(src))) fail(1, `mount_nullfs: ${src}: No such file or directory`);
    const a = path.posix.normalize(src);
    const b = path.posix.normalize(dst);
    if (a === b || b.startsWith(a + '/') || a.startsWith(b + '/')) fail(1, `mount_nullfs: ${src} (${a}) and ${dst} are not distinct paths`);
  }
  const kld = { nullfs: 'nullfs', fdescfs: 'fdescfs', procfs: 'procfs', tmpfs: 'tmpfs', devfs: 'devfs', linprocfs: 'linprocfs', linsysfs: 'linsysfs' }[type];
  if (!s.kld.includes(kld)) s.kld.push(kld); // mount(8) loads the module on demand
  M.add(s, { type, src, dst: path.posix.normalize(dst), opts: opts ? opts.split(',') : [] });
}

function main(argv) {
  const g = getopt(argv, 'adflpruvwF:o:t:', { prog: 'mount', usage: USAGE, permute: true });
  if (g.has('a') || g.has('F')) fail(1, 'fakebsd: mount -a/-F are not implemented by the fake');
  if (g.args.length === 0) {
    State.read((s) => (g.has('p') ? listFstab(s) : list(s)).forEach((l) => out(l + '\n')));
    return 0;
  }
  if (g.args.length !== 2) fail(1, USAGE);
  let type = g.get('t');
  let opts = g.all('o').join(',');
  if (g.has('r')) opts = opts ? opts + ',ro' : 'ro';
  if (!type) fail(1, `mount: ${g.args[0]}: No such file or directory`);
  State.update((s) => mountOne(s, type, g.args[0], g.args[1], opts));
  return 0;
}

module.exports = { main, mountOne, list, listFstab };
