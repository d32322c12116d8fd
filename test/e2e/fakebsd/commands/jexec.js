'use strict';
// jexec(8) (usr.sbin/jexec/jexec.c): every command is recorded in the jail's state. Only a few
// are actually run, against the jail's root, because the fake has no chroot with real binaries:
// true, false, echo, hostname, cat/test/ls/tee on jail paths (through the nullfs mounts in the
// jail, as vfs lookups cross them), freebsd-version, and the shims
// sysrc and pw (as -R root), pkg (as -j jail), ifconfig/route/sysctl (vnet view), service
// (the jail's rc.d scripts: what `service -j` runs, and a health check's `jexec J service NAME
// status`), nc and fetch (they connect from the jails' network, lib/jailnet.js), zfs (the datasets
// attached to the jail).
// A jail that is not running: "jexec: jail "NAME" not found" (jail_getid's message), exit 1.
// Anything else fails with status 127, so a test notices what the fake cannot do.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { out, err, fail, hostPath } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');
const R = require('../lib/release');
const M = require('../lib/mounts');

const USAGE = 'usage: jexec [-l] [-d working-directory] [-u username | -U username] jail [command ...]';
const SCRIPT = path.join(__dirname, '..', 'fakebsd.js');

function shim(name, args, env = {}) {
  const r = spawnSync(process.execPath, [SCRIPT, name, ...args], { stdio: 'inherit', env: { ...process.env, FAKEBSD_NESTED_IN: 'jexec', ...env } });
  return r.status;
}

function main(argv) {
  const g = getopt(argv, 'ld:u:U:', { prog: 'jexec', usage: USAGE });
  if (g.args.length === 0) fail(1, USAGE);
  const [want, ...cmd] = g.args;
  const j = State.update((s) => {
    const jail = State.findJail(s, want);
    if (!jail) fail(1, `jexec: jail "${want}" not found`);
    jail.execs.push({ param: 'jexec', cmd: cmd.length ? cmd.join(' ') : '/bin/csh' });
    return jail;
  });
  if (cmd.length === 0) return 0; // an interactive shell: nothing to do without a tty
  // A path in the jail is its root's path on the host, then whatever nullfs mount covers it.
  const inJail = (p) => hostPath(State.read((s) => M.resolve(s, path.posix.join(j.path, path.posix.resolve('/', p)))));
  const base = path.posix.basename(cmd[0]);
  const args = cmd.slice(1);
  switch (base) {
    case 'true': return 0;
    case 'false': return 1;
    case 'echo': out(args.join(' ') + '\n'); return 0;
    case 'hostname': out(j.hostname + '\n'); return 0;
    case 'freebsd-version': {
      const v = R.treeVersion(hostPath(j.path));
      if (!v) { err('jexec: freebsd-version: No such file or directory\n'); return 127; }
      out((args.includes('-k') || args.includes('-r') ? State.read((s) => s.host.kernel) : v) + '\n');
      return 0;
    }
    case 'cat': {
      let st = 0;
      for (const f of args) {
        try { out(fs.readFileSync(inJail(f))); } catch { err(`cat: ${f}: No such file or directory\n`); st = 1; }
      }
      return st;
    }
    case 'test': case '[': {
      const a = base === '[' ? args.slice(0, -1) : args;
      if (a.length === 2 && ['-e', '-f', '-d', '-s', '-x'].includes(a[0])) {
        const p = inJail(a[1]);
        if (!fs.existsSync(p)) return 1;
        const stt = fs.statSync(p);
        return { '-e': true, '-f': stt.isFile(), '-d': stt.isDirectory(), '-s': stt.size > 0, '-x': (stt.mode & 0o111) !== 0 }[a[0]] ? 0 : 1;
      }
      break;
    }
    case 'tee': {
      // tee(1) without options: standard input into each FILE (created or truncated) and out.
      const data = require('fs').readFileSync(0);
      for (const f of args) {
        try { fs.writeFileSync(inJail(f), data); } catch { err(`tee: ${f}: No such file or directory\n`); return 1; }
      }
      out(data);
      return 0;
    }
    case 'ls': {
      const p = inJail(args.filter((a) => !a.startsWith('-'))[0] || '/');
      if (!fs.existsSync(p)) { err(`ls: ${args[0]}: No such file or directory\n`); return 1; }
      out(fs.readdirSync(p).sort().join('\n') + '\n');
      return 0;
    }
    case 'sysrc': return shim('sysrc', ['-R', j.path, ...args]);
    case 'pw': return shim('pw', ['-R', j.path, ...args]);
    case 'service': return shim('service', args, { FAKEBSD_JAIL: j.name });
    case 'nc': case 'fetch': return shim(base, args, { FAKEBSD_JAIL: j.name });
    case 'pkg': return shim('pkg', ['-j', j.name, ...args]);
    case 'zfs': return shim('zfs', args, { FAKEBSD_JAIL: j.name }); // the jail's view: its attached datasets
    case 'ifconfig': case 'route': case 'sysctl':
      return shim(base, args, j.vnet ? { FAKEBSD_JAIL: j.name } : {});
    default:
  }
  err(`jexec: fakebsd cannot run '${cmd.join(' ')}' inside jail ${j.name} (recorded only)\n`);
  return 127;
}

module.exports = { main };
