'use strict';
// sha256(1) from the md5(1) family: "SHA256 (file) = hex", -q, -r, -s, -c (exit 2 on mismatch).
const fs = require('fs');
const crypto = require('crypto');
const { out, err, hostPath, readStdin } = require('../lib/host');
const { getopt } = require('../lib/getopt');

const USAGE = 'usage: sha256 [-pqrtx] [-c string] [-s string] [files ...]';
const hex = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

function main(argv) {
  const g = getopt(argv, 'pqrtxc:s:', { prog: 'sha256', usage: USAGE });
  const quiet = g.has('q');
  const reverse = g.has('r');
  const check = g.get('c');
  let status = 0;
  const report = (label, digest) => {
    const bad = check !== undefined && check.toLowerCase() !== digest;
    if (bad) status = Math.max(status, 2);
    let line = quiet ? digest : reverse ? `${digest} ${label}` : `SHA256 (${label}) = ${digest}`;
    if (bad && !quiet) line += ' [ Failed ]';
    out(line + '\n');
  };
  for (const s of g.all('s')) report(`"${s}"`, hex(Buffer.from(s)));
  if (g.args.length === 0 && !g.has('s')) {
    const d = hex(readStdin());
    if (check !== undefined && check.toLowerCase() !== d) status = 2;
    out(d + '\n');
  }
  for (const f of g.args) {
    let buf;
    try {
      buf = fs.readFileSync(hostPath(f));
    } catch (e) {
      err(`sha256: ${f}: ${e.code === 'EISDIR' ? 'Is a directory' : 'No such file or directory'}\n`);
      status = Math.max(status, 1);
      continue;
    }
    report(f, hex(buf));
  }
  return status;
}

module.exports = { main, hex };
