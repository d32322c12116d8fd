'use strict';
// fetch(1) (usr.bin/fetch/fetch.c, lib/libfetch), offline: URLs under the test mirror's baseUrl
// (var/db/fakebsd/mirror.json) are served from its directory. http://ADDR[:PORT]/PATH with ADDR
// an IP address is a real GET from the jails' network (lib/jailnet.js), where every running
// jail's addresses are: a health check of a jail's service. libfetch's messages: an HTTP status
// other than 2xx is "fetch: URL: REASON" (its reason phrase), a refused connection "fetch: URL:
// Connection refused", -T SECS (default 120) "fetch: URL: Operation timed out"; exit 1.
// Other hosts fail as an unreachable host would ("No address record").
const fs = require('fs');
const path = require('path');
const { out, err, fail, hostPath, dbDir, writeFd } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const net = require('net');
const Net = require('../lib/jailnet');

const USAGE = 'usage: fetch [-146AadFlMmnPpqRrsUv] [-B bytes] [--bind-address=host]\n       [-i file] [-N file] [-o file] [-S bytes] [-T seconds] [-w seconds] URL ...';

function mirrors() {
  try {
    const m = JSON.parse(fs.readFileSync(dbDir('mirror.json'), 'utf8'));
    return Array.isArray(m) ? m : [m];
  } catch {
    return [];
  }
}

/** Real path of the file behind a URL, or throws the error fetch would print. */
function resolve(url) {
  if (url.startsWith('file://')) {
    const p = hostPath(decodeURIComponent(url.slice('file://'.length)));
    if (!fs.existsSync(p)) fail(1, `fetch: ${url}: No such file or directory`);
    return p;
  }
  if (!/^(https?|ftp):\/\/[^/]+/.test(url)) fail(1, `fetch: ${url}: Invalid URL`);
  for (const m of mirrors()) {
    const base = m.baseUrl.endsWith('/') ? m.baseUrl : m.baseUrl + '/';
    if (!url.startsWith(base)) continue;
    const rel = decodeURIComponent(url.slice(base.length).split('?')[0]);
    const p = path.join(hostPath(m.dir), rel);
    if (rel.split('/').includes('..') || !fs.existsSync(p) || fs.statSync(p).isDirectory()) fail(1, `fetch: ${url}: Not Found`);
    return p;
  }
  fail(1, `fetch: ${url}: No address record`);
}

const REASONS = { ECONNREFUSED: 'Connection refused', ETIMEDOUT: 'Operation timed out', ENETUNREACH: 'Network is unreachable', EHOSTUNREACH: 'No route to host', ECONNRESET: 'Connection reset by peer' };

/** http://IP[:PORT]/... that no mirror serves: a jail's address. */
function jailUrl(url) {
  let u;
  try { u = new URL(url); } catch { return null; }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!net.isIP(host) || mirrors().some((m) => url.startsWith(m.baseUrl))) return null;
  return u;
}

/** The body of a GET from the jails' network, or throws fetch's error. */
function getFromJail(url, u, timeoutSecs) {
  if (u.protocol !== 'http:') fail(1, `fakebsd: fetch ${u.protocol}// to a jail is not implemented by the fake`);
  const r = Net.connect({ url, timeoutMs: timeoutSecs * 1000 });
  if (!r.ok) fail(1, `fetch: ${url}: ${REASONS[r.error] || r.error}`);
  if (r.status < 200 || r.status > 299) fail(1, `fetch: ${url}: ${r.reason}`);
  return Buffer.from(r.body, 'base64');
}

function main(argv) {
  const g = getopt(argv, '146AadFlMmnPpqRrsUvB:i:N:o:S:T:w:', { prog: 'fetch', usage: USAGE, permute: true });
  if (g.args.length === 0) fail(1, USAGE);
  const outOpt = g.get('o');
  if (outOpt !== undefined && g.args.length > 1 && !(outOpt !== '-' && fs.existsSync(hostPath(outOpt)) && fs.statSync(hostPath(outOpt)).isDirectory())) {
    // Several URLs into one named file: fetch warns and writes them all there; keep it simple and refuse.
    fail(1, 'fetch: multiple URLs with -o must name a directory');
  }
  let status = 0;
  for (const url of g.args) {
    let data;
    try {
      const ju = jailUrl(url);
      if (ju && process.env.FAKEBSD_JAIL && outOpt !== '-') fail(1, 'fakebsd: fetch inside a jail writes only to standard output (-o -)');
      data = ju ? getFromJail(url, ju, g.has('T') ? Number(g.get('T')) : 120) : fs.readFileSync(resolve(url));
    } catch (e) {
      if (e.code === undefined) throw e;
      err(e.message);
      status = 1;
      continue;
    }
    if (g.has('s')) { out(data.length + '\n'); continue; }
    const name = path.posix.basename(url.split('?')[0]) || 'fetch.out';
    if (outOpt === '-') { writeFd(1, data); continue; }
    let dst = outOpt === undefined ? name : outOpt;
    const real = hostPath(dst);
    if (fs.existsSync(real) && fs.statSync(real).isDirectory()) dst = path.posix.join(dst, name);
    const realDst = hostPath(dst);
    if (!fs.existsSync(path.dirname(realDst))) { err(`fetch: ${dst}: open(): No such file or directory\n`); status = 1; continue; }
    fs.writeFileSync(realDst, data);
    if (!g.has('q')) err(`${dst.padEnd(40)} ${String(Math.ceil(data.length / 1024)).padStart(6)} kB   12 MBps    00s\n`);
  }
  return status;
}

module.exports = { main, resolve };
