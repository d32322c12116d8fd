// The fake host's devfs as strict as FreeBSD where DevfsRuleset relies on it: rc.subr's
// devfs_init_rulesets stops at the first file that fails (libexec/rc/rc.subr), an include of a
// ruleset that does not exist is refused and an included ruleset outlives its delset
// (sys/fs/devfs/devfs_rule.c devfs_rule_insert, devfs_ruleset_reap).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { F, shimsAt } from './fakebsd-support';

let root: string;
const { sh, ok, write } = shimsAt(() => root);
const COULD_NOT_READ = (file: string) => `/etc/rc.d/devfs: WARNING: devfs_init_rulesets: could not read rules from ${file}\n`;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-devfs-'));
  F.initHost(root, {});
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('service devfs restart (rc.d/devfs, rc.subr devfs_init_rulesets)', () => {
  test('a file that fails stops the reading: the next file in devfs_rulesets is not read, with rc.subr warning', () => {
    write('/etc/rc.conf', 'devfs_rulesets="/etc/defaults/devfs.rules /etc/devfs.rules /etc/devfs.rules.local"\n');
    write('/etc/devfs.rules', "[a=20]\nadd path 'bpf*' unhide\nadd path x frobnicate\n");
    write('/etc/devfs.rules.local', "[b=21]\nadd path 'tun*' unhide\n");
    const r = sh('service', ['devfs', 'restart']);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', `devfs rule: unknown argument: frobnicate\n${COULD_NOT_READ('/etc/devfs.rules')}`]);
    expect(ok('devfs', 'rule', '-s', '20', 'show')).toBe('100 path bpf* unhide\n');
    expect(ok('devfs', 'rule', 'showsets')).toBe('1\n2\n3\n4\n5\n20\n');
  });

  test('every file is read when none fails', () => {
    write('/etc/rc.conf', 'devfs_rulesets="/etc/defaults/devfs.rules /etc/devfs.rules /etc/devfs.rules.local"\n');
    write('/etc/devfs.rules', "[a=20]\nadd path 'bpf*' unhide\n");
    write('/etc/devfs.rules.local', "[b=21]\nadd include $a\nadd path 'tun*' unhide\n");
    expect(sh('service', ['devfs', 'restart']).stderr).toBe('');
    expect(ok('devfs', 'rule', '-s', '21', 'show')).toBe('100 include 20\n200 path tun* unhide\n');
  });

  test('a header without a number: devfs_rulesets_from_file warns, then devfs_init_rulesets', () => {
    write('/etc/devfs.rules', '[broken]\nadd path x unhide\n');
    expect(sh('service', ['devfs', 'restart']).stderr).toBe(
      `/etc/rc.d/devfs: WARNING: devfs_rulesets_from_file: cannot extract rule number ([broken])\n${COULD_NOT_READ('/etc/devfs.rules')}`);
  });

  test('devfs_load_rulesets=NO (and no system ruleset) reads no file', () => {
    write('/etc/rc.conf', 'devfs_load_rulesets="NO"\n');
    write('/etc/devfs.rules', "[a=20]\nadd path 'bpf*' unhide\n");
    expect(sh('service', ['devfs', 'restart']).stderr).toBe('');
    expect(ok('devfs', 'rule', 'showsets')).toBe('1\n2\n3\n4\n5\n');
  });
});

describe('devfs rule include (sys/fs/devfs/devfs_rule.c)', () => {
  test('including a ruleset that does not exist is ESRCH, on the command line and from a file', () => {
    const r = sh('devfs', ['rule', '-s', '10', 'add', 'include', '12']);
    expect([r.status, r.stderr]).toEqual([1, 'devfs rule: ioctl DEVFSIO_RADD: No such process\n']);
    expect(ok('devfs', 'rule', '-s', '10', 'show')).toBe('');
    // A block that includes a ruleset defined further down the file fails at boot.
    write('/etc/devfs.rules', '[a=20]\nadd include 21\n[b=21]\nadd path x unhide\n');
    expect(sh('service', ['devfs', 'restart']).stderr).toBe(`devfs rule: ioctl DEVFSIO_RADD: No such process\n${COULD_NOT_READ('/etc/devfs.rules')}`);
  });

  test('delset keeps an included ruleset (empty); a ruleset nothing refers to is gone', () => {
    ok('devfs', 'rule', '-s', '20', 'add', 'path', 'bpf*', 'unhide');
    ok('devfs', 'rule', '-s', '21', 'add', 'include', '20');
    ok('devfs', 'rule', '-s', '20', 'delset');
    expect(ok('devfs', 'rule', '-s', '20', 'show')).toBe('');
    expect(ok('devfs', 'rule', 'showsets')).toMatch(/^20$/m);
    ok('devfs', 'rule', '-s', '21', 'add', 'include', '20');
    ok('devfs', 'rule', '-s', '21', 'delset');
    expect(ok('devfs', 'rule', 'showsets')).toBe('1\n2\n3\n4\n5\n');
  });
});
