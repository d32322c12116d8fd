'use strict';
// A client run inside the jails' network namespace (lib/jailnet.js): one TCP connection
// ({ host, port, timeoutMs }) or one HTTP GET ({ url, timeoutMs }); prints the outcome as
// JSON: { ok, error, status, reason, body, banner }.
const net = require('net');
const http = require('http');

const req = JSON.parse(process.argv[2]);
const done = (o) => { process.stdout.write(JSON.stringify(o)); process.exit(0); };
const failed = (e) => done({ ok: false, error: e.code || e.message });

if (req.url) {
  const r = http.get(req.url, { timeout: req.timeoutMs, headers: { 'User-Agent': 'fetch libfetch/2.0' } }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => done({ ok: true, status: res.statusCode, reason: res.statusMessage, body: Buffer.concat(chunks).toString('base64') }));
    res.on('error', failed);
  });
  r.on('timeout', () => { r.destroy(); done({ ok: false, error: 'ETIMEDOUT' }); });
  r.on('error', failed);
} else {
  const s = net.connect({ host: req.host, port: req.port });
  const timer = setTimeout(() => { s.destroy(); done({ ok: false, error: 'ETIMEDOUT' }); }, req.timeoutMs);
  s.on('connect', () => {
    // What the server says first, if anything, within a moment (a banner), then close.
    let banner = '';
    s.on('data', (d) => { banner += d.toString(); });
    setTimeout(() => { clearTimeout(timer); s.destroy(); done({ ok: true, banner }); }, req.bannerMs ?? 0);
  });
  s.on('error', (e) => { clearTimeout(timer); failed(e); });
}
