'use strict';
// lockf(1): run a command holding an exclusive lock on a file. The lock is a real
// flock(2) (through util-linux flock), so concurrent scripts on the fake host serialize.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { fail, hostPath } = require('../lib/host');
const { getopt } = require('../lib/getopt');

const USAGE = 'usage: lockf [-knpsTw] [-t seconds] file command [arguments]\n       lockf [-s] [-t seconds] fd';
const EX_TEMPFAIL = 75;
const EX_CANTCREAT = 73;

function main(argv) {
  const g = getopt(argv, 'knpsTwt:', { prog: 'lockf', usage: USAGE, code: 64 });
  if (g.args.length < 2) fail(64, USAGE);
  const timeout = g.get('t');
  if (timeout !== undefined && !/^\d+$/.test(timeout)) fail(64, `lockf: invalid timeout "${timeout}"`);
  const [file, ...cmd] = g.args;
  const real = hostPath(file);
  if (g.has('n') && !fs.existsSync(real)) fail(EX_CANTCREAT, g.has('s') ? '' : `lockf: cannot open ${file}: No such file or directory`);
  if (!fs.existsSync(path.dirname(real))) fail(EX_CANTCREAT, g.has('s') ? '' : `lockf: cannot open ${file}: No such file or directory`);
  // Like lockf.c: take the lock, and if the file was unlinked meanwhile (the previous
  // holder removes it before releasing), start over on the new file. The file is
  // removed while the lock is still held, unless -k.
  const wait = timeout === undefined ? '' : timeout === '0' ? '-n' : `-w ${timeout}`;
  const script = `
    f=$1; shift
    while :; do
      exec 9>>"$f" || exit ${EX_CANTCREAT}
      flock -x ${wait} 9 || exit ${EX_TEMPFAIL}
      [ "$(stat -L -c %i /dev/fd/9)" = "$(stat -c %i "$f" 2>/dev/null)" ] && break
      exec 9>&-
    done
    "$@"; st=$?
    ${g.has('k') ? '' : 'rm -f "$f"'}
    exit $st`;
  const r = spawnSync('/bin/sh', ['-c', script, 'lockf', real, ...cmd], { stdio: 'inherit' });
  if (r.status === EX_TEMPFAIL && !g.has('s')) fail(EX_TEMPFAIL, `lockf: ${file}: already locked`);
  if (r.signal) return 128 + require('os').constants.signals[r.signal];
  return r.status;
}

module.exports = { main };
