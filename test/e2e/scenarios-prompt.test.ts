/**
 * Issue 8's prompt scenario: Terraform runs every script on a PTY, where a command that asks a
 * question on its terminal would wait for ever. The steps run such commands through the host
 * helper's no-tty (a session of its own, stdin /dev/null): the question fails at once, the step
 * fails naming the command, and the next apply, with the cause gone, converges.
 *
 * The question is injected (fakebsd's promptOnCall: the command first asks on /dev/tty, as
 * freebsd-update's upgrade_merge does); the control shows that the same question, on the PTY
 * an SSH session with a terminal gets, waits until someone answers.
 */
import { spawn } from 'child_process';
import { JailPackages, JailUpdate } from '../../lib';
import { labApp } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures } from './scenarios/figures';
import { installedPackages } from './scenarios/view';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const F = require('./fakebsd');

const figures = new Figures('prompt: a question on the terminal under Terraform\'s PTY');
const BASE = labApp({ jails: [{ n: 1 }] });
const WITH_STEPS = labApp({ jails: [{ n: 1 }] }, (lab) => {
  new JailUpdate(lab, 'h1-update', { jail: lab.jails[0] });
  new JailPackages(lab, 'h1-packages', { jail: lab.jails[0], packages: ['git-lite'] });
});

describeOnFakeHost('scenario: commands that would prompt', () => {
  let bench: Bench;
  beforeAll(async () => {
    bench = await Bench.start();
    bench.synth(BASE);
    expectOk(await bench.apply());
  }, 300_000);
  afterAll(async () => {
    figures.print();
    await bench?.stop();
  });

  figures.scenario('control: on an SSH session\'s terminal the injected question waits until answered', async () => {
    F.setFault(bench.host.root, { 'uname -r': { promptOnCall: 1 } });
    const child = spawn('ssh', ['-tt', ...bench.host.sshArgs('root'), '127.0.0.1', 'uname -r'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    const deadline = Date.now() + 60_000;
    while (!output.includes('Proceed anyway (y/n)? ') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('Proceed anyway (y/n)? ');
    await new Promise((r) => setTimeout(r, 1500));
    expect(child.exitCode).toBeNull(); // still waiting on the terminal
    child.stdin.write('y\r');
    expect(await done).toBe(0);
    expect(output).toMatch(/RELEASE/);
  });

  figures.scenario('a JailUpdate and a JailPackages step whose commands ask fail at once naming them; the next apply converges', async () => {
    bench.synth(WITH_STEPS);
    // freebsd-update's first run (fetch) and pkg's install ask on /dev/tty.
    F.setFault(bench.host.root, { 'freebsd-update': { promptOnCall: 1 }, 'pkg -j h1 install': { promptOnCall: 1 } });
    const started = Date.now();
    const failed = await bench.apply();
    const failedMs = Date.now() - started;
    expect(failed.ok).toBe(false);
    expect(failed.sshPtySessions).toBeGreaterThan(0); // Terraform ran the scripts on a PTY
    const byStep = (report: typeof failed, re: RegExp) => report.failures.find((f) => re.test(f.address));
    const update = byStep(failed, /h1-update/);
    expect(update?.output).toContain('freebsd-update: cannot open /dev/tty: Device not configured');
    expect(update?.output).toMatch(/helper-1: error: env PAGER=cat freebsd-update .* fetch wanted to ask a question on the terminal \(\/dev\/tty\) and failed \(exit 1\)/);
    expect(update?.output).toContain('error: freebsd-update fetch failed for jail h1');
    // The packages go after the jail's update (which restarts it): not run while it failed.
    expect(failed.failures).toHaveLength(1);

    // The update goes through; pkg's install (its fault still armed) asks.
    F.setFault(bench.host.root, { 'pkg -j h1 install': { promptOnCall: 1 } });
    const failedPackages = await bench.apply();
    F.clearFaults(bench.host.root);
    expect(failedPackages.ok).toBe(false);
    expect(byStep(failedPackages, /h1-packages/)?.output).toContain('helper-1: error: pkg -j h1 install -y git-lite wanted to ask a question on the terminal (/dev/tty) and failed (exit 1)');
    expect(failedPackages.failures).toHaveLength(1);

    const recovered = await bench.apply();
    expectOk(recovered);
    expect(recovered.provisionerRuns).toBe(1); // only the failed (tainted) packages step again
    expect(/USERLAND_VERSION="([^"]*)"/.exec(bench.host.readFile('/vm/h1/bin/freebsd-version'))![1]).toBe('14.3-RELEASE-p5');
    expect(installedPackages(bench.host, '/vm/h1')).toHaveProperty('git-lite');
    await expectSecondApplyIdle(bench);
    figures.row('apply with freebsd-update asking (fails)', { 'wall s': Math.round(failedMs / 1000), failures: failed.failures.length, 'PTY sessions': failed.sshPtySessions });
    figures.row('apply with pkg asking (fails)', { 'wall s': Math.round(failedPackages.durationMs / 1000), failures: failedPackages.failures.length, 'PTY sessions': failedPackages.sshPtySessions });
    figures.row('next apply (converges)', { 'wall s': Math.round(recovered.durationMs / 1000), 'provisioner runs': recovered.provisionerRuns });
  }, 600_000);
});
