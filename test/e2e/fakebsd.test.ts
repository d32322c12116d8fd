// The fake FreeBSD commands behave like FreeBSD's, refusals included.
// Each shim runs as a child process against a temp dir (FAKEBSD_ROOT).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync, spawn } from 'child_process';

import { F, shimsAt } from './fakebsd-support';

let root: string;
const { sh, ok, host } = shimsAt(() => root);

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-'));
  F.initHost(root, { mirror: true, releases: ['13.5', '14.3'] });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('the host\'s own files', () => {
  test('/etc/resolv.conf is the fake host\'s, as dhclient writes it, not the machine\'s nor a link out of the root', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-'));
    try {
      // What the overlay shows of a machine with systemd-resolved: a link to its stub resolver.
      fs.writeFileSync(path.join(other, 'stub-resolv.conf'), 'nameserver 127.0.0.53\n');
      fs.rmSync(host('/etc/resolv.conf'), { force: true });
      fs.symlinkSync(path.join(other, 'stub-resolv.conf'), host('/etc/resolv.conf'));
      F.initHost(root, {});
      expect(fs.lstatSync(host('/etc/resolv.conf')).isSymbolicLink()).toBe(false);
      expect(fs.readFileSync(host('/etc/resolv.conf'), 'utf8')).toBe('search example.org\nnameserver 192.0.2.1\n');
      expect(fs.readFileSync(path.join(other, 'stub-resolv.conf'), 'utf8')).toBe('nameserver 127.0.0.53\n');
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('zfs', () => {
  test('datasets are directories at their inherited mountpoints', () => {
    ok('zfs', 'create', '-o', 'mountpoint=/vm', 'zroot/vm');
    ok('zfs', 'create', '-p', 'zroot/vm/tmpl/14.3');
    expect(fs.statSync(host('/vm/tmpl/14.3')).isDirectory()).toBe(true);
    expect(ok('zfs', 'list', '-H', '-o', 'name,mountpoint', '-r', 'zroot/vm')).toBe(
      'zroot/vm\t/vm\nzroot/vm/tmpl\t/vm/tmpl\nzroot/vm/tmpl/14.3\t/vm/tmpl/14.3\n');
    expect(ok('zfs', 'get', '-H', '-o', 'value', 'mounted,canmount,type', 'zroot/vm')).toBe('yes\non\nfilesystem\n');
  });

  test('refuses an existing dataset, a missing parent and unknown options', () => {
    ok('zfs', 'create', 'zroot/a');
    let r = sh('zfs', ['create', 'zroot/a']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("cannot create 'zroot/a': dataset already exists\n");
    expect(sh('zfs', ['create', '-p', 'zroot/a']).status).toBe(0);
    r = sh('zfs', ['create', 'zroot/x/y']);
    expect(r.stderr).toBe("cannot create 'zroot/x/y': parent does not exist\n");
    r = sh('zfs', ['list', '-z']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^invalid option 'z'\nusage:\n\tlist /);
    r = sh('zfs', ['list', 'zroot/nope']);
    expect([r.status, r.stderr]).toEqual([1, "cannot open 'zroot/nope': dataset does not exist\n"]);
    r = sh('zfs', ['set', 'bogus=1', 'zroot/a']);
    expect(r.status).toBe(1);
  });

  test('snapshot is frozen, clone copies it and keeps its origin; destroy refuses dependents', () => {
    ok('zfs', 'create', '-o', 'mountpoint=/vm', 'zroot/vm');
    ok('zfs', 'create', 'zroot/vm/t');
    fs.writeFileSync(host('/vm/t/f'), 'one');
    ok('zfs', 'snapshot', 'zroot/vm/t@p1');
    fs.writeFileSync(host('/vm/t/f'), 'two');
    ok('zfs', 'clone', '-o', 'org.example:owner=cdktf', 'zroot/vm/t@p1', 'zroot/vm/h1');
    expect(fs.readFileSync(host('/vm/h1/f'), 'utf8')).toBe('one');
    expect(ok('zfs', 'get', '-H', '-o', 'value', 'origin', 'zroot/vm/h1')).toBe('zroot/vm/t@p1\n');
    expect(ok('zfs', 'get', '-H', '-o', 'name,property,value,source', 'org.example:owner', 'zroot/vm/h1'))
      .toBe('zroot/vm/h1\torg.example:owner\tcdktf\tlocal\n');
    expect(ok('zfs', 'get', '-H', '-o', 'value', 'org.example:owner', 'zroot/vm/t')).toBe('-\n');
    expect(ok('zfs', 'list', '-H', '-t', 'snapshot', '-o', 'name', 'zroot/vm/t@p1')).toBe('zroot/vm/t@p1\n');

    let r = sh('zfs', ['clone', 'zroot/vm/t@nope', 'zroot/vm/h2']);
    expect([r.status, r.stderr]).toEqual([1, "cannot open 'zroot/vm/t@nope': dataset does not exist\n"]);
    r = sh('zfs', ['snapshot', 'zroot/vm/t@p1']);
    expect(r.stderr).toBe("cannot create snapshot 'zroot/vm/t@p1': dataset already exists\n");
    r = sh('zfs', ['destroy', 'zroot/vm/t@p1']);
    expect([r.status, r.stderr]).toEqual([1,
      "cannot destroy 'zroot/vm/t@p1': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\nzroot/vm/h1\n"]);
    r = sh('zfs', ['destroy', 'zroot/vm']);
    expect(r.stderr).toMatch(/^cannot destroy 'zroot\/vm': filesystem has children\nuse '-r' to destroy the following datasets:\n/);
    ok('zfs', 'destroy', 'zroot/vm/h1');
    expect(fs.existsSync(host('/vm/h1'))).toBe(false);
    ok('zfs', 'destroy', 'zroot/vm/t@p1');
    ok('zfs', 'destroy', '-r', 'zroot/vm');
    expect(ok('zfs', 'list', '-H', '-o', 'name')).toBe('zroot\n');
  });

  test('send | receive -u makes an independent, unmounted copy that inherits its mountpoint', () => {
    ok('zfs', 'create', '-o', 'mountpoint=/vm', 'zroot/vm');
    ok('zfs', 'create', 'zroot/vm/t');
    fs.writeFileSync(host('/vm/t/f'), 'data');
    ok('zfs', 'snapshot', 'zroot/vm/t@p1');
    const stream = sh('zfs', ['send', 'zroot/vm/t@p1'], { input: Buffer.alloc(0) });
    expect(stream.status).toBe(0);
    const r = sh('zfs', ['receive', '-u', 'zroot/vm/h1'], { input: stream.stdout });
    expect(r.status).toBe(0);
    expect(ok('zfs', 'get', '-H', '-o', 'value', 'mounted,mountpoint,origin', 'zroot/vm/h1')).toBe('no\n/vm/h1\n-\n');
    expect(fs.existsSync(host('/vm/h1/f'))).toBe(false);
    ok('zfs', 'mount', 'zroot/vm/h1');
    expect(fs.readFileSync(host('/vm/h1/f'), 'utf8')).toBe('data');
    expect(ok('zfs', 'list', '-H', '-t', 'snapshot', '-o', 'name', '-r', 'zroot/vm/h1')).toBe('zroot/vm/h1@p1\n');
    const again = sh('zfs', ['receive', 'zroot/vm/h1'], { input: stream.stdout });
    expect(again.status).toBe(1);
    expect(String(again.stderr)).toMatch(/destination 'zroot\/vm\/h1' exists\nmust specify -F to overwrite it/);
    ok('zfs', 'destroy', '-r', 'zroot/vm/t'); // the copy does not depend on it
  });

  test('rename moves the mountpoint; seedDataset makes an admin dataset', () => {
    const mp = F.seedDataset(root, 'zroot/admin/data', { props: { 'org.example:owner': 'admin' }, files: { 'keep.txt': 'mine' } });
    expect(mp).toBe('/zroot/admin/data');
    ok('zfs', 'rename', 'zroot/admin/data', 'zroot/admin/old');
    expect(fs.readFileSync(host('/zroot/admin/old/keep.txt'), 'utf8')).toBe('mine');
    expect(F.readCommandsLog(root)).toHaveLength(1); // seeding is not logged
  });

  test('rename takes the snapshots along; clones follow through their origin', () => {
    ok('zfs', 'create', '-o', 'mountpoint=/vm', 'zroot/vm');
    ok('zfs', 'create', 'zroot/vm/tmpl');
    ok('zfs', 'snapshot', 'zroot/vm/tmpl@p3');
    ok('zfs', 'clone', 'zroot/vm/tmpl@p3', 'zroot/vm/h1');
    ok('zfs', 'rename', '-u', 'zroot/vm/tmpl', 'zroot/vm/old');
    expect(ok('zfs', 'list', '-H', '-t', 'snapshot', '-o', 'name')).toBe('zroot/vm/old@p3\n');
    expect(ok('zfs', 'get', '-H', '-o', 'value', 'origin', 'zroot/vm/h1')).toBe('zroot/vm/old@p3\n');
    const r = sh('zfs', ['destroy', 'zroot/vm/old@p3']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('zroot/vm/h1');
  });
});

describe('fetch and sha256', () => {
  const url = 'https://download.freebsd.org/releases/amd64/amd64/14.3-RELEASE/';
  test('serves the mirror; MANIFEST digests match sha256 -q', () => {
    ok('fetch', '-q', '-o', '/tmp/base.txz', url + 'base.txz');
    ok('fetch', '-o', '/tmp/MANIFEST', url + 'MANIFEST');
    const line = fs.readFileSync(host('/tmp/MANIFEST'), 'utf8').split('\n').find((l) => l.startsWith('base.txz\t'))!;
    const [, digest, , name, desc, on] = line.split('\t');
    expect([name, desc, on]).toEqual(['base', '"Base system (MANDATORY)"', 'on']);
    expect(ok('sha256', '-q', '/tmp/base.txz')).toBe(digest + '\n');
    expect(ok('sha256', '/tmp/base.txz')).toBe(`SHA256 (/tmp/base.txz) = ${digest}\n`);
    expect(sh('sha256', ['-c', digest, '/tmp/base.txz']).status).toBe(0);
    expect(sh('sha256', ['-q', '-c', '00', '/tmp/base.txz']).status).toBe(2);
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-tree-'));
    require('child_process').execFileSync('tar', ['-xJf', host('/tmp/base.txz'), '-C', tree]);
    expect(fs.readFileSync(path.join(tree, 'etc/crontab'), 'utf8')).toContain('1,31\t0-5\t*\t*\t*\troot\tadjkerntz -a\n');
    expect(fs.existsSync(path.join(tree, 'etc/rc.conf'))).toBe(false);
    fs.rmSync(tree, { recursive: true, force: true });
  });

  test('refuses URLs outside the mirror like an unreachable host', () => {
    let r = sh('fetch', ['https://example.org/base.txz']);
    expect([r.status, r.stderr]).toEqual([1, 'fetch: https://example.org/base.txz: No address record\n']);
    r = sh('fetch', ['-o', '/tmp/x', url + 'nothing.txz']);
    expect(r.status).toBe(1);
    r = sh('fetch', ['-Z', url + 'base.txz']);
    expect(r.stderr).toMatch(/^fetch: illegal option -- Z\nusage: fetch/);
    expect(sh('sha256', ['/nope']).stderr).toBe('sha256: /nope: No such file or directory\n');
  });
});

describe('sysrc', () => {
  const conf = '/etc/rc.conf';
  test('sets, appends and removes words, keeping other lines', () => {
    fs.writeFileSync(host(conf), '# my host\nhostname="fake"  # keep me\ncloned_interfaces="lo1"\n');
    expect(ok('sysrc', 'jail_enable=YES')).toBe('jail_enable: NO -> YES\n');
    expect(ok('sysrc', 'cloned_interfaces+=lo2')).toBe('cloned_interfaces: lo1 -> lo1 lo2\n');
    expect(ok('sysrc', 'cloned_interfaces+=lo1')).toBe('cloned_interfaces: lo1 lo2 -> lo1 lo2\n');
    expect(ok('sysrc', 'hostname=h')).toBe('hostname: fake -> h\n');
    expect(fs.readFileSync(host(conf), 'utf8')).toBe(
      '# my host\nhostname="h"  # keep me\ncloned_interfaces="lo1 lo2"\njail_enable="YES"\n');
    const before = fs.readFileSync(host(conf));
    const st = fs.statSync(host(conf)).mtimeMs;
    expect(ok('sysrc', 'cloned_interfaces-=lo9')).toBe('cloned_interfaces: lo1 lo2 -> lo1 lo2\n');
    expect(fs.readFileSync(host(conf))).toEqual(before);
    expect(fs.statSync(host(conf)).mtimeMs).toBe(st);
    expect(ok('sysrc', '-n', 'cloned_interfaces')).toBe('lo1 lo2\n');
    expect(ok('sysrc', 'jail_list')).toBe('jail_list: \n');
    ok('sysrc', '-x', 'jail_enable');
    expect(fs.readFileSync(host(conf), 'utf8')).not.toContain('jail_enable');
    expect(sh('sysrc', ['-c', 'hostname=h']).status).toBe(0);
    expect(sh('sysrc', ['-c', 'hostname=x']).status).toBe(1);
  });

  test('unknown variables, -f and bad options', () => {
    let r = sh('sysrc', ['no_such_var']);
    expect([r.status, r.stderr]).toEqual([1, "sysrc: unknown variable 'no_such_var'\n"]);
    r = sh('sysrc', ['-i', 'no_such_var']);
    expect([r.status, r.stderr]).toEqual([1, '']);
    fs.mkdirSync(host('/zroot/t/etc'), { recursive: true });
    expect(ok('sysrc', '-f', '/zroot/t/etc/rc.conf', 'cron_enable=NO')).toBe('cron_enable: YES -> NO\n');
    expect(fs.readFileSync(host('/zroot/t/etc/rc.conf'), 'utf8')).toBe('cron_enable="NO"\n');
    expect(sh('sysrc', ['-Z', 'x']).status).toBe(1);
  });

  test('ten concurrent sysrc += under lockf lose nothing', async () => {
    fs.writeFileSync(host(conf), 'jail_list=""\n');
    const runOne = (i: number) => new Promise<number>((resolve) => {
      const p = spawn(process.execPath, [F.SCRIPT, 'lockf', '-k', '/var/run/rc.lock', process.execPath, F.SCRIPT, 'sysrc', `jail_list+=j${i}`],
        { env: { ...process.env, FAKEBSD_ROOT: root }, stdio: 'ignore' });
      p.on('exit', (c) => resolve(c ?? 99));
    });
    const codes = await Promise.all(Array.from({ length: 10 }, (_, i) => runOne(i)));
    expect(codes).toEqual(Array(10).fill(0));
    const words = ok('sysrc', '-n', 'jail_list').trim().split(' ').sort();
    expect(words).toEqual(Array.from({ length: 10 }, (_, i) => `j${i}`).sort());
  });
});

describe('lockf, mount, faults and the log', () => {
  test('lockf -t 0 fails on a held lock', async () => {
    const holder = spawn(process.execPath, [F.SCRIPT, 'lockf', '/tmp/l', 'sleep', '2'], { env: { ...process.env, FAKEBSD_ROOT: root } });
    await new Promise((r) => setTimeout(r, 700));
    const r = sh('lockf', ['-t', '0', '/tmp/l', 'true']);
    expect([r.status, r.stderr]).toEqual([75, 'lockf: /tmp/l: already locked\n']);
    await new Promise((r2) => holder.on('exit', r2));
    expect(fs.existsSync(host('/tmp/l'))).toBe(false);
    expect(sh('lockf', ['/tmp/l', 'sh', '-c', 'exit 3']).status).toBe(3);
  });

  test('mount records nullfs mounts and refuses missing mount points', () => {
    fs.mkdirSync(host('/mnt/a'), { recursive: true });
    let r = sh('mount', ['-t', 'nullfs', '-o', 'ro', '/var/db', '/mnt/nope']);
    expect([r.status, r.stderr]).toEqual([1, 'mount_nullfs: /mnt/nope: No such file or directory\n']);
    ok('mount', '-t', 'nullfs', '-o', 'ro', '/var/db', '/mnt/a');
    expect(ok('mount')).toContain('/var/db on /mnt/a (nullfs, local, read-only)');
    ok('umount', '/mnt/a');
    r = sh('umount', ['/mnt/a']);
    expect([r.status, r.stderr]).toEqual([1, 'umount: /mnt/a: not a file system root directory\n']);
  });

  test('mount -p lists mounted file systems in fstab format, ZFS datasets included', () => {
    ok('zfs', 'create', '-o', 'mountpoint=/vm', 'zroot/vm');
    ok('zfs', 'create', 'zroot/vm/h1');
    fs.mkdirSync(host('/vm/h1/mnt'), { recursive: true });
    ok('mount', '-t', 'nullfs', '-o', 'ro', '/var/db', '/vm/h1/mnt');
    const listing = ok('mount', '-p');
    const lines = listing.split('\n');
    expect(lines).toContain('zroot/vm\t/vm\tzfs\trw\t0 0');
    expect(lines).toContain('zroot/vm/h1\t/vm/h1\tzfs\trw\t0 0');
    expect(lines).toContain('devfs\t/dev\tdevfs\trw\t0 0');
    expect(lines).toContain('/var/db\t/vm/h1/mnt\tnullfs\tro\t0 0');
    // What the jail scripts select: strictly under the root, never the jail's own dataset.
    expect(execFileSync('awk', ['-v', 'd=/vm/h1', 'index($2, d "/") == 1 { print $2 }'], { input: listing, encoding: 'utf8' })).toBe('/vm/h1/mnt\n');
  });

  test('faults fire once and every invocation is logged', () => {
    F.setFault(root, { failAt: 2 });
    expect(sh('uname', ['-r']).status).toBe(0);
    const r = sh('uname', ['-r']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/injected fault/);
    expect(sh('uname', ['-r']).status).toBe(0);
    F.setFault(root, { 'zfs create': { failOnCall: 2 } });
    ok('zfs', 'create', 'zroot/a');
    expect(sh('zfs', ['create', 'zroot/b']).status).toBe(1);
    ok('zfs', 'create', 'zroot/b');
    const log = F.readCommandsLog(root);
    expect(log.map((e: any) => [e.cmd, e.exit])).toEqual([['uname', 0], ['uname', 1], ['uname', 0], ['zfs', 0], ['zfs', 1], ['zfs', 0]]);
    expect(log[3].argv).toEqual(['create', 'zroot/a']);
  });
});
