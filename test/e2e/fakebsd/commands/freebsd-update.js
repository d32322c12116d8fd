'use strict';
// freebsd-update(8), after usr.sbin/freebsd-update/freebsd-update.sh: its hand-written
// argument loop (anything unknown prints the usage and exits 0!), the tty check of
// `fetch`, "No updates are available to install." (exit 2 unless fetched in the same
// run), and the release taken from uname -r / UNAME_r / --currently-running, never from
// the tree. Updates only rewrite BASEDIR/bin/freebsd-version, which is what tests read.
// The "update server" knows the latest patch level of each release (state.update.latest).
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const tty = require('tty');
const { out, fail, hostPath, Exit } = require('../lib/host');
const State = require('../lib/state');
const R = require('../lib/release');

const PROG = 'freebsd-update';
const LATEST_DEFAULT = { '13.5-RELEASE': 6, '14.2-RELEASE': 4, '14.3-RELEASE': 5, '15.0-RELEASE': 2 };

const USAGE = `usage: ${PROG} [options] command ...

Options:
  -b basedir   -- Operate on a system mounted at basedir
                  (default: /)
  -d workdir   -- Store working files in workdir
                  (default: /var/db/freebsd-update/)
  -f conffile  -- Read configuration options from conffile
                  (default: /etc/freebsd-update.conf)
  -F           -- Force a fetch operation to proceed in the
                  case of an unfinished upgrade
  -j jail      -- Operate on the given jail specified by jid or name
  -k KEY       -- Trust an RSA key with SHA256 hash of KEY
  -r release   -- Target for upgrade (e.g., 13.2-RELEASE)
  -s server    -- Server from which to fetch updates
                  (default: update.FreeBSD.org)
  -t address   -- Mail output of cron command, if any, to address
                  (default: root)
  --not-running-from-cron
               -- Run without a tty, for use by automated tools
  --currently-running release
               -- Update as if currently running this release
Commands:
  fetch        -- Fetch updates from server
  cron         -- Sleep rand(3600) seconds, fetch updates, and send an
                  email if updates were found
  upgrade      -- Fetch upgrades to FreeBSD version specified via -r option
  updatesready -- Check if there are fetched updates ready to install
  install      -- Install downloaded updates or upgrades
  rollback     -- Uninstall most recently installed updates
  IDS          -- Compare the system against an index of "known good" files
  showconfig   -- Show configuration
`;

// usage() in the script prints to stdout and exits 0.
const usage = () => quit(0, USAGE);
// The script reports everything with echo: on stdout.
function quit(code, text) {
  out(text);
  throw new Exit(code, '');
}
const withRel = (r) => (/^[0-9.]+$/.test(r) ? `${r}-RELEASE` : r);

function parseCmdline(argv) {
  const o = { commands: [], force: false, notty: false, basedir: '', workdir: '', target: '', uname: process.env.UNAME_r || '' };
  const once = (k, v) => { if (v === undefined || o[k]) usage(); o[k] = v; };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '-F': o.force = true; break;
      case '--not-running-from-cron': o.notty = true; break;
      case '--currently-running': if (argv[i + 1] === undefined) usage(); o.uname = withRel(argv[++i]); break;
      case '-b': once('basedir', argv[++i]); break;
      case '-d': once('workdir', argv[++i]); break;
      case '-r': once('target', argv[++i] && withRel(argv[i])); break;
      case '-f': case '-k': case '-s': case '-t': case '-v': if (argv[i + 1] === undefined) usage(); i++; break;
      case '-j': fail(1, 'fakebsd: freebsd-update -j is not implemented by the fake');
      case '--debug': case '--no-stats': break;
      case 'fetch': case 'upgrade': case 'install': case 'rollback': case 'updatesready': o.commands.push(a); break;
      case 'cron': case 'IDS': case 'showconfig': fail(1, `fakebsd: freebsd-update ${a} is not implemented by the fake`);
      default: usage();
    }
  }
  if (o.commands.length === 0) usage();
  o.basedir = o.basedir || '/';
  return o;
}

function main(argv) {
  const o = parseCmdline(argv);
  const h = R.host();
  const relnum = (o.uname || h.kernel).replace(/-p[0-9]+/, '').replace(/-SECURITY/, '-RELEASE');
  const workdirDefault = !o.workdir;
  const workdir = o.workdir || '/var/db/freebsd-update';
  if (workdirDefault) fs.mkdirSync(hostPath(workdir), { recursive: true });
  const base = hostPath(o.basedir);
  const key = crypto.createHash('sha256').update(o.basedir + '\n').digest('hex');
  const slot = `${workdir}|${key}`;
  let fetched = false;

  for (const cmd of o.commands) {
    if (cmd === 'fetch') {
      if (!tty.isatty(0) && !o.notty) {
        out(`${PROG} fetch should not be run non-interactively.\nRun ${PROG} cron instead.\n`);
        return 1;
      }
      checkWorkdir(workdir);
      checkTree(o.basedir, base);
      if (o.target) quit(1, `${PROG}: '-r' option is meaningless with 'fetch' command.  (Did you mean 'upgrade' instead?)\n`);
      checkRelease(relnum);
      fetched = doFetch(slot, base, relnum, o);
    } else if (cmd === 'upgrade') {
      checkWorkdir(workdir);
      checkTree(o.basedir, base);
      checkRelease(relnum);
      if (!o.target) { out(`${PROG}: Release target must be specified via '-r' option.\n`); return 1; }
      if (o.target === relnum) { out(`${PROG}: Cannot upgrade from ${relnum} to itself\n`); return 1; }
      if (!(o.target in latestTable())) { out(`The update metadata is correctly signed, but\nfailed an integrity check.\nFailed to fetch upgrade metadata for ${o.target}\n`); return 1; }
      doUpgrade(slot, relnum, o.target);
      fetched = true;
    } else if (cmd === 'install') {
      if (process.getuid && process.getuid() !== 0 && !process.env.FAKEBSD_ASSUME_ROOT) { out('You must be root to run this.\n'); return 1; }
      checkWorkdir(workdir);
      const code = doInstall(slot, base, fetched);
      if (code) return code;
    } else if (cmd === 'rollback') {
      checkWorkdir(workdir);
      const code = doRollback(slot, base);
      if (code) return code;
    } else if (cmd === 'updatesready') {
      const pending = State.read((s) => s.update[slot] && s.update[slot].pending);
      if (!pending) { out('No updates are available to install.\n'); return 2; }
      out(`There are updates available to install.\nRun '${PROG} [options] install' to proceed.\n`);
    }
  }
  return 0;
}

function latestTable() {
  return State.read((s) => s.update.latest || LATEST_DEFAULT);
}

function checkWorkdir(workdir) {
  const w = hostPath(workdir);
  if (!fs.existsSync(w) || !fs.statSync(w).isDirectory()) { quit(1, `${PROG}: Directory does not exist or is not writable: ${workdir}\n`); }
}

// The real script would go on and "update" whatever it finds; a tree without
// bin/freebsd-version is refused here so that a wrong -b shows up in tests.
function checkTree(basedir, base) {
  if (!fs.existsSync(path.join(base, 'bin/freebsd-version')) || !R.treeVersion(base)) {
    quit(1, `${PROG}: ${basedir} is not a FreeBSD installation: ${path.posix.join(basedir, 'bin/freebsd-version')} is missing\n`);
  }
}

function checkRelease(relnum) {
  if (!/-(RELEASE|ALPHA\d*|BETA\d*|RC\d*)$/.test(relnum)) {
    quit(1, `${PROG}: Cannot upgrade from a version that is not a release\n(including alpha, beta and release candidates)\nusing ${PROG}. Instead, FreeBSD can be directly\nupgraded by source or upgraded to a RELEASE/RELENG version\nprior to running ${PROG}.\nCurrently running: ${relnum}\n`);
  }
}

function doFetch(slot, base, relnum, o) {
  const latest = latestTable()[relnum];
  out(`Looking up update.FreeBSD.org mirrors... 3 mirrors found.\nFetching public key from update1.freebsd.org... done.\nFetching metadata signature for ${relnum} from update1.freebsd.org... done.\nFetching metadata index... done.\nInspecting system... done.\nPreparing to download files... done.\n`);
  if (latest === undefined) {
    quit(1, `The update metadata is correctly signed, but\nfailed an integrity check.\n`);
  }
  const want = latest ? `${relnum}-p${latest}` : relnum;
  const have = R.treeVersion(base);
  return State.update((s) => {
    const u = (s.update[slot] = s.update[slot] || {});
    if (u.pending && u.pending.stages && u.pending.stages.length && !o.force && u.pending.kind === 'upgrade' && u.pending.done > 0) {
      quit(1, `You have a partially completed upgrade pending\nRun '${PROG} [options] install' first.\nRun '${PROG} [options] fetch -F' to proceed anyway.\n`);
    }
    if (have === want) {
      out(`\nNo updates needed to update system to ${want}.\n`);
      delete u.pending;
      return true;
    }
    out(`\nThe following files will be updated as part of updating to\n${want}:\n/bin/freebsd-version\n`);
    u.pending = { kind: 'update', stages: [want], done: 0 };
    return true;
  });
}

function doUpgrade(slot, relnum, target) {
  const latest = latestTable()[target];
  const want = latest ? `${target}-p${latest}` : target;
  const major = R.parse(relnum).major !== R.parse(target).major;
  out(`Looking up update.FreeBSD.org mirrors... 3 mirrors found.\nFetching public key from update1.freebsd.org... done.\nFetching metadata signature for ${relnum} from update1.freebsd.org... done.\nFetching metadata index... done.\nInspecting system... done.\n\nThe following components of FreeBSD seem to be installed:\nkernel/generic world/base\n\nFetching metadata signature for ${target} from update1.freebsd.org... done.\nFetching metadata index... done.\nPreparing to download files... done.\n\nThe following files will be updated as part of updating to\n${want}:\n/bin/freebsd-version\n`);
  State.update((s) => {
    const u = (s.update[slot] = s.update[slot] || {});
    // Across a major version the kernel goes first, then the world: two installs.
    u.pending = { kind: 'upgrade', stages: major ? ['kernel', want] : [want], done: 0 };
  });
}

function doInstall(slot, base, fetched) {
  return State.update((s) => {
    const u = (s.update[slot] = s.update[slot] || {});
    if (!u.pending) {
      out('No updates are available to install.\n');
      if (!fetched) { out(`Run '${PROG} [options] fetch' first.\n`); return 2; }
      return 0;
    }
    const stage = u.pending.stages[u.pending.done];
    if (stage === 'kernel') {
      out(`Installing updates...\nKernel updates have been installed.  Please reboot and run\n'${PROG} [options] install' again to finish installing updates.\n`);
      u.pending.done++;
      return 0;
    }
    const before = R.treeVersion(base);
    writeTreeVersion(base, stage);
    u.history = u.history || [];
    u.history.push({ from: before, to: stage });
    delete u.pending;
    out('Installing updates... done.\n');
    return 0;
  });
}

function doRollback(slot, base) {
  return State.update((s) => {
    const u = s.update[slot] || {};
    if (!u.history || !u.history.length) { out('No rollback directory found.\n'); return 1; }
    const last = u.history.pop();
    delete u.pending;
    writeTreeVersion(base, last.from);
    out('Uninstalling updates... done.\n');
    return 0;
  });
}

function writeTreeVersion(base, rel) {
  const f = path.join(base, 'bin/freebsd-version');
  const text = fs.readFileSync(f, 'utf8');
  fs.writeFileSync(f, text.replace(/^USERLAND_VERSION="[^"]*"/m, `USERLAND_VERSION="${rel}"`));
}

module.exports = { main, LATEST_DEFAULT };
