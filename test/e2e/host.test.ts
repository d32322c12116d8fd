/**
 * The fake host rig: real sshd in a private namespace over an overlay of /, root with
 * tcsh, a sudo user, and the plan runner applying a fixture plan over real SSH.
 * Skipped, with the reason printed, where it cannot run (not root, not Linux, no sshd...).
 */
import * as fs from 'fs';
import * as path from 'path';
import { diffDigests, fakeHostSkipReason, FakeHost, mountNamespaceInUse, startFakeHost } from './host';
import { resolveHostPath } from './host/resolve';
import { destroyAll, planAndApply } from './runner';
import { FixtureResource, tempDir, writeResources } from './runner/fixtures';

const skip = fakeHostSkipReason();
if (skip) {
  // eslint-disable-next-line no-console
  console.log(`SKIPPED fake host tests: ${skip}`);
}
const describeRig = skip ? describe.skip : describe;

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
      create: ['printf "%s\\n" "$0" > /var/db/e2e-fixture/hello', 'echo "$${SHELL:-unset}" >> /var/db/e2e-fixture/hello'],
      destroy: 'rm -f /var/db/e2e-fixture/hello',
    },
  ];

  test('the runner applies and destroys a plan over real SSH', async () => {
    const out = writeResources(path.join(work, 'cdktf.out'), { host: '127.0.0.1', port: host.port, user: 'root', keyPath: host.keyPath, hostKey: host.hostKey }, fixture);
    const stateFile = path.join(work, 'state.json');
    const digestOpts = { paths: ['/etc', '/var/db/e2e-fixture'] };
    const before = host.stateDigest(digestOpts);

    const created = await planAndApply(out, stateFile);
    expect(created.failures).toEqual([]);
    expect(created.created.sort()).toEqual(['null_resource.dir', 'null_resource.file']);
    const hello = host.readFile('/var/db/e2e-fixture/hello').split('\n');
    expect(hello[0]).toMatch(/^\/tmp\/terraform_\d+\.sh$/); // run as the uploaded script, its #! line took over from tcsh
    expect(hello[1]).toBe('/usr/bin/tcsh'); // started by root's login shell
    expect(fs.existsSync('/var/db/e2e-fixture')).toBe(false);
    expect(created.sshConnections).toBe(2);
    expect(created.sessionsByResource).toEqual({ 'null_resource.dir': 3, 'null_resource.file': 3 });

    const again = await planAndApply(out, stateFile);
    expect(again.provisionerRuns).toBe(0);

    const destroyed = await destroyAll(out, stateFile);
    expect(destroyed.failures).toEqual([]);
    expect(destroyed.destroyed).toEqual(['null_resource.file', 'null_resource.dir']);
    expect(host.exists('/var/db/e2e-fixture')).toBe(false);
    expect(diffDigests(before, host.stateDigest(digestOpts))).toEqual([]);
  });

  test('a failing script fails the apply with its exit status and output', async () => {
    const out = writeResources(path.join(work, 'fail.out'), { host: '127.0.0.1', port: host.port, user: 'root', keyPath: host.keyPath, hostKey: host.hostKey },
      [{ name: 'boom', create: ['echo about to fail >&2', 'exit 7'] }]);
    const r = await planAndApply(out, path.join(work, 'fail.json'));
    expect(r.ok).toBe(false);
    expect(r.failures[0].message).toMatch(/Process exited with status 7/);
    expect(r.failures[0].output).toContain('about to fail');
    expect(r.tainted).toEqual(['null_resource.boom']);
  });

  test('the runner connects as the sudo user and elevates in one sh', async () => {
    const out = writeResources(path.join(work, 'sudo.out'), { host: '127.0.0.1', port: host.port, user: host.sudoUser, keyPath: host.keyPath, hostKey: host.hostKey },
      [{ name: 'elevated', create: ["sudo -n /bin/sh -c 'id -u > /var/db/e2e-sudo'"] }]);
    const r = await planAndApply(out, path.join(work, 'sudo.json'));
    expect(r.failures).toEqual([]);
    expect(host.readFile('/var/db/e2e-sudo')).toBe('0\n');
  });

  test('a wrong host key is refused', async () => {
    const other = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
    const out = writeResources(path.join(work, 'mitm.out'), { host: '127.0.0.1', port: host.port, user: 'root', keyPath: host.keyPath, hostKey: other },
      [{ name: 'never', create: ['touch /var/db/e2e-never'] }]);
    const r = await planAndApply(out, path.join(work, 'mitm.json'), { maxConnectTimeoutMs: 1000 });
    expect(r.ok).toBe(false);
    expect(host.exists('/var/db/e2e-never')).toBe(false);
  });

  test('stop kills sshd and the namespace with its mounts is gone', async () => {
    await host.stop();
    expect(host.isRunning()).toBe(false);
    expect(mountNamespaceInUse(host.mountNamespace)).toBe(false);
    expect(fs.existsSync(host.keyPath)).toBe(false);
  });
});
