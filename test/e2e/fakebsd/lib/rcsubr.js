'use strict';
// rc.d scripts inside a jail, run the way libexec/rc/rc.subr's run_rc_command runs them:
// - load_rc_config NAME: /etc/defaults/rc.conf, the files of its rc_conf_files (/etc/rc.conf,
//   /etc/rc.conf.local), then /etc/rc.conf.d/NAME and /usr/local/etc/rc.conf.d/NAME (a file,
//   or every file of such a directory); the script's `: ${VAR:=default}` lines come after.
// - verbs: start stop restart rcvar enable disable enabled describe extracommands status
//   poll and $extra_commands; prefixes one (rcvar YES), force (rcvar YES, failures ignored),
//   quiet (no "Cannot" line), fast (no pid check). Anything else: "$0: unknown directive
//   'X'." and rc_usage, exit 1.
// - the rcvar check (checkyesno; a value neither yes nor no warns "$VAR is not set properly -
//   see rc.conf(5).") for every verb but rcvar, enable, describe, status and a stop of a
//   service that runs: "Cannot 'VERB' NAME. Set NAME_enable to YES in /etc/rc.conf or use
//   'oneVERB' instead of 'VERB'." on stdout, exit 0.
// - start of a running service: "NAME already running?  (pid=N)." on stderr, exit 1; a
//   command that is not executable: "$0: WARNING: run_rc_command: cannot run CMD", exit 1;
//   required_files that are not readable: "$0: WARNING: FILE is not readable." then "failed
//   precmd routine for NAME", exit 1; "Starting NAME." then the daemon, "failed to start NAME"
//   when it does not come up, exit 1.
// - stop: "Stopping NAME.", SIGTERM, wait_for_pids ("Waiting for PIDS: N." : the fake always
//   prints it, its daemons take a moment to go); not running: "NAME not running? (check
//   PIDFILE)." on stderr, exit 1. status: "NAME is running as pid N." / "NAME is not
//   running." (exit 1). reload: SIGHUP. restart: stop, then start, start's status.
// The pid check (check_pidfile) reads the pid file and accepts only a live process of this
// service of this jail (the pid's command line). The daemons are lib/servd.js, what
// lib/srvpkgs.js DAEMONS says of the script's command; a script whose command the test bed
// does not know, or that overrides start/stop/status with ${verb}_cmd, is refused loudly.
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { out, err, sleepMs, dbDir, hostPath } = require('./host');
const State = require('./state');
const RC = require('./rcconf');
const Net = require('./jailnet');
const { DAEMONS } = require('./srvpkgs');

const LOCAL_STARTUP = '/usr/local/etc/rc.d';
const SERVD = path.join(__dirname, 'servd.js');
const yesNo = (v) => (/^(yes|true|on|1)$/i.test(v || '') ? true : /^(no|false|off|0)$/i.test(v || '') ? false : null);

/** A jail's view of paths: { jail, real(p) } (p absolute inside the jail). */
function jailRoot(j) {
  const base = hostPath(j.path);
  return { jail: j, base, real: (p) => path.join(base, path.posix.resolve('/', p)) };
}

/** The script's path inside the jail (/etc/rc.d first, then local_startup), or null. */
function findScript(jr, name) {
  for (const dir of ['/etc/rc.d', LOCAL_STARTUP]) {
    const p = `${dir}/${name}`;
    try { if (fs.statSync(jr.real(p)).mode & 0o111) return p; } catch { /* not there */ }
  }
  return null;
}

/** rc.conf variables as load_rc_config NAME leaves them, into vars. */
function loadRcConfig(jr, name, vars) {
  const defaults = jr.real('/etc/defaults/rc.conf');
  const files = [];
  if (fs.existsSync(defaults)) {
    RC.assignments(fs.readFileSync(defaults, 'utf8'), vars);
    files.push(...(vars.rc_conf_files || '/etc/rc.conf /etc/rc.conf.local').split(/\s+/).filter(Boolean));
  } else files.push('/etc/rc.conf');
  if (name) {
    for (const d of ['/etc', '/usr/local/etc']) {
      const p = `${d}/rc.conf.d/${name}`;
      const real = jr.real(p);
      if (fs.existsSync(real) && fs.statSync(real).isDirectory()) files.push(...fs.readdirSync(real).sort().map((f) => `${p}/${f}`));
      else files.push(p);
    }
  }
  for (const f of files) {
    const real = jr.real(f);
    if (fs.existsSync(real) && fs.statSync(real).isFile()) RC.assignments(fs.readFileSync(real, 'utf8'), vars);
  }
  return vars;
}

/** What the script sets, evaluated in order (assignments, load_rc_config, `: ${V:=W}` defaults). */
function evalScript(jr, scriptPath) {
  const vars = {};
  const lines = fs.readFileSync(jr.real(scriptPath), 'utf8').split('\n');
  let inFunction = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (inFunction) { if (line === '}') inFunction = false; continue; }
    if (!line || line.startsWith('#') || line.startsWith('. /etc/rc.subr')) continue;
    if (/^[A-Za-z_]\w*\(\)/.test(line)) { inFunction = !line.endsWith('}'); continue; }
    if (/^run_rc_command\b/.test(line)) break;
    const load = /^load_rc_config\s+(.*)$/.exec(line);
    if (load) { loadRcConfig(jr, RC.shWord(load[1], 0, vars).value, vars); continue; }
    const def = /^:\s+\$\{([A-Za-z_]\w*):?=(.*)\}\s*$/.exec(line);
    if (def) { if (!vars[def[1]]) vars[def[1]] = RC.shWord(def[2], 0, vars).value; continue; }
    if (/^[A-Za-z_]\w*=/.test(line)) RC.assignments(line, vars);
  }
  return vars;
}

/**
 * The live daemon of this service in this jail recorded in its pid file, or null (check_pidfile).
 * A live one is in the state's daemons too: on FreeBSD a running daemon is its process, whoever
 * started it, and a start cut off (its SSH session dropped) after the daemon was up but before
 * it was recorded must not leave the fake a daemon it does not know.
 */
function runningPid(jr, v) {
  if (!v.pidfile) return null;
  let pid;
  try { pid = Number(fs.readFileSync(jr.real(v.pidfile), 'utf8').split(/\s/)[0]); } catch { return null; }
  if (!(Number.isInteger(pid) && pid > 0 && isOurs(pid, jr.jail.name, v.name))) return null;
  State.update((s) => {
    if ((s.daemons || []).some((x) => x.pid === pid)) return;
    s.daemons = (s.daemons || []).filter((x) => !(x.jail === jr.jail.name && x.name === v.name));
    s.daemons.push({ jail: jr.jail.name, jid: jr.jail.jid, name: v.name, pid });
  });
  return pid;
}

/** Is pid the test bed's daemon `name` of jail `jail`? */
function isOurs(pid, jail, name) {
  let cmd;
  try { cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'); } catch { return false; }
  if (!cmd.some((a) => a === SERVD)) return false;
  try {
    const spec = JSON.parse(cmd[cmd.indexOf(SERVD) + 1]);
    return spec.jail === jail && spec.name === name && spec.root === hostPath('/');
  } catch {
    return false;
  }
}

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };

/** Sends sig, waits up to 10 s, then SIGKILL (a daemon that ignores TERM must not wedge a test). */
function killAndWait(pid, sig = 'SIGTERM') {
  try { process.kill(pid, sig); } catch { return; }
  for (let i = 0; i < 2000 && alive(pid); i++) sleepMs(5);
  if (alive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  for (let i = 0; i < 200 && alive(pid); i++) sleepMs(5);
}

/**
 * What a starting daemon reported in its ready file (lib/servd.js), waiting up to timeoutMs; null
 * when it said nothing. Only a file with content is a report: servd renames a whole report into
 * place, and a file that exists empty (one written in place, caught between its creation and its
 * write) is waited on, never taken for the daemon's word.
 */
function awaitReport(ready, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let said = '';
    try { said = fs.readFileSync(ready, 'utf8'); } catch { /* not yet */ }
    if (said) return said;
    if (Date.now() >= until) return null;
    sleepMs(5);
  }
}

/** Starts the daemon; returns null when it listens, else the error it reported (never empty). */
function startDaemon(jr, v, d) {
  const port = Number(v[`${v.name}_port`]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `${v.name}: invalid port "${v[`${v.name}_port`] || ''}" (${v.name}_port)\n`;
  const netns = Net.sync({ create: true });
  const addrs = State.read((s) => Net.jailAddrs(s, jr.jail.name));
  const configs = d.config(v).map((p) => ({ path: p, real: jr.real(p) }));
  let serve = null;
  if (d.serve) {
    let first = '';
    try { first = fs.readFileSync(configs[0].real, 'utf8'); } catch { /* servd reports it */ }
    serve = jr.real(d.serve(first));
  }
  fs.mkdirSync(dbDir('servd'), { recursive: true });
  const ready = dbDir('servd', `${jr.jail.name}.${v.name}.${process.pid}.ready`);
  fs.rmSync(ready, { force: true });
  fs.mkdirSync(path.dirname(jr.real(v.pidfile)), { recursive: true });
  const spec = { root: hostPath('/'), jail: jr.jail.name, name: v.name, kind: d.kind, addrs, port, pidfile: jr.real(v.pidfile), ready, config: configs, serve };
  const child = spawn(Net.NSENTER, [`--net=${netns}`, '--', process.execPath, SERVD, JSON.stringify(spec)], { detached: true, stdio: 'ignore', cwd: '/' });
  child.unref();
  // Recorded as soon as it exists (a process of the jail), not once it says it listens: a start
  // cut off while waiting leaves no daemon the fake does not know (runningPid heals the rest).
  State.update((s) => {
    s.daemons = (s.daemons || []).filter((x) => !(x.jail === jr.jail.name && x.name === v.name));
    s.daemons.push({ jail: jr.jail.name, jid: jr.jail.jid, name: v.name, pid: child.pid });
  });
  const said = awaitReport(ready, 10000) ?? 'did not report within 10 seconds\n';
  fs.rmSync(ready, { force: true });
  if (said === 'ok') return null;
  if (alive(child.pid)) killAndWait(child.pid, 'SIGKILL');
  State.update((s) => { s.daemons = (s.daemons || []).filter((x) => x.pid !== child.pid); });
  return said;
}

/** Stops every daemon of a jail that stops (jail -r: its processes do not outlive it). */
function stopJailDaemons(jailName) {
  const mine = State.update((s) => {
    const all = s.daemons || [];
    s.daemons = all.filter((x) => x.jail !== jailName);
    return all.filter((x) => x.jail === jailName);
  });
  for (const d of mine) if (isOurs(d.pid, d.jail, d.name)) killAndWait(d.pid);
  Net.sync();
}

/** Every daemon of the host (tests on a temporary root tear them down with the namespace). */
function stopAllDaemons() {
  const all = State.update((s) => { const a = s.daemons || []; s.daemons = []; return a; });
  for (const d of all) if (isOurs(d.pid, d.jail, d.name)) killAndWait(d.pid, 'SIGKILL');
}

const KEYWORDS = ['start', 'stop', 'restart', 'rcvar', 'enable', 'disable', 'delete', 'enabled', 'describe', 'extracommands'];

/** run_rc_command for script `scriptPath` of the jail; returns the exit status. */
function run(jr, scriptPath, verbArg, extraArgs = []) {
  const me = scriptPath; // $0 as service(8) execs it
  const warn = (m) => err(`${me}: WARNING: ${m}\n`);
  const v = evalScript(jr, scriptPath);
  if (!v.name) { err(`${me}: ERROR: run_rc_command: $name is not set.\n`); return 3; }
  let verb = verbArg;
  let prefix = '';
  for (const p of ['fast', 'force', 'one', 'quiet']) if (verb.startsWith(p)) { prefix = p; verb = verb.slice(p.length); break; }
  const quiet = prefix === 'fast' || prefix === 'quiet';
  if ((prefix === 'one' || prefix === 'force') && v.rcvar) v[v.rcvar] = 'YES';
  if (v[`${v.name}_program`]) v.command = v[`${v.name}_program`];
  const extra = (v.extra_commands || '').split(/\s+/).filter(Boolean);
  const keywords = [...KEYWORDS, ...extra, ...(v.procname || v.command ? ['status', 'poll'] : [])];
  const usage = () => { err(`Usage: ${me} [fast|force|one|quiet](${keywords.join('|')})\n`); return 1; };
  if (!verb) return usage();
  if (!keywords.includes(verb)) { err(`${me}: unknown directive '${verb}'.\n`); return usage(); }
  for (const k of ['start', 'stop', 'status', 'restart', 'reload']) {
    if (v[`${k}_cmd`]) { err(`fakebsd: ${me}: ${k}_cmd is not run by the fake\n`); return 1; }
  }
  const d = DAEMONS[v.command];
  const needsDaemon = ['start', 'stop', 'restart', 'reload', 'status', 'poll'].includes(verb) || (d && d.verbs && d.verbs[verb]);
  if (needsDaemon && !d) { err(`fakebsd: ${me}: the test bed does not run ${v.command || '(no command)'} (it runs ${Object.keys(DAEMONS).join(', ')})\n`); return 1; }
  const checkyesno = (name) => {
    const r = yesNo(v[name]);
    if (r === null) warn(`$${name} is not set properly - see rc.conf(5).`);
    return r === true;
  };
  if (verb === 'enabled') return checkyesno(v.rcvar) ? 0 : 1;
  let pid = runningPid(jr, v);
  const exempt = ['rcvar', 'delete', 'enable', 'describe', 'status'].includes(verb) || (verb === 'stop' && pid);
  if (v.rcvar && !exempt && !checkyesno(v.rcvar)) {
    if (!quiet) out(`Cannot '${verb}' ${v.name}. Set ${v.rcvar} to YES in /etc/rc.conf or use 'one${verb}' instead of '${verb}'.\n`);
    return 0;
  }
  const notRunning = () => { err(`${v.name} not running?${v.pidfile ? ` (check ${v.pidfile}).` : ''}\n`); return 1; };
  const stop = () => {
    if (!pid) return prefix === 'fast' ? 0 : notRunning();
    out(`Stopping ${v.name}.\n`);
    killAndWait(pid);
    out(`Waiting for PIDS: ${pid}.\n`);
    State.update((s) => { s.daemons = (s.daemons || []).filter((x) => x.pid !== pid); });
    pid = null;
    return 0;
  };
  const start = () => {
    if (pid && prefix !== 'fast') { if (!quiet) err(`${v.name} already running?  (pid=${pid}).\n`); return 1; }
    const cmd = jr.real(v.command);
    if (!fs.existsSync(cmd) || !(fs.statSync(cmd).mode & 0o111)) { warn(`run_rc_command: cannot run ${v.command}`); return 1; }
    for (const f of (v.required_files || '').split(/\s+/).filter(Boolean)) {
      if (!fs.existsSync(jr.real(f))) { warn(`${f} is not readable.`); if (prefix !== 'force') { warn(`failed precmd routine for ${v.name}`); return 1; } }
    }
    const pre = d.precheck && d.precheck(v, (p) => fs.existsSync(jr.real(p)));
    if (pre) { err(pre); warn(`failed to start ${v.name}`); return 1; }
    out(`Starting ${v.name}.\n`);
    const failure = startDaemon(jr, v, d);
    if (failure !== null) { err(failure); warn(`failed to start ${v.name}`); return 1; }
    return 0;
  };
  switch (verb) {
    case 'start': return start();
    case 'stop': return stop();
    case 'restart': stop(); return start();
    case 'status':
      if (pid) { out(`${v.name} is running as pid ${pid}.\n`); return 0; }
      out(`${v.name} is not running.\n`);
      return 1;
    case 'reload':
      if (!pid) return notRunning();
      process.kill(pid, 'SIGHUP');
      return 0;
    case 'rcvar':
      out(`# ${v.name}\n#\n${v.rcvar}="${v[v.rcvar] || ''}"\n#   (default: "")\n\n`);
      return 0;
    case 'describe': if (v.desc) out(`${v.desc}\n`); return 0;
    case 'extracommands': out(`${v.extra_commands || ''}\n`); return 0;
    case 'enable': case 'disable': {
      // `sysrc -vs NAME RCVAR=YES` then "NAME enabled in FILE" (the file it was set in).
      const file = definedIn(jr, v.name, v.rcvar) || '/etc/rc.conf';
      fs.mkdirSync(path.dirname(jr.real(file)), { recursive: true });
      RC.setVar(jr.real(file), v.rcvar, verb === 'enable' ? 'YES' : 'NO');
      out(`${v.name} ${verb}d in ${file}\n`);
      return 0;
    }
    default: {
      const own = d && d.verbs && d.verbs[verb];
      if (!own) { err(`fakebsd: ${me}: '${verb}' is not implemented by the fake\n`); return 1; }
      const r = own(v, (p) => jr.real(p), extraArgs);
      if (r.stdout) out(r.stdout);
      if (r.stderr) err(r.stderr);
      return r.status;
    }
  }
}

/** The last of the service's rc.conf files that assigns VAR (sysrc -s NAME's search), or null. */
function definedIn(jr, name, variable) {
  const vars = {};
  const defaults = jr.real('/etc/defaults/rc.conf');
  if (fs.existsSync(defaults)) RC.assignments(fs.readFileSync(defaults, 'utf8'), vars);
  const files = [...(vars.rc_conf_files || '/etc/rc.conf /etc/rc.conf.local').split(/\s+/).filter(Boolean), `/etc/rc.conf.d/${name}`, `/usr/local/etc/rc.conf.d/${name}`];
  return [...files].reverse().find((f) => fs.existsSync(jr.real(f)) && fs.statSync(jr.real(f)).isFile()
    && RC.assignments(fs.readFileSync(jr.real(f), 'utf8')).some((a) => a.name === variable)) || null;
}

/** service -e: the scripts whose rcvar is YES (usr.sbin/service/service.sh, ENABLED). */
function enabledScripts(jr) {
  const res = [];
  for (const dir of ['/etc/rc.d', LOCAL_STARTUP]) {
    let names = [];
    try { names = fs.readdirSync(jr.real(dir)).sort(); } catch { continue; }
    for (const n of names) {
      const p = `${dir}/${n}`;
      if (!/^rcvar/m.test(fs.readFileSync(jr.real(p), 'utf8'))) continue;
      const v = evalScript(jr, p);
      if (v.rcvar && yesNo(v[v.rcvar]) === true) res.push(p);
    }
  }
  return res;
}

/** service -l: the scripts of /etc/rc.d and local_startup. */
function listScripts(jr) {
  const res = [];
  for (const dir of ['/etc/rc.d', LOCAL_STARTUP]) {
    try { res.push(...fs.readdirSync(jr.real(dir)).sort()); } catch { /* no such directory */ }
  }
  return res;
}

module.exports = { jailRoot, findScript, run, stopJailDaemons, stopAllDaemons, enabledScripts, listScripts, awaitReport, LOCAL_STARTUP, SERVD };
