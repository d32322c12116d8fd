'use strict';
// pkg(8) against a tiny repository (var/db/fakebsd/pkgrepo.json or the built-in one).
// Installed packages are recorded per root (host "/", a jail's path, or -r ROOT).
// `pkg -j NAME install` needs the jail to have a network: etc/resolv.conf inside it
// and no `offline` flag on the jail in the state.
const fs = require('fs');
const path = require('path');
const { out, err, fail, hostPath, dbDir } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');
const M = require('../lib/mounts');

const REPO = {
  'indexinfo': { version: '0.3.1', deps: [] },
  'gettext-runtime': { version: '0.22.5', deps: ['indexinfo'] },
  'bash': { version: '5.2.37', deps: ['gettext-runtime'] },
  'wireguard-go': { version: '0.0.20230223_10', deps: [] },
  'wireguard-tools': { version: '1.0.20210914_3', deps: ['bash'] },
  'wireguard': { version: '2', deps: ['bash', 'wireguard-go', 'wireguard-tools'] },
  'expat': { version: '2.6.4', deps: [] },
  'git-lite': { version: '2.47.1', deps: ['expat', 'gettext-runtime'] },
  'vim-console': { version: '9.1.0', deps: ['gettext-runtime'] },
  'pkg': { version: '1.21.3', deps: [] },
};
const USAGE = 'Usage: pkg [-v] [-d] [-l] [-N] [-j <jail name or id>|-c <chroot path>|-r <rootdir>] [-C <configuration file>] [-R <repo config dir>] [-o var=value] [-4|-6] <command> [<args>]';

function repo() {
  try { return JSON.parse(fs.readFileSync(dbDir('pkgrepo.json'), 'utf8')); } catch { return REPO; }
}

function closure(r, names) {
  const order = [];
  const visit = (n, from) => {
    if (!r[n]) fail(1, from ? `pkg: ${from} has a missing dependency: ${n}` : `pkg: No packages available to install matching '${n}' have been found in the repositories`);
    if (order.includes(n)) return;
    for (const d of r[n].deps) visit(d, n);
    order.push(n);
  };
  for (const n of names) visit(n.replace(/-\d[^-]*$/, ''));
  return order;
}

function main(argv) {
  const g = getopt(argv, 'vdlNj:c:r:C:R:o:46', { prog: 'pkg', usage: USAGE });
  const [cmd, ...rest] = g.args;
  if (!cmd) fail(64, USAGE);
  let root = '/';
  let label = '';
  let jail = null;
  if (g.has('j')) {
    jail = State.read((s) => State.findJail(s, g.get('j')));
    if (!jail) fail(1, `pkg: jail_getid: jail "${g.get('j')}" not found`);
    root = jail.path;
    label = `[${jail.name}] `;
  } else if (g.has('r')) root = g.get('r');
  else if (g.has('c')) root = g.get('c');
  const r = repo();
  const installed = () => State.read((s) => (s.pkg.roots[root] || {}));
  const networkOk = () => !jail || (fs.existsSync(path.join(hostPath(jail.path), 'etc/resolv.conf')) && !jail.offline);
  const offline = () => {
    err('pkg: No SRV record found for the repo \'FreeBSD\'\npkg: Unable to update repository FreeBSD\nError updating repositories!\n');
    return 3;
  };
  const record = (names) => State.update((s) => {
    const db = (s.pkg.roots[root] = s.pkg.roots[root] || {});
    for (const n of names) db[n] = r[n].version;
  });
  switch (cmd) {
    case 'update': {
      const o = getopt(rest, 'fqr:', { prog: 'pkg update', usage: 'Usage: pkg update [-fq] [-r reponame]' });
      if (!networkOk()) return offline();
      if (!o.has('q')) out(`${label}Updating FreeBSD repository catalogue...\n${label}FreeBSD repository is up to date.\n${label}All repositories are up to date.\n`);
      return 0;
    }
    case 'install': {
      const o = getopt(rest, 'AfIMnFqRUyr:gixX', { prog: 'pkg install', usage: 'Usage: pkg install [-AfInFMqRUy] [-r reponame] [-Cgix] <pkg-name> ...' });
      if (o.args.length === 0) fail(64, 'Usage: pkg install [-AfInFMqRUy] [-r reponame] [-Cgix] <pkg-name> ...');
      if (o.has('r') && o.get('r') !== 'FreeBSD') fail(1, `pkg: Repository ${o.get('r')} cannot be found`);
      if (!networkOk()) return offline();
      if (!o.has('y')) fail(1, `${label}Proceed with this action? [y/N]: pkg: not confirmed (no tty in the fake; use -y)`);
      const todo = closure(r, o.args).filter((n) => !(n in installed()));
      if (!todo.length) { out(`${label}The most recent versions of packages are already installed\n`); return 0; }
      if (!o.has('n')) {
        record(todo);
        for (const n of todo) out(`${label}Installing ${n}-${r[n].version}...\n${label}Extracting ${n}-${r[n].version}: 100%\n`);
      }
      return 0;
    }
    case 'upgrade': {
      const o = getopt(rest, 'fInFqUyr:', { prog: 'pkg upgrade', usage: 'Usage: pkg upgrade [-fInFqUy] [-r reponame] [-Cgix] <pkg-name> ...' });
      if (!networkOk()) return offline();
      if (!o.has('y') && !o.has('n')) fail(1, `${label}Proceed with this action? [y/N]: pkg: not confirmed (use -y)`);
      out(`${label}Your packages are up to date.\n`);
      return 0;
    }
    case 'fetch': {
      const o = getopt(rest, 'adgiqUuyo:r:', { prog: 'pkg fetch', usage: 'Usage: pkg fetch [-r reponame] [-o destdir] [-dqUy] [-Cgix] <pkg-name> <...>' });
      if (!networkOk()) return offline();
      const names = o.has('d') ? closure(r, o.args) : o.args.map((n) => { if (!r[n]) fail(1, `pkg: No packages available to fetch matching '${n}' have been found in the repositories`); return n; });
      if (!o.has('y')) fail(1, 'Proceed with fetching packages? [y/N]: pkg: not confirmed (use -y)');
      const dir = path.posix.join(o.get('o') || '/var/cache/pkg', 'All');
      fs.mkdirSync(hostPath(path.posix.join(root, dir)), { recursive: true });
      for (const n of names) {
        fs.writeFileSync(hostPath(path.posix.join(root, dir, `${n}-${r[n].version}.pkg`)), JSON.stringify({ name: n, version: r[n].version, deps: r[n].deps }) + '\n');
        if (!o.has('q')) out(`Fetching ${n}-${r[n].version}: 100%\n`);
      }
      return 0;
    }
    case 'add': {
      const o = getopt(rest, 'IAfMq', { prog: 'pkg add', usage: 'Usage: pkg add [-IAfqM] <pkg-name> ...' });
      if (o.args.length === 0) fail(64, 'Usage: pkg add [-IAfqM] <pkg-name> ...');
      const s = State.read();
      // A path inside a jail resolves through its root and the nullfs mounts recorded there.
      const real = (p) => hostPath(M.resolve(s, path.posix.join(root, p)));
      const add = (p, depth) => {
        const f = real(p);
        if (!fs.existsSync(f)) fail(1, `pkg: ${p}: No such file or directory`);
        const meta = JSON.parse(fs.readFileSync(f, 'utf8'));
        if (meta.name in installed()) return;
        out(`${label}${'| '.repeat(Math.max(0, depth - 1))}${depth ? '`-- ' : ''}Installing ${meta.name}-${meta.version}...\n`);
        for (const d of meta.deps) {
          const dir = path.posix.dirname(p);
          const cand = fs.readdirSync(path.dirname(f)).find((x) => x.startsWith(`${d}-`) && x.endsWith('.pkg') && /^\d/.test(x.slice(d.length + 1)));
          if (!cand) fail(1, `pkg: Missing dependency '${d}'`);
          add(path.posix.join(dir, cand), depth + 1);
        }
        State.update((st) => { (st.pkg.roots[root] = st.pkg.roots[root] || {})[meta.name] = meta.version; });
        out(`${label}${depth ? '`-- ' : ''}Extracting ${meta.name}-${meta.version}: 100%\n`);
      };
      for (const p of o.args) add(p, 0);
      return 0;
    }
    case 'info': {
      const o = getopt(rest, 'eaqEx', { prog: 'pkg info', usage: 'Usage: pkg info <pkg-name>' });
      const db = installed();
      if (o.has('e')) return o.args.every((n) => n in db) ? 0 : 1;
      const names = o.args.length ? o.args : Object.keys(db).sort();
      for (const n of names) {
        if (!(n in db)) { err(`pkg: No package(s) matching ${n}\n`); return 70; }
        out(o.has('q') ? `${n}-${db[n]}\n` : `${`${n}-${db[n]}`.padEnd(32)}${n}\n`);
      }
      return 0;
    }
    case 'delete': case 'remove': {
      const o = getopt(rest, 'afnqRyx', { prog: 'pkg delete', usage: 'Usage: pkg delete [-DfnqRy] [-Cgix] <pkg-name> ...' });
      const db = installed();
      for (const n of o.args) if (!(n in db)) fail(1, `${label}No packages matched for pattern '${n}'`);
      if (!o.has('y')) fail(1, 'Proceed with deinstalling packages? [y/N]: pkg: not confirmed (use -y)');
      State.update((s) => { for (const n of o.args) delete s.pkg.roots[root][n]; });
      return 0;
    }
    default: fail(1, `pkg: unknown command: ${cmd}\n${USAGE}`);
  }
  return 0;
}

module.exports = { main, REPO };
