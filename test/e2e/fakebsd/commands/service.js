'use strict';
// service(8), after usr.sbin/service/service.sh, for the rc.d scripts the library drives on the
// host (jail, devfs, pf, netif) and for the rc.d scripts inside jails (-j, lib/rcsubr.js).
// rc.subr's rules apply: without NAME_enable=YES, start/stop print "Cannot 'start' ..."
// and exit 0; the one* verbs skip that check (etc/rc.subr). rc.d/jail picks its file the
// way current libexec/rc/rc.d/jail does and reports failures without failing itself.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { out, err, fail, hostPath } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const RCS = require('../lib/rcsubr');
const State = require('../lib/state');
const RC = require('../lib/rcconf');
const D = require('../lib/devfsrules');

const SCRIPT = path.join(__dirname, '..', 'fakebsd.js');
const SERVICES = {
  jail: { rcvar: 'jail_enable', verbs: ['start', 'stop', 'restart', 'status'] },
  devfs: { rcvar: null, verbs: ['start', 'restart'] },
  pf: { rcvar: 'pf_enable', verbs: ['start', 'stop', 'restart', 'reload', 'status', 'check'] },
  netif: { rcvar: null, verbs: ['start', 'stop', 'restart', 'cloneup', 'clonedown'] },
};

function rcconf() {
  const files = ['/etc/defaults/rc.conf', '/etc/rc.conf', '/etc/rc.conf.local'].map(hostPath);
  const base = { jail_enable: 'NO', jail_list: '', jail_conf: '/etc/jail.conf', pf_enable: 'NO', pf_rules: '/etc/pf.conf', pf_flags: '', cloned_interfaces: '', devfs_rulesets: '/etc/defaults/devfs.rules /etc/devfs.rules', devfs_load_rulesets: 'YES', devfs_system_ruleset: '', devfs_set_rulesets: '' };
  return RC.source(files, base);
}
const yes = (v) => /^(yes|true|on|1)$/i.test(v || '');

function shim(name, args) {
  // A child process, as rc.d/jail runs /usr/sbin/jail; marked so the log tells it from a command a script ran.
  return spawnSync(process.execPath, [SCRIPT, name, ...args], { encoding: 'utf8', env: { ...process.env, FAKEBSD_NESTED_IN: 'service' } });
}

// usr.sbin/service/service.sh: `-j JAIL` runs `jexec -l JAIL /usr/sbin/service` with the other
// options and the arguments; inside a jail (FAKEBSD_JAIL, set by jexec) the script comes from
// the jail's /etc/rc.d or /usr/local/etc/rc.d and runs as rc.subr runs it (lib/rcsubr.js);
// -e lists the enabled scripts, -l every script. Not found: the two lines on stdout, exit 1.
const USAGE_LINES = (me) => ['', 'Usage:', `${me} [-j <jail name or id>] -e`, `${me} [-j <jail name or id>] -R`, `${me} [-j <jail name or id>] [-v] -l | -r`,
  `${me} [-j <jail name or id>] [-v] <rc.d script> start|stop|etc.`, `${me} -h`, '', '-j\tPerform actions within the named jail', '-e\tShow services that are enabled',
  '-R\tStop and start enabled /usr/local/etc/rc.d services', '-l\tList all scripts in /etc/rc.d and /usr/local/etc/rc.d', '-r\tShow the results of boot time rcorder', '-v\tVerbose', ''].join('\n') + '\n';

function main(argv) {
  const g = getopt(argv, 'j:ehlrRv', { prog: 'service', usage: USAGE_LINES('service').trimEnd() });
  if (g.has('h')) { out(USAGE_LINES('service')); return 0; }
  if (g.has('j')) {
    const carried = ['e', 'l', 'r', 'R', 'v'].filter((f) => g.has(f)).map((f) => `-${f}`);
    return spawnSync(process.execPath, [SCRIPT, 'jexec', '-l', g.get('j'), '/usr/sbin/service', ...carried, ...g.args],
      { stdio: 'inherit', env: { ...process.env, FAKEBSD_NESTED_IN: 'service' } }).status;
  }
  if (process.env.FAKEBSD_JAIL) return inJail(process.env.FAKEBSD_JAIL, g);
  if (g.opts.length) fail(1, `fakebsd: service -${g.opts[0][0]} is not implemented by the fake on the host`);
  argv = g.args;
  if (argv.length < 2) { out(USAGE_LINES('service')); return 1; }
  const [name, verbArg, ...names] = argv;
  const svc = SERVICES[name];
  if (!svc) fail(1, `${name} does not exist in /etc/rc.d or the local startup\ndirectories (/usr/local/etc/rc.d), or is not executable`);
  const one = verbArg.startsWith('one');
  const verb = one ? verbArg.slice(3) : verbArg.replace(/^(force|quiet)/, '');
  if (!svc.verbs.includes(verb)) {
    err(`/etc/rc.d/${name}: unknown directive '${verbArg}'.\nUsage: /etc/rc.d/${name} [fast|force|one|quiet](${svc.verbs.join('|')}|rcvar)\n`);
    return 1;
  }
  const conf = rcconf();
  if (svc.rcvar && !one && !yes(conf[svc.rcvar]) && verb !== 'status') {
    out(`Cannot '${verb}' ${name}. Set ${svc.rcvar} to YES in /etc/rc.conf or use 'one${verb}' instead of '${verb}'.\n`);
    return 0;
  }
  return { jail: jailService, devfs: devfsService, pf: pfService, netif: netifService }[name](verb, names, conf);
}

/** service inside a running jail: its own rc.d scripts (lib/rcsubr.js). */
function inJail(jailName, g) {
  const j = State.read((s) => State.findJail(s, jailName));
  if (!j) fail(1, `fakebsd: service: jail ${jailName} is not running`);
  const jr = RCS.jailRoot(j);
  if (g.has('R') || g.has('r')) fail(1, `fakebsd: service -${g.has('R') ? 'R' : 'r'} is not implemented by the fake`);
  if (g.has('e')) { for (const f of RCS.enabledScripts(jr)) out(`${f}\n`); return 0; }
  if (g.has('l')) { for (const f of RCS.listScripts(jr)) out(`${f}\n`); return 0; }
  if (g.args.length < 2) { out(USAGE_LINES('service')); return 1; }
  const [name, verb, ...extra] = g.args;
  const script = RCS.findScript(jr, name);
  if (!script) {
    out(`${name} does not exist in /etc/rc.d or the local startup\ndirectories (${RCS.LOCAL_STARTUP}), or is not executable\n`);
    return 1;
  }
  if (g.has('v')) out(`${name} is located in ${path.posix.dirname(script)}\n`);
  return RCS.run(jr, script, verb, extra);
}

// ---------------------------------------------------------------- jail
// libexec/rc/rc.d/jail (current): parse_options picks /etc/jail.NAME.conf (or jail_NAME_conf),
// then /etc/jail.conf.d/NAME.conf only when $jail_conf does not `.include` a path under
// /etc/jail.conf.d/, then $jail_conf; a named start is `jail -i -f CONF -c NAME`, a named stop
// `jail -q -f CONF -r NAME`; with an empty jail_list, start is `jail -f $jail_conf -c -p1` and
// stop removes every running jail with `jail -f $jail_conf -r NAME`.
const INCLUDES_CONF_D = /^\s*\.include\s*["']?\/etc\/jail\.conf\.d\//m;

function parseOptions(name, conf) {
  const jconf = conf[`jail_${name.replace(/[^A-Za-z0-9]/g, '_')}_conf`] || `/etc/jail.${name}.conf`;
  const jconfdir = `/etc/jail.conf.d/${name}.conf`;
  const readable = (f) => fs.existsSync(hostPath(f));
  if (readable(jconf)) return jconf;
  const main = readable(conf.jail_conf) ? fs.readFileSync(hostPath(conf.jail_conf), 'utf8') : '';
  if (readable(jconfdir) && !INCLUDES_CONF_D.test(main)) return jconfdir;
  if (readable(conf.jail_conf)) return conf.jail_conf;
  err(`/etc/rc.d/jail: WARNING: Invalid configuration for ${name} (no jail.conf, no hostname, or no path).  Jail ${name} was ignored.\n`);
  return null;
}

function jailService(verb, names, conf) {
  if (verb === 'restart') { jailService('stop', names, conf); return jailService('start', names, conf); }
  const list = (names.length ? names : conf.jail_list.split(/\s+/).filter(Boolean)).map((j) => j.replace(/[/.]/g, '_'));
  const running = () => State.read((s) => Object.values(s.jails.running).map((j) => j.name));
  const flags = (conf.jail_flags || '').split(/\s+/).filter(Boolean);
  if (verb === 'status') { const r = shim('jls', ['-N']); out(r.stdout); return r.status; }
  if (verb === 'start') {
    out('Starting jails:');
    if (list.length === 0) {
      const r = shim('jail', [...flags, '-f', conf.jail_conf, '-c', ...(yes(conf.jail_parallel_start) ? [] : ['-p1'])]);
      if (r.status !== 0) out(`${r.stdout}${r.stderr}`);
      else {
        const jls = State.read((s) => Object.values(s.jails.running));
        for (const j of jls) { out(` ${j.name}`); fs.writeFileSync(hostPath(`/var/run/jail_${j.name}.id`), `${j.jid}\n`); }
      }
      out('.\n');
      return 0;
    }
    for (const j of list) {
      const f = parseOptions(j, conf);
      if (!f) continue;
      const r = shim('jail', [...flags, '-i', '-f', f, '-c', j]);
      if (r.status === 0) {
        out(` ${j}`);
        const jid = State.read((s) => (Object.values(s.jails.running).find((x) => x.name === j) || {}).jid);
        fs.writeFileSync(hostPath(`/var/run/jail_${j}.id`), `${jid}\n`);
      } else out(` cannot start jail "${j}": \n${r.stdout}${r.stderr}`);
    }
    out('.\n');
    return 0;
  }
  out('Stopping jails:');
  if (list.length === 0) {
    for (const j of running()) {
      out(` ${j}`);
      const r = shim('jail', [...flags, '-f', conf.jail_conf, '-r', j]);
      if (running().includes(j)) out(`${r.stdout}${r.stderr}`);
      else fs.rmSync(hostPath(`/var/run/jail_${j}.id`), { force: true });
    }
    out('.\n');
    return 0;
  }
  for (const j of list) {
    const f = parseOptions(j, conf);
    if (!f) continue;
    if (!running().includes(j)) continue;
    out(` ${j}`);
    const r = shim('jail', ['-q', '-f', f, '-r', j]);
    if (running().includes(j)) out(`${r.stdout}${r.stderr}`);
    else fs.rmSync(hostPath(`/var/run/jail_${j}.id`), { force: true });
  }
  out('.\n');
  return 0;
}

// ---------------------------------------------------------------- devfs
// libexec/rc/rc.d/devfs devfs_start: rulesets are read when devfs_load_rulesets (YES in
// etc/defaults/rc.conf), devfs_system_ruleset or devfs_set_rulesets says so, by rc.subr's
// devfs_init_rulesets: file by file in devfs_rulesets; the first file that fails stops it
// (`warn "$_me: could not read rules from $file"; return 1`), the later files are not read.
// warn prints "$0: WARNING: ..." with $0 the rc.d script service(8) runs. start_cmd is a
// function, so there is no "Starting devfs." line; devfs_start's status is not checked.
function devfsService(verb, names, conf) {
  if (!(conf.devfs_system_ruleset || conf.devfs_set_rulesets || yes(conf.devfs_load_rulesets))) return 0;
  const warn = (m) => err(`/etc/rc.d/devfs: WARNING: ${m}\n`);
  let failed = null;
  State.update((s) => {
    D.ensure(s);
    const shell = D.newShell(); // one rc.d/devfs run: one sh, its variables shared by the files
    for (const f of conf.devfs_rulesets.split(/\s+/).filter(Boolean)) {
      const e = D.loadFile(s, hostPath(f), shell);
      if (e) { failed = { file: f, ...e }; break; }
    }
  });
  if (failed) {
    if (failed.stderr) err(failed.stderr);
    if (failed.warning) warn(failed.warning);
    warn(`devfs_init_rulesets: could not read rules from ${failed.file}`);
  }
  return 0;
}

// ---------------------------------------------------------------- pf
function pfService(verb, names, conf) {
  const rules = conf.pf_rules;
  if (verb === 'status') { const r = shim('pfctl', ['-s', 'info']); out(r.stdout); err(r.stderr); return r.status; }
  if (verb === 'check') { const r = shim('pfctl', ['-vnf', rules]); out(r.stdout); err(r.stderr); return r.status; }
  if (verb === 'stop') { out('Disabling pf'); const r = shim('pfctl', ['-d']); out(r.status === 0 ? '.\n' : '\n'); return 0; }
  if (!fs.existsSync(hostPath(rules))) { err(`/etc/rc.d/pf: WARNING: ${rules} is not readable.\n`); return 1; }
  if (verb === 'start' || verb === 'restart') {
    out('Enabling pf');
    const r = shim('pfctl', ['-F', 'all', '-f', rules]);
    err(r.stderr);
    if (r.status !== 0) { out('\n'); return 1; }
    shim('pfctl', ['-e']);
    out('.\n');
    return 0;
  }
  out('Reloading pf rules.\n');
  const r = shim('pfctl', ['-f', rules]);
  err(r.stderr);
  return r.status === 0 ? 0 : 1;
}

// ---------------------------------------------------------------- netif
function netifService(verb, names, conf) {
  if (verb !== 'cloneup' && verb !== 'start' && verb !== 'restart') return 0;
  const created = [];
  for (const ifn of conf.cloned_interfaces.split(/\s+/).filter(Boolean)) {
    const exists = State.read((s) => !!s.ifaces[ifn]);
    if (exists) continue;
    const r = shim('ifconfig', [ifn, 'create']);
    if (r.status !== 0) { err(r.stderr); continue; }
    created.push(ifn);
    const extra = conf[`ifconfig_${ifn}`];
    if (extra) shim('ifconfig', [ifn, ...extra.split(/\s+/)]);
  }
  if (created.length) out(`Created clone interfaces: ${created.join(' ')}.\n`);
  return 0;
}

module.exports = { main };
