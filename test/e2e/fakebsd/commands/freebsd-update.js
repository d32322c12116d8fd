'use strict';
// freebsd-update(8), after usr.sbin/freebsd-update/freebsd-update.sh (freebsd/freebsd-src):
// - parse_cmdline: the hand-written argument loop (anything unknown prints the usage and
//   exits 0!); parse_conffile: `-f FILE` or /etc/freebsd-update.conf, one option per line,
//   an unknown option fails; KeyPrint and ServerName must come from somewhere
//   (fetchupgrade_check_params), the work directory must exist.
// - cmd_fetch: the tty check; fetch_run creates the install manifest and then runs
//   fetch_warn_eol: past the release's end of life (the EOLTIME of the server's tag) it prints
//   "WARNING: ... HAS PASSED ITS END-OF-LIFE DATE." and cmd_fetch exits 1, so `fetch install`
//   never installs while a separate `install` applies what was fetched.
// - upgrade_run: continuep on stdin ("Does this look reasonable (y/n)?"; end of input goes
//   on), files under MergeChanges that were modified locally and changed between the releases
//   are merged with diff3 and the result must be confirmed reading /dev/tty (upgrade_merge),
//   files under UpdateIfUnmodified that were modified locally are kept and listed.
// - install_files: an upgrade installs the kernel first ("Kernel updates have been installed.
//   Please reboot ..."), then the world (across a major version it asks for another run to
//   remove old shared libraries), then the old libraries; the next run says "No updates are
//   available to install." and exits 2 (install_check_params).
// The release is taken from uname -r / UNAME_r / --currently-running, never from the tree.
// The "update server" knows each release's latest patch level and end-of-life date; the
// clock is the state's update.now when set (tests), else the real one.
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const os = require('os');
const tty = require('tty');
const { spawnSync } = require('child_process');
const { out, err, fail, hostPath, Exit, readLine, openTty } = require('../lib/host');
const State = require('../lib/state');
const R = require('../lib/release');
const { setContents } = require('../lib/mirror');

const PROG = 'freebsd-update';
/** The fake update server: latest patch level and planned end of life (FREEBSD.md's schedule). */
const SERVER = {
  '13.5-RELEASE': { patch: 6, eol: '2026-04-30' },
  '14.2-RELEASE': { patch: 4, eol: '2025-09-30' },
  '14.3-RELEASE': { patch: 5, eol: '2026-06-30' },
  '14.4-RELEASE': { patch: 3, eol: '2026-12-31' },
  '14.5-RELEASE': { patch: 1, eol: '2027-06-30' },
  '15.0-RELEASE': { patch: 2, eol: '2026-09-30' },
  '15.1-RELEASE': { patch: 1, eol: '2027-03-31' },
};
const LATEST_DEFAULT = Object.fromEntries(Object.entries(SERVER).map(([r, v]) => [r, v.patch]));

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

// config_* of the script: scalars may be given once, yes/no options take only those words.
const SCALAR = ['KeyPrint', 'WorkDir', 'ServerName', 'MailTo', 'BaseDir', 'TargetRelease', 'BackupKernelDir', 'VerboseLevel'];
const YESNO = ['AllowAdd', 'AllowDelete', 'KeepModifiedMetadata', 'StrictComponents', 'BackupKernel', 'BackupKernelSymbolFiles', 'CreateBootEnv'];
const LISTS = ['Components', 'IgnorePaths', 'IDSIgnorePaths', 'UpdateIfUnmodified', 'MergeChanges'];

function parseCmdline(argv) {
  const o = { commands: [], force: false, notty: false, conffile: '', cli: {}, uname: process.env.UNAME_r || '' };
  const once = (k, v) => { if (v === undefined || o.cli[k] !== undefined) usage(); o.cli[k] = v; };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '-f': if (argv[i + 1] === undefined || o.conffile) usage(); o.conffile = argv[++i]; break;
      case '-F': o.force = true; break;
      case '--not-running-from-cron': o.notty = true; break;
      case '--currently-running': if (argv[i + 1] === undefined) usage(); o.uname = withRel(argv[++i]); break;
      case '-b': once('BaseDir', argv[++i]); break;
      case '-d': once('WorkDir', argv[++i]); break;
      case '-k': once('KeyPrint', argv[++i]); break;
      case '-s': once('ServerName', argv[++i]); break;
      case '-t': once('MailTo', argv[++i]); break;
      case '-r': once('TargetRelease', argv[++i] && withRel(argv[i])); break;
      case '-v': if (argv[i + 1] === undefined) usage(); i++; break;
      case '-j': fail(1, 'fakebsd: freebsd-update -j is not implemented by the fake');
      case '--debug': case '--no-stats': break;
      case 'fetch': case 'upgrade': case 'install': case 'rollback': case 'updatesready': o.commands.push(a); break;
      case 'cron': case 'IDS': case 'showconfig': fail(1, `fakebsd: freebsd-update ${a} is not implemented by the fake`);
      default: usage();
    }
  }
  if (o.commands.length === 0) usage();
  return o;
}

/** parse_conffile: the options of the file, under the command line's (which win). */
function readConfig(o) {
  let file = o.conffile;
  if (file && !fs.existsSync(hostPath(file))) quit(1, `File does not exist or is not readable: ${file}\n`);
  if (!file) {
    file = '/etc/freebsd-update.conf';
    if (!fs.existsSync(hostPath(file))) return { ...o.cli, lists: {} };
  }
  const c = { lists: {} };
  const lines = fs.readFileSync(hostPath(file), 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, n) => {
    const words = line.split('#')[0].trim().split(/\s+/).filter(Boolean);
    if (!words.length) return;
    const [opt, ...args] = words;
    let ok = true;
    if (SCALAR.includes(opt)) { if (c[opt] !== undefined) ok = false; else c[opt] = args[0]; }
    else if (YESNO.includes(opt)) { if (c[opt] !== undefined || !/^(yes|no)$/i.test(args[0] || '')) ok = false; else c[opt] = args[0].toLowerCase(); }
    else if (LISTS.includes(opt)) c.lists[opt] = [...(c.lists[opt] || []), ...args];
    else ok = false; // config_<unknown>: command not found
    if (!ok) quit(1, `Error processing configuration file, line ${n + 1}:\n==> ${line}\n`);
  });
  return { ...c, ...Object.fromEntries(Object.entries(o.cli).filter(([, v]) => v !== undefined)) };
}

function now() {
  const pinned = State.read((s) => s.update.now);
  return pinned ? Date.parse(pinned) : Date.now();
}

function main(argv) {
  const o = parseCmdline(argv);
  const cfg = readConfig(o);
  const h = R.host();
  const uname = o.uname || h.kernel;
  const relnum = uname.replace(/-p[0-9]+/, '').replace(/-SECURITY/, '-RELEASE');
  const basedir = cfg.BaseDir || '/';
  const workdir = cfg.WorkDir || '/var/db/freebsd-update';
  const target = cfg.TargetRelease ? withRel(cfg.TargetRelease) : '';
  const base = hostPath(basedir);
  const key = crypto.createHash('sha256').update(basedir + '\n').digest('hex');
  const slot = `${workdir}|${key}`;
  const ctx = { o, cfg, uname, relnum, basedir, base, workdir, slot, target };
  let fetched = false;

  for (const cmd of o.commands) {
    if (cmd === 'fetch') {
      if (!tty.isatty(0) && !o.notty) {
        out(`${PROG} fetch should not be run non-interactively.\nRun ${PROG} cron instead.\n`);
        return 1;
      }
      checkServerParams(ctx);
      checkTree(basedir, base);
      if (target) quit(1, `${PROG}: '-r' option is meaningless with 'fetch' command.  (Did you mean 'upgrade' instead?)\n`);
      checkRelease(relnum);
      doFetch(ctx);
      fetched = true;
    } else if (cmd === 'upgrade') {
      checkServerParams(ctx);
      checkTree(basedir, base);
      checkRelease(relnum);
      if (!target) { out(`${PROG}: Release target must be specified via '-r' option.\n`); return 1; }
      if (target === relnum) { out(`${PROG}: Cannot upgrade from ${relnum} to itself\n`); return 1; }
      if (!(target in latestTable())) { out(`The update metadata is correctly signed, but\nfailed an integrity check.\nFailed to fetch upgrade metadata for ${target}\n`); return 1; }
      doUpgrade(ctx);
      fetched = true;
    } else if (cmd === 'install') {
      if (process.getuid && process.getuid() !== 0 && !process.env.FAKEBSD_ASSUME_ROOT) { out('You must be root to run this.\n'); return 1; }
      checkWorkdir(workdir);
      const code = doInstall(ctx, fetched);
      if (code) return code;
    } else if (cmd === 'rollback') {
      checkWorkdir(workdir);
      const code = doRollback(ctx);
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

/** fetchupgrade_check_params: server, key and a writable work directory. */
function checkServerParams(ctx) {
  const { cfg } = ctx;
  if (!cfg.ServerName) quit(1, `${PROG}: SERVERNAME must be given via command line or configuration file.\n`);
  if (!cfg.KeyPrint) quit(1, `${PROG}: Key must be given via -k option or configuration file.\n`);
  if (!/^[0-9a-f]{64}$/.test(cfg.KeyPrint)) quit(1, `${PROG}: Invalid key fingerprint: ${cfg.KeyPrint}\n`);
  checkWorkdir(ctx.workdir);
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

function doFetch(ctx) {
  const { relnum, base, slot, o } = ctx;
  const latest = latestTable()[relnum];
  out(`Looking up update.FreeBSD.org mirrors... 3 mirrors found.\nFetching public key from update1.freebsd.org... done.\nFetching metadata signature for ${relnum} from update1.freebsd.org... done.\nFetching metadata index... done.\nInspecting system... done.\nPreparing to download files... done.\n`);
  if (latest === undefined) {
    quit(1, `The update metadata is correctly signed, but\nfailed an integrity check.\n`);
  }
  const want = latest ? `${relnum}-p${latest}` : relnum;
  const have = R.treeVersion(base);
  // fetch_check_params: a half-installed upgrade (kerneldone) blocks fetch without -F.
  State.update((s) => {
    const u = (s.update[slot] = s.update[slot] || {});
    if (u.pending && u.pending.kind === 'upgrade' && u.pending.done > 0 && !o.force) {
      quit(1, `You have a partially completed upgrade pending\nRun '${PROG} [options] install' first.\nRun '${PROG} [options] fetch -F' to proceed anyway.\n`);
    }
    // fetch_create_manifest: the manifest exists before the end-of-life check.
    if (have === want) {
      out(`\nNo updates needed to update system to ${want}.\n`);
      delete u.pending;
      return;
    }
    out(`The following files will be updated as part of updating to\n${want}:\n/bin/freebsd-version\n`);
    u.pending = { kind: 'update', stages: ['world'], done: 0, want, files: {} };
  });
  warnEol(ctx);
}

/** fetch_warn_eol: exit 1 past the end of life; a reminder within three months of it. */
function warnEol(ctx) {
  const server = SERVER[ctx.relnum];
  if (!server) return;
  const eol = Date.parse(`${server.eol}T00:00:00Z`) + 86400 * 1000;
  const nowMs = now();
  const unameSr = `FreeBSD ${process.env.UNAME_r || ctx.uname}`;
  if (eol < nowMs) {
    quit(1, `\nWARNING: ${unameSr} HAS PASSED ITS END-OF-LIFE DATE.\nAny security issues discovered after ${bsdDate(eol)}\nwill not have been corrected.\n`);
  }
  const stamp = hostPath(path.posix.join(ctx.workdir, 'lasteolwarn'));
  const lastWarn = fs.existsSync(stamp) ? Number(fs.readFileSync(stamp, 'utf8')) * 1000 : nowMs - 63072000 * 1000;
  const left = (eol - nowMs) / 1000;
  const since = (nowMs - lastWarn) / 1000;
  if (left > 7884000 || left > since * 3) return;
  const [unit, size] = left < 604800 ? ['day', 86400] : left < 2678400 ? ['week', 604800] : ['month', 2678400];
  const num = Math.floor(left / size);
  out(`\nWARNING: ${unameSr} is approaching its End-of-Life date.\nIt is strongly recommended that you upgrade to a newer\nrelease within the next ${num} ${unit}${num === 1 ? '' : 's'}.\n`);
  fs.writeFileSync(stamp, `${Math.floor(nowMs / 1000)}\n`);
}

function bsdDate(ms) {
  const d = new Date(ms);
  const day = d.toUTCString().slice(0, 3);
  const mon = d.toUTCString().slice(8, 11);
  return `${day} ${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)} UTC ${d.getUTCFullYear()}`;
}

/** continuep: "y" goes on, "n" stops, end of input goes on (the while loop ends with status 0). */
function continuep(fd) {
  for (;;) {
    if (tty.isatty(fd)) err('Does this look reasonable (y/n)? ');
    const line = readLine(fd);
    if (line === null) return true;
    if (/^[yY]/.test(line)) return true;
    if (/^[nN]/.test(line)) return false;
  }
}

/** `continuep < /dev/tty`: without a controlling terminal sh cannot open it and the upgrade fails. */
function confirmOnTty() {
  const fd = openTty(`/usr/sbin/${PROG}`);
  if (fd === null) return false;
  try {
    return continuep(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const underAny = (file, prefixes) => (prefixes || []).some((p) => file.startsWith(p));

function doUpgrade(ctx) {
  const { relnum, target, base, slot, cfg } = ctx;
  const latest = latestTable()[target];
  const want = latest ? `${target}-p${latest}` : target;
  const major = R.parse(relnum).major !== R.parse(target).major;
  out(`Looking up update.FreeBSD.org mirrors... 3 mirrors found.\nFetching public key from update1.freebsd.org... done.\nFetching metadata signature for ${relnum} from update1.freebsd.org... done.\nFetching metadata index... done.\nInspecting system... done.\n\nThe following components of FreeBSD seem to be installed:\nkernel/generic world/base\n\nThe following components of FreeBSD do not seem to be installed:\nworld/lib32\n\n`);
  if (!continuep(0)) throw new Exit(1, '');
  out(`\nFetching metadata signature for ${target} from update1.freebsd.org... done.\nFetching metadata index... done.\nInspecting system... done.\nPreparing to download files... done.\n`);
  // What the releases ship, and what the tree holds now.
  const oldFiles = setContents(relnum).base;
  const newFiles = setContents(target).base;
  const files = {};
  const modified = [];
  const toMerge = [];
  for (const rel of Object.keys(newFiles)) {
    if (rel.endsWith('/') || rel === 'bin/freebsd-version') continue;
    const abs = `/${rel}`;
    const text = (f) => (f === undefined ? undefined : f.text ?? f);
    const oldText = text(oldFiles[rel]);
    const newText = text(newFiles[rel]);
    const p = path.join(base, rel);
    const present = fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
    const locallyModified = present !== undefined && present !== oldText && present !== newText;
    if (locallyModified && underAny(abs, cfg.lists.MergeChanges)) toMerge.push({ rel, abs, present, oldText, newText });
    else if (locallyModified && underAny(abs, cfg.lists.UpdateIfUnmodified)) modified.push(abs);
    else if (present !== newText) files[rel] = newText;
  }
  // upgrade_merge: diff3 -E -m; a merged file that differs from the installed one is shown
  // and must be confirmed on /dev/tty.
  if (toMerge.length) {
    out('Attempting to automatically merge changes in files... done.\n');
    for (const m of toMerge) {
      if (m.oldText === m.newText) continue; // merging changes nothing (samef)
      const merged = diff3(m.present, m.oldText, m.newText);
      if (merged === null) {
        out(`\nThe following file could not be merged automatically: ${m.abs}\nPress Enter to edit this file in /usr/bin/vi and resolve the conflicts\nmanually...\n`);
        if (!confirmOnTty()) throw new Exit(1, '');
        continue;
      }
      out(`\nThe following changes, which occurred between FreeBSD ${relnum} and\nFreeBSD ${target} have been merged into ${m.abs}:\n`);
      out(unifiedDiff(m.present, merged));
      if (!confirmOnTty()) throw new Exit(1, '');
      files[m.rel] = merged;
    }
  }
  if (modified.length) out(`The following files are affected by updates. No changes have\nbeen downloaded, however, because the files have been modified\nlocally:\n${modified.join('\n')}\n`);
  out(`The following files will be updated as part of updating to\n${want}:\n/bin/freebsd-version\n${Object.keys(files).map((f) => `/${f}`).join('\n')}\n`);
  out(`To install the downloaded upgrades, run '${PROG} [options] install'.\n`);
  State.update((s) => {
    const u = (s.update[slot] = s.update[slot] || {});
    // kernelfirst: the kernel goes first; across a major version old shared libraries go last.
    u.pending = { kind: 'upgrade', stages: ['kernel', 'world', ...(major ? ['oldlibs'] : [])], done: 0, want, files, kernel: `fake kernel ${target}\n` };
  });
}

/** diff3 -E -m current old new, as upgrade_merge runs it; null when it conflicts. */
function diff3(current, old, neu) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-merge-'));
  try {
    const [a, b, c] = ['current', 'old', 'new'].map((n, i) => { const f = path.join(dir, n); fs.writeFileSync(f, [current, old, neu][i]); return f; });
    const r = spawnSync('diff3', ['-E', '-m', a, b, c], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function unifiedDiff(a, b) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-diff-'));
  try {
    fs.writeFileSync(path.join(dir, 'a'), a);
    fs.writeFileSync(path.join(dir, 'b'), b);
    return spawnSync('diff', ['-U', '5', '-L', 'current version', '-L', 'new version', path.join(dir, 'a'), path.join(dir, 'b')], { encoding: 'utf8' }).stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function doInstall(ctx, fetched) {
  const { slot, base } = ctx;
  return State.update((s) => {
    const u = (s.update[slot] = s.update[slot] || {});
    if (!u.pending) {
      out('No updates are available to install.\n');
      if (!fetched) { out(`Run '${PROG} [options] fetch' first.\n`); return 2; }
      return 0;
    }
    const p = u.pending;
    const stage = p.stages[p.done];
    if (stage === 'kernel') {
      fs.mkdirSync(path.join(base, 'boot/kernel'), { recursive: true });
      fs.writeFileSync(path.join(base, 'boot/kernel/kernel'), p.kernel);
      p.done++;
      out(`Installing updates...\nKernel updates have been installed.  Please reboot and run\n'${PROG} [options] install' again to finish installing updates.\n`);
      return 0;
    }
    if (stage === 'world') {
      const before = R.treeVersion(base);
      for (const [rel, text] of Object.entries(p.files || {})) fs.writeFileSync(path.join(base, rel), text);
      writeTreeVersion(base, p.want);
      p.before = before;
      p.done++;
      if (p.done < p.stages.length) {
        out(`Installing updates...\nCompleting this upgrade requires removing old shared object files.\nPlease upgrade or rebuild all installed 3rd party software (e.g.,\nprograms installed with pkg or from the ports tree) and then run\n'${PROG} [options] install' again to finish installing updates.\n`);
        return 0;
      }
    } else {
      p.done++;
    }
    u.history = u.history || [];
    u.history.push({ from: p.before, to: p.want });
    delete u.pending;
    out('Installing updates... done.\n');
    return 0;
  });
}

function doRollback(ctx) {
  const { slot, base } = ctx;
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

/** The stock /etc/freebsd-update.conf (usr.sbin/freebsd-update/freebsd-update.conf), comments shortened. */
const DEFAULT_CONF = `# Trusted keyprint.
KeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5
ServerName update.FreeBSD.org
Components src world kernel
IgnorePaths
IDSIgnorePaths /usr/share/man/cat
IDSIgnorePaths /usr/share/man/whatis
IDSIgnorePaths /var/db/locate.database
IDSIgnorePaths /var/log
UpdateIfUnmodified /etc/ /var/ /root/ /.cshrc /.profile
MergeChanges /etc/ /boot/device.hints
`;

module.exports = { main, LATEST_DEFAULT, SERVER, DEFAULT_CONF };
