'use strict';
// service(8) for the rc.d scripts the library drives: jail, devfs, pf, netif.
// rc.subr's rules apply: without NAME_enable=YES, start/stop print "Cannot 'start' ..."
// and exit 0; the one* verbs skip that check. rc.d/jail picks its file the way
// libexec/rc/rc.d/jail does and reports failures without failing itself.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { out, err, fail, hostPath } = require('../lib/host');
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
  const base = { jail_enable: 'NO', jail_list: '', jail_conf: '/etc/jail.conf', pf_enable: 'NO', pf_rules: '/etc/pf.conf', pf_flags: '', cloned_interfaces: '', devfs_rulesets: '/etc/defaults/devfs.rules /etc/devfs.rules' };
  return RC.source(files, base);
}
const yes = (v) => /^(yes|true|on|1)$/i.test(v || '');

function shim(name, args) {
  return spawnSync(process.execPath, [SCRIPT, name, ...args], { encoding: 'utf8', env: process.env });
}

function main(argv) {
  if (argv.length && argv[0].startsWith('-')) fail(1, `fakebsd: service ${argv[0]} is not implemented by the fake`);
  if (argv.length < 2) fail(1, 'usage: service [-j <jail name or id>] [-rRv] <rc.d script> start|stop|etc.\n       service -e\n       service -l | -r\n       service -R');
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

// ---------------------------------------------------------------- jail
function confFor(name) {
  for (const f of [`/etc/jail.${name}.conf`, `/etc/jail.conf.d/${name}.conf`, '/etc/jail.conf']) if (fs.existsSync(hostPath(f))) return f;
  return null;
}

function jailService(verb, names, conf) {
  if (verb === 'restart') { jailService('stop', names, conf); return jailService('start', names, conf); }
  const list = names.length ? names : conf.jail_list.split(/\s+/).filter(Boolean);
  const running = () => State.read((s) => Object.values(s.jails.running).map((j) => j.name));
  if (verb === 'status') { const r = shim('jls', ['-N']); out(r.stdout); return r.status; }
  if (verb === 'start') {
    out('Starting jails:');
    if (list.length === 0) {
      const r = shim('jail', ['-f', conf.jail_conf, '-c']);
      if (r.status !== 0) out(` cannot start jails:\n${r.stderr}${r.stdout}`);
      else out(` ${r.stdout.split('\n').filter((l) => l.endsWith(': created')).map((l) => l.split(':')[0]).join(' ')}`);
      out('.\n');
      return 0;
    }
    for (const j of list) {
      if (running().includes(j)) continue;
      const f = confFor(j);
      if (!f) { out(` cannot start jail "${j}": no configuration file.\n`); continue; }
      const r = shim('jail', ['-f', f, '-J', `/var/run/jail_${j}.id`, '-qc', j]);
      if (r.status === 0) out(` ${j}`);
      else { out(` cannot start jail "${j}": \n${r.stderr}${r.stdout}`); fs.rmSync(hostPath(`/var/run/jail_${j}.id`), { force: true }); }
    }
    out('.\n');
    return 0;
  }
  // stop: named jails, or every running jail when the list is empty.
  out('Stopping jails:');
  const targets = list.length ? list : running();
  for (const j of targets) {
    if (!running().includes(j)) continue;
    const f = confFor(j);
    const r = shim('jail', [...(f ? ['-f', f] : []), '-qr', j]);
    if (r.status === 0) { out(` ${j}`); fs.rmSync(hostPath(`/var/run/jail_${j}.id`), { force: true }); }
    else out(` cannot stop jail "${j}": \n${r.stderr}`);
  }
  out('.\n');
  return 0;
}

// ---------------------------------------------------------------- devfs
function devfsService(verb, names, conf) {
  const problems = [];
  State.update((s) => {
    D.ensure(s);
    for (const f of conf.devfs_rulesets.split(/\s+/).filter(Boolean)) {
      const e = D.loadFile(s, hostPath(f), f);
      if (e) problems.push(e);
    }
  });
  for (const p of problems) err(`devfs: ${p}: ruleset file ignored\n`);
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
