// Resource limits and ZFS controls on the fake host: rctl(8) against kern_rctl.c's rules,
// kern.racct.enable as a loader tunable taken at boot, cpuset -j, ZFS properties, zfs
// jail/unjail and jail(8)'s zfs.dataset (15.x), allow.mount.zfs/enforce_statfs, and the order
// of jail(8)'s exec hooks.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { F, shimsAt } from './fakebsd-support';

let root: string;
const { sh, ok, host, write } = shimsAt(() => root);
const jailRecord = (name: string) => Object.values(F.readState(root).jails.running as Record<string, any>).find((j: any) => j.name === name);

function fakeHost(opts: any = {}) {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-res-'));
  F.initHost(root, opts);
  ok('zfs', 'create', '-o', 'mountpoint=/vm', 'zroot/vm');
  ok('zfs', 'create', 'zroot/vm/h1');
}
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function startJail(conf: string, name = 'h1') {
  write('/etc/jail.conf', conf);
  ok('jail', '-f', '/etc/jail.conf', '-c', name);
}

describe('kern.racct.enable and rctl when racct is off', () => {
  test('GENERIC boots with racct off: rctl refuses with its message; the tunable is read only at run time', () => {
    fakeHost();
    expect(ok('sysctl', '-n', 'kern.racct.enable')).toBe('0\n');
    const w = sh('sysctl', ['kern.racct.enable=1']);
    expect([w.status, w.stderr]).toEqual([1, "sysctl: oid 'kern.racct.enable' is a read only tunable\nsysctl: Tunable values are set in /boot/loader.conf\n"]);
    for (const args of [[], ['-a', 'jail:h1:memoryuse:deny=1g'], ['-u', 'jail:h1']]) {
      const r = sh('rctl', args);
      expect([args, r.status, r.stderr]).toEqual([args, 1, 'rctl: RACCT/RCTL present, but disabled; enable using kern.racct.enable=1 tunable\n']);
    }
    expect(F.readState(root).rctl.rules).toEqual([]);
  });

  test('a kernel without RACCT has no such oid and rctl says support is not present', () => {
    fakeHost({ kernelFeatures: ['vimage'] });
    expect(sh('sysctl', ['-n', 'kern.racct.enable']).stderr).toBe("sysctl: unknown oid 'kern.racct.enable'\n");
    expect(sh('rctl', []).stderr).toBe('rctl: RACCT/RCTL support not present in kernel; see rctl(8) for details\n');
  });

  test('loader.conf takes effect at the next boot only: the rig reboot re-reads it and starts jails as rc does', () => {
    fakeHost();
    ok('sysrc', 'jail_enable=YES');
    startJail('h1 { path = "/vm/h1"; persist; }\n');
    write('/boot/loader.conf', '# resource limits\nkern.racct.enable="1"\n');
    expect(ok('sysctl', '-n', 'kern.racct.enable')).toBe('0\n');
    expect(sh('rctl', ['-a', 'jail:h1:maxproc:deny=10']).status).toBe(1);
    const jidBefore = jailRecord('h1').jid;
    const { stop, start } = F.reboot(root);
    expect([stop.status, start.status, start.stdout]).toEqual([0, 0, 'Starting jails: h1.\n']);
    expect(ok('sysctl', '-n', 'kern.racct.enable')).toBe('1\n');
    expect(jailRecord('h1').jid).toBeGreaterThan(jidBefore);
    ok('rctl', '-a', 'jail:h1:maxproc:deny=10');
    expect(ok('rctl')).toBe('jail:h1:maxproc:deny=10\n');
    // Rules are kernel state: a reboot clears them; loader.conf.d and .local are read too, in order.
    write('/boot/loader.conf.d/racct.conf', 'kern.racct.enable=0\n');
    F.reboot(root);
    expect([ok('sysctl', '-n', 'kern.racct.enable'), F.readState(root).rctl.rules]).toEqual(['0\n', []]);
    write('/boot/loader.conf.local', 'kern.racct.enable="1"\n');
    F.reboot(root);
    expect([ok('sysctl', '-n', 'kern.racct.enable'), ok('rctl')]).toEqual(['1\n', '']);
  });

  test('a reboot also ends jails rc.d/jail does not stop (jail_enable=NO), without their hooks, and re-applies /etc/sysctl.conf', () => {
    fakeHost();
    startJail(`h1 { path = "/vm/h1"; persist; exec.poststop = "echo stopped >> ${host('/hooks.log')}"; }\n`);
    ok('sysctl', 'net.inet.ip.forwarding=1');
    write('/etc/sysctl.conf', 'net.inet6.ip6.forwarding=1 # routing\n');
    const { start } = F.reboot(root);
    expect(start.stdout).toBe("Cannot 'start' jail. Set jail_enable to YES in /etc/rc.conf or use 'onestart' instead of 'start'.\n");
    expect(ok('jls', '-N')).not.toContain('h1');
    expect(fs.existsSync(host('/hooks.log'))).toBe(false);
    expect([ok('sysctl', '-n', 'net.inet.ip.forwarding'), ok('sysctl', '-n', 'net.inet6.ip6.forwarding')]).toEqual(['0\n', '1\n']);
  });
});

describe('rctl with racct on', () => {
  beforeEach(() => fakeHost({ loaderConf: 'kern.racct.enable="1"\n' }));

  test('rules by subject: add (amounts expanded), list newest first, filter, -h and -n, remove', () => {
    ok('rctl', '-a', 'jail:h1:memoryuse:deny=1g', 'j:h1:pcpu:deny=50', 'u:root:maxproc:log=100/process', 'loginclass:daemon:openfiles:sigterm=512');
    expect(ok('rctl')).toBe([
      'loginclass:daemon:openfiles:sigterm=512', 'user:root:maxproc:log=100/process', 'jail:h1:pcpu:deny=50', 'jail:h1:memoryuse:deny=1073741824', '',
    ].join('\n'));
    expect(ok('rctl', '-n', 'user:')).toBe('user:0:maxproc:log=100/process\n');
    expect(ok('rctl', '-h', 'jail:h1:memoryuse')).toBe('jail:h1:memoryuse:deny=1024M\n');
    // A deny rule replaces the one differing only by amount; other actions only an equal rule.
    ok('rctl', '-a', 'jail:h1:memoryuse:deny=512m');
    ok('rctl', '-a', 'jail:h1:memoryuse:log=1g', 'jail:h1:memoryuse:log=1g');
    expect(ok('rctl', 'jail:h1:memoryuse')).toBe('jail:h1:memoryuse:log=1073741824\njail:h1:memoryuse:deny=536870912\n');
    ok('rctl', '-r', 'jail:h1');
    expect(ok('rctl', 'jail:')).toBe('');
    const again = sh('rctl', ['-r', 'jail:h1']);
    expect([again.status, again.stderr]).toEqual([1, "rctl: failed to remove rule 'jail:h1': No such process\n"]);
  });

  test('the kernel refuses what kern_rctl.c refuses; the status counts failed operands', () => {
    const cases: Array<[string, string]> = [
      ['jail:h1:nosuch:deny=1', 'Invalid argument'],
      ['jail:h1:memoryuse:forbid=1', 'Invalid argument'],
      ['jail:h1:memoryuse:deny', 'Invalid argument'],
      ['prison:h1:memoryuse:deny=1', 'Invalid argument'],
      ['jail:h1:cputime:deny=10', 'Operation not supported'],
      ['jail:h1:wallclock:deny=10', 'Operation not supported'],
      ['jail:h1:readbps:deny=1m', 'Operation not supported'],
      ['jail:h1:pcpu:throttle=50', 'Operation not supported'],
      ['jail:h1:maxproc:throttle=5', 'Operation not supported'],
      ['jail:h1:swapuse:deny=1g/process', 'Operation not supported'],
    ];
    for (const [rule, msg] of cases) {
      const r = sh('rctl', ['-a', rule]);
      expect([rule, r.status, r.stderr]).toEqual([rule, 1, `rctl: failed to add rule '${rule}': ${msg}\n`]);
    }
    // Allowed: deny on memoryuse and pcpu (enforced apart from racct), throttle on i/o rates.
    ok('rctl', '-a', 'jail:h1:memoryuse:deny=1g', 'jail:h1:pcpu:deny=25', 'jail:h1:writebps:throttle=10m', 'jail:h1:readiops:throttle=100');
    const bad = sh('rctl', ['-a', 'h1', 'jail:h1:maxproc:deny=x', 'jail:h1:maxproc:deny=5', 'user:nosuchuser:maxproc:deny=5']);
    expect([bad.status, bad.stderr]).toEqual([3, [
      "rctl: malformed rule 'h1': missing subject",
      "rctl: malformed rule 'jail:h1:maxproc:deny=x': invalid numeric value 'x'",
      "rctl: malformed rule 'user:nosuchuser:maxproc:deny=5': uknown user 'nosuchuser'", '',
    ].join('\n')]);
    expect(ok('rctl', 'jail:h1:maxproc')).toBe('jail:h1:maxproc:deny=5\n');
    const two = sh('rctl', ['-a', '-r', 'jail:h1']);
    expect([two.status, two.stderr]).toEqual([1, 'rctl: at most one of -a, -l, -r, or -u may be specified\n']);
    const lim = sh('rctl', ['-l', 'jail:h1']);
    expect([lim.status, lim.stderr]).toEqual([1, "rctl: failed to get limits for 'jail:h1': Operation not supported\n"]);
  });

  test('-u shows every resource of a jail; jail rules outlive the jail and apply to the next of its name', () => {
    startJail('h1 { path = "/vm/h1"; persist; }\n');
    ok('rctl', '-a', 'jail:h1:memoryuse:deny=1g');
    const usage = ok('rctl', '-u', 'jail:h1').trim().split('\n');
    expect(usage.map((l) => l.split('=')[0])).toEqual(['cputime', 'datasize', 'stacksize', 'coredumpsize', 'memoryuse', 'memorylocked', 'maxproc',
      'openfiles', 'vmemoryuse', 'pseudoterminals', 'swapuse', 'nthr', 'msgqqueued', 'msgqsize', 'nmsgq', 'nsem', 'nsemop', 'nshm', 'shmsize',
      'wallclock', 'pcpu', 'readbps', 'writebps', 'readiops', 'writeiops']);
    ok('jail', '-f', '/etc/jail.conf', '-r', 'h1');
    // prison_racct is held by the rule (rctl_rule_acquire_subject): jail -r does not clear it.
    expect(ok('rctl', 'jail:h1')).toBe('jail:h1:memoryuse:deny=1073741824\n');
    const noId = sh('rctl', ['-u', 'jail:']);
    expect([noId.status, noId.stderr]).toEqual([1, "rctl: failed to show resource consumption for 'jail:': Invalid argument\n"]);
  });

  test('rctl faults are injected like any other command', () => {
    F.setFault(root, { 'rctl -a': { failOnCall: 1 } });
    const r = sh('rctl', ['-a', 'jail:h1:maxproc:deny=5']);
    expect([r.status, r.stderr]).toEqual([1, 'fakebsd: injected fault: rctl -a call 1\n']);
    expect(ok('rctl')).toBe('');
    ok('rctl', '-a', 'jail:h1:maxproc:deny=5');
    expect(ok('rctl')).toBe('jail:h1:maxproc:deny=5\n');
  });
});

describe('cpuset -j', () => {
  beforeEach(() => {
    fakeHost({ cpus: 8 });
    startJail('h1 { path = "/vm/h1"; persist; }\n');
  });

  test('a jail starts with every CPU; -l sets its mask; the set dies with the jail', () => {
    expect(ok('sysctl', '-n', 'hw.ncpu')).toBe('8\n');
    const jid = jailRecord('h1').jid;
    expect(ok('cpuset', '-g', '-j', 'h1')).toBe(`jail ${jid} mask: 0, 1, 2, 3, 4, 5, 6, 7\njail ${jid} domain policy: first-touch mask: 0\n`);
    ok('cpuset', '-l', '0-2,5', '-j', 'h1');
    expect(ok('cpuset', '-g', '-j', String(jid)).split('\n')[0]).toBe(`jail ${jid} mask: 0, 1, 2, 5`);
    ok('jail', '-f', '/etc/jail.conf', '-rc', 'h1');
    const jid2 = jailRecord('h1').jid;
    expect(ok('cpuset', '-g', '-j', 'h1').split('\n')[0]).toBe(`jail ${jid2} mask: 0, 1, 2, 3, 4, 5, 6, 7`);
  });

  test('lists and targets refused as cpuset.c and the kernel refuse them', () => {
    const cases: Array<[string[], string]> = [
      [['-l', '1-', '-j', 'h1'], 'cpuset: Malformed list 1-\n'],
      [['-l', '1x', '-j', 'h1'], 'cpuset: Malformed list 1x\n'],
      [['-l', '0-3', '-j', 'nosuch'], 'cpuset: jail "nosuch" not found\n'],
      [['-l', '8', '-j', 'h1'], 'cpuset: setaffinity: Invalid argument\n'],
      [['-l', '2000', '-j', 'h1'], 'cpuset: List entry 2000 exceeds maximum of 1024\n'],
    ];
    for (const [args, msg] of cases) {
      const r = sh('cpuset', args);
      expect([args, r.status, r.stderr]).toEqual([args, 1, msg]);
    }
    expect(sh('cpuset', ['-j', 'h1']).stderr).toMatch(/^usage: cpuset /);
    expect(jailRecord('h1').cpus).toBeUndefined();
  });
});

describe('ZFS properties', () => {
  beforeEach(() => fakeHost());
  const get = (props: string, ds: string, ...flags: string[]) => ok('zfs', 'get', '-H', ...flags, '-o', 'property,value,source', props, ds);

  test('sizes parsed and printed as zfs does; none is the default; -p prints bytes', () => {
    ok('zfs', 'set', 'quota=1.5G', 'refquota=512m', 'reservation=100M', 'recordsize=1M', 'zroot/vm/h1');
    expect(get('quota,refquota,reservation,refreservation,recordsize', 'zroot/vm/h1')).toBe(
      'quota\t1.50G\tlocal\nrefquota\t512M\tlocal\nreservation\t100M\tlocal\nrefreservation\tnone\tdefault\nrecordsize\t1M\tlocal\n');
    expect(get('quota,refreservation', 'zroot/vm/h1', '-p')).toBe('quota\t1610612736\tlocal\nrefreservation\t0\tdefault\n');
    ok('zfs', 'set', 'quota=none', 'zroot/vm/h1');
    expect(get('quota', 'zroot/vm/h1')).toBe('quota\tnone\tdefault\n');
    // available is capped by the quota.
    ok('zfs', 'set', 'quota=10M', 'zroot/vm');
    expect(Number(ok('zfs', 'get', '-Hp', '-o', 'value', 'available', 'zroot/vm/h1'))).toBeLessThanOrEqual(10 * 1024 * 1024);
  });

  test('inheritable properties flow to children with their source; quotas do not and cannot be inherited', () => {
    ok('zfs', 'set', 'compression=zstd-3', 'atime=off', 'exec=off', 'setuid=off', 'readonly=on', 'quota=1G', 'org.example:tier=gold', 'zroot/vm');
    expect(get('compression,atime,exec,setuid,readonly,quota,org.example:tier', 'zroot/vm/h1')).toBe([
      'compression\tzstd-3\tinherited from zroot/vm', 'atime\toff\tinherited from zroot/vm', 'exec\toff\tinherited from zroot/vm',
      'setuid\toff\tinherited from zroot/vm', 'readonly\ton\tinherited from zroot/vm', 'quota\tnone\tdefault',
      'org.example:tier\tgold\tinherited from zroot/vm', ''].join('\n'));
    ok('zfs', 'set', 'compression=lz4', 'zroot/vm/h1');
    expect(ok('zfs', 'get', '-H', '-s', 'local', '-o', 'property', 'all', 'zroot/vm/h1')).toBe('compression\n');
    ok('zfs', 'inherit', 'compression', 'zroot/vm/h1');
    expect(get('compression', 'zroot/vm/h1')).toBe('compression\tzstd-3\tinherited from zroot/vm\n');
    const q = sh('zfs', ['inherit', 'quota', 'zroot/vm']);
    expect([q.status, q.stderr]).toEqual([1, "'quota' property cannot be inherited\nuse 'zfs set quota=none' to clear\nuse 'zfs inherit -S quota' to revert to received value\n"]);
  });

  test('values refused as zfs_valid_proplist and the kernel refuse them, nothing changed', () => {
    write('/vm/h1/big', 'x'.repeat(4096));
    const cases: Array<[string, string]> = [
      ['compression=brotli', "'compression' must be one of 'on | off | lzjb | gzip | gzip-[1-9] | zle | lz4 | zstd | zstd-[1-19] | zstd-fast | zstd-fast-[1-10,20,30,40,50,60,70,80,90,100,500,1000]'"],
      ['compression=gzip-10', "'compression' must be one of 'on | off | lzjb | gzip | gzip-[1-9] | zle | lz4 | zstd | zstd-[1-19] | zstd-fast | zstd-fast-[1-10,20,30,40,50,60,70,80,90,100,500,1000]'"],
      ['recordsize=3K', "'recordsize' must be power of 2 from 512B to 16M"],
      ['recordsize=256', "'recordsize' must be power of 2 from 512B to 16M"],
      ['recordsize=32M', "'recordsize' must be power of 2 from 512B to 16M"],
      ['quota=lots', "bad numeric value 'lots'"],
      ['quota=1X', "invalid numeric suffix 'X'"],
      ['quota=1K', 'size is less than current used or reserved space'],
      ['reservation=1P', 'size is greater than available space'],
      ['atime=maybe', "'atime' must be one of 'on | off'"],
    ];
    for (const [kv, msg] of cases) {
      const r = sh('zfs', ['set', kv, 'zroot/vm/h1']);
      expect([kv, r.status, r.stderr]).toEqual([kv, 1, `cannot set property for 'zroot/vm/h1': ${msg}\n`]);
    }
    expect(ok('zfs', 'get', '-H', '-s', 'local', '-o', 'property', 'all', 'zroot/vm/h1')).toBe('');
    const c = sh('zfs', ['create', '-o', 'recordsize=3K', 'zroot/vm/h2']);
    expect([c.status, c.stderr]).toEqual([1, "cannot create 'zroot/vm/h2': 'recordsize' must be power of 2 from 512B to 16M\n"]);
  });
});

describe('zfs jail / unjail and mounting inside the jail', () => {
  const CONF = (extra: string) => `h1 { path = "/vm/h1"; persist; ${extra} }\n`;
  beforeEach(() => {
    fakeHost();
    fs.mkdirSync(host('/vm/h1/data'), { recursive: true });
    ok('zfs', 'create', '-o', 'jailed=on', '-o', 'mountpoint=/data', 'zroot/data');
  });

  test('a jailed dataset is not mounted on the host, and the host may not mount it', () => {
    expect(ok('zfs', 'get', '-H', '-o', 'value', 'mounted', 'zroot/data')).toBe('no\n');
    expect(fs.existsSync(host('/data'))).toBe(false);
    const m = sh('zfs', ['mount', 'zroot/data']);
    expect([m.status, m.stderr]).toEqual([1, "cannot mount 'zroot/data': dataset is exported to a local zone\n"]);
    ok('zfs', 'mount', '-a');
    expect(ok('zfs', 'get', '-H', '-o', 'value', 'mounted', 'zroot/data')).toBe('no\n');
    // Setting jailed on a mounted dataset unmounts it from the host.
    ok('zfs', 'create', 'zroot/vm/h1/app');
    ok('zfs', 'set', 'jailed=on', 'zroot/vm/h1/app');
    expect(ok('zfs', 'get', '-H', '-o', 'value', 'mounted', 'zroot/vm/h1/app')).toBe('no\n');
  });

  test('attach, see and mount from inside the jail (allow.mount, allow.mount.zfs, enforce_statfs=1), detach', () => {
    startJail(CONF('allow.mount; allow.mount.zfs; enforce_statfs = 1;'));
    ok('zfs', 'jail', 'h1', 'zroot/data');
    expect(jailRecord('h1').zfsDatasets).toEqual(['zroot/data']);
    expect(ok('jexec', 'h1', 'zfs', 'list', '-H', '-o', 'name')).toBe('zroot\nzroot/data\n');
    expect(sh('jexec', ['h1', 'zfs', 'list', 'zroot/vm']).stderr).toBe("cannot open 'zroot/vm': dataset does not exist\n");
    ok('jexec', 'h1', 'zfs', 'mount', 'zroot/data');
    expect(ok('zfs', 'get', '-H', '-o', 'value', 'mounted', 'zroot/data')).toBe('yes\n');
    expect(fs.existsSync(host('/vm/h1/data'))).toBe(true);
    ok('jexec', 'h1', 'zfs', 'umount', 'zroot/data');
    ok('zfs', 'unjail', 'h1', 'zroot/data');
    expect(jailRecord('h1').zfsDatasets).toEqual([]);
  });

  test('refusals: twice, not attached, unknown jail, snapshot; a jail without the mount permissions', () => {
    startJail(CONF('enforce_statfs = 2;'));
    const unk = sh('zfs', ['jail', 'nosuch', 'zroot/data']);
    expect([unk.status, unk.stderr.split('\n')[0]]).toEqual([2, 'invalid jail id or name']);
    const un = sh('zfs', ['unjail', 'h1', 'zroot/data']);
    expect([un.status, un.stderr]).toEqual([1, "cannot unjail 'zroot/data': no such pool or dataset\n"]);
    ok('zfs', 'jail', 'h1', 'zroot/data');
    const twice = sh('zfs', ['jail', 'h1', 'zroot/data']);
    expect([twice.status, twice.stderr]).toEqual([1, "cannot jail 'zroot/data': pool or dataset exists\n"]);
    ok('zfs', 'snapshot', 'zroot/data@s');
    expect(sh('zfs', ['jail', 'h1', 'zroot/data@s']).stderr).toBe("cannot jail 'zroot/data@s': snapshots can not be jailed\n");
    const m = sh('jexec', ['h1', 'zfs', 'mount', 'zroot/data']);
    expect([m.status, m.stderr]).toEqual([1, "cannot mount 'zroot/data': Insufficient privileges\n"]);
    // Not jailed: visible but the jail may not mount it.
    ok('zfs', 'create', '-o', 'mountpoint=none', 'zroot/plain');
    ok('zfs', 'jail', 'h1', 'zroot/plain');
    expect(sh('jexec', ['h1', 'zfs', 'mount', 'zroot/plain']).stderr).toBe("cannot mount 'zroot/plain': permission denied\n");
    // Attachments go with the jail.
    ok('jail', '-f', '/etc/jail.conf', '-r', 'h1');
    ok('jail', '-f', '/etc/jail.conf', '-c', 'h1');
    expect(jailRecord('h1').zfsDatasets).toBeUndefined();
  });

  test('enforce_statfs outside 0..2 is refused by the kernel', () => {
    write('/etc/jail.conf', CONF('enforce_statfs = 3;'));
    const r = sh('jail', ['-f', '/etc/jail.conf', '-c', 'h1']);
    expect([r.status, r.stderr]).toEqual([1, 'jail: h1: jail_set: Invalid argument\n']);
    expect(ok('jls', '-N')).not.toContain('h1');
  });
});

describe('zfs.dataset (15.x) and the order of jail(8) exec hooks', () => {
  const hooks = (log: string) => ['prepare', 'prestart', 'created', 'poststart', 'prestop', 'poststop', 'release']
    .map((h) => `exec.${h} = "echo ${h} >> ${log}";`).join(' ');

  test('15.1 attaches zfs.dataset after exec.created, before the start commands; 14.5 refuses the parameter', () => {
    fakeHost({ release: '15.1-RELEASE' });
    ok('zfs', 'create', '-o', 'jailed=on', 'zroot/data');
    const log = host('/hooks.log');
    startJail(`h1 { path = "/vm/h1"; persist; zfs.dataset = "zroot/data"; ${hooks(log)} }\n`);
    expect(jailRecord('h1').zfsDatasets).toEqual(['zroot/data']);
    const cmds = F.readCommandsLog(root).map((c: any) => [c.cmd, ...c.argv].join(' '));
    expect(cmds).toContain(`zfs jail ${jailRecord('h1').jid} zroot/data`);
    ok('jail', '-f', '/etc/jail.conf', '-r', 'h1');
    expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toEqual(['prepare', 'prestart', 'created', 'poststart', 'prestop', 'poststop', 'release']);
    // A dataset that cannot be attached fails the start and leaves no jail.
    write('/etc/jail.conf', 'h1 { path = "/vm/h1"; persist; zfs.dataset = "zroot/nosuch"; }\n');
    const r = sh('jail', ['-f', '/etc/jail.conf', '-c', 'h1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot open 'zroot/nosuch': dataset does not exist\n");
    expect(r.stderr).toMatch(/jail: h1: \/sbin\/zfs jail \d+ zroot\/nosuch: failed\n$/);
    expect(ok('jls', '-N')).not.toContain('h1');
  });

  test('14.5: zfs.dataset is an unknown parameter', () => {
    fakeHost({ release: '14.5-RELEASE' });
    write('/etc/jail.conf', 'h1 { path = "/vm/h1"; persist; zfs.dataset = "zroot/data"; }\n');
    const r = sh('jail', ['-f', '/etc/jail.conf', '-c', 'h1']);
    expect([r.status, r.stderr]).toEqual([1, 'jail: h1: unknown parameter: zfs.dataset\n']);
  });
});

describe('jexec: paths in the jail cross its nullfs mounts, as vfs lookups do', () => {
  test('a file written in the jail under a nullfs mount lands in the host directory mounted there, and is read back there', () => {
    fakeHost();
    ok('zfs', 'create', '-o', 'mountpoint=/vm/.data/files', 'zroot/data');
    fs.mkdirSync(host('/vm/h1/srv/files'), { recursive: true });
    startJail('h1 { path = "/vm/h1"; persist; mount = "/vm/.data/files /vm/h1/srv/files nullfs rw 0 0"; }\n');
    const t = sh('jexec', ['h1', 'tee', '/srv/files/hello.txt'], { input: 'written inside\n' });
    expect([t.status, t.stdout]).toEqual([0, 'written inside\n']);
    expect(fs.readFileSync(host('/vm/.data/files/hello.txt'), 'utf8')).toBe('written inside\n');
    expect(fs.existsSync(host('/vm/h1/srv/files/hello.txt'))).toBe(false);
    expect(ok('jexec', 'h1', 'cat', '/srv/files/hello.txt')).toBe('written inside\n');
    expect(ok('jexec', 'h1', 'ls', '/srv/files')).toBe('hello.txt\n');
    // Outside the mount the jail's own tree, as before.
    expect(sh('jexec', ['h1', 'tee', '/nosuch/x'], { input: 'x' }).stderr).toBe('tee: /nosuch/x: No such file or directory\n');
  });
});
