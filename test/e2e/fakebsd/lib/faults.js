'use strict';
// Fault injection for the e2e: var/db/fakebsd/faults.json holds
//   {"failAt": k}                         fail the k-th shim invocation from now, once
//   {"zfs clone": {"failOnCall": n}}      fail the n-th invocation whose words start with "zfs clone", once
//                                         (any shim: "service -j", "pw useradd", "nc -z", "jexec web")
//   {"freebsd-update": {"promptOnCall": n}}
//                                         the n-th such invocation first asks a question on its
//                                         controlling terminal, as freebsd-update's upgrade_merge
//                                         does (`read < /dev/tty`); it goes on only when answered y
// Counters are kept in the same file; a fired fault is removed.
const fs = require('fs');
const State = require('./state');
const { dbDir } = require('./host');

/** The fault armed for this invocation: { prompt, message } (prompt: ask on /dev/tty first, else fail), or null. */
function check(name, argv) {
  const file = dbDir('faults.json');
  if (!fs.existsSync(file)) return null;
  State.acquire();
  try {
    let f;
    try {
      f = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      return null;
    }
    let fired = null;
    let prompt = false;
    const words = [name, ...argv];
    if (typeof f.failAt === 'number') {
      f.seen = (f.seen || 0) + 1;
      if (f.seen === f.failAt) {
        fired = `fakebsd: injected fault: invocation ${f.seen} (${words.join(' ')})`;
        delete f.failAt;
        delete f.seen;
      }
    }
    for (const [key, rule] of Object.entries(f)) {
      if (fired || !rule || typeof rule !== 'object') continue;
      const kw = key.split(/\s+/);
      if (!kw.every((w, i) => words[i] === w)) continue;
      rule.calls = (rule.calls || 0) + 1;
      if (rule.calls === (rule.promptOnCall || rule.failOnCall || 1)) {
        fired = `fakebsd: injected ${rule.promptOnCall ? 'question' : 'fault'}: ${key} call ${rule.calls}`;
        prompt = Boolean(rule.promptOnCall);
        delete f[key];
      }
    }
    if (Object.keys(f).length === 0) fs.rmSync(file);
    else fs.writeFileSync(file, JSON.stringify(f));
    return fired ? { prompt, message: fired + '\n' } : null;
  } finally {
    State.release();
  }
}

module.exports = { check };
