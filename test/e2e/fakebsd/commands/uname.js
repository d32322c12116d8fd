'use strict';
// uname(1). Like FreeBSD's, UNAME_x environment variables override the answers
// (the notebook's `setenv UNAME_r ...` trick for freebsd-update in a jail relies on it).
const { out } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const R = require('../lib/release');

function main(argv) {
  const g = getopt(argv, 'abiKmnoprsUv', { prog: 'uname', usage: 'usage: uname [-abiKmnoprsUv]' });
  if (g.args.length) require('../lib/host').fail(1, 'usage: uname [-abiKmnoprsUv]');
  const h = R.host();
  const env = process.env;
  const val = {
    s: env.UNAME_s || 'FreeBSD',
    n: env.UNAME_n || h.hostname,
    r: env.UNAME_r || h.kernel,
    v: env.UNAME_v || `FreeBSD ${h.kernel} releng/${R.parse(h.kernel).major}.${R.parse(h.kernel).minor}-n0-fakebsd GENERIC`,
    m: env.UNAME_m || h.arch,
    p: env.UNAME_p || h.arch,
    i: env.UNAME_i || 'GENERIC',
    K: R.osreldate(h.kernel),
    U: R.osreldate(h.release),
    b: '0000000000000000000000000000000000000000',
  };
  let flags = g.opts.map(([f]) => (f === 'o' ? 's' : f));
  if (flags.includes('a')) flags = ['s', 'n', 'r', 'v', 'm'];
  if (flags.length === 0) flags = ['s'];
  const order = 'snrvmpiKUb';
  const words = [...new Set(flags)].sort((a, b) => order.indexOf(a) - order.indexOf(b)).map((f) => val[f]);
  out(words.join(' ') + '\n');
}

module.exports = { main };
