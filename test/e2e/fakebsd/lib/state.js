'use strict';
// The fake host's kernel-ish state (datasets, jails, interfaces, mounts, pf, ...)
// lives in one JSON file. Up to ten scripts run at once, so every read-modify-write
// happens under a mkdir lock. Never hold the lock while running a child process:
// hooks call other shims.
const fs = require('fs');
const path = require('path');
const { dbDir, sleepMs } = require('./host');

const LOCK_TIMEOUT_MS = 60000;

function lockPath() {
  return dbDir('state.lock');
}

function acquire() {
  fs.mkdirSync(dbDir(), { recursive: true });
  const lp = lockPath();
  const start = Date.now();
  for (;;) {
    try {
      fs.mkdirSync(lp);
      fs.writeFileSync(path.join(lp, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    breakIfStale(lp);
    if (Date.now() - start > LOCK_TIMEOUT_MS) throw new Error('fakebsd: state lock timeout');
    sleepMs(3 + Math.floor(Math.random() * 5));
  }
}

// A holder that died (killed by a test's timeout) must not wedge the host.
function breakIfStale(lp) {
  let pid;
  try {
    pid = Number(fs.readFileSync(path.join(lp, 'pid'), 'utf8'));
  } catch {
    // Holder between mkdir and writing its pid; if that lasts, treat as stale.
    try {
      if (Date.now() - fs.statSync(lp).mtimeMs > 2000) fs.rmSync(lp, { recursive: true, force: true });
    } catch { /* gone already */ }
    return;
  }
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code === 'ESRCH') fs.rmSync(lp, { recursive: true, force: true });
  }
}

function release() {
  fs.rmSync(lockPath(), { recursive: true, force: true });
}

function statePath() {
  return dbDir('state.json');
}

function defaults() {
  return {
    version: 1,
    // features: the kernel's FEATURE()s (sys/sys/sysctl.h: each one compiled in is a read-only
    // kern.features.NAME = 1, absent otherwise): GENERIC's that scripts read. missingModules:
    // modules whose .ko is in neither /boot/kernel nor /boot/modules (kldload fails on them).
    host: { release: '14.3-RELEASE-p5', kernel: '14.3-RELEASE-p5', arch: 'amd64', hostname: 'fakebsd', features: ['vimage'], missingModules: [] },
    zfs: { nextGuid: 1, datasets: {} },
    jails: { nextJid: 1, running: {} },
    ifaces: { lo0: { inet: ['127.0.0.1/8'], inet6: ['::1/128'], up: true, kind: 'loopback' }, em0: { inet: ['192.0.2.10/24'], inet6: [], up: true, kind: 'ether' } },
    routes: {},
    sysctl: {},
    kld: ['zfs', 'nullfs', 'devfs', 'fdescfs', 'procfs', 'tmpfs'],
    mounts: [],
    devfs: null,
    pf: { enabled: false, anchors: {} },
    ng: { nodes: {}, nextId: 1 },
    pkg: { roots: {} },
    update: {},
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
