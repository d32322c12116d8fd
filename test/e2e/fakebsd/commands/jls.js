'use strict';
// jls(8): list running jails from the state; -j, -N, -n, -s, -v, -q, -h, -d and parameter names.
const { out, fail } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');

const USAGE = 'usage: jls [-dhNnqsv] [-j jail] [param ...]';

function paramValue(j, k) {
  switch (k) {
    case 'jid': return String(j.jid);
    case 'name': return j.name;
    case 'path': return j.path;
    case 'host.hostname': case 'hostname': return j.hostname;
    case 'ip4.addr': return j.ip4.join(',');
    case 'ip6.addr': return j.ip6.join(',');
    case 'vnet': return j.vnet ? 'new' : 'inherit';
    case 'ip4': return j.ip4.length ? 'new' : j.vnet ? 'new' : 'disable';
    case 'ip6': return j.ip6.length ? 'new' : j.vnet ? 'new' : 'disable';
    case 'dying': return 'false';
    case 'persist': return j.params.persist ? 'true' : 'false';
    case 'devfs_ruleset': return (j.params.devfs_ruleset || ['0'])[0];
    case 'osrelease': return j.params.osrelease ? j.params.osrelease[0] : State.read((s) => s.host.kernel);
    default: return j.params[k] ? j.params[k].join(',') : undefined;
  }
}

const ALL = ['jid', 'name', 'path', 'host.hostname', 'ip4.addr', 'ip6.addr', 'vnet', 'ip4', 'ip6', 'persist', 'devfs_ruleset', 'osrelease', 'dying'];

function main(argv) {
  const g = getopt(argv, 'dhj:Nnqsv', { prog: 'jls', usage: USAGE });
  let jails = State.read((s) => Object.values(s.jails.running).sort((a, b) => a.jid - b.jid));
  if (g.has('j')) {
    const want = g.get('j');
    jails = jails.filter((j) => j.name === want || String(j.jid) === want);
    if (!jails.length) fail(1, `jls: jail "${want}" not found`);
  }
  const q = (v) => (g.has('q') && /[\s"]|^$/.test(v) ? `"${v.replace(/"/g, '\\"')}"` : v);
  if (g.args.length) {
    for (const k of g.args) if (!ALL.includes(k) && !require('../lib/jailconf').known(k, ['nullfs', 'devfs', 'fdescfs', 'procfs', 'tmpfs', 'zfs'])) fail(1, `jls: unknown parameter: ${k}`);
    if (g.has('h')) out(g.args.join(' ') + '\n');
    for (const j of jails) out(g.args.map((k) => (g.has('n') ? `${k}=${q(paramValue(j, k) ?? '')}` : q(paramValue(j, k) ?? '-'))).join(' ') + '\n');
    return 0;
  }
  if (g.has('n') || g.has('s')) {
    for (const j of jails) out(ALL.filter((k) => !(g.has('s') && k === 'jid')).map((k) => `${k}=${q(paramValue(j, k) ?? '')}`).join(' ') + '\n');
    return 0;
  }
  if (g.has('v')) {
    out('   JID  Hostname                      Path\n        Name                          State\n        CPUSetID\n        IP Address(es)\n');
    for (const j of jails) out(`${String(j.jid).padStart(6)}  ${j.hostname.padEnd(29)} ${j.path}\n        ${j.name.padEnd(29)} ACTIVE\n        ${j.jid + 1}\n${[...j.ip4, ...j.ip6].map((a) => `        ${a}\n`).join('')}`);
    return 0;
  }
  out('   JID  IP Address      Hostname                      Path\n');
  for (const j of jails) out(`${(g.has('N') ? j.name : String(j.jid)).padStart(6)}  ${(j.ip4[0] || '').padEnd(15).slice(0, 15)} ${j.hostname.padEnd(29).slice(0, 29)} ${j.path}\n`);
  return 0;
}

module.exports = { main };
