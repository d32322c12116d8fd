/**
 * The fake host rig: real sshd in a private namespace over an overlay of /, root with
 * tcsh, a sudo user, and real Terraform applying a hand-written plan over real SSH.
 * Skipped, with the reason printed, where it cannot run (not root, not Linux, no sshd...).
 */
import * as fs from 'fs';
import * as path from 'path';
import { diffDigests, fakeHostSkipReason, FakeHost, FakeHostSnapshot, mountNamespaceInUse, startFakeHost } from './host';
import { resolveHostPath } from './host/resolve';
import { destroyAll, planAndApply, RunReport, selectEngine } from './runner';
import { FixtureHost, FixtureResource, tempDir, writeResources } from './runner/fixtures';
import { addSshCounts } from './scenarios/bench';

const skip = fakeHostSkipReason();
if (skip) {
  // eslint-disable-next-line no-console
  console.log(`SKIPPED fake host tests: ${skip}`);
}
const terraform = selectEngine();
if (!skip && 'skip' in terraform) console.log(`SKIPPED Terraform on the fake host: ${terraform.skip}`);
const describeRig = skip ? describe.skip : describe;
const withTerraform = 'skip' in terraform ? test.skip : test;

describe('resolveHostPath keeps symlinks inside the fake host', () => {
  let root: string;
  beforeAll(() => {
    root = tempDir('resolve-');
    fs.mkdirSync(path.join(root, 'run'));
    fs.mkdirSync(path.join(root, 'var'));
    fs.symlinkSync('/run', path.join(root, 'var/run'));
    fs.symlinkSync('../etc', path.join(root, 'var/etc'));
    fs.symlinkSync('loop', path.join(root, 'loop'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('absolute link targets resolve under the fake root, not the real /', () => {
    expect(resolveHostPath(root, '/var/run/sshd.pid')).toBe(path.join(root, 'run/sshd.pid'));
    expect(resolveHostPath(root, '/var/etc/../../../x')).toBe(path.join(root, 'x'));
    expect(resolveHostPath(root, '/var/run', false)).toBe(path.join(root, 'var/run'));
  });

  test('symlink loops are an error', () => {
    expect(() => resolveHostPath(root, '/loop/x')).toThrow(/too many symbolic links/);
  });
});

describeRig('fake host rig', () => {
  let host: FakeHost;
  let work: string;

  beforeAll(async () => {
    host = await startFakeHost();
    work = tempDir('host-test-');
  }, 60_000);
  afterAll(async () => {
    await host?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('root logs in with tcsh as login shell', async () => {
    const r = await host.ssh('echo $shell');
    expect(r).toMatchObject({ code: 0, stdout: '/usr/bin/tcsh\n' });
  });

  test('the sudo user gets root with sudo -n', async () => {
    const r = await host.ssh('sudo -n /bin/sh -c id', host.sudoUser);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^uid=0\(root\)/);
  });

  test('writes land in the overlay, never on the real machine', async () => {
    const r = await host.ssh('echo overlay > /etc/fakehost-probe && cat /etc/fakehost-probe');
    expect(r.stdout).toBe('overlay\n');
    expect(host.readFile('/etc/fakehost-probe')).toBe('overlay\n');
    expect(fs.existsSync('/etc/fakehost-probe')).toBe(false);
    expect((await host.hostExec('cat /etc/fakehost-probe')).stdout).toBe('overlay\n');
  });

  test('/tmp and /run are fresh, and the client key is not visible inside', async () => {
    expect((await host.hostExec(`test -e ${host.keyPath} && echo visible || echo hidden`)).stdout).toBe('hidden\n');
    expect((await host.hostExec('ls /run')).stdout.split('\n')).toContain('sshd');
  });

  test('hostExec runs in the host\'s PID namespace: the pids its shims record are the ones the shims over SSH see', async () => {
    const inside = await host.ssh('test -d /proc/$$ && echo seen || echo unseen');
    expect(inside.stdout.trim()).toBe('seen');
    expect((await host.hostExec('test -d /proc/$$ && echo seen || echo unseen')).stdout).toBe('seen\n');
  });

  test('the host key is the rig\'s own (strict host key checking passes)', async () => {
    expect(host.hostKey).toMatch(/^ssh-ed25519 \S+$/);
    expect((await host.ssh('true')).code).toBe(0);
  });

  const fixture: FixtureResource[] = [
    {
      name: 'dir',
      create: ['PATH=/sbin:/bin:/usr/sbin:/usr/bin', 'if [ ! -d /var/db/e2e-fixture ]; then mkdir -p /var/db/e2e-fixture; fi'],
      destroy: 'rmdir /var/db/e2e-fixture',
    },
    {
      name: 'file',
      dependsOn: ['dir'],
      create: [
        'printf "%s\\n" "$0" > /var/db/e2e-fixture/hello', 'echo "$${SHELL:-unset}" >> /var/db/e2e-fixture/hello',
        'tty >> /var/db/e2e-fixture/hello', 'echo "$${TERM:-unset}" >> /var/db/e2e-fixture/hello',
      ],
      destroy: 'rm -f /var/db/e2e-fixture/hello',
    },
  ];
  const target = (over: Partial<FixtureHost> = {}): FixtureHost => ({ host: '127.0.0.1', port: host.port, user: 'root', keyPath: host.keyPath, hostKey: host.hostKey, ...over });
  /** An apply or destroy with the sessions sshd logged meanwhile (runs are serial: one resource at a time). */
  async function counted(fn: () => Promise<RunReport>): Promise<RunReport> {
    const mark = host.sshdLog().length;
    const r = await fn();
    addSshCounts(r, host.sshConnections(mark), true);
    return r;
  }

  withTerraform('Terraform applies and destroys a plan over real SSH: one connection per script, four sessions, each with a PTY', async () => {
    const out = writeResources(path.join(work, 'cdktf.out'), target(), fixture);
    const stateFile = path.join(work, 'state');
    const digestOpts = { paths: ['/etc', '/var/db/e2e-fixture'] };
    const before = host.stateDigest(digestOpts);

    const mark = host.sshdLog().length;
    const created = await counted(() => planAndApply(out, stateFile, { parallelism: 1 }));
    expect(created.failures).toEqual([]);
    expect(created.created.sort()).toEqual(['null_resource.dir', 'null_resource.file']);
    const hello = host.readFile('/var/db/e2e-fixture/hello').split('\n');
    expect(hello[0]).toMatch(/^\/tmp\/terraform_\d+\.sh$/); // run as the uploaded script, its #! line took over from tcsh
    expect(hello[1]).toBe('/usr/bin/tcsh'); // started by root's login shell
    expect(hello[2]).toMatch(/^\/dev\/pts\/\d+$/); // Terraform asks for a PTY: /dev/tty is there
    expect(hello[3]).toBe('xterm');
    expect(fs.existsSync('/var/db/e2e-fixture')).toBe(false);
    // Upload, chmod, run, and an upload that empties the script after it succeeded.
    expect(created.sshConnections).toBe(2);
    expect(created.sessionsPerConnection).toEqual({ 4: 2 });
    // The uploads (scp) run without a terminal; chmod and the script itself on a PTY.
    const ttys = host.sshConnections(mark).map((c) => c.sessions.map((x) => (x.tty ? 'pty' : 'none')));
    expect(ttys).toEqual([['none', 'pty', 'pty', 'none'], ['none', 'pty', 'pty', 'none']]);
    expect(created.sshPtySessions).toBe(4);
    expect(created.sessionsByResource).toEqual({ 'null_resource.dir': 4, 'null_resource.file': 4 });
    const scripts = (await host.hostExec('for f in /tmp/terraform_*.sh; do printf "%s %s\\n" "$f" "$(wc -c < "$f")"; done')).stdout.trim().split('\n');
    expect(scripts.map((l) => l.split(' ')[1])).toEqual(['0', '0']);

    const again = await counted(() => planAndApply(out, stateFile));
    expect(again.provisionerRuns).toBe(0);
    expect(again.sshConnections).toBe(0);
    expect(again.unchanged.sort()).toEqual(['null_resource.dir', 'null_resource.file']);

    const destroyed = await destroyAll(out, stateFile);
    expect(destroyed.failures).toEqual([]);
    expect(destroyed.destroyed).toEqual(['null_resource.file', 'null_resource.dir']);
    expect(host.exists('/var/db/e2e-fixture')).toBe(false);
    expect(diffDigests(before, host.stateDigest(digestOpts))).toEqual([]);
  }, 120_000);

  withTerraform('a failing script fails the apply naming the resource, with its exit status and output; the resource is tainted', async () => {
    const out = writeResources(path.join(work, 'fail.out'), target(), [{ name: 'boom', create: ['echo about to fail >&2', 'exit 7'] }]);
    const r = await planAndApply(out, path.join(work, 'fail'));
    expect(r.ok).toBe(false);
    expect(r.failures.map((f) => [f.address, f.phase])).toEqual([['null_resource.boom', 'create']]);
    expect(r.failures[0].message).toMatch(/Process exited with status 7/);
    expect(r.failures[0].output).toContain('about to fail');
    expect(r.tainted).toEqual(['null_resource.boom']);
  }, 120_000);

  withTerraform('Terraform connects as the sudo user, whose script elevates in one sh', async () => {
    const out = writeResources(path.join(work, 'sudo.out'), target({ user: host.sudoUser }),
      [{ name: 'elevated', create: ["sudo -n /bin/sh -c 'id -u > /var/db/e2e-sudo'"] }]);
    const r = await planAndApply(out, path.join(work, 'sudo'));
    expect(r.failures).toEqual([]);
    expect(host.readFile('/var/db/e2e-sudo')).toBe('0\n');
  }, 120_000);

  withTerraform('a wrong host key is refused', async () => {
    const other = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
    const out = writeResources(path.join(work, 'mitm.out'), target({ hostKey: other, timeout: '3s' }), [{ name: 'never', create: ['touch /var/db/e2e-never'] }]);
    const r = await planAndApply(out, path.join(work, 'mitm'));
    expect(r.ok).toBe(false);
    expect(r.failures[0].message).toMatch(/knownhosts: key mismatch/);
    expect(host.exists('/var/db/e2e-never')).toBe(false);
  }, 120_000);

  test('stop kills sshd and the namespace with its mounts is gone', async () => {
    await host.stop();
    expect(host.isRunning()).toBe(false);
    expect(mountNamespaceInUse(host.mountNamespace)).toBe(false);
    expect(fs.existsSync(host.keyPath)).toBe(false);
  });
});

describeRig('copies of a fake host (FakeHost.snapshot, clone)', () => {
  test('a copy keeps listing a directory the host made after the machine had one of that name for a while', async () => {
    // The host's own directory, which this machine lacks (as the fake FreeBSD host's /var/db),
    // under one the machine has (the overlay's lower layer is this machine's /).
    const own = `/var/tmp/e2e-own-${process.pid}-${Date.now()}`;
    const source = await startFakeHost({ fakebsd: false, seed: (h) => h.writeFile(`${own}/entry`, 'made by the host\n') });
    let snap: FakeHostSnapshot | undefined;
    let copy: FakeHost | undefined;
    try {
      snap = await source.snapshot();
      // Another program on the machine makes a directory of that name while the copy starts and
      // looks it up, then removes it (as something made /var/db for a moment under a fault sweep).
      fs.mkdirSync(own);
      try {
        copy = await startFakeHost({ clone: snap });
        expect(fs.readdirSync(copy.path(own))).toEqual(['entry']);
      } finally {
        fs.rmdirSync(own);
      }
      expect(fs.readdirSync(copy.path(own))).toEqual(['entry']);
      expect(await copy.ssh(`ls ${own}`)).toMatchObject({ code: 0, stdout: 'entry\n' });
      expect(copy.readFile(`${own}/entry`)).toBe('made by the host\n');
    } finally {
      await copy?.stop();
      await source.stop();
      snap?.remove();
    }
  }, 120_000);
});
