// The fake freebsd-update(8) and freebsd-version(1) behave as usr.sbin/freebsd-update/freebsd-update.sh
// does: end of life (fetch_warn_eol), the configuration file, the install stages of an
// upgrade and the merge prompt on /dev/tty. Each shim runs against a temp dir (FAKEBSD_ROOT).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { F, shimsAt } from './fakebsd-support';

let root: string;
const { sh, ok, host, write } = shimsAt(() => root);
const DEC_2026 = '2026-12-01T00:00:00Z';

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-'));
  F.initHost(root, { mirror: true, releases: ['13.5', '14.3', '14.5'], now: DEC_2026 });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const tmpl = '/zroot/t';
const extract = (rel: string) => {
  ok('zfs', 'create', 'zroot/t');
  ok('fetch', '-q', '-o', '/tmp/base.txz', `https://download.freebsd.org/releases/amd64/amd64/${rel}-RELEASE/base.txz`);
  execFileSync('tar', ['-xJpf', host('/tmp/base.txz'), '-C', host(tmpl)]);
};
const treeVersion = () => execFileSync('/bin/sh', [host(tmpl + '/bin/freebsd-version'), '-u']).toString();
const pinClock = (iso: string) => F.updateState(root, (s: any) => { s.update.now = iso; });

/** argv run under a new PTY (its controlling terminal, stdin included) as Terraform's remote-exec does; killed after timeoutMs. */
function underPty(argv: string[], timeoutMs: number): { timedOut: boolean; status: number | null; output: string } {
  const driver = `
import os, pty, select, sys, time, signal
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b''
deadline = time.time() + float(os.environ['PTY_TIMEOUT'])
status = None
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            d = os.read(fd, 65536)
        except OSError:
            d = b''
        out += d
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(st)
        break
if status is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
sys.stdout.write(('TIMEOUT' if status is None else 'EXIT %d' % status) + '\\n' + out.decode(errors='replace'))
`;
  const r = spawnSync('python3', ['-c', driver, ...argv], {
    encoding: 'utf8',
    env: { ...process.env, FAKEBSD_ROOT: root, PTY_TIMEOUT: String(timeoutMs / 1000) },
    timeout: timeoutMs + 10_000,
  });
  const [first, ...rest] = r.stdout.split('\n');
  return { timedOut: first === 'TIMEOUT', status: first === 'TIMEOUT' ? null : Number(first.split(' ')[1]), output: rest.join('\n') };
}

describe('freebsd-version and uname', () => {
  test('host versions and uname', () => {
    expect(ok('freebsd-version', '-kru')).toBe('14.3-RELEASE-p5\n14.3-RELEASE-p5\n14.3-RELEASE-p5\n');
    expect(ok('uname', '-r')).toBe('14.3-RELEASE-p5\n');
    expect(ok('uname', '-s', '-m')).toBe('FreeBSD amd64\n');
    expect(sh('uname', ['-r'], { env: { UNAME_r: '13.5-RELEASE' } }).stdout).toBe('13.5-RELEASE\n');
    expect(sh('freebsd-version', ['-x']).status).toBe(1);
  });
});

describe('freebsd-update fetch and install', () => {
  test('fetch needs a tty or --not-running-from-cron; install raises the patch level', () => {
    extract('14.5');
    let r = sh('freebsd-update', ['-b', tmpl, '--currently-running', '14.5-RELEASE', 'fetch', 'install'], { input: '' });
    expect([r.status, r.stdout]).toEqual([1, 'freebsd-update fetch should not be run non-interactively.\nRun freebsd-update cron instead.\n']);
    r = sh('freebsd-update', ['-b', tmpl, 'install'], { input: '' });
    expect([r.status, r.stdout]).toEqual([2, "No updates are available to install.\nRun 'freebsd-update [options] fetch' first.\n"]);
    ok('freebsd-update', '-b', tmpl, '--currently-running', '14.5-RELEASE', '--not-running-from-cron', 'fetch', 'install');
    expect(treeVersion()).toBe('14.5-RELEASE-p1\n');
    r = sh('freebsd-update', ['-b', tmpl, '--currently-running', '14.5-RELEASE', '--not-running-from-cron', 'fetch', 'install'], { input: '' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('No updates needed to update system to 14.5-RELEASE-p1.');
  });

  test('without --currently-running a 13.5 tree is updated as the host release', () => {
    pinClock('2026-01-01T00:00:00Z');
    extract('13.5');
    ok('freebsd-update', '-b', tmpl, '--not-running-from-cron', 'fetch', 'install');
    expect(treeVersion()).toBe('14.3-RELEASE-p5\n'); // wrong, as with the real tool
  });

  test('past the end of life fetch exits 1 with the warning and `fetch install` installs nothing; a separate install applies what was fetched', () => {
    extract('14.3');
    const args = ['-b', tmpl, '--currently-running', '14.3-RELEASE', '--not-running-from-cron'];
    let r = sh('freebsd-update', [...args, 'fetch', 'install']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('\nWARNING: FreeBSD 14.3-RELEASE HAS PASSED ITS END-OF-LIFE DATE.\nAny security issues discovered after Wed Jul  1 00:00:00 UTC 2026\nwill not have been corrected.\n');
    expect(treeVersion()).toBe('14.3-RELEASE\n');
    r = sh('freebsd-update', [...args, 'install']);
    expect([r.status, r.stdout]).toEqual([0, 'Installing updates... done.\n']);
    expect(treeVersion()).toBe('14.3-RELEASE-p5\n');
  });

  test('within three months of the end of life fetch reminds once and succeeds', () => {
    pinClock('2026-06-01T00:00:00Z');
    extract('14.3');
    const args = ['-b', tmpl, '--currently-running', '14.3-RELEASE', '--not-running-from-cron', 'fetch'];
    let r = sh('freebsd-update', args);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('WARNING: FreeBSD 14.3-RELEASE is approaching its End-of-Life date.\nIt is strongly recommended that you upgrade to a newer\nrelease within the next 4 weeks.\n');
    r = sh('freebsd-update', args);
    expect(r.stdout).not.toContain('approaching');
  });

  test('the configuration file: -f must exist, unknown options fail, KeyPrint and ServerName are required, the work directory must exist', () => {
    extract('14.5');
    const args = ['-b', tmpl, '--currently-running', '14.5-RELEASE', '--not-running-from-cron'];
    let r = sh('freebsd-update', ['-f', '/etc/nope.conf', ...args, 'fetch']);
    expect([r.status, r.stdout]).toEqual([1, 'File does not exist or is not readable: /etc/nope.conf\n']);
    write('/tmp/bad.conf', 'KeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5\nMergeChange /etc/\n');
    r = sh('freebsd-update', ['-f', '/tmp/bad.conf', ...args, 'fetch']);
    expect([r.status, r.stdout]).toEqual([1, 'Error processing configuration file, line 2:\n==> MergeChange /etc/\n']);
    write('/tmp/nokey.conf', 'ServerName update.FreeBSD.org\n');
    r = sh('freebsd-update', ['-f', '/tmp/nokey.conf', ...args, 'fetch']);
    expect([r.status, r.stdout]).toEqual([1, 'freebsd-update: Key must be given via -k option or configuration file.\n']);
    r = sh('freebsd-update', ['-d', '/var/db/nowhere', ...args, 'fetch']);
    expect([r.status, r.stdout]).toEqual([1, 'freebsd-update: Directory does not exist or is not writable: /var/db/nowhere\n']);
    // The library's run: the stock file without MergeChanges.
    write('/tmp/run.conf', fs.readFileSync(host('/etc/freebsd-update.conf'), 'utf8').replace(/^MergeChanges.*\n/m, ''));
    ok('freebsd-update', '-f', '/tmp/run.conf', ...args, 'fetch', 'install');
    expect(treeVersion()).toBe('14.5-RELEASE-p1\n');
  });

  test('refuses a basedir that is not a FreeBSD tree', () => {
    ok('zfs', 'create', 'zroot/empty');
    const r = sh('freebsd-update', ['-b', '/zroot/empty', '--not-running-from-cron', 'fetch']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/not a FreeBSD installation/);
  });
});

describe('freebsd-update upgrade', () => {
  const noMerge = () => write('/tmp/run.conf', fs.readFileSync(host('/etc/freebsd-update.conf'), 'utf8').replace(/^MergeChanges.*\n/m, ''));

  test('across a major version: kernel, world, old libraries, then nothing is pending (exit 2)', () => {
    extract('14.5');
    noMerge();
    ok('freebsd-update', '-f', '/tmp/run.conf', '-b', tmpl, '--currently-running', '14.5-RELEASE', '-r', '15.1', 'upgrade');
    const install = () => sh('freebsd-update', ['-f', '/tmp/run.conf', '-b', tmpl, 'install']);
    let r = install();
    expect([r.status, r.stdout]).toEqual([0, "Installing updates...\nKernel updates have been installed.  Please reboot and run\n'freebsd-update [options] install' again to finish installing updates.\n"]);
    expect(fs.readFileSync(host(`${tmpl}/boot/kernel/kernel`), 'utf8')).toBe('fake kernel 15.1-RELEASE\n');
    expect(treeVersion()).toBe('14.5-RELEASE\n');
    r = install();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Completing this upgrade requires removing old shared object files.');
    expect(treeVersion()).toBe('15.1-RELEASE-p1\n');
    expect(fs.readFileSync(host(`${tmpl}/etc/crontab`), 'utf8')).toContain('(fakebsd: the 15.x crontab)'); // unmodified: updated
    r = install();
    expect([r.status, r.stdout]).toEqual([0, 'Installing updates... done.\n']);
    r = install();
    expect([r.status, r.stdout]).toEqual([2, "No updates are available to install.\nRun 'freebsd-update [options] fetch' first.\n"]);
  });

  test('within a major version: kernel and world only', () => {
    extract('14.3');
    noMerge();
    ok('freebsd-update', '-f', '/tmp/run.conf', '-b', tmpl, '--currently-running', '14.3-RELEASE', '-r', '14.5-RELEASE', 'upgrade');
    const outputs = [1, 2, 3].map(() => sh('freebsd-update', ['-f', '/tmp/run.conf', '-b', tmpl, 'install']));
    expect(outputs.map((r) => r.status)).toEqual([0, 0, 2]);
    expect(outputs[1].stdout).toBe('Installing updates... done.\n');
    expect(treeVersion()).toBe('14.5-RELEASE-p1\n');
  });

  test('continuep reads stdin: "n" stops the upgrade, end of input goes on', () => {
    extract('14.5');
    noMerge();
    const args = ['-f', '/tmp/run.conf', '-b', tmpl, '--currently-running', '14.5-RELEASE', '-r', '15.1-RELEASE', 'upgrade'];
    expect(sh('freebsd-update', args, { input: 'n\n' }).status).toBe(1);
    expect(sh('freebsd-update', args, { input: '' }).status).toBe(0);
  });

  test('without MergeChanges a locally modified /etc/crontab is kept as it is and listed; unmodified files are updated', () => {
    extract('14.5');
    noMerge();
    const mine = fs.readFileSync(host(`${tmpl}/etc/crontab`), 'utf8').replace(/^1,31/m, '#1,31');
    write(`${tmpl}/etc/crontab`, mine);
    const r = sh('freebsd-update', ['-f', '/tmp/run.conf', '-b', tmpl, '--currently-running', '14.5-RELEASE', '-r', '15.1-RELEASE', 'upgrade']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('because the files have been modified\nlocally:\n/etc/crontab\n');
    for (let i = 0; i < 3; i++) ok('freebsd-update', '-f', '/tmp/run.conf', '-b', tmpl, 'install');
    expect(fs.readFileSync(host(`${tmpl}/etc/crontab`), 'utf8')).toBe(mine);
  });

  test('with MergeChanges the merged /etc/crontab must be confirmed on /dev/tty: without a terminal the upgrade fails', () => {
    extract('14.5');
    write(`${tmpl}/etc/crontab`, fs.readFileSync(host(`${tmpl}/etc/crontab`), 'utf8').replace(/^1,31/m, '#1,31'));
    // A new session has no controlling terminal: sh cannot open /dev/tty.
    const r = spawnSync('setsid', ['-w', process.execPath, F.SCRIPT, 'freebsd-update', '-b', tmpl, '--currently-running', '14.5-RELEASE', '-r', '15.1-RELEASE', 'upgrade'], {
      encoding: 'utf8', input: '', env: { ...process.env, FAKEBSD_ROOT: root },
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('have been merged into /etc/crontab:');
    expect(r.stderr).toContain('cannot open /dev/tty: Device not configured');
  });

  test('under a PTY the merge prompt waits for ever, `yes |` does not answer it; without MergeChanges the same upgrade finishes', () => {
    extract('14.5');
    write(`${tmpl}/etc/crontab`, fs.readFileSync(host(`${tmpl}/etc/crontab`), 'utf8').replace(/^1,31/m, '#1,31'));
    noMerge();
    const cmd = (conf: string) => `yes | ${process.execPath} ${F.SCRIPT} freebsd-update ${conf} -b ${tmpl} --currently-running 14.5-RELEASE -r 15.1-RELEASE upgrade`;
    const blocked = underPty(['/bin/sh', '-c', cmd('')], 4000);
    expect(blocked.timedOut).toBe(true);
    expect(blocked.output).toContain('Does this look reasonable (y/n)?');
    const quiet = underPty(['/bin/sh', '-c', cmd('-f /tmp/run.conf')], 20000);
    expect([quiet.timedOut, quiet.status]).toEqual([false, 0]);
    expect(quiet.output).not.toContain('Does this look reasonable');
  });
});
