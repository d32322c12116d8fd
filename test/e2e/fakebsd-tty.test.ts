// The terminal: daemon(8) (a session without a controlling terminal), /dev/tty as FreeBSD opens
// it, and the shims that ask questions (pkg on stdin, an injected question on /dev/tty) waiting
// on a terminal as FreeBSD's do, while nothing waits without one.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { haveCommand } from '../support/sh';
import { F, shimsAt } from './fakebsd-support';

let root: string;
const { sh, ok, host, write } = shimsAt(() => root);
const haveScript = haveCommand('script');
const onLinux = process.platform === 'linux';

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-tty-'));
  F.initHost(root, {});
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** `node fakebsd.js NAME ARGS` as a sh command line. */
const shim = (name: string, ...args: string[]) => [process.execPath, F.SCRIPT, name, ...args].map((w) => `'${w}'`).join(' ');

/** A command line on a new PTY (util-linux script) with no one typing yet: type() answers. */
function onTerminal(command: string): { child: ChildProcess; output: () => string; type: (s: string) => void; done: Promise<number> } {
  const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, FAKEBSD_ROOT: root } });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  const done = new Promise<number>((resolve) => child.on('close', (code) => { child.stdin!.destroy(); resolve(code ?? -1); }));
  return { child, output: () => output.replace(/\r/g, ''), type: (s) => child.stdin!.write(s), done };
}

async function waitFor(what: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

(onLinux ? describe : describe.skip)('daemon(8)', () => {
  test('returns 0 at once; the command runs on in a session of its own (no /dev/tty), in the same directory unless -c', async () => {
    const report = host('/report');
    const probe = `sleep 0.5; { ( : <>/dev/tty ) 2>/dev/null && echo tty || echo no-tty; pwd; read -r _ _ _ _ _ sid _ < /proc/self/stat; [ "$sid" = "$$" ] && echo leader; } > ${report}.tmp; mv ${report}.tmp ${report}`;
    const started = Date.now();
    const r = sh('daemon', ['sh', '-c', probe], { cwd: root });
    expect(r.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor(() => fs.existsSync(report));
    expect(fs.readFileSync(report, 'utf8')).toBe(`no-tty\n${root}\nleader\n`);
    fs.rmSync(report);
    ok('daemon', '-c', 'sh', '-c', probe);
    await waitFor(() => fs.existsSync(report));
    expect(fs.readFileSync(report, 'utf8').split('\n')[1]).toBe('/');
  });

  (haveScript ? test : test.skip)('under a terminal the caller has /dev/tty and its daemon(8) child has none', async () => {
    const t = onTerminal(`( : <>/dev/tty ) && echo caller-tty; ${shim('daemon', 'sh', '-c', '( : <>/dev/tty ) 2>/dev/null && echo child-tty || echo child-no-tty')}; sleep 1`);
    expect(await t.done).toBe(0);
    expect(t.output()).toContain('caller-tty\n');
    expect(t.output()).toContain('child-no-tty\n');
  });

  test('FreeBSD\'s refusals: no command (usage, 1), a command that cannot run (the child says so, the parent exits 0), supervision options other than -p not faked (-p: fakebsd-pf.test.ts)', () => {
    let r = sh('daemon', []);
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([1, 'usage: daemon [-cfHrS] [-p child_pidfile] [-P supervisor_pidfile]']);
    r = sh('daemon', ['/nonexistent/cmd']);
    expect([r.status, r.stderr]).toEqual([0, 'daemon: /nonexistent/cmd: No such file or directory\n']);
    r = sh('daemon', ['-x', 'true']);
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([1, 'daemon: illegal option -- x']);
    r = sh('daemon', ['-P', '/var/run/x.pid', 'true']);
    expect([r.status, r.stderr]).toEqual([1, 'fakebsd: daemon -P is not implemented by the fake\n']);
    r = sh('daemon', ['--supervisor-pidfile=/var/run/x.pid', 'true']);
    expect(r.status).toBe(1);
    // Options end at the first operand: the command's own flags are its own.
    expect(sh('daemon', ['true', '-p']).status).toBe(0);
  });
});

(onLinux && haveScript ? describe : describe.skip)('questions', () => {
  test('an injected question waits on the terminal until answered, and without one fails at once with FreeBSD\'s message', async () => {
    F.setFault(root, { 'uname -r': { promptOnCall: 1 } });
    const t = onTerminal(shim('uname', '-r'));
    await waitFor(() => t.output().includes('Proceed anyway (y/n)? '));
    await new Promise((r) => setTimeout(r, 1000));
    expect(t.child.exitCode).toBeNull(); // still waiting for an answer
    t.type('y\r');
    expect(await t.done).toBe(0);
    expect(t.output()).toMatch(/\n14\.\d-RELEASE/);
    // Without a controlling terminal (setsid): at once, ENXIO as FreeBSD reports it.
    F.setFault(root, { 'uname -r': { promptOnCall: 1 } });
    const r = spawnSync('setsid', ['-w', process.execPath, F.SCRIPT, 'uname', '-r'], { encoding: 'utf8', env: { ...process.env, FAKEBSD_ROOT: root }, timeout: 20_000 });
    expect([r.status, r.stderr]).toEqual([1, 'uname: cannot open /dev/tty: Device not configured\n']);
  });

  test('pkg asks on stdin unless -y or ASSUME_ALWAYS_YES: on a terminal it waits, at end of input the default (no) holds', async () => {
    write('/etc/jail.conf', 'h1 { path = "/vm/h1"; }\n');
    write('/vm/h1/bin/freebsd-version', 'USERLAND_VERSION="14.3-RELEASE-p5"\n');
    write('/vm/h1/etc/resolv.conf', 'nameserver 192.0.2.53\n');
    ok('jail', '-f', '/etc/jail.conf', '-c', 'h1');
    let r = sh('pkg', ['-j', 'h1', 'install', 'expat'], { input: '' });
    expect([r.status, r.stdout]).toEqual([1, '[h1] \nProceed with this action? [y/N]: ']);
    expect(sh('pkg', ['-j', 'h1', 'info', '-e', 'expat']).status).toBe(1);
    r = sh('pkg', ['-j', 'h1', 'install', 'expat'], { input: '', env: { ASSUME_ALWAYS_YES: 'yes' } });
    expect(r.status).toBe(0);
    const t = onTerminal(shim('pkg', '-j', 'h1', 'install', 'git-lite'));
    await waitFor(() => t.output().includes('Proceed with this action? [y/N]: '));
    await new Promise((res) => setTimeout(res, 1000));
    expect(t.child.exitCode).toBeNull();
    t.type('y\r');
    expect(await t.done).toBe(0);
    expect(sh('pkg', ['-j', 'h1', 'info', '-e', 'git-lite']).status).toBe(0);
  });
});
