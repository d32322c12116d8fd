'use strict';
// daemon(8), after usr.sbin/daemon/daemon.c (freebsd/freebsd-src):
// - options: getopt_long with "+cfHSp:P:ru:o:s:l:t:m:R:T:h" (the first operand ends them) and
//   the long forms (--change-dir, --close-fds, ...); no command prints the usage and exits 1.
// - then daemon(3) (lib/libc/gen/daemon.c): fork, the parent exits 0 at once, the child calls
//   setsid(2) (a new session: no controlling terminal, so /dev/tty cannot be opened: ENXIO,
//   sys/kern/tty_tty.c cttyopen), chdir("/") only with -c, stdin/stdout/stderr to /dev/null
//   only with -f; without supervision options the child then execvp(3)s the command, and a
//   command that cannot be executed is reported by the child ("daemon: CMD: ...", exit 1)
//   after the parent already exited 0.
// - -p FILE records the command's pid; when FILE names a process that still runs, daemon exits 3
//   ("process already running", pidfile_open(3) EEXIST). The other supervision options (-P, -o,
//   -r, -R, -S, -l, -s, -T, -m, -H) and -u are not implemented by the fake: they fail loudly
//   rather than behave differently.
// The new session comes from Node's spawn({ detached: true }), which calls setsid(2) in the
// child as util-linux setsid(1) does.
const fs = require('fs');
const { spawn } = require('child_process');
const { err, fail, hostPath } = require('../lib/host');
const { getopt } = require('../lib/getopt');

const USAGE = `usage: daemon [-cfHrS] [-p child_pidfile] [-P supervisor_pidfile]
              [-u user] [-o output_file] [-t title]
              [-l syslog_facility] [-s syslog_priority]
              [-T syslog_tag] [-m output_mask] [-R restart_delay_secs]
command arguments ...`;

const LONG = {
  'change-dir': 'c', 'close-fds': 'f', sighup: 'H', syslog: 'S', 'output-file': 'o', 'output-mask': 'm',
  'child-pidfile': 'p', 'supervisor-pidfile': 'P', restart: 'r', 'restart-delay': 'R', title: 't', user: 'u',
  'syslog-priority': 's', 'syslog-facility': 'l', 'syslog-tag': 'T', help: 'h',
};
const WITH_ARGUMENT = 'pPuosltmRT';

/** getopt_long's long options as their short forms, up to the first operand. */
function shortForms(argv) {
  const outv = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--' || !a.startsWith('-') || a === '-') break;
    if (!a.startsWith('--')) { outv.push(a); continue; }
    const [name, value] = a.slice(2).split(/=(.*)/s);
    const c = LONG[name];
    if (!c) fail(1, `daemon: unrecognized option \`${a}'\n${USAGE}`);
    outv.push(`-${c}`);
    if (WITH_ARGUMENT.includes(c)) {
      if (value !== undefined) outv.push(value);
      else if (i + 1 < argv.length) outv.push(argv[++i]);
      else fail(1, `daemon: option \`${a}' requires an argument\n${USAGE}`);
    }
  }
  return [...outv, ...argv.slice(i)];
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

function main(argv) {
  const g = getopt(shortForms(argv), 'cfHSp:P:ru:o:s:l:t:m:R:T:h', { prog: 'daemon', usage: USAGE });
  if (g.has('h')) fail(0, USAGE);
  for (const [flag] of g.opts) {
    if ('PoRrSlsTmHu'.includes(flag)) fail(1, `fakebsd: daemon -${flag} is not implemented by the fake`);
  }
  if (g.args.length === 0) fail(1, USAGE);
  const pidfile = g.get('p');
  if (pidfile !== undefined) {
    let old = NaN;
    try { old = Number(fs.readFileSync(hostPath(pidfile), 'utf8').trim()); } catch { /* none */ }
    if (Number.isInteger(old) && old > 0 && alive(old)) fail(3, `daemon: process already running, pid: ${old}`);
  }
  const [cmd, ...args] = g.args;
  const closeFds = g.has('f');
  const child = spawn(cmd, args, {
    detached: true, // setsid(2) in the child
    cwd: g.has('c') ? '/' : process.cwd(),
    stdio: closeFds ? 'ignore' : 'inherit',
  });
  // execvp failed in the child; the parent has exited 0 already.
  child.on('error', (e) => {
    if (!closeFds) err(`daemon: ${cmd}: ${e.code === 'ENOENT' ? 'No such file or directory' : e.code === 'EACCES' ? 'Permission denied' : e.message}\n`);
  });
  if (pidfile !== undefined && child.pid) fs.writeFileSync(hostPath(pidfile), `${child.pid}\n`);
  child.unref();
  return 0;
}

module.exports = { main };
