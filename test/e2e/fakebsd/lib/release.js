'use strict';
// Release strings and the host's own version, shared by uname, freebsd-version and freebsd-update.
const fs = require('fs');
const { spawnSync } = require('child_process');
const State = require('./state');

/** "14.3-RELEASE-p5" -> { major: 14, minor: 3, branch: 'RELEASE', patch: 5, base: '14.3-RELEASE' } */
function parse(rel) {
  const m = /^(\d+)\.(\d+)-([A-Z0-9]+?)(?:-p(\d+))?$/.exec(rel || '');
  if (!m) return null;
  return { major: +m[1], minor: +m[2], branch: m[3], patch: m[4] ? +m[4] : 0, base: `${m[1]}.${m[2]}-${m[3]}` };
}

function host() {
  return State.read((s) => s.host);
}

/** The release a tree's own bin/freebsd-version reports (null when it has none). */
function treeVersion(realRoot) {
  const f = `${realRoot}/bin/freebsd-version`;
  if (!fs.existsSync(f)) return null;
  const text = fs.readFileSync(f, 'utf8');
  const m = /^USERLAND_VERSION="([^"]*)"/m.exec(text);
  if (m) return m[1];
  const r = spawnSync('/bin/sh', [f, '-u'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** __FreeBSD_version style number for a release, e.g. 14.3 -> 1403000. */
const osreldate = (rel) => { const p = parse(rel); return p ? String(p.major * 100000 + p.minor * 1000) : '0'; };

module.exports = { parse, host, treeVersion, osreldate };
