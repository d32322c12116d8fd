'use strict';
// devfs(8) rule and ruleset subcommands over the state's loaded rulesets (sbin/devfs/rule.c:
// errors carry its progname "devfs rule"; rules parse and print through lib/devfsrules.js).
const { out, fail } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');
const D = require('../lib/devfsrules');

const USAGE = 'usage: devfs rule|ruleset [-s ruleset] command ...';

function main(argv) {
  const g = getopt(argv, 'm:', { prog: 'devfs', usage: USAGE });
  const [kw, ...rest] = g.args;
  if (kw === 'ruleset') {
    if (rest[0] === undefined) fail(1, USAGE);
    let n;
    try { n = D.eatonum(rest[0]); } catch (e) { fail(1, e.message.replace(/^devfs rule:/, 'devfs ruleset:')); }
    State.update((s) => { D.ensure(s).current = n; });
    return 0;
  }
  if (kw !== 'rule') fail(1, USAGE);
  const r = getopt(rest, 's:', { prog: 'devfs', usage: USAGE });
  const [cmd, ...args] = r.args;
  return State.update((s) => {
    const d = D.ensure(s);
    let set = r.has('s') ? r.get('s') : String(d.current || 0);
    try { set = String(D.eatonum(set)); } catch (e) { fail(1, e.message); }
    try {
      switch (cmd) {
        case 'add': {
          let num;
          let w = args;
          if (/^\d+$/.test(w[0] || '') && Number(w[0]) <= 65535) { num = Number(w[0]); w = w.slice(1); }
          D.addRule(s, set, w, num);
          return 0;
        }
        case 'delset': if (args.length) fail(1, USAGE); D.deleteSet(s, set); return 0;
        case 'del': case 'delete': {
          const rules = d.rulesets[set] || [];
          const i = rules.findIndex((x) => String(x.num) === args[0]);
          if (i < 0) fail(1, 'devfs rule: ioctl DEVFSIO_RDEL: No such file or directory');
          const [gone] = rules.splice(i, 1);
          const inc = /(?:^| )include (\d+)$/.exec(gone.text);
          if (inc) D.reap(s, inc[1]);
          D.reap(s, set);
          return 0;
        }
        case 'show': for (const x of d.rulesets[set] || []) out(`${x.num} ${x.text}\n`); return 0;
        case 'showsets': for (const n of Object.keys(d.rulesets).map(Number).sort((a, b) => a - b)) out(`${n}\n`); return 0;
        case 'applyset': case 'apply':
          if (!d.rulesets[set]) fail(1, 'devfs rule: ioctl DEVFSIO_SAPPLY: No such process');
          d.applied[g.get('m') || '/dev'] = Number(set);
          return 0;
        default: fail(1, `devfs rule: unknown command: ${cmd}`);
      }
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('devfs rule:')) fail(1, e.message);
      throw e;
    }
    return 0;
  });
}

module.exports = { main };
