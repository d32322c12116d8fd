'use strict';
// Non-ZFS mounts (nullfs, devfs, fdescfs, procfs, tmpfs) are recorded, not performed.
// resolve() follows recorded nullfs mounts so that a path inside a jail (say
// /mnt/All/x.pkg) finds the host directory mounted there.
const path = require('path');

function add(s, m) {
  s.mounts.push(m);
}

function find(s, dst) {
  const d = path.posix.normalize(dst).replace(/(.)\/$/, '$1');
  for (let i = s.mounts.length - 1; i >= 0; i--) if (s.mounts[i].dst === d) return i;
  return -1;
}

/** Host path that `p` (absolute on the fake host) really refers to, following nullfs mounts. */
function resolve(s, p) {
  p = path.posix.normalize(p);
  let best = null;
  for (const m of s.mounts) {
    if (m.type !== 'nullfs') continue;
    if ((p === m.dst || p.startsWith(m.dst + '/')) && (!best || m.dst.length > best.dst.length)) best = m;
  }
  return best ? resolve(s, best.src + p.slice(best.dst.length)) : p;
}

module.exports = { add, find, resolve };
