// jail, jls, jexec, service, devfs, ifconfig, pfctl, pkg: normal use and FreeBSD's refusals.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { F, shimsAt } from './fakebsd-support';

let root: string;
const { sh, ok, host, write } = shimsAt(() => root);

const CONF = `exec.start = "/bin/sh /etc/rc";
exec.clean;
mount.devfs;
host.hostname = $name;
path = "/vm/$name";
$marker = "HOOKS";
exec.prestart = "echo prestart-$name >> \${marker}";
h1 {
  ip4.addr = "lo1|127.1.1.1/32";
  allow.chflags;
  mount.fstab = "/vm/\${name}.fstab";
}
`;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-jail-'));
  F.initHost(root, {});
  ok('zfs', 'create', '-o', 'mountpoint=/vm', 'zroot/vm');
  ok('zfs', 'create', 'zroot/vm/h1');
  for (const d of ['dev', 'etc', 'usr/ports']) fs.mkdirSync(host(`/vm/h1/${d}`), { recursive: true });
  fs.mkdirSync(host('/usr/ports'), { recursive: true });
  write('/vm/h1.fstab', '/usr/ports /vm/h1/usr/ports nullfs ro 0 0\n');
  // Hooks run on the real machine in these tests: point them into the temp dir.
  write('/etc/jail.conf', CONF.replace('"HOOKS"', `"${host('/hooks.log')}"`));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('jail', () => {
  test('a VNET jail with address restrictions is refused as kern_jail.c refuses it, and nothing of it stays', () => {
    ok('ifconfig', 'lo1', 'create');
    write('/etc/jail.conf', 'v1 { path = "/vm/h1"; vnet; ip4.addr = "lo1|127.1.1.9/32"; }\n');
    const r = sh('jail', ['-f', '/etc/jail.conf', '-c', 'v1']);
    expect([r.status, r.stderr]).toEqual([1, 'jail: v1: vnet jails cannot have IP address restrictions\n']);
    expect(ok('jls', '-N')).not.toContain('v1');
    expect(ok('ifconfig', 'lo1')).not.toContain('127.1.1.9');
  });

  test('create runs host hooks, adds the alias, records mounts; -c of a running jail fails; -r undoes it', () => {
    ok('ifconfig', 'lo1', 'create');
    ok('jail', '-f', '/etc/jail.conf', '-c', 'h1');
    expect(fs.readFileSync(host('/hooks.log'), 'utf8')).toBe('prestart-h1\n');
    expect(ok('jls', '-j', 'h1', 'name', 'path')).toBe('h1 /vm/h1\n');
    expect(ok('ifconfig', 'lo1')).toContain('inet 127.1.1.1 netmask 0xffffffff');
    expect(ok('mount')).toContain('/usr/ports on /vm/h1/usr/ports (nullfs, local, read-only)');
    const again = sh('jail', ['-f', '/etc/jail.conf', '-c', 'h1']);
    expect([again.status, again.stderr]).toEqual([1, 'jail: h1: already exists\n']);
    expect(ok('jexec', 'h1', 'hostname')).toBe('h1\n');
    expect(sh('jexec', ['h1', 'make', 'world']).status).toBe(127);
    ok('jail', '-f', '/etc/jail.conf', '-r', 'h1');
    expect(ok('ifconfig', 'lo1')).not.toContain('127.1.1.1');
    const r = sh('jls', ['-j', 'h1']);
    expect([r.status, r.stderr]).toEqual([1, 'jls: jail "h1" not found\n']);
    expect(F.readState(root).mounts).toEqual([]);
  });

  test('refuses a missing interface, a missing fstab mount point and an unloaded devfs ruleset', () => {
    let r = sh('jail', ['-f', '/etc/jail.conf', '-c', 'h1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ifconfig: interface lo1 does not exist');
    ok('ifconfig', 'lo1', 'create');
    fs.rmSync(host('/vm/h1/usr/ports'), { recursive: true });
    r = sh('jail', ['-f', '/etc/jail.conf', '-c', 'h1']);
    expect([r.status, r.stderr]).toEqual([1, 'jail: h1: /vm/h1/usr/ports: No such file or directory\n']);
    expect(ok('ifconfig', 'lo1')).not.toContain('127.1.1.1'); // undone
    fs.mkdirSync(host('/vm/h1/usr/ports'));
    write('/etc/jail.conf', fs.readFileSync(host('/etc/jail.conf'), 'utf8').replace('allow.chflags;', 'allow.chflags; devfs_ruleset = 10;'));
    r = sh('jail', ['-f', '/etc/jail.conf', '-c', 'h1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/devfs_ruleset 10 was never loaded/);
    write('/etc/devfs.rules', "[devfsrules_bpfjail=10]\nadd include $devfsrules_jail\nadd path 'bpf*' unhide\n");
    ok('service', 'devfs', 'restart');
    expect(ok('devfs', 'rule', '-s', '10', 'show')).toBe('100 include 4\n200 path bpf* unhide\n');
    ok('jail', '-f', '/etc/jail.conf', '-c', 'h1');
  });

  test('fdescfs mounts on the dev/fd that devfs provides; without devfs its mount point must exist', () => {
    ok('ifconfig', 'lo1', 'create');
    write('/etc/jail.conf', fs.readFileSync(host('/etc/jail.conf'), 'utf8').replace('allow.chflags;', 'allow.chflags; mount.fdescfs;'));
    ok('jail', '-f', '/etc/jail.conf', '-c', 'h1');
    expect(F.readState(root).mounts.map((m: any) => [m.type, m.dst])).toContainEqual(['fdescfs', '/vm/h1/dev/fd']);
    ok('jail', '-f', '/etc/jail.conf', '-r', 'h1');
    write('/etc/jail.conf', fs.readFileSync(host('/etc/jail.conf'), 'utf8').replace('mount.devfs;', ''));
    const r = sh('jail', ['-f', '/etc/jail.conf', '-c', 'h1']);
    expect([r.status, r.stderr]).toEqual([1, 'jail: h1: mount.fdescfs: /vm/h1/dev/fd: No such file or directory\n']);
  });

  test('jail.conf syntax errors, unknown parameters and variables', () => {
    const conf = (text: string) => { write('/etc/bad.conf', text); return sh('jail', ['-f', '/etc/bad.conf', '-c', 'a']); };
    let r = conf('a {\n path = "/vm/a"\n}\n');
    expect([r.status, r.stderr]).toEqual([1, 'jail: /etc/bad.conf line 3: syntax error\n']);
    r = conf('a { path = "/vm/a"; allow.mount.fusefs; }\n');
    expect(r.stderr).toBe('jail: a: unknown parameter: allow.mount.fusefs\n');
    r = conf('a { path = "/vm/a"; bogus = 1; }\n');
    expect(r.stderr).toBe('jail: a: unknown parameter: bogus\n');
    r = conf('a { $path = "/x"; path = $path; }\n');
    expect(r.status).toBe(1);
    r = conf("a { path = '/vm/$nothing'; persist; }\n"); // single quotes: no expansion
    expect(r.stderr).toBe('jail: a: path /vm/$nothing: No such file or directory\n');
    r = conf('a { path = "/vm/$nothing"; }\n');
    expect(r.stderr).toBe('jail: a: path: variable "nothing" not found\n');
    r = conf('/* unterminated\n');
    expect(r.stderr).toBe('jail: /etc/bad.conf line 1: unterminated comment\n');
  });

  test('.include exists from 14.0; service jail picks the per-jail file', () => {
    write('/etc/jail.conf.d/h1.conf', 'h1 { path = "/vm/h1"; }\n');
    write('/etc/jail.conf', '.include "/etc/jail.conf.d/*.conf";\n');
    ok('sysrc', 'jail_enable=YES');
    expect(ok('service', 'jail', 'start')).toBe('Starting jails: h1.\n');
    expect(ok('jls', 'name')).toBe('h1\n');
    expect(ok('service', 'jail', 'stop')).toBe('Stopping jails: h1.\n');
    F.updateState(root, (s: any) => { s.host.release = '13.5-RELEASE-p6'; });
    const r = sh('jail', ['-f', '/etc/jail.conf', '-c']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown parameter: \.include/);
  });

  test('jail -rc restarts a running jail with the configuration\'s parameters; a jail that is not running is "not found"', () => {
    ok('ifconfig', 'lo1', 'create');
    ok('jail', '-f', '/etc/jail.conf', '-c', 'h1');
    const jid = ok('jls', '-j', 'h1', 'jid');
    ok('jail', '-f', '/etc/jail.conf', '-rc', 'h1');
    expect(ok('jls', '-j', 'h1', 'jid')).not.toBe(jid);
    expect(fs.readFileSync(host('/hooks.log'), 'utf8')).toBe('prestart-h1\nprestart-h1\n');
    ok('jail', '-f', '/etc/jail.conf', '-r', 'h1');
    const r = sh('jail', ['-f', '/etc/jail.conf', '-rc', 'h1']);
    expect([r.status, r.stderr]).toEqual([1, 'jail: "h1" not found\n']);
    expect(sh('jls', ['-j', 'h1']).status).toBe(1);
  });

  test('service jail NAME follows current parse_options: the per-jail file only when jail.conf does not .include it', () => {
    const started = () => F.readCommandsLog(root).filter((e: any) => e.cmd === 'jail' && e.argv.includes('-c')).map((e: any) => e.argv.join(' '));
    ok('sysrc', 'jail_enable=YES');
    write('/etc/jail.conf.d/h1.conf', 'h1 { path = "/vm/h1"; }\n');
    // The administrator's global parameter applies to h1 only through /etc/jail.conf.
    write('/etc/jail.conf', 'allow.raw_sockets;\n.include "/etc/jail.conf.d/*.conf";\n');
    expect(ok('service', 'jail', 'start', 'h1')).toBe('Starting jails: h1.\n');
    expect(started().pop()).toBe('-i -f /etc/jail.conf -c h1');
    expect(F.readState(root).jails.running[ok('jls', '-j', 'h1', 'jid').trim()].params['allow.raw_sockets']).toEqual(['true']);
    expect(fs.readFileSync(host('/var/run/jail_h1.id'), 'utf8')).toBe(`${ok('jls', '-j', 'h1', 'jid').trim()}\n`);
    expect(ok('service', 'jail', 'stop', 'h1')).toBe('Stopping jails: h1.\n');
    expect(F.readCommandsLog(root).filter((e: any) => e.cmd === 'jail').pop().argv).toEqual(['-q', '-f', '/etc/jail.conf', '-r', 'h1']);
    // Without the include the per-jail file is used; /etc/jail.h1.conf comes first of all.
    write('/etc/jail.conf', 'allow.raw_sockets;\n');
    ok('service', 'jail', 'start', 'h1');
    expect(started().pop()).toBe('-i -f /etc/jail.conf.d/h1.conf -c h1');
    ok('service', 'jail', 'stop', 'h1');
    write('/etc/jail.h1.conf', 'h1 { path = "/vm/h1"; }\n');
    ok('service', 'jail', 'start', 'h1');
    expect(started().pop()).toBe('-i -f /etc/jail.h1.conf -c h1');
  });

  test('jail -e SEP lists every configured jail of the file and what it includes, as show_jails prints them, and starts nothing', () => {
    write('/etc/jail.conf.d/inc.conf', 'inc { path = "/vm/inc"; }\n');
    write('/etc/jail.conf', [
      'path = "/vm/$name";',
      '$greeting = "hello world";',
      'a { host.hostname = "a b"; persist; ip4.addr = 10.0.0.1, 10.0.0.2; allow.nomount; exec.start = "echo $greeting"; }',
      '* { exec.clean; }',
      'b { meta = "it\'s"; env = ""; bogus = 1; }',
      '12 { path = "/vm/twelve"; }',
      '.include "/etc/jail.conf.d/*.conf";',
      '',
    ].join('\n'));
    // usr.sbin/jail/jail.c: name first, then the parameters; a bare one by its name alone;
    // values joined by ","; quoted_print quotes blanks, quotes and the empty string.
    expect(ok('jail', '-e', '|')).toBe([
      'name=a|path=/vm/a|exec.clean|host.hostname="a b"|persist|ip4.addr=10.0.0.1,10.0.0.2|allow.nomount|exec.start="echo hello world"',
      'name=b|path=/vm/b|exec.clean|meta="it\'s"|env=""|bogus=1',
      'jid=12|path=/vm/twelve|exec.clean',
      'name=inc|path=/vm/inc|exec.clean',
      '',
    ].join('\n'));
    expect(ok('jls', 'name')).toBe('');
    // -f - reads the configuration from standard input (config.c load_config).
    const r = sh('jail', ['-f', '-', '-e', '\t'], { input: 'x { path = "/x"; }\ny { path = "$nope"; }\n' });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'name=x\tpath=/x\nname=y\n', 'jail: y: path: variable "nope" not found\n']);
    // Syntax errors fail it as they fail every use of the file.
    expect(sh('jail', ['-f', '-', '-e', ' '], { input: 'x {' }).status).toBe(1);
  });

  test('boot with an empty jail_list starts every jail of jail.conf: running ones are left alone, one that fails does not stop the others', () => {
    ok('sysrc', 'jail_enable=YES');
    for (const n of ['a', 'c']) fs.mkdirSync(host(`/vm/${n}`), { recursive: true });
    write('/etc/jail.conf', 'persist;\npath = "/vm/$name";\na {}\nb {}\nc {}\n');
    ok('jail', '-f', '/etc/jail.conf', '-c', 'a');
    // rc.d/jail: `jail -f $jail_conf -c -p1`; state.c start_state marks every jail JF_WILD, so a
    // running one is skipped; jail.c main goes on after b fails (no /vm/b) and exits 1.
    const r = sh('jail', ['-f', '/etc/jail.conf', '-c', '-p1']);
    expect([r.status, r.stderr]).toEqual([1, 'jail: b: path /vm/b: No such file or directory\n']);
    expect(ok('jls', 'name')).toBe('a\nc\n');
    ok('service', 'jail', 'stop');
    expect(ok('jls', 'name')).toBe('');
    fs.mkdirSync(host('/vm/b'));
    expect(ok('service', 'jail', 'start')).toBe('Starting jails: a b c.\n');
    expect(ok('jls', 'name')).toBe('a\nb\nc\n');
  });

  test('service refuses unknown services and needs jail_enable for start', () => {
    expect(ok('service', 'jail', 'start', 'h1')).toMatch(/^Cannot 'start' jail\. Set jail_enable to YES/);
    const r = sh('service', ['nosuch', 'start']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/nosuch does not exist in \/etc\/rc.d/);
  });
});

describe('network shims', () => {
  test('ifconfig refuses long names and missing interfaces; netif cloneup creates cloned_interfaces', () => {
    let r = sh('ifconfig', ['averyveryverylongname0', 'create']);
    expect(r.status).toBe(1);
    r = sh('ifconfig', ['lo7']);
    expect([r.status, r.stderr]).toEqual([1, 'ifconfig: interface lo7 does not exist\n']);
    ok('sysrc', 'cloned_interfaces=lo1 bridge0');
    ok('service', 'netif', 'cloneup');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0 lo1 bridge0\n');
    expect(ok('ifconfig', 'epair', 'create')).toBe('epair0a\n');
  });

  test('pfctl enforces the category order and keeps rules per anchor', () => {
    write('/etc/pf.conf', 'XIF = "em0"\nset skip on lo0\nscrub in all\nnat on $XIF inet from 127.1.1.0/24 to any -> ($XIF)\nrdr-anchor "cdktf/*"\nnat-anchor "cdktf/*"\npass in all\nanchor "cdktf/*"\n');
    ok('pfctl', '-nf', '/etc/pf.conf');
    ok('pfctl', '-f', '/etc/pf.conf');
    expect(ok('pfctl', '-s', 'nat')).toContain('nat on em0 inet from 127.1.1.0/24 to any -> (em0)');
    write('/etc/h1.pf', 'rdr pass log on em0 inet proto tcp to (em0) port 8080 -> 127.1.1.4\n');
    ok('pfctl', '-a', 'cdktf/h1', '-f', '/etc/h1.pf');
    expect(ok('pfctl', '-a', 'cdktf/h1', '-s', 'nat')).toBe('rdr pass log on em0 inet proto tcp to (em0) port 8080 -> 127.1.1.4\n');
    expect(ok('pfctl', '-a', 'cdktf', '-s', 'Anchors')).toBe('  cdktf/h1\n');
    write('/etc/bad.pf', 'pass in all\nrdr on em0 inet proto tcp to (em0) port 80 -> 127.1.1.4\n');
    const r = sh('pfctl', ['-nf', '/etc/bad.pf']);
    expect([r.status, r.stderr]).toEqual([1,
      '/etc/bad.pf:2: Rules must be in order: options, ethernet, normalization, queueing, translation, filtering\npfctl: Syntax error in config file: pf rules not loaded\n']);
    ok('pfctl', '-e');
    expect(sh('pfctl', ['-e']).stderr).toBe('pfctl: pf already enabled\n');
  });

  test('sysctl, route and kldload', () => {
    expect(ok('sysctl', '-n', 'kern.features.vimage')).toBe('1\n');
    expect(ok('sysctl', 'net.inet.ip.forwarding=1')).toBe('net.inet.ip.forwarding: 0 -> 1\n');
    expect(sh('sysctl', ['no.such.oid']).stderr).toBe("sysctl: unknown oid 'no.such.oid'\n");
    ok('route', 'add', 'default', '192.0.2.1');
    expect(sh('route', ['add', 'default', '192.0.2.1']).status).toBe(1);
    ok('kldload', '-n', 'ng_ether');
    expect(sh('kldload', ['ng_ether']).status).toBe(1);
  });
});

describe('pkg', () => {
  beforeEach(() => {
    ok('ifconfig', 'lo1', 'create');
    fs.mkdirSync(host('/vm/h1/mnt'), { recursive: true });
    write('/etc/jail.conf', 'h1 { path = "/vm/h1"; mount = "/var/cache/pkg /vm/h1/mnt nullfs ro 0 0"; }\n');
    fs.mkdirSync(host('/var/cache/pkg'), { recursive: true });
    write('/vm/h1/bin/freebsd-version', 'USERLAND_VERSION="14.3-RELEASE-p5"\n');
    ok('jail', '-f', '/etc/jail.conf', '-c', 'h1');
  });

  test('a jail without network cannot install; fetch -d writes hashed paths, add through the nullfs mount works', () => {
    const r = sh('pkg', ['-j', 'h1', 'install', '-y', 'git-lite']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Unable to update repository FreeBSD/);
    ok('pkg', 'fetch', '-d', '-y', '-o', '/var/cache/pkg', 'wireguard');
    expect(fs.readdirSync(host('/var/cache/pkg/All'))).toEqual(['Hashed']); // nothing for a glob All/*.pkg
    const files = fs.readdirSync(host('/var/cache/pkg/All/Hashed')).sort();
    expect(files.map((f) => f.replace(/~[0-9a-f]{10}\.pkg$/, ''))).toEqual(
      ['bash-5.2.37', 'gettext-runtime-0.22.5', 'indexinfo-0.3.1', 'wireguard-2', 'wireguard-go-0.0.20230223_10', 'wireguard-tools-1.0.20210914_3']);
    const wg = files.find((f) => f.startsWith('wireguard-2~'))!;
    expect(ok('pkg', 'query', '-F', `/var/cache/pkg/All/Hashed/${wg}`, '%n %v %q')).toBe('wireguard 2 FreeBSD:14:amd64\n');
    ok('pkg', '-j', 'h1', 'add', `/mnt/All/Hashed/${wg}`);
    expect(sh('pkg', ['-j', 'h1', 'info', '-e', 'bash']).status).toBe(0);
    expect(sh('pkg', ['info', '-e', 'bash']).status).toBe(1); // the host has none
  });

  test('fetch keeps a complete file as it is (no rewrite under a reader), fetches a damaged one again; the delay hook leaves a file half written meanwhile', () => {
    ok('pkg', 'fetch', '-y', '-o', '/var/cache/pkg', 'expat');
    const [name] = fs.readdirSync(host('/var/cache/pkg/All/Hashed'));
    const file = host(`/var/cache/pkg/All/Hashed/${name}`);
    const complete = fs.readFileSync(file, 'utf8');
    const inode = fs.statSync(file).ino;
    fs.utimesSync(file, new Date(0), new Date(0));
    ok('pkg', 'fetch', '-y', '-o', '/var/cache/pkg', 'expat');
    expect([fs.statSync(file).ino, fs.statSync(file).mtimeMs]).toEqual([inode, 0]);
    fs.writeFileSync(file, complete.slice(0, 5));
    const r = sh('pkg', ['fetch', '-y', '-o', '/var/cache/pkg', 'expat']);
    expect([r.status, r.stderr]).toEqual([0, 'pkg: cached package expat-2.6.4: checksum mismatch, fetching from remote\n']);
    expect(fs.readFileSync(file, 'utf8')).toBe(complete);
    // With the hook a reader meanwhile finds the file half written, as on a host.
    fs.rmSync(file);
    write('/var/db/fakebsd/pkg-fetch-delay-ms', '1500');
    const child = require('child_process').spawn(process.execPath, [F.SCRIPT, 'pkg', 'fetch', '-y', '-o', '/var/cache/pkg', 'expat'], { env: { ...process.env, FAKEBSD_ROOT: root }, stdio: 'ignore' });
    const deadline = Date.now() + 5000;
    while (!fs.existsSync(file) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    expect(fs.readFileSync(file, 'utf8')).toBe(complete.slice(0, complete.length >> 1));
    return new Promise<void>((resolve) => child.on('exit', (code: number) => {
      expect(code).toBe(0);
      expect(fs.readFileSync(file, 'utf8')).toBe(complete);
      resolve();
    }));
  });

  test('the ABI: pkg add refuses a package of another major release; -o ABI fetches for the jail into its own PKG_DBDIR', () => {
    write('/vm/h1/bin/freebsd-version', 'USERLAND_VERSION="15.1-RELEASE-p1"\n');
    expect(ok('pkg', '-j', 'h1', 'config', 'abi')).toBe('FreeBSD:15:amd64\n');
    ok('pkg', 'fetch', '-y', '-o', '/var/cache/pkg', 'expat');
    const [host14] = fs.readdirSync(host('/var/cache/pkg/All/Hashed'));
    let r = sh('pkg', ['-j', 'h1', 'add', `/mnt/All/Hashed/${host14}`]);
    expect([r.status, r.stderr]).toEqual([1, '[h1] pkg: wrong architecture: FreeBSD:14:amd64 instead of FreeBSD:15:amd64\n']);
    // ABI without OSVERSION: pkg warns and guesses; into the host's catalogue it replaces it.
    r = sh('pkg', ['-o', 'ABI=FreeBSD:15:amd64', 'rquery', '%v', 'expat']);
    expect(r.stderr).toBe('pkg: Setting ABI requires setting OSVERSION, guessing the OSVERSION as: 1500000\npkg: Repository FreeBSD has a wrong packagesite, need to re-create database\n');
    fs.rmSync(host('/var/cache/pkg/All'), { recursive: true });
    F.updateState(root, (s: any) => { delete s.pkg.catalogues; });
    ok('pkg', 'update');
    ok('pkg', '-o', 'ABI=FreeBSD:15:amd64', '-o', 'OSVERSION=1501000', '-o', 'PKG_DBDIR=/var/db/other', 'fetch', '-y', '-o', '/var/cache/pkg', 'expat');
    expect(F.readState(root).pkg.catalogues).toEqual({ '/var/db/pkg': 'FreeBSD:14:amd64', '/var/db/other': 'FreeBSD:15:amd64' });
    const [for15] = fs.readdirSync(host('/var/cache/pkg/All/Hashed'));
    ok('pkg', '-j', 'h1', 'add', `/mnt/All/Hashed/${for15}`);
    expect(ok('pkg', '-j', 'h1', 'info', '-q')).toBe('expat-2.6.4\n');
  });

  test('with resolv.conf the jail installs from the repository, dependencies included', () => {
    write('/vm/h1/etc/resolv.conf', 'nameserver 192.0.2.53\n');
    ok('pkg', '-j', 'h1', 'install', '-y', 'git-lite', 'vim-console');
    expect(ok('pkg', '-j', 'h1', 'info', '-q').split('\n').filter(Boolean)).toEqual(
      ['expat-2.6.4', 'gettext-runtime-0.22.5', 'git-lite-2.47.1', 'indexinfo-0.3.1', 'vim-console-9.1.0']);
    expect(sh('pkg', ['-j', 'h1', 'install', '-y', 'nosuchpkg']).status).toBe(1);
  });
});
