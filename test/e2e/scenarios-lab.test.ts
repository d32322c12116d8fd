/**
 * Scenarios of issue 4 on the lab stack (the notebook's constructs with parameters) applied
 * as the sudo user `deploy` (FREEBSD_PRIVILEGE=sudo), jails with removal policy DESTROY, on a
 * host where an administrator has things of their own: change one input (3), remove a jail (4),
 * destroy back to the state before the first apply (5), the administrator's state untouched (7),
 * the sudo user (9).
 */
import * as fs from 'fs';
import * as path from 'path';
import { adminView, seedAdminState } from './scenarios/admin';
import { LabJail, labApp, LabProps } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectCreateScriptsRerunIdle, expectJail, expectJailGone, expectOk, expectOnlyTouched, expectSecondApplyIdle } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { datasetNames, datasets, diffViews, hostView, jailConf } from './scenarios/view';
import { HOST_HELPER_ASSET, HOST_HELPER_PATH, JailCreationMethod, JailRemovalPolicy, SysvIpc } from '../../lib';
import { HOST_HELPER_PROGRAM } from '../../lib/shell';

const figures = new Figures('scenarios on the lab stack (sudo user deploy, removal policy DESTROY)');
const P3 = 'zroot/vm/tmpl/14.3@p3';
const JAILS: LabJail[] = [{ n: 1 }, { n: 2 }, { n: 3, method: JailCreationMethod.SEND_RECEIVE }];
const BASE: LabProps = { jails: JAILS, removalPolicy: JailRemovalPolicy.DESTROY };
const expected = (n: number, origin: string | null) => ({ name: `h${n}`, owner: `lab:lab/h${n}`, origin, ip4: `127.1.1.${n}` });
/** Words that name jail n on the host: its name and addresses. */
const namesOf = (n: number) => [`h${n}`, `127.1.1.${n}`, `fd00:1:1:1::${n}`];

describeOnFakeHost('scenarios on the lab stack', () => {
  let bench: Bench;
  let admin: Record<string, unknown>;
  let pristine: Map<string, string>;

  beforeAll(async () => {
    bench = await Bench.start({ user: 'deploy' });
    await seedAdminState(bench.host, { underJailRoot: false });
    admin = adminView(bench.host);
    pristine = hostView(bench.host);
  }, 120_000);
  afterAll(async () => {
    await bench?.stop();
    figures.print();
  });

  /** Synthesizes `props`, applies, and returns what changed on the host. */
  async function applyLab(props: LabProps, label: string): Promise<{ diff: string[]; report: Awaited<ReturnType<Bench['apply']>> }> {
    bench.synth(labApp(props));
    const before = hostView(bench.host, { semantic: true });
    const commands = bench.commandCount();
    const report = await bench.apply();
    figures.row(label, { resources: report.created.length + report.replaced.length, ...runCells(report, bench.commandCount() - commands) });
    return { diff: diffViews(before, hostView(bench.host, { semantic: true })), report };
  }

  figures.scenario('9. the sudo user applies template and jails', async () => {
    const { report } = await applyLab(BASE, 'apply (sudo)');
    expectOk(report);
    expectJail(bench, expected(1, P3));
    expectJail(bench, expected(2, P3));
    expectJail(bench, expected(3, null));
    expect(adminView(bench.host)).toEqual(admin);
    // The helper came by Terraform's file provisioner, as the sudo user, and was installed by root
    // as the stack's asset has it; the upload is gone.
    expect(bench.host.readFile(HOST_HELPER_PATH)).toBe(fs.readFileSync(path.join(bench.out, 'stacks', 'lab', HOST_HELPER_ASSET), 'utf8'));
    expect(bench.host.readFile(HOST_HELPER_PATH)).toBe(HOST_HELPER_PROGRAM);
    expect(fs.statSync(bench.host.path(HOST_HELPER_PATH)).mode & 0o777).toBe(0o755);
    expect(fs.readdirSync(bench.host.path('/tmp')).filter((f) => f.startsWith('cdktf-freebsd-jails-helper'))).toEqual([]);
  });

  figures.scenario('2. applying again runs zero provisioners and changes nothing', async () => { await expectSecondApplyIdle(bench); });

  figures.scenario('2b. every create script run a second time by hand (as the sudo user) changes nothing', async () => {
    figures.row('create scripts run by hand', { scripts: await expectCreateScriptsRerunIdle(bench) });
  });

  figures.scenario('3a. a template input changed under a pinned snapshot name: replacement fails naming the clones, jails untouched', async () => {
    const { diff, report } = await applyLab({ ...BASE, template: { rcConf: { cron_enable: 'YES' } } }, 'template change');
    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => f.address)).toEqual([expect.stringMatching(/^null_resource\.template_build/)]);
    expect(report.failures[0].output).toMatch(/cannot destroy template zroot\/vm\/tmpl\/14\.3: these datasets are clones of its snapshots:.*zroot\/vm\/h1.*zroot\/vm\/h2/);
    expect(diff).toEqual([]);
    // Back to the app as it was: nothing to do.
    const back = await applyLab(BASE, 'template change reverted');
    expectOk(back.report);
    expect(back.diff).toEqual([]);
  });

  figures.scenario('3b. one jail parameter changed: only that jail is touched', async () => {
    const jails = JAILS.map((j) => (j.n === 2 ? { ...j, props: { sysvshm: SysvIpc.NEW } } : j));
    const { diff, report } = await applyLab({ ...BASE, jails }, 'one jail changed');
    expectOk(report);
    expect(report.replaced).toEqual([expect.stringMatching(/^null_resource\.h2_config/)]);
    expect(diff.length).toBeGreaterThan(0);
    expectOnlyTouched(diff, namesOf(2));
    expect(jailConf(bench.host).h2.sysvshm).toEqual(['new']);
    expectJail(bench, expected(2, P3));
    expect(adminView(bench.host)).toEqual(admin);
  });

  figures.scenario('4. a jail removed from the app is pruned; the others are untouched', async () => {
    const jails = JAILS.filter((j) => j.n !== 3).map((j) => (j.n === 2 ? { ...j, props: { sysvshm: SysvIpc.NEW } } : j));
    const { diff, report } = await applyLab({ ...BASE, jails }, 'h3 removed (prune)');
    expectOk(report);
    expectJailGone(bench, 'h3');
    expectOnlyTouched(diff, namesOf(3));
    expectJail(bench, expected(1, P3));
    expectJail(bench, expected(2, P3));
    expect(adminView(bench.host)).toEqual(admin);
  });

  figures.scenario('5. destroy (policy DESTROY) removes every managed dataset, jail, conf, hosts line and jail_list word', async () => {
    const commands = bench.commandCount();
    const report = await bench.destroy();
    figures.row('destroy', { resources: report.destroyed.length, ...runCells(report, bench.commandCount() - commands) });
    expectOk(report);
    // zroot/vm and zroot/vm/tmpl were made by the template as shared parents: gone with it.
    expect(datasetNames(bench.host, 'zroot/vm')).toEqual([]);
    expect(Object.keys(datasets(bench.host)).sort()).toEqual(['zroot', 'zroot/data']);
    for (const n of [1, 2, 3]) expectJailGone(bench, `h${n}`);
    expect(adminView(bench.host)).toEqual(admin);
  });

  figures.scenario('5. after destroy the host equals its state before the first apply (rc.conf, lo1, /etc/jail.conf.d included)', async () => {
    expect(diffViews(pristine, hostView(bench.host))).toEqual([]);
  });
});
