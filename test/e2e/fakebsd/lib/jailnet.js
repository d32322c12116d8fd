'use strict';
// The network the jails' services listen on and the host's health checks connect through.
// On FreeBSD a jail's addresses sit on the host's interfaces (ip4.addr / ip6.addr, added as
// aliases by jail(8)) or on the jail's own vnet interfaces (set by ifconfig inside it). The
// fake host has neither, and its traffic may stay only on loopback or in namespaces of its
// own. So each fake host gets one Linux network namespace, held by a keeper process (`unshare
// --net`, lo up) that dies with the host's pid namespace: every address of every running
// jail is put on that namespace's lo, the daemons that rc.d scripts start in jails run inside
// it (nsenter --net) and listen there, and the host's connecting tools (nc, fetch) connect
// from inside it. An address stays only while a running jail has it: the set is brought in
// line with the state before a daemon starts, before a connection and when a jail stops.
const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const State = require('./state');
const { dbDir, sleepMs } = require('./host');

const NSENTER = '/usr/bin/nsenter';
const UNSHARE = '/usr/bin/unshare';
const IP = '/usr/sbin/ip'; // Debian's iproute2 (test/e2e/host/preconditions.ts checks it)

/** Identity of a process's network namespace ("net:[4026532...]"), or null when it is gone. */
function netnsOf(pid) {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return null;
  }
}

/** The recorded keeper when it still holds the namespace it was recorded with. */
function liveKeeper(s) {
  const k = s.net && s.net.keeper;
  return k && netnsOf(k.pid) === k.netns ? k : null;
}

/** Starts the keeper: a new network namespace with lo up, held by `sleep` until killed. */
function startKeeper() {
  fs.mkdirSync(dbDir(), { recursive: true });
  const ready = dbDir(`netns.ready.${process.pid}`);
  fs.rmSync(ready, { force: true });
  const child = spawn(UNSHARE, ['--net', '--', '/bin/sh', '-c', `${IP} link set lo up && : > "$1" && exec sleep infinity`, 'fakebsd-netns', ready], {
    detached: true, stdio: 'ignore',
  });
  child.unref();
  for (let i = 0; i < 1000 && !fs.existsSync(ready); i++) sleepMs(5);
  const netns = netnsOf(child.pid);
  fs.rmSync(ready, { force: true });
  if (!netns) throw new Error('fakebsd: the jails\' network namespace did not come up');
  return { pid: child.pid, netns };
}

/** The namespace's path for nsenter --net=, made on first use. */
function ensure() {
  const k = State.update((s) => {
    const live = liveKeeper(s);
    if (live) return live;
    s.net = { keeper: startKeeper() };
    return s.net.keeper;
  });
  return `/proc/${k.pid}/ns/net`;
}

/** The namespace's path when it exists, else null (nothing to tidy then). */
function existing() {
  const k = State.read((s) => liveKeeper(s));
  return k ? `/proc/${k.pid}/ns/net` : null;
}

/** The addresses running jails have: aliases (ip4.addr, ip6.addr) and their vnet interfaces' addresses. */
function wantedAddrs(s) {
  const want = new Set();
  for (const j of Object.values(s.jails.running)) {
    for (const a of [...(j.ip4 || []), ...(j.ip6 || [])]) if (a) want.add(a);
  }
  for (const ifc of Object.values(s.ifaces)) {
    if (!ifc.vnet) continue;
    for (const a of [...(ifc.inet || []), ...(ifc.inet6 || [])]) want.add(a.split('/')[0].split('%')[0]);
  }
  return want;
}

/** The addresses of one running jail (by name), as wantedAddrs finds them. */
function jailAddrs(s, name) {
  const j = Object.values(s.jails.running).find((x) => x.name === name);
  if (!j) return [];
  const own = [...(j.ip4 || []), ...(j.ip6 || [])];
  for (const ifc of Object.values(s.ifaces)) {
    if (ifc.vnet === name) own.push(...[...(ifc.inet || []), ...(ifc.inet6 || [])].map((a) => a.split('/')[0].split('%')[0]));
  }
  return own.filter(Boolean);
}

/** Runs a command inside the namespace (nsenter --net), synchronously. */
function inNet(netns, cmd, args, opts = {}) {
  return spawnSync(NSENTER, [`--net=${netns}`, '--', cmd, ...args], { encoding: 'utf8', ...opts });
}

/** Brings lo's addresses in line with the running jails' (create: make the namespace if need be). */
function sync({ create = false } = {}) {
  const netns = create ? ensure() : existing();
  if (!netns) return null;
  // Under the state's lock: ten provisioners at once may start services; two that both
  // found an address missing would both add it, and the second `ip` would fail.
  State.update((s) => apply(netns, wantedAddrs(s)));
  return netns;
}

/** Makes lo's addresses (but 127.0.0.1 and ::1) exactly `want`. */
function apply(netns, want) {
  const r = inNet(netns, IP, ['-o', 'addr', 'show', 'dev', 'lo']);
  const have = new Set();
  for (const line of (r.stdout || '').split('\n')) {
    const m = /\binet6?\s+([0-9a-fA-F.:]+)\//.exec(line);
    if (m && m[1] !== '127.0.0.1' && m[1] !== '::1') have.add(m[1]);
  }
  const batch = [];
  for (const a of want) if (!have.has(a)) batch.push(a.includes(':') ? `addr add ${a}/128 dev lo nodad` : `addr add ${a}/32 dev lo`);
  for (const a of have) if (!want.has(a)) batch.push(a.includes(':') ? `addr del ${a}/128 dev lo` : `addr del ${a}/32 dev lo`);
  if (batch.length) {
    const b = inNet(netns, IP, ['-force', '-batch', '-'], { input: batch.join('\n') + '\n' });
    if (b.status !== 0) throw new Error(`fakebsd: setting the jails' addresses failed: ${b.stderr}`);
  }
}

/** Kills the keeper (tests on a temporary root; the rig's pid namespace does this itself). */
function teardown() {
  State.update((s) => {
    const k = liveKeeper(s);
    if (k) { try { process.kill(k.pid, 'SIGKILL'); } catch { /* gone */ } }
    delete s.net;
  });
}

const CONNECT = path.join(__dirname, 'connect.js');

/**
 * A TCP connection or an HTTP GET from inside the namespace, as the host would make it:
 * { ok, error (errno code), status, body } from lib/connect.js.
 */
function connect(req) {
  const netns = sync({ create: true });
  const r = inNet(netns, process.execPath, [CONNECT, JSON.stringify(req)], { maxBuffer: 1 << 26 });
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`fakebsd: connecting inside the jails' network failed: ${r.stderr}`);
  }
}

module.exports = { ensure, existing, sync, teardown, inNet, connect, jailAddrs, NSENTER };
