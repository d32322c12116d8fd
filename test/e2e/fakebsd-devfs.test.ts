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

describe('devfs rule user and group (sbin/devfs/rule.c rulespec_intok, devfs.c eatoi)', () => {
  beforeEach(() => {
    write('/etc/passwd', 'root:*:0:0:Charlie &:/root:/bin/csh\nuucp:*:66:66:UUCP pseudo-user:/var/spool/uucppublic:/usr/sbin/nologin\n');
    write('/etc/group', 'wheel:*:0:root\noperator:*:5:root\n');
  });

  test('a name that is no account of the host is an error (getpwnam fails, eatoi refuses the word); nothing is added', () => {
    let r = sh('devfs', ['rule', '-s', '20', 'add', 'path', 'bpf*', 'user', 'nosuchuser']);
    expect([r.status, r.stderr]).toEqual([1, 'devfs rule: error converting to integer: nosuchuser\n']);
    r = sh('devfs', ['rule', '-s', '20', 'add', 'path', 'bpf*', 'group', 'staff']);
    expect([r.status, r.stderr]).toEqual([1, 'devfs rule: error converting to integer: staff\n']);
    r = sh('devfs', ['rule', '-s', '20', 'add', 'path', 'bpf*', 'user', '99999999999']);
    expect([r.status, r.stderr]).toEqual([1, 'devfs rule: error converting to integer: 99999999999\n']);
    expect(ok('devfs', 'rule', '-s', '20', 'show')).toBe('');
  });

  test('names and ids resolve through the host\'s accounts; show prints the name, or the id when none has it', () => {
    ok('devfs', 'rule', '-s', '20', 'add', 'path', 'bpf*', 'user', 'uucp', 'group', 'operator', 'mode', '0660');
    ok('devfs', 'rule', '-s', '20', 'add', 'path', 'tun*', 'user', '0', 'group', '4242');
    expect(ok('devfs', 'rule', '-s', '20', 'show')).toBe('100 path bpf* user uucp group operator mode 660\n200 path tun* user root group 4242\n');
  });

  test('in a rules file, a bad user stops the file at that line, with devfs\'s message', () => {
    write('/etc/devfs.rules', "[a=20]\nadd path 'bpf*' unhide\nadd path 'tun*' user nosuchuser\nadd path 'dsp*' unhide\n");
    expect(sh('service', ['devfs', 'restart']).stderr).toBe(`devfs rule: error converting to integer: nosuchuser\n${COULD_NOT_READ('/etc/devfs.rules')}`);
    expect(ok('devfs', 'rule', '-s', '20', 'show')).toBe('100 path bpf* unhide\n');
  });

  test('rule set and include numbers are eatonum\'s: a word that is no number is devfs\'s error', () => {
    const r = sh('devfs', ['rule', '-s', 'x1', 'show']);
    expect([r.status, r.stderr]).toEqual([1, 'devfs rule: error converting to number: x1\n']);
    const i = sh('devfs', ['rule', '-s', '20', 'add', 'include', '70000']);
    expect([i.status, i.stderr]).toEqual([1, 'devfs rule: error converting to number: 70000\n']);
  });
});

describe('# in devfs.rules (libexec/rc/rc.subr devfs_rulesets_from_file: read, then eval)', () => {
  test('a # inside a word is part of the word; a # that begins a word starts a comment', () => {
    write('/etc/devfs.rules', "[a=20]\nadd path foo#1 unhide\nadd path 'bar#2' unhide # the rest is a comment\nadd path baz unhide #unhide\n  # a comment line after blanks\n");
    expect(sh('service', ['devfs', 'restart']).stderr).toBe('');
    expect(ok('devfs', 'rule', '-s', '20', 'show')).toBe('100 path foo#1 unhide\n200 path bar#2 unhide\n300 path baz unhide\n');
  });

  test('a # glued to the end of a rule is a word of it: devfs refuses it', () => {
    write('/etc/devfs.rules', '[a=20]\nadd path x unhide# not a comment\n');
    expect(sh('service', ['devfs', 'restart']).stderr).toBe(`devfs rule: unknown argument: unhide#\n${COULD_NOT_READ('/etc/devfs.rules')}`);
  });

  test('read joins a line ending in a backslash with the next; header names are shell variables of the whole run', () => {
    write('/etc/rc.conf', 'devfs_rulesets="/etc/defaults/devfs.rules /etc/devfs.rules /etc/devfs.rules.local"\n');
    write('/etc/devfs.rules', "[a=20]\nadd path 'bpf*' \\\n  unhide\n");
    // No header: rulenum is still 20 from the file before (rc.subr's variables are not local).
    write('/etc/devfs.rules.local', "add include $devfsrules_hide_all\n");
    expect(sh('service', ['devfs', 'restart']).stderr).toBe('');
    expect(ok('devfs', 'rule', '-s', '20', 'show')).toBe('100 path bpf* unhide\n200 include 1\n');
  });
});
