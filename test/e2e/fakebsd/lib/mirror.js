'use strict';
// A tiny download.freebsd.org: releases/amd64/amd64/X.Y-RELEASE/{base,kernel,lib32,src}.txz
// and MANIFEST with real sha256 digests. Tarballs are built reproducibly with GNU tar + xz.
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const T = require('./tree');

// The test mirror's 15.x crontab differs from 14.x's by one comment line, so that an upgrade
// across the major version has a change to merge into a locally modified /etc/crontab.
const crontabOf = (rel) => (parseInt(rel, 10) >= 15 ? CRONTAB.replace('#\nSHELL=', '#\n# (fakebsd: the 15.x crontab)\nSHELL=') : CRONTAB);

const CRONTAB = `# /etc/crontab - root's crontab for FreeBSD
#
SHELL=/bin/sh
PATH=/etc:/bin:/sbin:/usr/bin:/usr/sbin
#
#minute	hour	mday	month	wday	who	command
#
# Save some entropy so that /dev/random can re-seed on boot.
*/11	*	*	*	*	operator /usr/libexec/save-entropy
#
# Rotate log files every hour, if necessary.
0	*	*	*	*	root	newsyslog
#
# Perform daily/weekly/monthly maintenance.
1	3	*	*	*	root	periodic daily
15	4	*	*	6	root	periodic weekly
30	5	1	*	*	root	periodic monthly
#
# Adjust the time zone if the CMOS clock keeps local time, as opposed to
# UTC time.  See adjkerntz(8) for details.
1,31	0-5	*	*	*	root	adjkerntz -a
`;

// bin/freebsd-version as in base: USERLAND_VERSION is what freebsd-update rewrites.
const freebsdVersion = (rel) => `#!/bin/sh
# freebsd-version from the fakebsd test mirror
USERLAND_VERSION="${rel}"
usage() { echo "usage: freebsd-version [-kru] [-j jail]" >&2; exit 1; }
[ $# -eq 0 ] && set -- -u
for a in "$@"; do
	case "$a" in
	-u) echo "$USERLAND_VERSION" ;;
	-k|-r) uname -r ;;
	*) usage ;;
	esac
done
`;

const DESCRIPTIONS = {
  base: ['Base system (MANDATORY)', 'on'],
  kernel: ['Kernel (MANDATORY)', 'on'],
  lib32: ['32-bit compatibility libraries', 'on'],
  src: ['System source tree', 'off'],
};

function writeTree(dir, files) {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    if (rel.endsWith('/')) { fs.mkdirSync(p, { recursive: true }); continue; }
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content.text ?? content, { mode: content.mode ?? 0o644 });
  }
}

function setContents(rel) {
  return {
    base: {
      'bin/freebsd-version': { text: freebsdVersion(rel), mode: 0o555 },
      'bin/sh': { text: '#!/bin/sh\n# placeholder: the fake host runs its own /bin/sh\n', mode: 0o555 },
      'etc/crontab': crontabOf(rel),
      'etc/hosts': '::1\t\t\tlocalhost localhost.my.domain\n127.0.0.1\t\tlocalhost localhost.my.domain\n',
      'etc/rc': { text: '#!/bin/sh\n# fakebsd: jails\' rc is recorded, never run\nexit 0\n', mode: 0o555 },
      'etc/rc.shutdown': { text: '#!/bin/sh\nexit 0\n', mode: 0o555 },
      ...require('./passwd').baseFiles(),
      'etc/defaults/': '',
      'etc/defaults/rc.conf': 'cron_enable="YES"\nsendmail_enable="NO"\nsyslogd_flags="-s"\nrc_conf_files="/etc/rc.conf /etc/rc.conf.local"\n',
      'COPYRIGHT': `FreeBSD ${rel} (fakebsd test mirror)\n`,
      'usr/bin/': '', 'usr/sbin/': '', 'usr/share/': '', 'var/log/': '', 'var/db/': '', 'var/run/': '',
      'root/': '', 'tmp/': '', 'dev/': '', 'proc/': '', 'mnt/': '', 'sbin/': '', 'lib/': '', 'boot/': '',
    },
    kernel: { 'boot/kernel/kernel': `fake kernel ${rel}\n` },
    lib32: { 'usr/lib32/libc.so.7': 'fake lib32\n' },
    src: { 'usr/src/COPYRIGHT': `FreeBSD ${rel} sources (fakebsd)\n`, 'usr/src/Makefile': '# fake\n' },
  };
}

/** Build the mirror under dir (real path). Returns { dir, releases: { '14.3': { base: sha, ... } } }. */
function buildMirror(dir, { releases = ['13.5', '14.3', '14.5', '15.0'], arch = 'amd64' } = {}) {
  const result = { dir, releases: {} };
  for (const r of releases) {
    const rel = `${r}-RELEASE`;
    const relDir = path.join(dir, 'releases', arch, arch, rel);
    fs.mkdirSync(relDir, { recursive: true });
    const manifest = [];
    result.releases[r] = {};
    for (const [set, files] of Object.entries(setContents(rel))) {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-mirror-'));
      try {
        writeTree(tmp, files);
        const txz = path.join(relDir, `${set}.txz`);
        T.run('tar', ['-C', tmp, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=2025-06-01 00:00:00Z', '-cJf', txz, '.']);
        const count = T.run('tar', ['-tJf', txz]).stdout.toString().split('\n').filter(Boolean).length;
        const sha = crypto.createHash('sha256').update(fs.readFileSync(txz)).digest('hex');
        result.releases[r][set] = sha;
        manifest.push([`${set}.txz`, sha, String(count), set, `"${DESCRIPTIONS[set][0]}"`, DESCRIPTIONS[set][1]].join('\t'));
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    }
    fs.writeFileSync(path.join(relDir, 'MANIFEST'), manifest.join('\n') + '\n');
  }
  return result;
}

module.exports = { buildMirror, setContents, CRONTAB };
