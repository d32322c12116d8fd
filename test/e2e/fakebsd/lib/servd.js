'use strict';
// The small real daemon that the fake's rc.d scripts start in a jail (lib/rcsubr.js), run
// inside the jails' network namespace (lib/jailnet.js). One JSON argument describes it:
//   { jail, name, kind: 'http' | 'tcp', addrs, port, pidfile, ready, config: [real paths],
//     serve: real path of the file GET / answers with | null (the config's own text) }
// It reads its configuration files at start and again on SIGHUP (what nginx's and
// postgres's reload do), listens on every address of the jail at the port, writes its pid
// file (as nginx and postgres do themselves), then reports "ok" in the ready file (or the
// error, as the real daemon would print it, and exits 1). SIGTERM: it closes, removes its pid
// file and exits 0.
// http: GET / answers 200 with the served file's content read at request time (404 if there
//   is none); with serve null, the configuration as read at start. Every answer carries
//   X-Fakebsd-Config: the sha256 of the configuration as read at start. GET /.fakebsd/config
//   answers { jail, name, config: { PATH: { sha256, text } }, loadedAt } as JSON.
// tcp: a connection gets one line, "NAME jail=JAIL config-sha256=HEX", and is closed.
const fs = require('fs');
const net = require('net');
const http = require('http');
const crypto = require('crypto');

const spec = JSON.parse(process.argv[2]);
let loaded = null;

function load() {
  const config = {};
  const h = crypto.createHash('sha256');
  for (const f of spec.config) {
    const text = fs.readFileSync(f.real, 'utf8');
    config[f.path] = { sha256: crypto.createHash('sha256').update(text).digest('hex'), text };
    h.update(`${f.path}\0${text}\0`);
  }
  loaded = { config, sha256: h.digest('hex'), loadedAt: new Date().toISOString() };
}

function httpHandler(req, res) {
  const headers = { 'X-Fakebsd-Config': loaded.sha256, 'Content-Type': 'text/plain' };
  if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, headers); res.end(); return; }
  const url = req.url.split('?')[0];
  if (url === '/.fakebsd/config') {
    res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ jail: spec.jail, name: spec.name, config: loaded.config, loadedAt: loaded.loadedAt }));
    return;
  }
  if (url !== '/' && url !== '/index.html') { res.writeHead(404, headers); res.end('Not Found\n'); return; }
  if (spec.serve === null) {
    res.writeHead(200, headers);
    res.end(Object.values(loaded.config).map((c) => c.text).join(''));
    return;
  }
  let body;
  try { body = fs.readFileSync(spec.serve); } catch { res.writeHead(404, headers); res.end('Not Found\n'); return; }
  res.writeHead(200, headers);
  res.end(body);
}

function tcpHandler(sock) {
  sock.on('error', () => { /* the client went away */ });
  sock.end(`${spec.name} jail=${spec.jail} config-sha256=${loaded.sha256}\n`);
}

// Whole or not at all: written beside the ready file and renamed into place, so the starter
// never reads a report half written (lib/rcsubr.js awaitReport).
function report(text) {
  const tmp = `${spec.ready}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, spec.ready);
}

function main() {
  try {
    load();
  } catch (e) {
    report(`${spec.name}: cannot read its configuration: ${e.message}\n`);
    process.exit(1);
  }
  const servers = [];
  let pending = spec.addrs.length;
  if (pending === 0) { report(`${spec.name}: the jail ${spec.jail} has no address to listen on\n`); process.exit(1); }
  const stop = () => {
    for (const s of servers) s.close();
    try { if (Number(fs.readFileSync(spec.pidfile, 'utf8')) === process.pid) fs.rmSync(spec.pidfile); } catch { /* none */ }
    process.exit(0);
  };
  for (const addr of spec.addrs) {
    const srv = spec.kind === 'http' ? http.createServer(httpHandler) : net.createServer(tcpHandler);
    servers.push(srv);
    srv.on('error', (e) => {
      // nginx: [emerg] bind() to 10.0.0.5:80 failed (48: Address already in use)
      report(`${spec.name}: bind() to ${addr.includes(':') ? `[${addr}]` : addr}:${spec.port} failed (${e.code === 'EADDRINUSE' ? '48: Address already in use' : e.code === 'EADDRNOTAVAIL' ? "49: Can't assign requested address" : e.message})\n`);
      process.exit(1);
    });
    srv.listen({ host: addr, port: spec.port, exclusive: true }, () => {
      if (--pending > 0) return;
      fs.writeFileSync(spec.pidfile, `${process.pid}\n`);
      report('ok');
    });
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', () => { try { load(); } catch { /* keeps the configuration it had, as nginx does */ } });
}

main();
