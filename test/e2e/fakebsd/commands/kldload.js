'use strict';
// kldload(8): records modules; -n succeeds quietly when already loaded.
const { fail } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');

const KNOWN = ['pf', 'pflog', 'if_bridge', 'if_epair', 'ng_ether', 'ng_bridge', 'ng_eiface', 'ng_socket', 'netgraph', 'nullfs', 'fdescfs', 'procfs', 'tmpfs',
  'linprocfs', 'linsysfs', 'fusefs', 'zfs', 'if_wg', 'vmm', 'linux', 'linux64', 'dummynet', 'ipfw', 'if_tuntap', 'accf_http', 'accf_data'];

function main(argv) {
  const g = getopt(argv, 'nqv', { prog: 'kldload', usage: 'usage: kldload [-nqv] file ...' });
  if (g.args.length === 0) fail(1, 'usage: kldload [-nqv] file ...');
  return State.update((s) => {
    for (const a of g.args) {
      const m = a.replace(/\.ko$/, '').split('/').pop();
      if (!KNOWN.includes(m)) fail(1, `kldload: can't load ${a}: No such file or directory`);
      if (s.kld.includes(m)) {
        if (g.has('n')) continue;
        fail(1, `kldload: can't load ${a}: module already loaded or in kernel`);
      }
      s.kld.push(m);
    }
    return 0;
  });
}

module.exports = { main };
