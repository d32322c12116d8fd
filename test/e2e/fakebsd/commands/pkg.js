'use strict';
// pkg(8) (freebsd/pkg) against a tiny repository (var/db/fakebsd/pkgrepo.json or the built-in one).
// Installed packages are recorded in the root's own /var/db/pkg/local.sqlite (here JSON: name ->
// version), as libpkg's local database is (libpkg/pkgdb.c opens DBDIR/local.sqlite under the
// root): a jail whose dataset is replaced has none of the old one's packages. The server
// packages (lib/srvpkgs.js: nginx, uwsgi-py311, postgresql17-server) also install their rc.d
// scripts and configuration files there, and delete removes them.
// `pkg -j NAME install` needs the jail to have a network: etc/resolv.conf inside it
// and no `offline` flag on the jail in the state.
// - ABI: the running system's (with -j the jail's userland: FreeBSD:MAJOR:amd64), or
//   `-o ABI=...`; without OSVERSION pkg warns and guesses (libpkg/pkg_config.c).
// - The repository catalogue lives in PKG_DBDIR (default /var/db/pkg): a catalogue fetched for
//   another ABI replaces it ("wrong packagesite, need to re-create database").
// - `fetch -o DIR` writes the repository's own paths under DIR; the official repositories are
//   hashed: DIR/All/Hashed/NAME-VERSION~HASH.pkg (libpkg/repo/binary/fetch.c). Each file
//   records the ABI it was built for.
// - `add FILE` refuses a package of another ABI: "wrong architecture: X instead of Y"
//   (libpkg/utils.c is_valid_abi); dependencies are looked up beside FILE (name-*.pkg).
// - `query -F FILE FORMAT`, `rquery [-U] FORMAT NAME`, `config abi`.
// - Questions ("Proceed with this action?") are query_yesno (src/utils.c): answered by -y or
//   ASSUME_ALWAYS_YES (pkg.conf, -o or the environment), else read from stdin with getline:
//   on a terminal that waits for a typed answer; at end of input the default (no) holds and
//   the command exits 1.
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { out, err, fail, hostPath, dbDir, readLine, sleepMs } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');
const M = require('../lib/mounts');
const R = require('../lib/release');
const SP = require('../lib/srvpkgs');

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
  ...require('../lib/srvpkgs').REPO,
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
  const config = {};
  for (const kv of g.all('o')) {
    const eq = kv.indexOf('=');
    if (eq <= 0) fail(1, `pkg: Invalid configuration format, ignoring the configuration setting: ${kv}`);
    config[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const runningRelease = jail ? R.treeVersion(hostPath(jail.path)) : State.read((s) => s.host.release);
  const parsed = R.parse(runningRelease || '');
  // pkg reads the ABI from the running system's /usr/bin/uname (the jail's with -j).
  let abi = parsed ? `FreeBSD:${parsed.major}:amd64` : null;
  if (config.ABI) {
    if (!/^FreeBSD:\d+:[a-z0-9]+$/.test(config.ABI)) fail(1, `pkg: Unable to parse the ABI: ${config.ABI}`);
    abi = config.ABI;
    if (!config.OSVERSION) err(`pkg: Setting ABI requires setting OSVERSION, guessing the OSVERSION as: ${Number(abi.split(':')[1]) * 100000}\n`);
  }
  const dbdir = config.PKG_DBDIR || '/var/db/pkg';
  // pkg_config.c: a boolean from -o, else the environment.
  const assumeYes = /^(yes|true|on|1)$/i.test(config.ASSUME_ALWAYS_YES ?? process.env.ASSUME_ALWAYS_YES ?? '');
  /** query_yesno(false, QUESTION): -y or ASSUME_ALWAYS_YES, else an answer read from stdin (default no). */
  const confirmed = (yesFlag, question) => {
    if (yesFlag || assumeYes) return true;
    for (;;) {
      out(`${label}${question}[y/N]: `);
      const line = readLine(0);
      if (line === null || line === '') return false;
      if (/^(y|yes)$/i.test(line)) return true;
      if (/^(n|no)$/i.test(line)) return false;
      out('Please type \'Y[es]\' or \'N[o]\' to make selection\n');
    }
  };
  if (!abi && ['fetch', 'add', 'rquery', 'config', 'install', 'update'].includes(cmd)) fail(1, `${label}pkg: Unable to determine the ABI`);
  /** Fetching the catalogue for this ABI into PKG_DBDIR (what update, install, fetch and rquery do). */
  const catalogue = () => State.update((s) => {
    const cats = (s.pkg.catalogues = s.pkg.catalogues || {});
    if (cats[dbdir] && cats[dbdir] !== abi) err(`${label}pkg: Repository FreeBSD has a wrong packagesite, need to re-create database\n`);
    cats[dbdir] = abi;
  });
  const localDb = () => path.join(hostPath(root), 'var/db/pkg/local.sqlite');
  const installed = () => (fs.existsSync(localDb()) ? JSON.parse(fs.readFileSync(localDb(), 'utf8')) : {});
  /** The local database changed by `change`, under the state's lock (pkg locks its database). */
  const changeInstalled = (change) => State.update(() => {
    const db = installed();
    change(db);
    fs.mkdirSync(path.dirname(localDb()), { recursive: true });
    fs.writeFileSync(localDb(), JSON.stringify(db));
  });
  const networkOk = () => !jail || (fs.existsSync(path.join(hostPath(jail.path), 'etc/resolv.conf')) && !jail.offline);
  const offline = () => {
    err('pkg: No SRV record found for the repo \'FreeBSD\'\npkg: Unable to update repository FreeBSD\nError updating repositories!\n');
    return 3;
  };
  const record = (names) => changeInstalled((db) => {
    for (const n of names) db[n] = r[n].version;
  });
  switch (cmd) {
    case 'update': {
      const o = getopt(rest, 'fqr:', { prog: 'pkg update', usage: 'Usage: pkg update [-fq] [-r reponame]' });
      if (!networkOk()) return offline();
      catalogue();
      if (!o.has('q')) out(`${label}Updating FreeBSD repository catalogue...\n${label}FreeBSD repository is up to date.\n${label}All repositories are up to date.\n`);
      return 0;
    }
    case 'install': {
      const o = getopt(rest, 'AfIMnFqRUyr:gixX', { prog: 'pkg install', usage: 'Usage: pkg install [-AfInFMqRUy] [-r reponame] [-Cgix] <pkg-name> ...' });
      if (o.args.length === 0) fail(64, 'Usage: pkg install [-AfInFMqRUy] [-r reponame] [-Cgix] <pkg-name> ...');
      if (o.has('r') && o.get('r') !== 'FreeBSD') fail(1, `pkg: Repository ${o.get('r')} cannot be found`);
      if (!networkOk()) return offline();
      if (!confirmed(o.has('y'), '\nProceed with this action? ')) return 1;
      catalogue();
      const todo = closure(r, o.args).filter((n) => !(n in installed()));
      if (!todo.length) { out(`${label}The most recent versions of packages are already installed\n`); return 0; }
      if (!o.has('n')) {
        record(todo);
        for (const n of todo) SP.install(n, hostPath(root));
        for (const n of todo) out(`${label}Installing ${n}-${r[n].version}...\n${label}Extracting ${n}-${r[n].version}: 100%\n`);
      }
      return 0;
    }
    case 'upgrade': {
      const o = getopt(rest, 'fInFqUyr:', { prog: 'pkg upgrade', usage: 'Usage: pkg upgrade [-fInFqUy] [-r reponame] [-Cgix] <pkg-name> ...' });
      if (!networkOk()) return offline();
      if (!o.has('n') && !confirmed(o.has('y'), '\nProceed with this action? ')) return 1;
      out(`${label}Your packages are up to date.\n`);
      return 0;
    }
    case 'fetch': {
      const o = getopt(rest, 'adgiqUuyo:r:', { prog: 'pkg fetch', usage: 'Usage: pkg fetch [-r reponame] [-o destdir] [-dqUy] [-Cgix] <pkg-name> <...>' });
      if (!networkOk()) return offline();
      const names = o.has('d') ? closure(r, o.args) : o.args.map((n) => { if (!r[n]) fail(1, `pkg: No packages available to fetch matching '${n}' have been found in the repositories`); return n; });
      if (!confirmed(o.has('y'), '\nProceed with fetching packages? ')) return 1;
      if (!o.has('U')) catalogue();
      const dir = path.posix.join(o.get('o') || '/var/cache/pkg', 'All', 'Hashed');
      fs.mkdirSync(hostPath(path.posix.join(root, dir)), { recursive: true });
      // The test bed's delay hook (not FreeBSD's): milliseconds a fetch pauses with a file half
      // written, so that runs which overlap do so for certain.
      const delay = Number((() => { try { return fs.readFileSync(dbDir('pkg-fetch-delay-ms'), 'utf8'); } catch { return '0'; } })()) || 0;
      for (const n of names) {
        const text = JSON.stringify({ name: n, version: r[n].version, deps: r[n].deps, abi }) + '\n';
        const sum = crypto.createHash('sha256').update(text).digest('hex').slice(0, 10);
        const dest = hostPath(path.posix.join(root, dir, `${n}-${r[n].version}~${sum}.pkg`));
        // libpkg/repo/binary/fetch.c pkg_repo_binary_try_fetch: a file already in the directory
        // with the catalogue's size and checksum is not downloaded again; one that differs is
        // unlinked and fetched again. The download writes the destination in place
        // (pkg_fetch_file, which can resume at an offset), so a reader meanwhile sees it partial.
        if (fs.existsSync(dest)) {
          if (fs.readFileSync(dest, 'utf8') === text) continue;
          err(`pkg: cached package ${n}-${r[n].version}: checksum mismatch, fetching from remote\n`);
          fs.unlinkSync(dest);
        }
        const fd = fs.openSync(dest, 'w');
        try {
          fs.writeSync(fd, text.slice(0, text.length >> 1));
          if (delay > 0) sleepMs(delay);
          fs.writeSync(fd, text.slice(text.length >> 1));
        } finally {
          fs.closeSync(fd);
        }
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
        if (meta.abi && meta.abi !== abi) fail(1, `${label}pkg: wrong architecture: ${meta.abi} instead of ${abi}`);
        if (meta.name in installed()) return;
        out(`${label}${'| '.repeat(Math.max(0, depth - 1))}${depth ? '`-- ' : ''}Installing ${meta.name}-${meta.version}...\n`);
        for (const d of meta.deps) {
          const dir = path.posix.dirname(p);
          const cand = fs.readdirSync(path.dirname(f)).find((x) => x.startsWith(`${d}-`) && x.endsWith('.pkg') && /^\d/.test(x.slice(d.length + 1)));
          if (!cand) fail(1, `pkg: Missing dependency '${d}'`);
          add(path.posix.join(dir, cand), depth + 1);
        }
        changeInstalled((db) => { db[meta.name] = meta.version; });
        SP.install(meta.name, hostPath(root));
        out(`${label}${depth ? '`-- ' : ''}Extracting ${meta.name}-${meta.version}: 100%\n`);
      };
      for (const p of o.args) add(p, 0);
      return 0;
    }
    case 'query': {
      const o = getopt(rest, 'aF:egix', { prog: 'pkg query', usage: 'Usage: pkg query <query-format> <pkg-name>\n       pkg query [-a] <query-format>\n       pkg query -F <pkg-name> <query-format>' });
      if (!o.has('F')) fail(1, 'fakebsd: pkg query without -F is not implemented by the fake');
      const f = hostPath(path.posix.join(root, o.get('F')));
      if (o.args.length !== 1) fail(64, 'Usage: pkg query -F <pkg-name> <query-format>');
      if (!fs.existsSync(f)) fail(1, `pkg: ${o.get('F')}: No such file or directory`);
      out(format(o.args[0], JSON.parse(fs.readFileSync(f, 'utf8'))) + '\n');
      return 0;
    }
    case 'rquery': {
      const o = getopt(rest, 'aAegiUxr:', { prog: 'pkg rquery', usage: 'Usage: pkg rquery [-r reponame] [-U] <query-format> <pkg-name>' });
      if (o.args.length < 1) fail(64, 'Usage: pkg rquery [-r reponame] [-U] <query-format> <pkg-name>');
      if (!o.has('U')) { if (!networkOk()) return offline(); catalogue(); }
      const [fmt, ...names] = o.args;
      const list = o.has('a') ? Object.keys(r).sort() : names;
      let found = false;
      for (const n of list) if (r[n]) { found = true; out(format(fmt, { name: n, version: r[n].version, abi }) + '\n'); }
      return found ? 0 : 1;
    }
    case 'config': {
      if (rest.length !== 1) fail(64, 'Usage: pkg config <name>');
      const key = rest[0].toUpperCase();
      if (key === 'ABI') out(`${abi}\n`);
      else if (key === 'PKG_DBDIR') out(`${dbdir}\n`);
      else fail(1, `fakebsd: pkg config ${rest[0]} is not implemented by the fake`);
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
      if (!confirmed(o.has('y'), '\nProceed with deinstalling packages? ')) return 1;
      changeInstalled((db) => { for (const n of o.args) delete db[n]; });
      for (const n of o.args) SP.remove(n, hostPath(root));
      return 0;
    }
    default: fail(1, `pkg: unknown command: ${cmd}\n${USAGE}`);
  }
  return 0;
}

/** pkg query's %n %v %q (ABI) and %%. */
function format(fmt, meta) {
  return fmt.replace(/%([nvq%])/g, (_, c) => ({ n: meta.name, v: meta.version, q: meta.abi || '', '%': '%' }[c]));
}

module.exports = { main, REPO };
