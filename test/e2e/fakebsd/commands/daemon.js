'use strict';
// daemon(8) (usr.sbin/daemon/daemon.c, daemon.8): runs COMMAND detached from the controlling
// terminal, in a new session (daemon(3): setsid), so the end of the SSH session that started it
// does not end it. -f puts stdin, stdout and stderr on /dev/null (without it the command keeps
// the caller's descriptors, and an SSH session waits for them); -p FILE records the command's
// pid; -c changes to /. Exit 3 when the pidfile names a process that still runs ("process
// already running"). Options this fake does not model are refused, not ignored.
const fs = require('fs');
const { spawn } = require('child_process');
const { fail, hostPath } = require('../lib/host');
const { getopt } = require('../lib/getopt');

const USAGE = `usage: daemon [-cfHrS] [-p child_pidfile] [-P supervisor_pidfile]
              [-t title] [-u user] [-o output_file] [-s output_mask]
              [-T syslog_tag] [-l syslog_facility] [-R restart_delay]
              [-m output_mask] command arguments ...`;

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

function main(argv) {
  const g = getopt(argv, 'cfp:', { prog: 'daemon', usage: USAGE });
  if (g.args.length === 0) fail(1, USAGE);
  const pidfile = g.get('p');
  if (pidfile !== undefined) {
    let old = NaN;
    try { old = Number(fs.readFileSync(hostPath(pidfile), 'utf8').trim()); } catch { /* none */ }
    if (Number.isInteger(old) && old > 0 && alive(old)) fail(3, `daemon: process already running, pid: ${old}`);
  }
  const [cmd, ...args] = g.args;
  const child = spawn(cmd, args, {
    detached: true,
    cwd: g.has('c') ? '/' : process.cwd(),
    stdio: g.has('f') ? 'ignore' : 'inherit',
    env: process.env,
  });
  child.on('error', () => { /* daemon(8) reports exec failures from the child, after the parent exited */ });
  if (pidfile !== undefined && child.pid) fs.writeFileSync(hostPath(pidfile), `${child.pid}\n`);
  child.unref();
  return 0;
}

module.exports = { main };
