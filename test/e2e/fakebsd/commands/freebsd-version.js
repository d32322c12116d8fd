'use strict';
// freebsd-version(1): -k installed kernel, -r running kernel, -u userland; -j jail.
const { out, fail, hostPath } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const R = require('../lib/release');
const State = require('../lib/state');

const USAGE = 'usage: freebsd-version [-kru] [-j jail]';

function main(argv) {
  const g = getopt(argv, 'kruj:', { prog: 'freebsd-version', usage: USAGE });
  if (g.args.length) fail(1, USAGE);
  const h = R.host();
  if (g.has('j')) {
    const name = g.get('j');
    const j = State.read((s) => State.findJail(s, name));
    if (!j) fail(1, `freebsd-version: jail "${name}" not found`);
    const v = R.treeVersion(hostPath(j.path));
    if (!v) fail(1, `freebsd-version: unable to determine userland version of jail ${name}`);
    out(v + '\n');
    return;
  }
  const flags = g.opts.map(([f]) => f);
  if (flags.length === 0) flags.push('u');
  if (flags.includes('k')) out(h.kernel + '\n');
  if (flags.includes('r')) out((process.env.UNAME_r || h.kernel) + '\n');
  if (flags.includes('u')) out(h.release + '\n');
}

module.exports = { main };
