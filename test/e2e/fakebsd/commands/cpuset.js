'use strict';
// cpuset(1) for jails, following usr.bin/cpuset/cpuset.c: `cpuset -j JAIL -l LIST` sets a
// running jail's CPU mask, `cpuset -g -j JAIL` prints it. -j takes a name or jid
// (jail_getid(3); an unknown one fails with the kernel's "jail ... not found"). parselist
// reads "0-2,5": a number above CPU_SETSIZE or a stray character fails at once; the kernel
// (sys/kern/kern_cpuset.c cpuset_modify) refuses a mask with a CPU outside the root set, the
// CPUs the host has (EINVAL), and an empty one (EDEADLK). A jail starts with every CPU and
// its set dies with it. Other targets (-p, -t, -s, -x, -d) and running a command are not
// modelled: the fake says so.
const { out, fail } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');

const USAGE = `usage: cpuset [-l cpu-list] [-s setid] cmd ...
       cpuset [-l cpu-list] [-s setid] -p pid
       cpuset [-c] [-l cpu-list] -C -p pid
       cpuset [-c] [-l cpu-list] [-j jailid | -p pid | -t tid | -s setid | -x irq]
       cpuset -g [-cir] [-d domain | -j jailid | -p pid | -t tid | -s setid |
              -x irq]`;
const CPU_SETSIZE = 1024; // MAXCPU on amd64

/** parselist: the CPUs of a list, or exit 1 with cpuset's message. */
function parseList(list, ncpu) {
  if (list.toLowerCase() === 'all') return [...Array(ncpu).keys()];
  const set = new Set();
  let state = 'NONE';
  let last = 0;
  let cur = 0;
  const bad = () => fail(1, `cpuset: Malformed list ${list}`);
  for (let i = 0; i < list.length;) {
    if (/\d/.test(list[i])) {
      cur = parseInt(list.slice(i), 10);
      if (cur > CPU_SETSIZE) fail(1, `cpuset: List entry ${cur} exceeds maximum of ${CPU_SETSIZE}`);
      while (i < list.length && /\d/.test(list[i])) i++;
      if (state === 'NONE') { last = cur; state = 'NUM'; } else if (state === 'DASH') { for (; last <= cur; last++) set.add(last); state = 'NONE'; } else bad();
      continue;
    }
    if (list[i] === ',') { if (state === 'NUM') { set.add(cur); state = 'NONE'; } else if (state === 'DASH') bad(); } else if (list[i] === '-') { if (state !== 'NUM') bad(); state = 'DASH'; } else bad();
    i++;
  }
  if (state === 'NUM') set.add(cur);
  if (state === 'DASH') bad();
  return [...set].sort((a, b) => a - b);
}

function findJail(s, want) {
  const j = State.findJail(s, want);
  if (!j) fail(1, /^\d+$/.test(want) ? `cpuset: jail ${Number(want)} not found` : `cpuset: jail "${want}" not found`);
  return j;
}

function main(argv) {
  const g = getopt(argv, 'Ccd:gij:l:n:p:rs:t:x:', { prog: 'cpuset', usage: USAGE });
  const targets = ['d', 'j', 'p', 's', 't', 'x'].filter((f) => g.has(f));
  if (targets.some((f) => f !== 'j') || g.has('C') || g.has('n') || g.has('i') || g.has('c') || g.has('r') || g.args.length) {
    if (g.has('g') && (g.args.length || g.has('C') || g.has('l') || g.has('n') || targets.length > 1)) fail(1, USAGE);
    fail(1, 'fakebsd: cpuset is modelled for -j JAIL with -l or -g only');
  }
  if (g.has('g')) {
    if (g.has('l')) fail(1, USAGE);
    const { jid, cpus } = State.read((s) => {
      const j = findJail(s, g.get('j') ?? fail(1, 'fakebsd: cpuset -g is modelled for -j JAIL only'));
      return { jid: j.jid, cpus: j.cpus ?? [...Array(s.host.cpus ?? 4).keys()] };
    });
    out(`jail ${jid} mask: ${cpus.join(', ')}\njail ${jid} domain policy: first-touch mask: 0\n`);
    return 0;
  }
  if (!g.has('l') || !g.has('j')) fail(1, USAGE);
  State.update((s) => {
    const ncpu = s.host.cpus ?? 4;
    const cpus = parseList(g.get('l'), ncpu);
    const j = findJail(s, g.get('j'));
    if (cpus.length === 0) fail(1, 'cpuset: setaffinity: Resource deadlock avoided');
    if (cpus.some((c) => c >= ncpu)) fail(1, 'cpuset: setaffinity: Invalid argument');
    j.cpus = cpus;
  });
  return 0;
}

module.exports = { main, parseList };
