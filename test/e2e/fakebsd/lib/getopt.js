'use strict';
// getopt(3) as FreeBSD's libc does it: options stop at the first operand or "--",
// an unknown flag prints "PROG: illegal option -- x" and then the usage text.
const { fail } = require('./host');

/**
 * Parse argv with a getopt optstring ("ab:c"). Returns { opts: [[flag, value]], args, has(f), get(f), all(f) }.
 * usage: text printed after the error; illegal/missing: custom wording for the two errors; code: exit status for misuse (FreeBSD tools differ: 1, 2 or 64).
 */
function getopt(argv, optstring, { prog, usage, code = 1, permute = false, illegal, missing } = {}) {
  const takesArg = {};
  for (let i = 0; i < optstring.length; i++) {
    const c = optstring[i];
    if (c === ':') continue;
    takesArg[c] = optstring[i + 1] === ':';
  }
  const bad = (line) => fail(code, line + (usage ? '\n' + usage.replace(/\n$/, '') : ''));
  const opts = [];
  const args = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') {
      if (!permute) break;
      args.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (!(c in takesArg)) bad(illegal ? illegal(c) : `${prog}: illegal option -- ${c}`);
      if (takesArg[c]) {
        let v = a.slice(j + 1);
        if (v === '') {
          if (i + 1 >= argv.length) bad(missing ? missing(c) : `${prog}: option requires an argument -- ${c}`);
          v = argv[++i];
        }
        opts.push([c, v]);
        break;
      }
      opts.push([c, true]);
    }
  }
  args.push(...argv.slice(i));
  return {
    opts,
    args,
    has: (f) => opts.some(([k]) => k === f),
    get: (f) => { const m = opts.filter(([k]) => k === f); return m.length ? m[m.length - 1][1] : undefined; },
    all: (f) => opts.filter(([k]) => k === f).map(([, v]) => v),
  };
}

module.exports = { getopt };
