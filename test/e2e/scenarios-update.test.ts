/**
 * Issue 9 end to end on the fake host (as root): a template of a release past its end of
 * life (14.3 on 2026-12-01) still builds, with the fetched updates installed; JailUpdate
 * updates a jail of it and upgrades another across a major version (14.3 -> 15.1: kernel,
 * world, old libraries, then nothing pending) with the template's locally modified
 * /etc/crontab kept and no question asked; the jails are restarted with `jail -rc`; offline
 * JailPackages fetches for the jail's ABI into hashed paths and adds them in the jail.
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { notebookHostProps } from '../../examples/notebook/main';
import { FreeBsdHost, FreeBsdRelease, JailAddress, JailCreationMethod, JailFromSnapshot, JailHost, JailPackages, JailRemovalPolicy, JailSource, JailUpdate, ZfsTemplate } from '../../lib';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { datasets, installedPackages, rawState, runningJails } from './scenarios/view';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const F = require('./fakebsd');

const NOW = '2026-12-01T00:00:00Z';
const WORK = '/var/db/cdktf-freebsd-jails/freebsd-update';

class UpdateStack extends TerraformStack {
  public readonly template: ZfsTemplate;
  public readonly h1: JailFromSnapshot;
  public readonly h2: JailFromSnapshot;

  constructor(scope: Construct, id: string, env: Record<string, string>) {
    super(scope, id);
    const host = new FreeBsdHost(this, 'host', { ...notebookHostProps(env), release: FreeBsdRelease.of('15.1') });
    this.template = new ZfsTemplate(this, 'template', { host, release: FreeBsdRelease.V14_3, snapshotName: 'p3' });
    const jailHost = new JailHost(this, 'jails', { host });
    const jail = (n: number) => new JailFromSnapshot(this, `h${n}`, {
      jailHost,
      source: JailSource.template(this.template),
      method: JailCreationMethod.CLONE,
      removalPolicy: JailRemovalPolicy.DESTROY,
      addresses: [JailAddress.onInterface('lo1', `127.1.1.${n}/32`)],
    });
    this.h1 = jail(1);
    this.h2 = jail(2);
    new JailUpdate(this, 'h1-update', { jail: this.h1 });
    new JailUpdate(this, 'h2-upgrade', { jail: this.h2, targetRelease: FreeBsdRelease.V15_1 });
    new JailPackages(this, 'h1-packages', { jail: this.h1, packages: ['git-lite'], offline: true });
  }
}

describeOnFakeHost('JailUpdate and offline JailPackages on the fake host', () => {
  let bench: Bench;
  let stack: UpdateStack;

  beforeAll(async () => {
    bench = await Bench.start();
    // The host runs 15.1 (a jail may not be newer than the host's kernel); the clock is pinned.
    F.updateState(bench.host.root, (s: any) => {
      s.host.release = '15.1-RELEASE-p1';
      s.host.kernel = '15.1-RELEASE-p1';
      s.update.now = NOW;
    });
    bench.synth((app, env) => { stack = new UpdateStack(app, 'upd', env); });
  }, 120_000);
  afterAll(async () => {
    await bench?.stop();
  });

  const version = (tree: string) => /USERLAND_VERSION="([^"]*)"/.exec(bench.host.readFile(`${tree}/bin/freebsd-version`))![1];
  const log = () => bench.host.commandsLog() as { cmd: string; argv: string[]; exit: number }[];

  test('the template of a release past its end of life synthesizes with a warning', () => {
    const warnings = stack.template.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringContaining('FreeBSD 14.3-RELEASE passed its end of life on 2026-06-30')]);
  });

  test('apply: the EOL template is built with what was fetched; h1 updated, h2 upgraded to 15.1 in three installs', async () => {
    const report = await bench.apply();
    expectOk(report);
    const ds = datasets(bench.host);
    expect(ds['zroot/vm/tmpl/14.3@p3']?.type).toBe('snapshot');
    // fetch exited 1 (end of life) after writing the manifest: the install still ran.
    expect(version('/vm/tmpl/14.3')).toBe('14.3-RELEASE-p5');
    const fetches = log().filter((e) => e.cmd === 'freebsd-update' && e.argv.includes('fetch'));
    expect(fetches.length).toBeGreaterThan(0);
    expect(fetches.every((e) => e.exit === 1)).toBe(true);
    // The work directories are outside the trees: the snapshot and the clones carry none.
    expect(bench.host.exists(`${WORK}/vm/tmpl/14.3`)).toBe(true);
    expect(bench.host.exists('/vm/tmpl/14.3/var/db/freebsd-update')).toBe(false);
    expect(bench.host.exists('/vm/h1/var/db/freebsd-update')).toBe(false);
    expect(version('/vm/h1')).toBe('14.3-RELEASE-p5');

    // h2: upgrade, then kernel, world, old libraries and the run that finds nothing pending.
    expect(version('/vm/h2')).toBe('15.1-RELEASE-p1');
    expect(bench.host.readFile('/vm/h2/boot/kernel/kernel')).toBe('fake kernel 15.1-RELEASE\n');
    const h2Runs = log().filter((e) => e.cmd === 'freebsd-update' && e.argv.includes('/vm/h2'));
    expect(h2Runs.map((e) => [e.argv[e.argv.length - 1], e.exit])).toEqual([['upgrade', 0], ['install', 0], ['install', 0], ['install', 0], ['install', 2]]);
    // No MergeChanges for the run: the template's /etc/crontab (adjkerntz commented out) is kept.
    expect(h2Runs.every((e) => e.argv.includes('-f'))).toBe(true);
    const crontab = bench.host.readFile('/vm/h2/etc/crontab');
    expect(crontab).toContain('#1,31\t0-5\t*\t*\t*\troot\tadjkerntz -a');
    expect(crontab).not.toContain('15.x crontab');
    // Both jails were restarted as boot starts them (service jail restart NAME: rc.d/jail stops
    // and creates the jail again from /etc/jail.conf, which includes its file), and run.
    const restarts = log().filter((e) => e.cmd === 'service' && e.argv[0] === 'jail' && e.argv[1] === 'restart');
    expect(restarts.map((e) => [e.argv[2], e.exit]).sort()).toEqual([['h1', 0], ['h2', 0]]);
    for (const name of ['h1', 'h2']) {
      const lastUpdate = log().map((e, i) => (e.cmd === 'freebsd-update' && e.argv.includes(`/vm/${name}`) ? i : -1)).reduce((a, b) => Math.max(a, b));
      const createdAfter = log().slice(lastUpdate).filter((e) => e.cmd === 'jail' && e.argv.includes('-c') && e.argv[e.argv.length - 1] === name);
      expect(createdAfter.map((e) => e.exit)).toEqual([0]);
    }
    expect(runningJails(bench.host)).toEqual(expect.arrayContaining(['h1', 'h2']));
  });

  test('offline packages: fetched for the jail\'s ABI into All/Hashed, added in the jail with their dependencies', () => {
    const pkgs = rawState(bench.host).pkg as { catalogues: Record<string, string> };
    expect(Object.keys(installedPackages(bench.host, '/vm/h1')).sort()).toEqual(['expat', 'gettext-runtime', 'git-lite', 'indexinfo']);
    const fetch = log().find((e) => e.cmd === 'pkg' && e.argv.includes('fetch'))!;
    expect(fetch.argv).toEqual(expect.arrayContaining(['ABI=FreeBSD:14:amd64', 'OSVERSION=1403000']));
    const add = log().find((e) => e.cmd === 'pkg' && e.argv.includes('add'))!;
    expect(add.argv.join(' ')).toMatch(/^-j h1 add \/mnt\/All\/Hashed\/git-lite-2\.47\.1~[0-9a-f]{10}\.pkg$/);
    expect(add.exit).toBe(0);
    // The catalogue for the jail's ABI has a directory of its own; the host's /var/db/pkg is untouched.
    expect(pkgs.catalogues).toEqual({ '/var/cache/cdktf-freebsd-jails/pkg/pkgdb/FreeBSD:14:amd64': 'FreeBSD:14:amd64' });
  });

  test('the log says plainly that the release is unsupported; a second run by hand converges', async () => {
    const script = bench.createScripts().find((s) => s.address.includes('h1-update'))!;
    const r = await bench.runByHand(script);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('HAS PASSED ITS END-OF-LIFE DATE');
    expect(r.stdout).toContain('warning: FreeBSD 14.3-RELEASE-p5 is past its end of life: it gets no more security updates; installing what was fetched');
    const upgrade = await bench.runByHand(bench.createScripts().find((s) => s.address.includes('h2-upgrade'))!);
    expect(upgrade.code).toBe(0);
    expect(upgrade.stdout).toContain('==> jail h2 runs 15.1-RELEASE already');
    expect(version('/vm/h2')).toBe('15.1-RELEASE-p1');
  });

  test('applying again runs nothing; destroy removes the work directories', async () => {
    await expectSecondApplyIdle(bench);
    const report = await bench.destroy();
    expectOk(report);
    for (const tree of ['/vm/tmpl/14.3', '/vm/h1', '/vm/h2']) expect(bench.host.exists(`${WORK}${tree}`)).toBe(false);
    // Offline packages leave nothing: the fetched files and the directories made for them are gone.
    expect(bench.host.exists('/var/cache/cdktf-freebsd-jails')).toBe(false);
    expect(bench.host.exists('/var/db/cdktf-freebsd-jails')).toBe(false);
  }, 180_000); // an apply and a destroy: minutes on a loaded machine
});
