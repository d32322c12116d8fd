/**
 * Scenarios of issue 19: what two steps, two apps or two library builds do at the same moment on
 * one host. Each asserts the host's state, not only that the runs succeeded.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DevfsRuleset, JailDevfsRuleset, JailFromSnapshot, JailPackages, JailRemovalPolicy, JailSource, JailVnetNetwork, PfNat, PfNatNetwork, VnetBridge } from '../../lib';
import { HOST_HELPER_PATH, HOST_HELPER_PROGRAM, HOST_HELPER_REVISION, HOST_HELPER_SHA256 } from '../../lib/shell';
import { CONTRACT_PLACEHOLDERS, CONTRACT_STACK } from './contract/app';
import { clonedJails, labApp, LabStack } from './scenarios/apps';
import { AppBuilder, Bench, describeOnFakeHost } from './scenarios/bench';
import { expectJail, expectJailGone, expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { datasetNames, diffViews, hostView, installedPackages, pfLoaded, pfState, rawState, runningJails } from './scenarios/view';

const figures = new Figures('scenarios of concurrency on one host');
const ROOT = 'cdktf-freebsd-jails';
const STATE = `/var/db/${ROOT}`;
const OFFLINE_DIR = `/var/cache/${ROOT}/pkg`;
const ADMIN_PF = 'ext_if = "em0"\nset skip on lo0\npass in on $ext_if proto tcp to port 22\npass out all\n';
const ADMIN_DEVFS = "# the administrator's own rules\n[devfsrules_mine=7]\nadd include $devfsrules_jail\nadd path 'ugen*' unhide\n";
const CAPTURES = path.join(__dirname, '..', 'fixtures', 'helper-contract');

/** A host with the administrator's own pf.conf (loaded) and devfs.rules, as scenarios-prune has it. */
async function adminHost(): Promise<Bench> {
  const bench = await Bench.start({
    seed: (h) => {
      h.writeFile('/etc/devfs.rules', ADMIN_DEVFS);
      h.writeFile('/etc/pf.conf', ADMIN_PF);
    },
  });
  const r = await bench.host.hostExec('pfctl -f /etc/pf.conf && service devfs restart');
  expect([r.code, r.stderr]).toEqual([0, '']);
  return bench;
}

/**
 * The host as it began, but for pf's status (pf records that it was enabled and disabled since,
 * and keeps an anchor that was flushed): the main ruleset is what it was, and every anchor other
 * than the main one has no rules left.
 */
function expectAsBegan(bench: Bench, pristine: Map<string, string>, pristinePf: ReturnType<typeof pfState>, allowed: (d: string) => boolean = () => false): void {
  expect(diffViews(pristine, hostView(bench.host)).filter((d) => d !== '~ state pf' && !allowed(d))).toEqual([]);
  const pf = pfState(bench.host);
  expect(pf.enabled).toBe(pristinePf.enabled);
  expect(pf.anchors['']).toEqual(pristinePf.anchors['']);
  for (const [name, a] of Object.entries(pf.anchors)) if (name) expect([name, a.nat, a.rules]).toEqual([name, [], []]);
}

/** The helper installed on the bench's host. */
const installedHelper = (bench: Bench) => bench.host.readFile(HOST_HELPER_PATH);

/**
 * A captured build's app (scripts/capture-helper-contract.sh) as the bench's synth output, its
 * placeholder connection replaced by the bench host's.
 */
function loadCapture(bench: Bench, revision: number, variant: 'full' | 'pruned'): void {
  const env = bench.host.env(bench.user);
  const dest = path.join(bench.out, 'stacks', CONTRACT_STACK);
  fs.rmSync(bench.out, { recursive: true, force: true });
  fs.cpSync(path.join(CAPTURES, `r${revision}`, variant), dest, { recursive: true });
  const file = path.join(dest, 'cdk.tf.json');
  const p = CONTRACT_PLACEHOLDERS;
  const text = fs.readFileSync(file, 'utf8')
    .split(`"${p.FREEBSD_PORT}"`).join(`"${env.FREEBSD_PORT}"`)
    .split(`${p.FREEBSD_HOST}:${p.FREEBSD_PORT}`).join(`${p.FREEBSD_HOST}:${env.FREEBSD_PORT}`)
    .split(p.FREEBSD_KEY_PATH).join(env.FREEBSD_KEY_PATH)
    .split(p.FREEBSD_HOST_KEY).join(env.FREEBSD_HOST_KEY);
  expect(text).not.toContain(p.FREEBSD_PORT);
  fs.writeFileSync(file, text);
}

/**
 * What a library build of an older helper revision synthesizes for `build`: this tree's output
 * with the helper stamped one revision lower and without `action` (an older revision does not
 * have the newer revisions' actions), its digest and revision in the helper step's script to
 * match. Its install program is this tree's, as in any build since revisions.
 */
function synthOlderBuild(bench: Bench, build: AppBuilder, stack: string, action: string): string {
  bench.synth(build);
  const dir = path.join(bench.out, 'stacks', stack);
  const asset = path.join(dir, 'assets', ROOT, 'helper-1');
  // Without its usage the dispatch knows no such action (main.sh is_action): an older build's helper.
  const arm = new RegExp(`^do_${action.replace(/-/g, '_')}_usage=.*\n`, 'm');
  expect(HOST_HELPER_PROGRAM).toMatch(arm);
  const older = HOST_HELPER_PROGRAM.replace(`HELPER_REVISION=${HOST_HELPER_REVISION}\n`, `HELPER_REVISION=${HOST_HELPER_REVISION - 1}\n`).replace(arm, '');
  fs.writeFileSync(asset, older, { mode: 0o755 });
  const sha = createHash('sha256').update(older).digest('hex');
  const file = path.join(dir, 'cdk.tf.json');
  const text = fs.readFileSync(file, 'utf8');
  const args = `'${HOST_HELPER_SHA256}' '${HOST_HELPER_REVISION}'`;
  expect(text.split(args)).toHaveLength(2);
  fs.writeFileSync(file, text.replace(args, `'${sha}' '${HOST_HELPER_REVISION - 1}'`));
  return older;
}

/** Output of every provisioner run of `report` for resources whose address starts with `prefix`. */
const outputOf = (report: { messages: { hook?: { resource?: { addr: string }; output?: string } }[] }, prefix: string) =>
  report.messages.filter((m) => m.hook?.resource?.addr.startsWith(prefix) && m.hook.output !== undefined).map((m) => m.hook!.output).join('\n');

/** A team's app for the concurrent scenario: jails with offline packages, a devfs ruleset, a pf anchor, a switch with a VNET jail. */
function teamApp(stack: string, jails: number[], ruleset: number, net: string): AppBuilder {
  return labApp({ jails: jails.map((n) => ({ n })), removalPolicy: JailRemovalPolicy.DESTROY, template: { name: `14.3${stack}` } }, (lab: LabStack) => {
    for (const jail of lab.jails) new JailPackages(lab, `${jail.name}-packages`, { jail, packages: ['git-lite'], offline: true });
    new DevfsRuleset(lab, 'rules', { host: lab.host, rulesetName: `devfsrules_${stack}`, rulesetNumber: ruleset, includes: [JailDevfsRuleset.DEVFSRULES_JAIL], unhide: ['bpf*'] });
    new PfNat(lab, 'nat', { host: lab.host, externalInterface: 'em0', anchorName: stack, natNetworks: [PfNatNetwork.ipv4(net)] });
    const bridge = new VnetBridge(lab, `sw${jails[0]}`, { host: lab.host });
    new JailFromSnapshot(lab, `v${jails[0]}`, {
      jailHost: lab.jailHost!, source: JailSource.template(lab.template!), removalPolicy: JailRemovalPolicy.DESTROY,
      networks: [new JailVnetNetwork({ interfaces: [{ bridge, addresses: [`10.${jails[0]}.0.1/24`] }] })],
    });
  }, stack);
}

/** One package a round, each new to every jail, so that each round fetches and adds again. */
const ROUNDS = ['wireguard-tools', 'expat', 'git-lite', 'vim-console', 'wireguard-go'];

describeOnFakeHost('scenarios of concurrency on one host', () => {
  afterAll(() => figures.print());

  figures.scenario('19a. four jails of one release get offline packages in one apply, five times over, with every fetch slowed down: each run succeeds', async () => {
    const bench = await Bench.start();
    try {
      const jails = clonedJails(4);
      const app = (packages: string[]) => labApp({ jails, removalPolicy: JailRemovalPolicy.DESTROY }, (lab) => {
        for (const jail of lab.jails) new JailPackages(lab, `${jail.name}-packages`, { jail, packages, offline: true });
      });
      bench.synth(labApp({ jails, removalPolicy: JailRemovalPolicy.DESTROY }));
      expectOk(await bench.apply());
      // Every fetch pauses with a file half written (the fake pkg's delay hook): runs that
      // overlap do so for certain, the way a slow mirror makes them on a real host.
      bench.host.writeFile('/var/db/fakebsd/pkg-fetch-delay-ms', '400');
      for (const [round, pkg] of ROUNDS.entries()) {
        bench.synth(app([pkg]));
        const commands = bench.commandCount();
        const run = await bench.apply();
        figures.row(`round ${round + 1}: ${pkg}`, { resources: run.created.length + run.replaced.length, ...runCells(run, bench.commandCount() - commands) });
        expectOk(run);
        // The four package steps ran side by side.
        expect(run.maxConcurrent).toBeGreaterThanOrEqual(4);
        for (const jail of ['h1', 'h2', 'h3', 'h4']) expect([jail, Object.keys(installedPackages(bench.host, `/vm/${jail}`))]).toEqual([jail, expect.arrayContaining([pkg])]);
        // Nothing but package files and the catalogue directory is left in the shared directory.
        expect(bench.host.exists(`${OFFLINE_DIR}/pkgdb/FreeBSD:14:amd64/files`)).toBe(false);
      }
      expectOk(await bench.destroy());
      expect(bench.host.exists(OFFLINE_DIR)).toBe(false);
    } finally {
      await bench.stop();
    }
  }, 900_000);

  const jail = (scope: string, n: number, template: string, name = `h${n}`) =>
    ({ name, owner: `${scope}:${scope}/${name}`, origin: template, ip4: `127.1.1.${n}` });

  figures.scenario('19b. an app built with an older helper revision (no jail-prune) applied after a newer one keeps the newer helper; the newer prune and both destroys work', async () => {
    const bench = await Bench.start();
    const older = bench.anotherApp();
    try {
      const pristine = hostView(bench.host);
      const newer = (jails: number[]) => labApp({ jails: jails.map((n) => ({ n })), removalPolicy: JailRemovalPolicy.DESTROY });
      bench.synth(newer([1, 2]));
      expectOk(await bench.apply());
      expect(installedHelper(bench)).toBe(HOST_HELPER_PROGRAM);

      synthOlderBuild(older, labApp({ jails: [{ n: 3 }], removalPolicy: JailRemovalPolicy.DESTROY, template: { name: '14.3b' } }, undefined, 'older'), 'older', 'jail-prune');
      const run = await older.apply();
      expectOk(run);
      expect(outputOf(run, 'null_resource.host_helper')).toContain(
        `==> keeping the installed helper: its revision ${HOST_HELPER_REVISION} is newer than this app's ${HOST_HELPER_REVISION - 1} and keeps every action of it`);
      expect(installedHelper(bench)).toBe(HOST_HELPER_PROGRAM);
      expectJail(older, jail('older', 3, 'zroot/vm/tmpl/14.3b@p3'));

      // The newer app's prune calls jail-prune, which the older revision does not have.
      bench.synth(newer([1]));
      expectOk(await bench.apply());
      expectJailGone(bench, 'h2');
      expectJail(bench, jail('lab', 1, 'zroot/vm/tmpl/14.3@p3'));
      expectJail(older, jail('older', 3, 'zroot/vm/tmpl/14.3b@p3'));

      // The older app's destroy runs with the newer helper, which stays for the newer app.
      expectOk(await older.destroy());
      expectJailGone(bench, 'h3');
      expect(installedHelper(bench)).toBe(HOST_HELPER_PROGRAM);
      expectOk(await bench.destroy());
      expect(diffViews(pristine, hostView(bench.host))).toEqual([]);
    } finally {
      await older.stop();
      await bench.stop();
    }
  }, 600_000);

  const captured = fs.readdirSync(CAPTURES).filter((d) => /^r\d+$/.test(d)).map((d) => Number(d.slice(1))).sort((a, b) => a - b);
  test('the helper contract has captures of earlier revisions only', () => {
    expect(captured.length).toBeGreaterThan(0);
    expect(captured.every((r) => r < HOST_HELPER_REVISION)).toBe(true);
  });
  for (const revision of captured) {
    figures.scenario(`19c. the stored scripts of helper revision ${revision}'s build create, prune and destroy with the current helper`, async () => {
      const bench = await adminHost();
      const legacy = bench.anotherApp();
      const template = 'zroot/vm/tmpl/14.3legacy@p3';
      try {
        const pristine = hostView(bench.host);
        const pristinePf = pfState(bench.host);
        loadCapture(legacy, revision, 'full');
        expectOk(await legacy.apply());
        expect(installedHelper(bench)).toBe(fs.readFileSync(path.join(CAPTURES, `r${revision}`, 'full', 'assets', ROOT, 'helper-1'), 'utf8'));
        for (const n of [1, 2]) expectJail(legacy, jail(CONTRACT_STACK, n, template));

        // This build's app beside it replaces the older helper with the current one.
        bench.synth(labApp({ jails: [{ n: 3 }], removalPolicy: JailRemovalPolicy.DESTROY }));
        expectOk(await bench.apply());
        expect(installedHelper(bench)).toBe(HOST_HELPER_PROGRAM);

        // The stored prune script (its host prune step, replaced by the pruned app) with the current helper.
        loadCapture(legacy, revision, 'pruned');
        expectOk(await legacy.apply());
        for (const name of ['h2', 'v1']) expectJailGone(legacy, name);
        // The current helper's jail-dataset-remove snapshots the older app's dataset as it retires it.
        expect(datasetNames(bench.host, 'zroot/vm/.retired').filter((d) => /\/h2-/.test(d)).map((d) => d.replace(/\d{8}T\d{6}Z/g, '<time>')))
          .toEqual(['zroot/vm/.retired/h2-<time>', 'zroot/vm/.retired/h2-<time>@cdktf-before-retire-<time>']);
        expect(bench.host.readFile('/etc/devfs.rules')).toBe(ADMIN_DEVFS);
        expect(bench.host.readFile('/etc/pf.conf')).toBe(ADMIN_PF);
        expect(pfLoaded(bench.host, `${ROOT}/legacy`)).toEqual([]);
        expect(bench.host.exists(`${STATE}/vnet/vi1.owner`)).toBe(false);
        expect(bench.host.exists(OFFLINE_DIR)).toBe(false);
        expectJail(legacy, jail(CONTRACT_STACK, 1, template));
        expectJail(bench, jail('lab', 3, 'zroot/vm/tmpl/14.3@p3'));
        await expectSecondApplyIdle(legacy);

        // The stored destroy scripts with the current helper.
        expectOk(await legacy.destroy());
        expectJailGone(legacy, 'h1');
        expectJail(bench, jail('lab', 3, 'zroot/vm/tmpl/14.3@p3'));
        expect(installedHelper(bench)).toBe(HOST_HELPER_PROGRAM);
        expectOk(await bench.destroy());
        // What is left is the retained h2, as RETAIN promises (and the template it stands on,
        // retired beside it): datasets under zroot/vm and their mounts.
        expectAsBegan(bench, pristine, pristinePf, (d) => /zroot\/vm|\/vm\b/.test(d));
        expect(datasetNames(bench.host, 'zroot/vm/.retired').filter((d) => /\/h2-[^@]*$/.test(d))).toHaveLength(1);
      } finally {
        await legacy.stop();
        await bench.stop();
      }
    }, 600_000);
  }

  figures.scenario('19d. two apps applied at the same moment, then destroyed at the same moment: both converge, neither loses anything of the other, and the host ends as it began', async () => {
    const first = await adminHost();
    const second = first.anotherApp();
    try {
      const pristine = hostView(first.host);
      const pristinePf = pfState(first.host);
      first.synth(teamApp('red', [1, 2], 30, '127.1.1.0/24'));
      second.synth(teamApp('blue', [3, 4], 31, '127.1.3.0/24'));
      const commands = first.commandCount();
      const [red, blue] = await Promise.all([first.apply(), second.apply()]);
      figures.row('both apply at once', { resources: red.created.length + blue.created.length, ...runCells(red, first.commandCount() - commands) });
      expectOk(red);
      expectOk(blue);
      for (const n of [1, 2]) expectJail(first, jail('red', n, 'zroot/vm/tmpl/14.3red@p3'));
      for (const n of [3, 4]) expectJail(second, jail('blue', n, 'zroot/vm/tmpl/14.3blue@p3'));
      for (const n of [1, 2, 3, 4]) expect([n, Object.keys(installedPackages(first.host, `/vm/h${n}`))]).toEqual([n, expect.arrayContaining(['git-lite'])]);
      for (const [stack, net] of [['red', '127.1.1.0/24'], ['blue', '127.1.3.0/24']]) {
        expect(pfLoaded(first.host, `${ROOT}/${stack}`)).toEqual([`nat on em0 inet from ${net} to any -> (em0)`]);
      }
      const rules = first.host.readFile('/etc/devfs.rules');
      for (const [n, stack] of [[30, 'red'], [31, 'blue']]) expect(rules).toContain(`# BEGIN ${ROOT} devfs ruleset ${n} of ${stack}\n`);
      expect(rules.startsWith(ADMIN_DEVFS)).toBe(true);
      expect(runningJails(first.host)).toEqual(expect.arrayContaining(['h1', 'h2', 'h3', 'h4', 'v1', 'v3']));
      await expectSecondApplyIdle(first);
      await expectSecondApplyIdle(second);

      const [redGone, blueGone] = await Promise.all([first.destroy(), second.destroy()]);
      expectOk(redGone);
      expectOk(blueGone);
      expectAsBegan(first, pristine, pristinePf);
    } finally {
      await second.stop();
      await first.stop();
    }
  }, 900_000);
});
