'use strict';
// umount(8): removes a recorded mount, or unmounts a ZFS dataset by its mountpoint.
const path = require('path');
const { fail } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');
const M = require('../lib/mounts');
const Z = require('../lib/zfsdata');

const USAGE = 'usage: umount [-fNnv] special ... | node ... | fsid ...\n       umount -a | -A [-F fstab] [-fnv] [-h host] [-t type]';

function main(argv) {
  const g = getopt(argv, 'fNnvaAF:h:t:', { prog: 'umount', usage: USAGE });
  if (g.has('a') || g.has('A')) fail(1, 'fakebsd: umount -a/-A are not implemented by the fake');
  if (g.args.length === 0) fail(1, USAGE);
  let status = 0;
  State.update((s) => {
    for (const arg of g.args) {
      const p = path.posix.normalize(arg);
      const i = M.find(s, p);
      if (i >= 0) {
        const inside = s.mounts.find((m, j) => j !== i && m.dst.startsWith(p + '/'));
        if (inside && !g.has('f')) { require('../lib/host').err(`umount: unmount of ${p} failed: Device busy\n`); status = 1; continue; }
        s.mounts.splice(i, 1);
        continue;
      }
      const ds = Object.values(s.zfs.datasets).find((d) => d.mounted && (d.mountedAt === p || d.name === arg));
      if (ds) {
        const e = Z.unmount(s, ds);
        if (e) { require('../lib/host').err(`umount: unmount of ${p} failed: Device busy\n`); status = 1; }
        continue;
      }
      require('../lib/host').err(`umount: ${arg}: not a file system root directory\n`);
      status = 1;
    }
  });
  return status;
}

module.exports = { main };
