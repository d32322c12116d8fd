'use strict';
// rctl(8), following usr.bin/rctl/rctl.c: -a RULE adds, -r FILTER removes, -u FILTER shows a
// subject's resource use, -l FILTER the limits of a process, a bare FILTER (or none, "::")
// lists rules; -h prints amounts as humanize_number(3) does, -n keeps user ids numeric.
// Each operand is expanded first (subject aliases, user names, "1g" amounts: expand_rule),
// then handed to the kernel (lib/racct.js, sys/kern/kern_rctl.c). A kernel without RACCT,
// or with kern.racct.enable=0, answers ENOSYS, and rctl exits at once (enosys()). The exit
// status is the number of operands that failed.
const { out, err, fail } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');
const K = require('../lib/racct');
const L = require('../lib/loader');

const USAGE = 'usage: rctl [ -h ] [-a rule | -l filter | -r filter | -u filter | filter]';
const USERS = { root: 0, toor: 0, daemon: 1, operator: 2, bin: 3, www: 80, nobody: 65534 };

/** expand_rule: aliases and user names resolved, the amount expanded; null after a warning. */
function expandRule(rule, resolveIds) {
  const [subjectIn, idPart, ...restParts] = rule.split(':');
  if (idPart === undefined) { err(`rctl: malformed rule '${rule}': missing subject\n`); return null; }
  const alias = { u: 'user', g: 'group', p: 'process', l: 'loginclass', c: 'loginclass', class: 'loginclass', j: 'jail' };
  const subject = alias[subjectIn.toLowerCase()] || subjectIn;
  let id = idPart;
  if (resolveIds && ['user', 'group'].includes(subject.toLowerCase()) && id.length > 0) {
    if (subject.toLowerCase() === 'user' && id in USERS) id = String(USERS[id]);
    else if (!/^\d/.test(id)) { err(`rctl: malformed rule '${rule}': uknown ${subject.toLowerCase()} '${id}'\n`); return null; }
    else if (!/^\d+(\.\d*)?$/.test(id)) { err(`rctl: malformed rule '${rule}': trailing characters after numerical id\n`); return null; }
    else id = String(Math.trunc(Number(id)));
  }
  const resolved = `${subject}:${id}:${restParts.join(':')}`;
  // expand_amount: the text after "=" up to "/" through expand_number(3).
  const m = /^([^:]*:[^:]*:[^:]*:[^=/]*)=([^/]*)(\/.*)?$/.exec(resolved);
  if (!m || m[2] === '') return resolved;
  const num = /^(\d+)([kmgtpe]?)$/i.exec(m[2]);
  if (!num) { err(`rctl: malformed rule '${rule}': invalid numeric value '${m[2]}'\n`); return null; }
  const shift = ' kmgtpe'.indexOf((num[2] || ' ').toLowerCase()) * 10;
  return `${m[1]}=${BigInt(num[1]) << BigInt(shift)}${m[3] || ''}`;
}

/** humanize_number(buf, 6, n, "", HN_AUTOSCALE, HN_DECIMAL | HN_NOSPACE) of lib/libutil. */
function humanize(str) {
  if (!/^\d+$/.test(str)) return str;
  let q = BigInt(str);
  let rem = 0n;
  let i = 0;
  const max = 10000n;
  while ((q >= max || (q === max - 1n && rem >= 512n)) && i < 6) { rem = q % 1024n; q /= 1024n; i++; }
  const prefix = ['', 'K', 'M', 'G', 'T', 'P', 'E'][i];
  if (((q === 9n && rem < 973n) || q < 9n) && i > 0) {
    const s1 = q + (rem * 10n + 512n) / 1024n / 10n;
    const s2 = ((rem * 10n + 512n) / 1024n) % 10n;
    return `${s1}.${s2}${prefix}`;
  }
  return `${q + (rem + 512n) / 1024n}${prefix}`;
}

function humanizeIds(rule) {
  const [subject, id, ...rest] = rule.split(':');
  if (subject === 'user') {
    const name = Object.keys(USERS).find((n) => String(USERS[n]) === id && n !== 'toor');
    if (name) return [subject, name, ...rest].join(':');
  }
  return rule;
}

function humanizeAmount(rule) {
  return rule.replace(/^([^:]*:[^:]*:[^:]*:[^=/]*)=(\d+)/, (_, head, n) => `${head}=${humanize(n)}`);
}

/** enosys(): why the kernel said ENOSYS, then exit 1. */
function enosys(s) {
  if (!(s.host.features ?? []).includes('racct')) fail(1, 'rctl: RACCT/RCTL support not present in kernel; see rctl(8) for details');
  fail(1, 'rctl: RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable');
}

/** One system call: ENOSYS first (sys_rctl_*: `if (!racct_enable) return (ENOSYS)`), then fn. */
function syscall(fn) {
  return State.update((s) => {
    if (!(s.host.features ?? []).includes('racct') || L.tunable(s, 'kern.racct.enable') !== '1') enosys(s);
    try {
      return { value: fn(s) };
    } catch (e) {
      if (!(e instanceof K.RctlError)) throw e;
      return { errno: e.errno };
    }
  });
}

function main(argv) {
  const g = getopt(argv, 'ahlnru', { prog: 'rctl', usage: USAGE });
  const [a, h, l, n, r, u] = ['a', 'h', 'l', 'n', 'r', 'u'].map((f) => g.has(f));
  if (a + l + r + u > 1) fail(1, 'rctl: at most one of -a, -l, -r, or -u may be specified');
  const print = (rules) => { for (const x of rules) out(`${h ? humanizeAmount(n ? x : humanizeIds(x)) : n ? x : humanizeIds(x)}\n`); };
  if (g.args.length === 0) {
    if (a || l || r || u) fail(1, USAGE);
    const res = syscall((s) => K.rules(s, '::'));
    if (res.errno) err(`rctl: failed to show rules for '::': ${K.MESSAGES[res.errno]}\n`);
    else print(res.value);
    return 0;
  }
  let failed = 0;
  for (const rule of g.args) {
    const expanded = expandRule(rule, !(a && n));
    if (expanded === null) { failed++; continue; }
    const [what, fn] = a ? ['add rule', (s) => K.add(s, expanded)]
      : l ? ['get limits for', (s) => K.limits(s, expanded)]
        : r ? ['remove rule', (s) => K.remove(s, expanded)]
          : u ? ['show resource consumption for', (s) => K.usage(s, expanded)]
            : ['show rules for', (s) => K.rules(s, expanded)];
    const res = syscall(fn);
    if (res.errno) { err(`rctl: failed to ${what} '${rule}': ${K.MESSAGES[res.errno]}\n`); failed++; continue; }
    if (u) for (const x of res.value) out(`${h ? x.replace(/=(\d+)$/, (_, v) => `=${humanize(v)}`) : x}\n`);
    else if (!a && !r) print(res.value);
  }
  return failed;
}

module.exports = { main, humanize };
