'use strict';
// The boot loader's view of tunables: stand/defaults/loader.conf names the files it reads,
// loader_conf_files (/boot/loader.conf), then every *.conf of loader_conf_dirs
// (/boot/loader.conf.d), then local_loader_conf_files (/boot/loader.conf.local); a later
// assignment wins. Lines are `name="value"` or `name=value`, `#` starts a comment. The kernel
// takes the values at boot (TUNABLE_*, CTLFLAG_RDTUN): what the files say now shows in
// `sysctl` only after the next boot (boot() below, which the rig's reboot calls).
const fs = require('fs');
const { hostPath } = require('./host');

/**
 * Compiled-in defaults of the tunables the fake knows. kern.racct.enable: sys/kern/kern_racct.c
 * starts racct_enable at false under options RACCT_DEFAULT_TO_DISABLED, which GENERIC (amd64,
 * 14.x and 15.x) sets next to options RACCT and RCTL: 0 until loader.conf says 1.
 */
const DEFAULTS = { 'kern.racct.enable': '0' };

/** The files in the order the loader reads them. */
function files() {
  const dir = hostPath('/boot/loader.conf.d');
  const confD = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.conf')).sort().map((f) => `/boot/loader.conf.d/${f}`) : [];
  return ['/boot/loader.conf', ...confD, '/boot/loader.conf.local'];
}

/** name -> value of every assignment in the loader's files, later ones winning. */
function read() {
  const vars = {};
  for (const f of files()) {
    const real = hostPath(f);
    if (!fs.existsSync(real)) continue;
    for (const raw of fs.readFileSync(real, 'utf8').split('\n')) {
      const line = raw.replace(/#.*$/, '').trim();
      const m = /^([A-Za-z0-9_.-]+)\s*=\s*(?:"([^"]*)"|(\S*))$/.exec(line);
      if (m) vars[m[1]] = m[2] ?? m[3];
    }
  }
  return vars;
}

/** The value the running kernel has for tunable NAME. */
function tunable(s, name) {
  return (s.host.tunables || {})[name] ?? DEFAULTS[name];
}

/** At boot: the kernel takes the tunables it knows from the loader's files (state s, under the lock). */
function boot(s) {
  const vars = read();
  s.host.tunables = {};
  for (const k of Object.keys(DEFAULTS)) if (k in vars) s.host.tunables[k] = vars[k].trim() === '' ? DEFAULTS[k] : String(Number(vars[k]) ? 1 : 0);
}

module.exports = { DEFAULTS, files, read, tunable, boot };
