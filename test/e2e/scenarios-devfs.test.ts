/**
 * Issue 11, DevfsRuleset on the fake host (real terraform engine, root with tcsh): the notebook's
 * rulesets 10 and 11 and one of ours that includes 10, beside an administrator's own
 * /etc/devfs.rules (ruleset 7, loaded at boot). Asserts the host's state: the file (the
 * administrator's bytes untouched), what `devfs rule -s N show` prints, boot's own reading of
 * the file (service devfs restart), a jail that starts with devfs_ruleset 10, an idle second
 * apply, convergence after the loaded rules were lost, and a destroy that leaves exactly the
 * administrator's file and rulesets.
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { notebookHostProps } from '../../examples/notebook/main';
import { DevfsRule, DevfsRuleset, DevfsVisibility, FreeBsdHost, FreeBsdRelease, JailAddress, JailCreationMethod, JailDevfsRuleset, JailFromSnapshot, JailHost, JailSource, ZfsTemplate } from '../../lib';
import { AppBuilder, Bench, describeOnFakeHost } from './scenarios/bench';
import { expectCreateScriptsRerunIdle, expectJail, expectJailGone, expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { jailConf, rawState, runningJails } from './scenarios/view';

const figures = new Figures('DevfsRuleset on the fake host (root, tcsh)');
const ADMIN_RULES = "# the administrator's own rules\n[devfsrules_mine=7]\nadd include $devfsrules_jail\nadd path 'ugen*' unhide\n";
const SHOW_10 = '100 include 4\n200 path bpf* unhide\n';
const SHOW_11 = '100 include 4\n200 path tun* unhide\n';
const SHOW_30 = '100 include 10\n200 path tun* unhide group operator mode 660\n';
const SHOW_7 = '100 include 4\n200 path ugen* unhide\n';
// The stack is "devfs", so is its ownership scope.
const block = (n: number, lines: string[]) => [`# BEGIN cdktf-freebsd-jails devfs ruleset ${n} of devfs`, ...lines, `# END cdktf-freebsd-jails devfs ruleset ${n} of devfs`].join('\n');
const BLOCK_10 = block(10, ['[devfsrules_bpfjail=10]', 'add include $devfsrules_jail', "add path 'bpf*' unhide"]);
const BLOCK_11 = block(11, ['[devfsrules_tunjail=11]', 'add include $devfsrules_jail', "add path 'tun*' unhide"]);
const BLOCK_30 = block(30, ['[devfsrules_operator_tun=30]', 'add include 10', "add path 'tun*' unhide group operator mode 0660"]);

/** A host with the notebook's rulesets, one of ours on top of 10, and an aliased jail h1 using 10. */
class DevfsStack extends TerraformStack {
  constructor(scope: Construct, id: string, env: Record<string, string>) {
    super(scope, id);
    const host = new FreeBsdHost(this, 'host', notebookHostProps(env));
    const template = new ZfsTemplate(this, 'template', { host, release: FreeBsdRelease.V14_3, snapshotName: 'p3' });
    const jailHost = new JailHost(this, 'jails', { host });
    const bpf = new DevfsRuleset(this, 'devfsrules_bpfjail', {
      host, rulesetName: 'devfsrules_bpfjail', rulesetNumber: 10, includes: [JailDevfsRuleset.DEVFSRULES_JAIL], unhide: ['bpf*'],
    });
    new DevfsRuleset(this, 'devfsrules_tunjail', {
      host, rulesetName: 'devfsrules_tunjail', rulesetNumber: 11, includes: [JailDevfsRuleset.DEVFSRULES_JAIL], unhide: ['tun*'],
    });
    new DevfsRuleset(this, 'operator_tun', {
      host, rulesetName: 'devfsrules_operator_tun', rulesetNumber: 30, includes: [bpf],
      rules: [DevfsRule.path('tun*', { visibility: DevfsVisibility.UNHIDE, group: 'operator', mode: '0660' })],
    });
    new JailFromSnapshot(this, 'h1', {
      jailHost, source: JailSource.template(template), method: JailCreationMethod.CLONE,
      addresses: [JailAddress.onInterface('lo1', '127.1.1.1/32')],
      devfsRuleset: bpf,
    });
  }
}
const devfsApp: AppBuilder = (app, env) => {
  new DevfsStack(app, 'devfs', env);
};

describeOnFakeHost('DevfsRuleset on the fake host', () => {
  let bench: Bench;
  const show = async (n: number) => {
    const r = await bench.host.hostExec(`devfs rule -s ${n} show`);
    expect(r.code).toBe(0);
    return r.stdout;
  };
  const showsets = async () => (await bench.host.hostExec('devfs rule showsets')).stdout.split('\n').filter(Boolean).map(Number);

  beforeAll(async () => {
    bench = await Bench.start({ seed: (h) => h.writeFile('/etc/devfs.rules', ADMIN_RULES) });
    bench.synth(devfsApp);
  }, 120_000);
  afterAll(async () => {
    await bench?.stop();
    figures.print();
  });

  figures.scenario('1. apply: the blocks follow the administrator\'s rules, loaded as shown; h1 starts with devfs_ruleset 10', async () => {
    expect(await show(7)).toBe(SHOW_7);
    const commands = bench.commandCount();
    const report = await bench.apply();
    expectOk(report);
    figures.row('fresh apply', { resources: report.created.length, ...runCells(report, bench.commandCount() - commands) });
    const file = bench.host.readFile('/etc/devfs.rules');
    expect(file.startsWith(ADMIN_RULES)).toBe(true);
    // One block per ruleset after the administrator's lines; 10 and 11 are applied in parallel
    // (either order), 30 after the 10 it includes.
    const blocks = file.slice(ADMIN_RULES.length).split(/(?<=^# END cdktf-freebsd-jails devfs ruleset \d+ of devfs)\n/m).filter(Boolean);
    expect([...blocks].sort()).toEqual([BLOCK_10, BLOCK_11, BLOCK_30]);
    expect(blocks.indexOf(BLOCK_30)).toBeGreaterThan(blocks.indexOf(BLOCK_10));
    expect([await show(10), await show(11), await show(30), await show(7)]).toEqual([SHOW_10, SHOW_11, SHOW_30, SHOW_7]);
    expectJail(bench, { name: 'h1', owner: 'devfs:devfs/h1', origin: 'zroot/vm/tmpl/14.3@p3', ip4: '127.1.1.1' });
    expect(jailConf(bench.host).h1.devfs_ruleset).toEqual(['10']);
    expect(rawState(bench.host).mounts.filter((m: { dst: string }) => m.dst === '/vm/h1/dev')).toEqual([
      expect.objectContaining({ type: 'devfs', opts: ['ruleset=10'], jail: 'h1' }),
    ]);
  });

  figures.scenario('1b. boot reads the file the same way: service devfs restart loads every ruleset, silently', async () => {
    const r = await bench.host.hostExec('service devfs restart');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect([await show(10), await show(11), await show(30), await show(7)]).toEqual([SHOW_10, SHOW_11, SHOW_30, SHOW_7]);
  });

  figures.scenario('2. applying again runs zero provisioners and changes nothing', async () => { await expectSecondApplyIdle(bench); });

  figures.scenario('2b. every create script run a second time by hand changes nothing', async () => {
    figures.row('create scripts run by hand', { scripts: await expectCreateScriptsRerunIdle(bench) });
  });

  figures.scenario('3. the loaded rules lost (by hand), the ruleset step run again converges; the file is not rewritten', async () => {
    const script = bench.createScripts().find((s) => s.address.includes('devfsrules_bpfjail_rules'))!;
    const file = bench.host.readFile('/etc/devfs.rules');
    expect((await bench.host.hostExec('devfs rule -s 10 delset')).code).toBe(0);
    expect(await show(10)).toBe('');
    const r = await bench.runByHand(script);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('==> loading devfs ruleset 10 (devfsrules_bpfjail)');
    expect(await show(10)).toBe(SHOW_10);
    expect(bench.host.readFile('/etc/devfs.rules')).toBe(file);
  });

  figures.scenario("3b. an administrator's header with our number is refused on the host, touching nothing", async () => {
    const script = bench.createScripts().find((s) => s.address.includes('devfsrules_tunjail_rules'))!;
    const clash = `${ADMIN_RULES}[devfsrules_theirs=11]\nadd path 'tun0' unhide\n`;
    const ours = bench.host.readFile('/etc/devfs.rules').slice(ADMIN_RULES.length);
    bench.host.writeFile('/etc/devfs.rules', clash + ours);
    const r = await bench.runByHand(script);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("/etc/devfs.rules defines ruleset [devfsrules_theirs=11] outside this library's block; ruleset 11 (devfsrules_tunjail) would clash with it: refusing to touch either");
    expect(bench.host.readFile('/etc/devfs.rules')).toBe(clash + ours);
    expect(await show(11)).toBe(SHOW_11);
    bench.host.writeFile('/etc/devfs.rules', ADMIN_RULES + ours);
  });

  figures.scenario("4. destroy: the blocks and the loaded rulesets go, the administrator's file and ruleset 7 stay", async () => {
    const commands = bench.commandCount();
    const report = await bench.destroy();
    figures.row('destroy', { resources: report.destroyed.length, ...runCells(report, bench.commandCount() - commands) });
    expectOk(report);
    expect(bench.host.readFile('/etc/devfs.rules')).toBe(ADMIN_RULES);
    expect(await showsets()).toEqual([1, 2, 3, 4, 5, 7]);
    expect(await show(7)).toBe(SHOW_7);
    expectJailGone(bench, 'h1');
    expect(runningJails(bench.host)).toEqual([]);
  });

  figures.scenario('5. on a host without /etc/devfs.rules (FreeBSD ships none): the file made by the apply goes with the last block', async () => {
    expect((await bench.host.hostExec('rm /etc/devfs.rules && devfs rule -s 7 delset')).code).toBe(0);
    const report = await bench.apply();
    expectOk(report);
    expect(bench.host.readFile('/etc/devfs.rules')).toMatch(/^# BEGIN cdktf-freebsd-jails devfs ruleset 1[01] of \S+\n/);
    expect(await show(10)).toBe(SHOW_10);
    expectOk(await bench.destroy());
    expect(bench.host.exists('/etc/devfs.rules')).toBe(false);
    expect(bench.host.exists('/var/db/cdktf-freebsd-jails')).toBe(false);
    expect(await showsets()).toEqual([1, 2, 3, 4, 5]);
  });
});
