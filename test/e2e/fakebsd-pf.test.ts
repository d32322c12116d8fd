// pfctl and devfs as strict as FreeBSD for what PfNat and DevfsRuleset will run, and pfeval:
// whether the loaded rules would refuse a new SSH connection.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { pfAnchorFor } from '../../lib/render/pfconf';
import { pfHookLines, pfHookMarkers, pfHooksAwk } from '../support/helper';
import { F, shimsAt } from './fakebsd-support';

let root: string;
const { sh, ok, write } = shimsAt(() => root);
const fails = (name: string, args: string[], status: number, stderr: string) => {
  const r = sh(name, args);
  expect([r.status, r.stderr]).toEqual([status, stderr]);
};
const NOT_LOADED = 'pfctl: Syntax error in config file: pf rules not loaded\n';
const ORDER = 'Rules must be in order: options, ethernet, normalization, queueing, translation, filtering';

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-pf-'));
  F.initHost(root, {});
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const ADMIN_PF = 'ext_if = "em0"\nset skip on lo0\nblock in all\npass in on $ext_if proto tcp to port 22\npass out all keep state\n';
const state = () => F.readState(root);
const ssh = (from = '198.51.100.7') => F.pfVerdict(root, { from, to: '192.0.2.10', port: 22, iface: 'em0' });

/** The host's pf.conf with the library's hooks put in by the renderer's awk program. */
function hook(text: string): string {
  const { begin, end } = pfHookMarkers();
  const r = spawnSync('awk', [pfHooksAwk()], { input: text, encoding: 'utf8', env: { ...process.env, BEGIN_LINE: begin, END_LINE: end, HOOKS: pfHookLines().join('\n') } });
  return r.stdout;
}

describe('pfctl -nf: parse.y, not a word list', () => {
  test('the grammar fixes the word order: rdr log pass is a syntax error, rdr pass log is not', () => {
    write('/etc/a.pf', 'rdr pass log on em0 inet proto tcp to (em0) port 8080 -> 127.1.1.4\n');
    ok('pfctl', '-nf', '/etc/a.pf');
    write('/etc/b.pf', 'rdr log pass on em0 inet proto tcp to (em0) port 8080 -> 127.1.1.4\n');
    fails('pfctl', ['-nf', '/etc/b.pf'], 1, `/etc/b.pf:1: syntax error\n${NOT_LOADED}`);
  });

  test('the order message is the current one, and every error is reported', () => {
    write('/etc/bad.pf', 'pass in all\nnat on em0 from 10.0.0.0/8 to any -> (em0)\npass in on $nope all\nrdr on em0 proto tcp to port 99999 -> 10.0.0.2\n');
    fails('pfctl', ['-nf', '/etc/bad.pf'], 1,
      `/etc/bad.pf:2: ${ORDER}\n/etc/bad.pf:3: macro 'nope' not defined\n/etc/bad.pf:4: illegal port value 99999\n${NOT_LOADED}`);
  });

  test('an unquoted macro value, a range forwarded onto a range, an inline anchor over lines', () => {
    write('/etc/pf.conf', 'ext = em0\nrdr on $ext proto tcp to port 8000:8010 -> 10.0.0.2 port 9000:*\nanchor "admin" {\n  pass in proto tcp to port 22\n}\npass out all\n');
    ok('pfctl', '-f', '/etc/pf.conf');
    expect(ok('pfctl', '-s', 'nat')).toBe('rdr on em0 proto tcp to port 8000:8010 -> 10.0.0.2 port 9000:*\n');
    expect(ok('pfctl', '-a', 'admin', '-s', 'rules')).toBe('pass in proto tcp to port 22\n');
  });

  test('set options parse.y does not order (skip, timeout, limit, state-policy...) may follow filter rules; the ordered ones may not', () => {
    // parse.y option: only reassemble, optimization, loginterface, block-policy, fail-policy,
    // fingerprints and debug call check_rulestate(PFCTL_STATE_OPTION).
    write('/etc/late.pf', 'pass in all\nset skip on lo0\nset timeout { tcp.established 3600, interval 10 }\nset limit { states 20000, frags 5000 }\n'
      + 'set state-policy if-bound\nset hostid 1\nset ruleset-optimization basic\nset keepcounters\nset syncookies never\n');
    ok('pfctl', '-nf', '/etc/late.pf');
    write('/etc/ordered.pf', 'pass in all\nset block-policy return\nset loginterface em0\nset debug urgent\n');
    fails('pfctl', ['-nf', '/etc/ordered.pf'], 1, `/etc/ordered.pf:2: ${ORDER}\n/etc/ordered.pf:3: ${ORDER}\n/etc/ordered.pf:4: ${ORDER}\n${NOT_LOADED}`);
    write('/etc/noorder.pf', 'set require-order no\npass in all\nnat on em0 from 10.0.0.0/8 to any -> (em0)\n');
    ok('pfctl', '-nf', '/etc/noorder.pf');
  });

  test('include "FILE" splices FILE in (pushfile): its rules load, macros carry over, errors name the included file', () => {
    write('/etc/pf.d/nat.conf', 'nat on $ext from 10.0.0.0/8 to any -> ($ext)\n');
    write('/etc/pf.d/filter.conf', 'block in all\npass in on $ext proto tcp to port 22\n');
    write('/etc/pf.conf', 'ext = "em0"\nset skip on lo0\ninclude "/etc/pf.d/nat.conf"\ninclude "/etc/pf.d/filter.conf"\npass out all\n');
    ok('pfctl', '-f', '/etc/pf.conf');
    expect(ok('pfctl', '-s', 'nat')).toBe('nat on em0 from 10.0.0.0/8 to any -> (em0)\n');
    expect(ok('pfctl', '-s', 'rules')).toBe('block in all\npass in on em0 proto tcp to port 22\npass out all\n');
    write('/etc/pf.d/bad.conf', 'pass in all\npass in on $nope all\n');
    write('/etc/bad.pf', 'include "/etc/pf.d/bad.conf"\n');
    fails('pfctl', ['-nf', '/etc/bad.pf'], 1, `/etc/pf.d/bad.conf:2: macro 'nope' not defined\n${NOT_LOADED}`);
  });

  test('the order holds across an include: the rulestate is one for every file', () => {
    write('/etc/pf.d/nat.conf', 'nat on em0 from 10.0.0.0/8 to any -> (em0)\n');
    write('/etc/pf.d/filter.conf', 'pass all\n');
    write('/etc/a.pf', 'pass in all\ninclude "/etc/pf.d/nat.conf"\n');
    fails('pfctl', ['-nf', '/etc/a.pf'], 1, `/etc/pf.d/nat.conf:1: ${ORDER}\n${NOT_LOADED}`);
    write('/etc/b.pf', 'include "/etc/pf.d/filter.conf"\nrdr on em0 proto tcp to port 80 -> 10.0.0.2\n');
    fails('pfctl', ['-nf', '/etc/b.pf'], 1, `/etc/b.pf:2: ${ORDER}\n${NOT_LOADED}`);
    write('/etc/c.pf', 'set require-order no\ninclude "/etc/pf.d/filter.conf"\nrdr on em0 proto tcp to port 80 -> 10.0.0.2\n');
    ok('pfctl', '-nf', '/etc/c.pf');
  });

  test('an include of a file that cannot be opened fails the file; an include is not allowed inside an inline anchor', () => {
    write('/etc/a.pf', 'pass all\ninclude "/etc/pf.d/none.conf"\n');
    fails('pfctl', ['-nf', '/etc/a.pf'], 1, `pfctl: /etc/pf.d/none.conf: No such file or directory\n/etc/a.pf:2: failed to include file /etc/pf.d/none.conf\n${NOT_LOADED}`);
    write('/etc/pf.d/filter.conf', 'pass all\n');
    write('/etc/b.pf', 'anchor "x" {\n  include "/etc/pf.d/filter.conf"\n}\n');
    expect(sh('pfctl', ['-nf', '/etc/b.pf']).status).toBe(1);
  });

  test('anchor names beginning with _ are refused on the command line', () => {
    write('/etc/a.pf', 'pass all\n');
    fails('pfctl', ['-a', 'x/_y', '-f', '/etc/a.pf'], 1, "pfctl: anchor names beginning with '_' cannot be modified from the command line\n");
  });
});

describe('loads: anchors, flush, status', () => {
  test('a rejected file changes nothing, also when an anchor it loads is the bad part', () => {
    write('/etc/pf.conf', ADMIN_PF);
    ok('pfctl', '-f', '/etc/pf.conf');
    const before = state().pf;
    write('/etc/sub.pf', 'pass in all\nnat on em0 from any to any -> (em0)\n');
    write('/etc/with-load.pf', 'set skip on lo0\npass all\nanchor "sub"\nload anchor "sub" from "/etc/sub.pf"\n');
    fails('pfctl', ['-f', '/etc/with-load.pf'], 1, `/etc/sub.pf:2: ${ORDER}\n${NOT_LOADED}`);
    expect(state().pf).toEqual(before);
  });

  test('pfctl -F all -f FILE flushes first, then loads FILE (rc.d/pf start)', () => {
    write('/etc/pf.conf', ADMIN_PF);
    ok('pfctl', '-F', 'all', '-f', '/etc/pf.conf');
    expect(ok('pfctl', '-s', 'rules')).toBe('block in all\npass in on em0 proto tcp to port 22\npass out all keep state\n');
  });

  test('-s info prints the status line as print_status does: "for ..." only once pf was started or stopped', () => {
    expect(ok('pfctl', '-s', 'info')).toBe(`${'Status: Disabled'.padEnd(44)}  Debug: Urgent\n\n`);
    ok('pfctl', '-e');
    expect(ok('pfctl', '-s', 'info')).toBe(`${'Status: Enabled for 0 days 00:00:00'.padEnd(44)}  Debug: Urgent\n\n`);
    fails('pfctl', ['-e'], 1, 'pfctl: pf already enabled\n');
    ok('pfctl', '-d');
    expect(ok('pfctl', '-s', 'info')).toBe(`${'Status: Disabled for 0 days 00:00:00'.padEnd(44)}  Debug: Urgent\n\n`);
    fails('pfctl', ['-d'], 1, 'pfctl: pf not enabled\n');
  });

});

describe('pfeval: would the loaded rules refuse a new SSH connection?', () => {
  beforeEach(() => {
    write('/etc/pf.conf', hook(ADMIN_PF));
    ok('pfctl', '-f', '/etc/pf.conf');
  });
  const loadOurs = (text: string) => {
    write('/tmp/ours.pf', text);
    ok('pfctl', '-a', pfAnchorFor('t'), '-f', '/tmp/ours.pf');
  };

  test('disabled pf refuses nothing; enabled, the admin rules pass SSH (last match) and block the rest', () => {
    expect(ssh()).toEqual({ blocked: false, reason: 'pf is disabled' });
    ok('pfctl', '-e');
    expect(ssh()).toEqual({ blocked: false, reason: 'passed by "pass in on em0 proto tcp to port 22"' });
    expect(F.pfVerdict(root, { from: '198.51.100.7', to: '192.0.2.10', port: 80, iface: 'em0' })).toEqual({ blocked: true, reason: 'blocked by "block in all"' });
    expect(F.pfVerdict(root, { from: '127.0.0.1', to: '127.0.0.1', port: 80, iface: 'lo0' })).toEqual({ blocked: false, reason: 'set skip on lo0' });
  });

  test('a quick block in our anchor cuts the operator off; flushing the anchor lets them in again', () => {
    ok('pfctl', '-e');
    loadOurs('block in quick on em0 proto tcp from any to any port 22\n');
    expect(ssh()).toEqual({ blocked: true, reason: 'blocked by "block in quick on em0 proto tcp from any to any port 22" in anchor cdktf-freebsd-jails/t' });
    ok('pfctl', '-a', pfAnchorFor('t'), '-F', 'all');
    expect(ssh().blocked).toBe(false);
  });

  test('without quick, the admin rule after the hook wins (our anchor comes first)', () => {
    ok('pfctl', '-e');
    loadOurs('block in on em0 proto tcp from any to any port 22\n');
    expect(ssh().blocked).toBe(false);
  });

  test('families, tables and inline anchors count', () => {
    write('/etc/pf.conf', 'table <bad> { 198.51.100.0/24 }\nset skip on lo0\npass in all\nanchor "adm" {\n  block in quick inet6 proto tcp to port ssh\n}\nblock in quick from <bad> to any\n');
    ok('pfctl', '-f', '/etc/pf.conf');
    ok('pfctl', '-e');
    expect(F.pfVerdict(root, { from: '2001:db8::7', to: '2001:db8::1', port: 22 })).toEqual({ blocked: true, reason: 'blocked by "block in quick inet6 proto tcp to port ssh" in anchor adm' });
    expect(ssh('198.51.100.7')).toEqual({ blocked: true, reason: 'blocked by "block in quick from <bad> to any"' });
    expect(ssh('203.0.113.5')).toEqual({ blocked: false, reason: 'passed by "pass in all"' });
  });

  test('a port forward of 22 takes the connection away; sources and ranges count', () => {
    ok('pfctl', '-e');
    loadOurs('rdr pass on em0 inet proto tcp from 203.0.113.0/24 to (em0) port 20:30 -> 127.1.1.4\n');
    expect(ssh('198.51.100.7').blocked).toBe(false);
    expect(ssh('203.0.113.9')).toEqual({ blocked: true, reason: 'redirected by "rdr pass on em0 inet proto tcp from 203.0.113.0/24 to (em0) port 20:30 -> 127.1.1.4" in anchor cdktf-freebsd-jails/t' });
  });
});

describe('devfs rule (sbin/devfs/rule.c)', () => {
  test('errors carry "devfs rule:"; a $name is not a number outside rc.subr', () => {
    fails('devfs', ['rule', '-s', '10', 'add', 'include', '$devfsrules_jail'], 1, 'devfs rule: error converting to number: $devfsrules_jail\n');
    fails('devfs', ['rule', '-s', '10', 'frobnicate'], 1, 'devfs rule: unknown command: frobnicate\n');
    fails('devfs', ['rule', '-s', '10', 'add', 'path'], 1, 'devfs rule: expecting argument for path\n');
  });

  test('conditions come before actions; show prints rulespec_outfp order with an octal mode', () => {
    fails('devfs', ['rule', '-s', '12', 'add', 'unhide', 'path', 'tun*'], 1, 'devfs rule: unknown argument: path\n');
    write('/etc/group', 'wheel:*:0:root\noperator:*:5:root\n'); // getgrnam(3) finds the group here
    ok('devfs', 'rule', '-s', '12', 'add', 'path', 'tun*', 'mode', '0660', 'group', 'operator', 'unhide');
    expect(ok('devfs', 'rule', '-s', '12', 'show')).toBe('100 path tun* unhide group operator mode 660\n');
  });

});

describe('/etc/devfs.rules as rc.subr reads it', () => {
  test('the first bad line stops the file: what came before stays, the rest is not read', () => {
    write('/etc/devfs.rules', "[a=20]\nadd path 'bpf*' unhide\n[b=21]\nadd path 'tun*' unhide\nadd path x frobnicate\nadd path y unhide\n[c=22]\nadd path z unhide\n");
    const r = sh('service', ['devfs', 'restart']);
    expect(r.stderr).toBe('devfs rule: unknown argument: frobnicate\n/etc/rc.d/devfs: WARNING: devfs_init_rulesets: could not read rules from /etc/devfs.rules\n');
    expect(ok('devfs', 'rule', '-s', '20', 'show')).toBe('100 path bpf* unhide\n');
    expect(ok('devfs', 'rule', '-s', '21', 'show')).toBe('100 path tun* unhide\n');
    expect(ok('devfs', 'rule', 'showsets')).not.toMatch(/^22$/m);
  });

  test('an unknown $name expands to nothing, which devfs refuses', () => {
    write('/etc/devfs.rules', '[a=20]\nadd include $devfsrules_nosuch\n');
    expect(sh('service', ['devfs', 'restart']).stderr).toBe('devfs rule: expecting argument for include\n/etc/rc.d/devfs: WARNING: devfs_init_rulesets: could not read rules from /etc/devfs.rules\n');
  });
});

describe('daemon(8): the rollback timer runs detached', () => {
  const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  const pidOf = (file: string) => Number(fs.readFileSync(path.join(root, file), 'utf8').trim());

  test('-f -p FILE: the command runs in its own session with stdio on /dev/null, its pid in FILE; a second start while it runs exits 3', () => {
    const r = spawnSync(process.execPath, [path.join(__dirname, 'fakebsd/fakebsd.js'), 'daemon', '-f', '-p', '/var/run/t.pid', 'sleep', '30'], {
      encoding: 'utf8', env: { ...process.env, FAKEBSD_ROOT: root }, timeout: 10_000,
    });
    // spawnSync returns only once every holder of its pipes is gone: -f really let go of them.
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
    const pid = pidOf('/var/run/t.pid');
    expect(alive(pid)).toBe(true);
    const sid = Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[3]);
    expect(sid).toBe(pid); // setsid: the end of the SSH session's process group does not reach it
    fails('daemon', ['-f', '-p', '/var/run/t.pid', 'sleep', '30'], 3, `daemon: process already running, pid: ${pid}\n`);
    process.kill(pid);
  });

  test('options it does not model (a real option: -r) and a missing command are refused', () => {
    const r = sh('daemon', ['-r', 'sleep', '1']);
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([1, 'fakebsd: daemon -r is not implemented by the fake']);
    expect(sh('daemon', ['-f']).status).toBe(1);
  });
});

describe('pfeval: where a redirected connection ends up (pfDelivery)', () => {
  const CLIENT = { from: '198.51.100.7', to: '192.0.2.10', port: 80, iface: 'em0' };
  /** A routed switch's host interface vi0 (172.31.0.1/24) and VNET jail web on it (172.31.0.11/24), its default route `back`. */
  const routedWeb = (opts: { forwarding?: boolean; running?: boolean; back?: string } = {}) => {
    F.updateState(root, (s: Record<string, any>) => {
      s.ifaces.vi0 = { inet: ['172.31.0.1/24'], inet6: [], vnet: null };
      s.ifaces.vi0_web = { inet: ['172.31.0.11/24'], inet6: [], vnet: 'web' };
      s.jails.running = (opts.running ?? true) ? { 9: { jid: 9, name: 'web' } } : {};
      s.routes = { ...(s.routes || {}), web: opts.back === undefined ? {} : { 'inet default': opts.back } };
      s.sysctl['net.inet.ip.forwarding'] = opts.forwarding ?? true ? '1' : '0';
    });
  };
  const load = (rules: string) => {
    if (!state().pf.enabled) ok('pfctl', '-e');
    write('/tmp/fwd.pf', rules);
    ok('pfctl', '-f', '/tmp/fwd.pf');
  };
  const deliver = (c: Partial<typeof CLIENT> = {}) => F.pfDelivery(root, { ...CLIENT, ...c });

  test('rdr pass to the jail behind the routed switch reaches it, on the redirected port', () => {
    routedWeb({ back: '172.31.0.1' });
    load('rdr pass on em0 inet proto tcp to (em0) port 80 -> 172.31.0.11\nrdr pass on em0 inet proto tcp to (em0) port 8000:8010 -> 172.31.0.11 port 9000:*\nblock in all\n');
    expect(deliver()).toEqual({ reached: { jail: 'web', address: '172.31.0.11', port: 80 } });
    expect(deliver({ port: 8003 })).toEqual({ reached: { jail: 'web', address: '172.31.0.11', port: 9003 } });
    expect(deliver({ port: 443 })).toEqual({ reached: null, reason: 'not redirected: no rdr rule matches' });
  });

  test('without pass the filter sees the translated packet', () => {
    routedWeb({ back: '172.31.0.1' });
    load('rdr on em0 inet proto tcp to (em0) port 80 -> 172.31.0.11\nblock in all\n');
    expect(deliver()).toEqual({ reached: null, reason: 'redirected to 172.31.0.11 port 80, then blocked by "block in all"' });
    load('rdr on em0 inet proto tcp to (em0) port 80 -> 172.31.0.11\nblock in all\npass in on em0 proto tcp to 172.31.0.11 port 80\n');
    expect(deliver().reached).toEqual({ jail: 'web', address: '172.31.0.11', port: 80 });
  });

  test('no forwarding, no route, a stopped jail, or replies that do not come back: not reached, and why', () => {
    routedWeb({ forwarding: false, back: '172.31.0.1' });
    load('rdr pass on em0 inet proto tcp to (em0) port 80 -> 172.31.0.11\n');
    expect(deliver()).toEqual({ reached: null, reason: 'redirected to 172.31.0.11, but the host does not forward (net.inet.ip.forwarding=0)' });
    routedWeb({ back: '172.31.0.1' });
    load('rdr pass on em0 inet proto tcp to (em0) port 80 -> 10.77.0.5\n');
    expect(deliver()).toEqual({ reached: null, reason: 'redirected to 10.77.0.5, but the host has no route to it (no interface of the host is on its network)' });
    routedWeb({ running: false, back: '172.31.0.1' });
    load('rdr pass on em0 inet proto tcp to (em0) port 80 -> 172.31.0.11\n');
    expect(deliver()).toEqual({ reached: null, reason: 'redirected to 172.31.0.11 through vi0: jail web is not running' });
    routedWeb({ back: '172.31.0.254' });
    expect(deliver()).toEqual({ reached: null, reason: 'redirected to 172.31.0.11 in jail web, whose replies go to 172.31.0.254, not back through the host (172.31.0.1 on vi0)' });
    routedWeb();
    expect(deliver().reason).toBe('redirected to 172.31.0.11 in jail web, whose replies go nowhere (no default route), not back through the host (172.31.0.1 on vi0)');
    // A client on the jail's own network needs no route back.
    expect(deliver({ from: '172.31.0.50', iface: 'em0' }).reached).toEqual({ jail: 'web', address: '172.31.0.11', port: 80 });
  });
});
