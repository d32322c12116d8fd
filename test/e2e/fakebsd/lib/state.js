'use strict';
// The fake host's kernel-ish state (datasets, jails, interfaces, mounts, pf, ...)
// lives in one JSON file. Up to ten scripts run at once, so every read-modify-write
// happens under a mkdir lock. Never hold the lock while running a child process:
// hooks call other shims.
const fs = require('fs');
const path = require('path');
const { dbDir, sleepMs } = require('./host');

const LOCK_TIMEOUT_MS = 60000;

// The PID namespace this process runs in: a pid means something only there. The tests' own
// process reads the state from outside the fake host's namespace (the shims run inside it), so a
// shim must not take such a holder's pid, which it cannot see, for a dead process's.
const PID_NS = (() => {
  try {
    return fs.readlinkSync('/proc/self/ns/pid');
  } catch {
    return 'unknown';
  }
})();
/** The id written into the lock this process holds (null when it holds none). */
let heldId = null;

function lockPath() {
  return dbDir('state.lock');
}

// The lock is a directory holding its holder's pid, made whole beside it and renamed into
// place (rename(2) is atomic and fails on a directory that exists and is not empty), so no one
// ever sees a lock without its pid: a holder descheduled for seconds under load is never taken
// for a dead one (a lock made by mkdir, then the pid written, had that window).
function acquire() {
  fs.mkdirSync(dbDir(), { recursive: true });
  const lp = lockPath();
  const mine = `${lp}.${process.pid}`;
  const start = Date.now();
  for (;;) {
    fs.mkdirSync(mine, { recursive: true });
    // The pid, a token of this lock (a breaker removes only the very lock it judged dead) and the
    // PID namespace the pid belongs to.
    const id = `${process.pid} ${process.hrtime.bigint()}.${Math.random()} ${PID_NS}`;
    fs.writeFileSync(path.join(mine, 'pid'), id);
    try {
      fs.renameSync(mine, lp);
      heldId = id;
      return;
    } catch (e) {
      if (e.code !== 'EEXIST' && e.code !== 'ENOTEMPTY') throw e;
    }
    breakIfStale(lp);
    if (Date.now() - start > LOCK_TIMEOUT_MS) {
      fs.rmSync(mine, { recursive: true, force: true });
      throw new Error('fakebsd: state lock timeout');
    }
    sleepMs(3 + Math.floor(Math.random() * 5));
  }
}

// Takes the lock directory out of its place in one step, then removes it.
function removeLock(lp) {
  const gone = `${lp}.gone.${process.pid}.${Date.now()}`;
  try {
    fs.renameSync(lp, gone);
  } catch (e) {
    if (e.code === 'ENOENT') return;
    throw e;
  }
  fs.rmSync(gone, { recursive: true, force: true });
}

// A holder that died (killed by a test's timeout) must not wedge the host. Two waiters may both
// read the dead pid; had both removed "the lock", the second would remove the one a live process
// took in between. So a lock is broken only under a second lock (mkdir is atomic), and only if
// it is still the very lock judged dead (its pid file, which holds a token of each lock, unchanged):
// a pid read, then its holder releasing and exiting, then another process taking the lock, then
// the pid found dead, would otherwise break a live process's lock (seen as a lost update with
// fifty jails starting at once). Under the breaker the lock can change only by its holder, which
// is dead.
const BREAKER_STALE_MS = 10000; // a breaker holds it for microseconds; older means killed inside

function breakIfStale(lp) {
  const seen = deadHoldersLock(lp);
  if (seen === null) return;
  const breaker = `${lp}.breaking`;
  try {
    fs.mkdirSync(breaker);
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    breakStaleBreaker(breaker);
    return;
  }
  try {
    const widen = Number(process.env.FAKEBSD_LOCK_BREAK_DELAY_MS || 0); // tests widen the window
    if (widen) sleepMs(widen);
    if (lockId(lp) === seen) removeLock(lp);
  } finally {
    fs.rmSync(breaker, { recursive: true, force: true });
  }
}

/** The content of the lock's pid file ("PID TOKEN"), or null when there is no lock. */
function lockId(lp) {
  try {
    return fs.readFileSync(path.join(lp, 'pid'), 'utf8');
  } catch {
    return null; // released in the meantime
  }
}

/**
 * The lock's id when its holder is dead, else null. A holder of another PID namespace (the
 * tests' process, outside the fake host's) is never judged from here.
 */
function deadHoldersLock(lp) {
  const id = lockId(lp);
  if (id === null) return null;
  const ns = id.split(' ')[2];
  if (ns !== undefined && ns !== PID_NS) return null;
  const widen = Number(process.env.FAKEBSD_LOCK_CHECK_DELAY_MS || 0); // tests widen the window
  if (widen) sleepMs(widen);
  try {
    process.kill(Number(id.split(' ')[0]), 0);
    return null;
  } catch (e) {
    return e.code === 'ESRCH' ? id : null;
  }
}

function breakStaleBreaker(breaker) {
  try {
    if (Date.now() - fs.statSync(breaker).mtimeMs > BREAKER_STALE_MS) removeLock(breaker);
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
}

/**
 * Lets go of the lock this process holds. Were it no longer this process's lock (broken by a
 * waiter that took this process for dead), removing it would remove another holder's and let a
 * third in beside it: that is refused, loudly.
 */
function release() {
  const lp = lockPath();
  const id = lockId(lp);
  const mine = heldId;
  heldId = null;
  if (id !== mine) throw new Error(`fakebsd: the state lock was taken from process ${process.pid} while it held it (held ${mine}, found ${id})`);
  removeLock(lp);
}

function statePath() {
  return dbDir('state.json');
}

/** em0's capabilities, all enabled, as an em(4) 82574 shows them (sys/dev/e1000/if_em.c). */
const EM0_CAPS = ['RXCSUM', 'TXCSUM', 'VLAN_MTU', 'VLAN_HWTAGGING', 'JUMBO_MTU', 'VLAN_HWCSUM', 'TSO4', 'LRO', 'RXCSUM_IPV6', 'TXCSUM_IPV6'];

function defaults() {
  return {
    version: 1,
    // features: the kernel's FEATURE()s (sys/sys/sysctl.h: each one compiled in is a read-only
    // kern.features.NAME = 1, absent otherwise): GENERIC's that scripts read. missingModules:
    // modules whose .ko is in neither /boot/kernel nor /boot/modules (kldload fails on them).
    // cpus: CPUs the kernel found (hw.ncpu, the root cpuset). tunables: loader tunables as the
    // kernel took them at its last boot (lib/loader.js); a loader.conf edit shows after a reboot.
    host: {
      release: '14.3-RELEASE-p5', kernel: '14.3-RELEASE-p5', arch: 'amd64', hostname: 'fakebsd',
      features: ['vimage', 'racct', 'rctl'], missingModules: [], cpus: 4, tunables: {},
    },
    zfs: { nextGuid: 1, datasets: {} },
    jails: { nextJid: 1, running: {} },
    ifaces: { lo0: { inet: ['127.0.0.1/8'], inet6: ['::1/128'], up: true, kind: 'loopback' }, em0: { inet: ['192.0.2.10/24'], inet6: [], up: true, kind: 'ether', hwcaps: EM0_CAPS, caps: EM0_CAPS } },
    routes: {},
    sysctl: {},
    kld: ['zfs', 'nullfs', 'devfs', 'fdescfs', 'procfs', 'tmpfs'],
    mounts: [],
    devfs: null,
    pf: { enabled: false, anchors: {} },
    ng: { nodes: {}, nextId: 1 },
    pkg: { roots: {} },
    update: {},
    // rctl(8) rules, kernel state (lib/racct.js): none after a boot.
    rctl: { rules: [] },
  };
}

function load() {
  let s;
  try {
    s = JSON.parse(fs.readFileSync(statePath(), 'utf8'));
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
    s = defaults();
    require('./zfsdata').initPool(s);
  }
  return s;
}

function save(s) {
  const tmp = statePath() + '.' + process.pid;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 1));
  fs.renameSync(tmp, statePath());
}

/** Run fn(state) under the lock; the state is saved unless fn throws. Returns fn's result. */
function update(fn) {
  acquire();
  try {
    const s = load();
    const r = fn(s);
    save(s);
    return r;
  } finally {
    release();
  }
}

/** Read-only snapshot of the state (under the lock so it is never half-written). */
function read(fn) {
  acquire();
  try {
    const s = load();
    return fn ? fn(s) : s;
  } finally {
    release();
  }
}

/** A running jail by name or jid, as jail_getid(3) finds it. */
function findJail(s, want) {
  return Object.values(s.jails.running).find((j) => j.name === want || String(j.jid) === want);
}

module.exports = { update, read, acquire, release, defaults, findJail };
