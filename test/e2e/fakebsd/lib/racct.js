'use strict';
// The kernel side of rctl(8), as sys/kern/kern_rctl.c and sys/kern/kern_racct.c have it:
// rules "subject:subject-id:resource:action=amount/per" parsed by rctl_string_to_rule,
// checked by sys_rctl_add_rule and rctl_rule_add, matched by rctl_rule_matches, printed by
// rctl_rule_to_sbuf. Errors are errno names; usr.bin/rctl turns them into messages.
//
// Jail rules name a prison_racct (prison_racct_find makes one by name whether or not such a
// jail runs) and each rule holds it (rctl_rule_acquire_subject): a rule for jail:NAME stays
// when the jail is removed and applies again to the next jail of that name. Only a reboot
// (or rctl -r) clears rules.

const SUBJECTS = ['process', 'user', 'loginclass', 'jail'];

// resourcenames[] in their RACCT_* order, with racct_types[] flags (kern_racct.c):
// M in millions, D deniable, S sloppy, Y decaying.
const RESOURCES = {
  cputime: 'M', datasize: 'D', stacksize: 'D', coredumpsize: 'D', memoryuse: '', memorylocked: 'D',
  maxproc: 'D', openfiles: 'D', vmemoryuse: 'D', pseudoterminals: 'DS', swapuse: 'DS', nthr: 'D',
  msgqqueued: 'DS', msgqsize: 'DS', nmsgq: 'DS', nsem: 'DS', nsemop: 'D', nshm: 'DS', shmsize: 'DS',
  wallclock: 'M', pcpu: 'YDM', readbps: 'Y', writebps: 'Y', readiops: 'Y', writeiops: 'Y',
};
const SIGNALS = ['sighup', 'sigint', 'sigquit', 'sigill', 'sigtrap', 'sigabrt', 'sigemt', 'sigfpe', 'sigkill', 'sigbus', 'sigsegv', 'sigsys',
  'sigpipe', 'sigalrm', 'sigterm', 'sigurg', 'sigstop', 'sigtstp', 'sigchld', 'sigttin', 'sigttou', 'sigio', 'sigxcpu', 'sigxfsz', 'sigvtalrm',
  'sigprof', 'sigwinch', 'siginfo', 'sigusr1', 'sigusr2', 'sigthr'];
const ACTIONS = [...SIGNALS, 'deny', 'log', 'devctl', 'throttle'];

class RctlError extends Error {
  constructor(errno) { super(errno); this.errno = errno; }
}
const MESSAGES = { EINVAL: 'Invalid argument', ESRCH: 'No such process', EOPNOTSUPP: 'Operation not supported', ERANGE: 'Result too large', ENAMETOOLONG: 'File name too long' };

/** strsep(&s, delims): the next piece and the rest (undefined once s is used up). */
function strsep(rest, delims) {
  if (rest === undefined) return [undefined, undefined];
  for (let i = 0; i < rest.length; i++) if (delims.includes(rest[i])) return [rest.slice(0, i), rest.slice(i + 1)];
  return [rest, undefined];
}

/** Case-insensitive lookup in a name table (str2value); EINVAL when not there. */
function lookup(table, str) {
  const hit = table.find((n) => n.toLowerCase() === str.toLowerCase());
  if (!hit) throw new RctlError('EINVAL');
  return hit;
}

/** strtoul over the whole string, base 10 (str2id, str2int64). */
function wholeNumber(str) {
  if (!/^\s*[+-]?\d*$/.test(str) || !/\d/.test(str)) {
    if (str === '') return 0; // strtoul of "" ends at once: end - str == strlen == 0
    throw new RctlError('EINVAL');
  }
  return BigInt(str.trim());
}

/** rctl_string_to_rule: a rule or filter; missing parts stay undefined. */
function parseRule(text) {
  let rest = text;
  let subject, id, resource, action, amount;
  [subject, rest] = strsep(rest, ':');
  [id, rest] = strsep(rest, ':');
  [resource, rest] = strsep(rest, ':');
  [action, rest] = strsep(rest, '=/');
  [amount, rest] = strsep(rest, '/');
  const per = rest;
  const r = {};
  if (subject) r.subject = lookup(SUBJECTS, subject);
  if (id) {
    if (!r.subject) throw new RctlError('EINVAL');
    if (r.subject === 'process') { wholeNumber(id); throw new RctlError('ESRCH'); } // pfind: the fake has no processes
    if (r.subject === 'user') r.id = String(wholeNumber(id));
    else if (id.length >= 256) throw new RctlError('ENAMETOOLONG');
    else r.id = id;
  }
  if (resource) r.resource = lookup(Object.keys(RESOURCES), resource);
  if (action) r.action = lookup(ACTIONS, action);
  if (amount) {
    const n = wholeNumber(amount);
    if (n < 0n || n > 2n ** 63n - 1n || (RESOURCES[r.resource] || '').includes('M') && n > (2n ** 63n - 1n) / 1000000n) throw new RctlError('ERANGE');
    r.amount = String(n);
  }
  if (per) r.per = lookup(SUBJECTS, per);
  return r;
}

/** sys_rctl_add_rule then rctl_rule_add: the checks, then the rule replaces its equals. */
function add(s, text) {
  const r = parseRule(text);
  if (r.per === undefined && r.subject !== undefined) r.per = r.subject;
  if (!r.subject || r.id === undefined || !r.resource || !r.action || r.amount === undefined || !r.per) throw new RctlError('EINVAL');
  const flags = RESOURCES[r.resource];
  // "deny" only for deniable resources, memoryuse and pcpu excepted; throttle only for
  // decaying ones but pcpu; no per-process rule for a sloppy resource.
  if (r.action === 'deny' && !flags.includes('D') && r.resource !== 'memoryuse' && r.resource !== 'pcpu') throw new RctlError('EOPNOTSUPP');
  if (r.action === 'throttle' && (!flags.includes('Y') || r.resource === 'pcpu')) throw new RctlError('EOPNOTSUPP');
  if (r.per === 'process' && flags.includes('S')) throw new RctlError('EOPNOTSUPP');
  // No duplicates; a deny rule replaces one that differs only by amount.
  const same = r.action === 'deny' ? { ...r, amount: undefined } : r;
  s.rctl.rules = s.rctl.rules.filter((x) => !matches(x, same));
  s.rctl.rules.unshift(r); // LIST_INSERT_HEAD: the newest first
}

/** rctl_rule_matches: every part the filter has must be equal. */
function matches(rule, f) {
  if (f.subject !== undefined && (rule.subject !== f.subject || (f.id !== undefined && rule.id !== f.id))) return false;
  return ['resource', 'action', 'amount', 'per'].every((k) => f[k] === undefined || rule[k] === f[k]);
}

/** rctl_rule_remove: ESRCH when nothing matched. */
function remove(s, text) {
  const f = parseRule(text);
  const before = s.rctl.rules.length;
  s.rctl.rules = s.rctl.rules.filter((x) => !matches(x, f));
  if (s.rctl.rules.length === before) throw new RctlError('ESRCH');
}

/** sys_rctl_get_rules: the matching rules as rctl_rule_to_sbuf writes them (login classes, users, jails). */
function rules(s, text) {
  const f = parseRule(text);
  const order = ['loginclass', 'user', 'jail'];
  return s.rctl.rules.filter((x) => matches(x, f))
    .sort((a, b) => order.indexOf(a.subject) - order.indexOf(b.subject))
    .map((x) => `${x.subject}:${x.id}:${x.resource}:${x.action}=${x.amount}${x.per !== x.subject ? `/${x.per}` : ''}`);
}

/** sys_rctl_get_limits: only for a process (the fake has none). */
function limits(s, text) {
  const f = parseRule(text);
  if (!f.subject) throw new RctlError('EINVAL');
  if (f.subject !== 'process') throw new RctlError('EOPNOTSUPP');
  throw new RctlError('EINVAL');
}

/** sys_rctl_get_racct: every resource of the subject's racct; the fake accounts nothing, so 0. */
function usage(s, text) {
  const f = parseRule(text);
  if (!f.subject || f.id === undefined || f.subject === 'process') throw new RctlError('EINVAL');
  return Object.keys(RESOURCES).map((k) => `${k}=0`);
}

/** The rules that apply to a jail of this name (for the rig and tests). */
function jailRules(s, name) {
  return s.rctl.rules.filter((x) => x.subject === 'jail' && x.id === name);
}

module.exports = { SUBJECTS, RESOURCES, ACTIONS, MESSAGES, RctlError, parseRule, add, remove, rules, limits, usage, jailRules };
