'use strict';
// Whole-directory operations used for datasets, snapshots and streams. cp/tar
// from the Linux userland do the heavy lifting; they are not shims.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 30, ...opts });
  if (r.status !== 0) {
    throw new Error(`fakebsd: ${cmd} ${args.join(' ')} failed: ${r.stderr ? r.stderr.toString() : r.error}`);
  }
  return r;
}

/** Copy the contents of src into dst (created if needed), keeping modes and links. */
function copyTree(src, dst) {
  fs.mkdirSync(dst, { recursive: true });
  if (fs.existsSync(src)) run('cp', ['-a', src + '/.', dst]);
}

/** Move a directory; falls back to copy+remove across devices. */
function moveTree(src, dst) {
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  try {
    fs.renameSync(src, dst);
  } catch (e) {
    if (e.code !== 'EXDEV') throw e;
    copyTree(src, dst);
    fs.rmSync(src, { recursive: true, force: true });
  }
}

function removeTree(p) {
  fs.rmSync(p, { recursive: true, force: true });
}

/** Empty a directory without removing it. */
function emptyDir(p) {
  if (!fs.existsSync(p)) return;
  for (const e of fs.readdirSync(p)) fs.rmSync(path.join(p, e), { recursive: true, force: true });
}

function isEmptyDir(p) {
  try {
    return fs.readdirSync(p).length === 0;
  } catch {
    return false;
  }
}

/** Bytes used by a tree (files' sizes rounded to 512-byte blocks, dirs count one block). */
function treeSize(p, skip = new Set()) {
  let total = 0;
  const walk = (d) => {
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    total += 512;
    for (const e of entries) {
      const f = path.join(d, e.name);
      if (skip.has(f)) continue;
      if (e.isDirectory()) walk(f);
      else {
        try {
          total += Math.ceil(fs.lstatSync(f).size / 512) * 512;
        } catch { /* raced away */ }
      }
    }
  };
  walk(p);
  return total;
}

/** tar of a directory's contents as a Buffer. */
function tarTree(dir) {
  return run('tar', ['-C', dir, '-cf', '-', '.']).stdout;
}

function untarTree(buf, dir) {
  fs.mkdirSync(dir, { recursive: true });
  run('tar', ['-C', dir, '-xpf', '-'], { input: buf });
}

module.exports = { run, copyTree, moveTree, removeTree, emptyDir, isEmptyDir, treeSize, tarTree, untarTree };
