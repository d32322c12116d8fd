'use strict';
// kldload(8) as sbin/kldload/kldload.c: every file in turn; one that cannot load is a warning
// ("can't load FILE: ERROR") and the rest are still loaded; status 1 if any failed. -n skips a
// module already loaded (modfind) instead of failing with EEXIST.
const { err, fail } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');

const KNOWN = ['pf', 'pflog', 'if_bridge', 'if_epair', 'ng_ether', 'ng_bridge', 'ng_eiface', 'ng_socket', 'netgraph', 'nullfs', 'fdescfs', 'procfs', 'tmpfs',
  'linprocfs', 'linsysfs', 'fusefs', 'zfs', 'if_wg', 'vmm', 'linux', 'linux64', 'dummynet', 'ipfw', 'if_tuntap', 'accf_http', 'accf_data'];

function main(argv) {
  const g = getopt(argv, 'nqv', { prog: 'kldload', usage: 'usage: kldload [-nqv] file ...' });
  if (g.args.length === 0) fail(1, 'usage: kldload [-nqv] file ...');
  return State.update((s) => {
    let errors = 0;
    for (const a of g.args) {
      const m = a.replace(/\.ko$/, '').split('/').pop();
      if (s.kld.includes(m)) {
        if (g.has('n')) continue;
        err(`kldload: can't load ${a}: module already loaded or in kernel\n`);
        errors++;
        continue;
      }
      // No .ko in the module path (kern.module_path): kldload(2) fails with ENOENT.
      if (!KNOWN.includes(m) || (s.host.missingModules ?? []).includes(m)) {
        err(`kldload: can't load ${a}: No such file or directory\n`);
        errors++;
        continue;
      }
      s.kld.push(m);
    }
    return errors ? 1 : 0;
  });
}

module.exports = { main };
