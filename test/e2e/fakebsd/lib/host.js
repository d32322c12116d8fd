'use strict';
// Shared plumbing for every shim: where the fake host's root is, how to write
// output without Node's async streams, and how a shim ends with a status.
const fs = require('fs');
const path = require('path');

/** Root of the fake host ("/" inside the rig's chroot, a temp dir in unit tests). */
function root() {
  return process.env.FAKEBSD_ROOT || '/';
}

/** Map an absolute path on the fake host to the real path under FAKEBSD_ROOT. */
function hostPath(p) {
  if (!path.isAbsolute(p)) p = path.resolve(process.cwd(), p);
  const r = root();
  return r === '/' ? path.normalize(p) : path.join(r, p);
}

/** Inverse of hostPath, for messages that must show the host's view. */
function fromHostPath(real) {
  const r = root();
  if (r === '/') return real;
  const rel = path.relative(r, real);
  return '/' + rel;
}

/** Directory holding the shims' state (JSON files, snapshots, logs). */
function dbDir(...parts) {
  return hostPath(path.posix.join('/var/db/fakebsd', ...parts));
}

// Synchronous writes: shims are short-lived and must not lose output on exit.
function writeFd(fd, data) {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(String(data));
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      sleepMs(2);
    }
  }
}
const out = (s) => writeFd(1, s);
const err = (s) => writeFd(2, s);

function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Thrown to end a shim with a status; message (if any) goes to stderr. */
class Exit extends Error {
  constructor(code, message) {
    super(message || '');
    this.code = code;
  }
}

/** End with `code`, printing `msg` (a line, newline added) to stderr. */
function fail(code, msg) {
  throw new Exit(code, !msg ? '' : msg.endsWith('\n') ? msg : msg + '\n');
}

function readStdin() {
  try {
    return fs.readFileSync(0);
  } catch (e) {
    if (e.code === 'EAGAIN' || e.code === 'EOF') return Buffer.alloc(0);
    throw e;
  }
}

function exists(hostAbs) {
  return fs.existsSync(hostPath(hostAbs));
}

function isDir(real) {
  try {
    return fs.statSync(real).isDirectory();
  } catch {
    return false;
  }
}

/** One line from fd, blocking (a terminal with no one typing waits for ever); null at end of input. */
function readLine(fd) {
  const buf = Buffer.alloc(1);
  let line = '';
  for (;;) {
    let n;
    try {
      n = fs.readSync(fd, buf, 0, 1, null);
    } catch (e) {
      if (e.code === 'EAGAIN') { sleepMs(5); continue; }
      if (e.code === 'EOF' || e.code === 'EIO') return line || null;
      throw e;
    }
    if (n === 0) return line || null;
    const ch = buf.toString();
    if (ch === '\n') return line;
    line += ch;
  }
}

/**
 * The controlling terminal, as FreeBSD opens /dev/tty: without one (a session of its own, as
 * daemon(8) makes) the open fails with ENXIO (sys/kern/tty_tty.c cttyopen), which sh reports
 * as "PROG: cannot open /dev/tty: Device not configured"; returns null then.
 */
function openTty(prog) {
  try {
    return fs.openSync('/dev/tty', 'r+');
  } catch (e) {
    if (e.code !== 'ENXIO') throw e;
    err(`${prog}: cannot open /dev/tty: Device not configured\n`);
    return null;
  }
}

/** `printf QUESTION > /dev/tty; read answer < /dev/tty`: true for an answer starting with y. */
function askOnTty(prog, question) {
  const fd = openTty(prog);
  if (fd === null) return false;
  try {
    writeFd(fd, question);
    return /^[yY]/.test(readLine(fd) || '');
  } finally {
    fs.closeSync(fd);
  }
}

module.exports = { root, hostPath, fromHostPath, dbDir, out, err, writeFd, sleepMs, Exit, fail, readStdin, exists, isDir, readLine, openTty, askOnTty };
