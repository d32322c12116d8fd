'use strict';
// nc(1), after FreeBSD's contrib/netcat/netcat.c (OpenBSD's), for what a health check does:
// `nc -z [-v] [-n] [-w SECS] ADDR PORT`: connect and close. The connection is real, made from
// the jails' network namespace (lib/jailnet.js), where every running jail's addresses are.
// Success: "Connection to ADDR PORT port [tcp/SERVICE] succeeded!" (with -z or -v; SERVICE
// from the services the fake knows, * with -n), exit 0. Failure: exit 1, silent but with -v,
// "nc: connect to ADDR port PORT (tcp) failed: REASON" (remote_connect's warn). -w SECS bounds
// the connect (timeout_connect: "Operation timed out"). Without -z, what the server sends
// first is printed (a banner) and the connection is closed: the fake sends nothing.
// Hosts are IP addresses (the fake has no resolver): a name fails as getaddrinfo does.
const net = require('net');
const { out, err, fail } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const Net = require('../lib/jailnet');

const USAGE = `usage: nc [-46DdEhklnrStUuvz] [-e policy] [-I length] [-i interval] [-O length]
	  [-P proxy_username] [-p source_port] [-s source] [-T ToS]
	  [-V rtable] [-w timeout] [-X proxy_protocol]
	  [-x proxy_address[:port]] [destination] [port]`;
const SERVICES = { 21: 'ftp', 22: 'ssh', 25: 'smtp', 53: 'domain', 80: 'http', 443: 'https', 3306: 'mysql', 5432: 'postgresql', 6379: 'redis', 8080: 'http-alt' };
const REASONS = { ECONNREFUSED: 'Connection refused', ETIMEDOUT: 'Operation timed out', ENETUNREACH: 'Network is unreachable', EHOSTUNREACH: 'No route to host', EADDRNOTAVAIL: "Can't assign requested address" };

function main(argv) {
  const g = getopt(argv, '46DdEhklnrStUuvze:I:i:O:P:p:s:T:V:w:X:x:', { prog: 'nc', usage: USAGE });
  for (const [f] of g.opts) if (!'zvnw46'.includes(f)) fail(1, `fakebsd: nc -${f} is not implemented by the fake`);
  if (g.args.length !== 2) fail(1, USAGE);
  const [host, port] = g.args;
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) fail(1, `nc: port number invalid: ${port}`);
  if (!net.isIP(host)) fail(1, `nc: getaddrinfo: ${g.has('n') ? 'Non-recoverable failure in name resolution' : 'hostname nor servname provided, or not known'}`);
  const timeout = g.has('w') ? Number(g.get('w')) : 75;
  if (!(timeout > 0)) fail(1, `nc: timeout invalid: ${g.get('w')}`);
  const r = Net.connect({ host, port: Number(port), timeoutMs: timeout * 1000, bannerMs: g.has('z') ? 0 : 300 });
  if (!r.ok) {
    if (g.has('v')) err(`nc: connect to ${host} port ${port} (tcp) failed: ${REASONS[r.error] || r.error}\n`);
    return 1;
  }
  if (g.has('z') || g.has('v')) err(`Connection to ${host} ${port} port [tcp/${g.has('n') ? '*' : SERVICES[port] || '*'}] succeeded!\n`);
  if (!g.has('z') && r.banner) out(r.banner);
  return 0;
}

module.exports = { main };
