/**
 * Scenarios of issue 4 on the library's own example, examples/notebook, applied as root (tcsh
 * login shell) on a fake host where an administrator has things of their own (scenario 7).
 * Each scenario asserts the host's state: datasets, snapshots, jail.conf as jail(8) reads it,
 * rc.conf, /etc/hosts, running jails. The lab stack's scenarios (change, prune, DESTROY, sudo)
 * are in scenarios-lab.test.ts; faults and the N-jail figures in their own files.
 */
import { adminView, seedAdminState } from './scenarios/admin';
import { notebookApp } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectCreateScriptsRerunIdle, expectJail, expectJailGone, expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { testMirrorDefect } from './scenarios/mirror-check';
import { datasetNames, datasets, jailConf, rcConf, rcWords, runningJails } from './scenarios/view';

const figures = new Figures('scenarios on examples/notebook (root, tcsh)');
const P3 = 'zroot/vm/tmpl/14.5@p3';
const NOTEBOOK_JAILS = [
  { name: 'h1', owner: 'notebook:notebook/h1', origin: P3, ip4: '127.1.1.1' },
  { name: 'h2', owner: 'notebook:notebook/h2', origin: P3, ip4: '127.1.1.2' },
  { name: 'h3', owner: 'notebook:notebook/h3', origin: null, ip4: '127.1.1.3' },
  { name: 'h4', owner: 'notebook:notebook/h4', origin: null, ip4: '127.1.1.4' },
];

describeOnFakeHost('scenarios on examples/notebook', () => {
  let bench: Bench;
  let admin: Record<string, unknown>;

  beforeAll(async () => {
    bench = await Bench.start({ seed: (h) => h.writeFile('/usr/ports/README', 'the host\'s ports tree (h1 mounts it)\n') });
    await seedAdminState(bench.host, { underJailRoot: true });
    admin = adminView(bench.host);
    bench.synth(notebookApp);
  }, 120_000);
  afterAll(async () => {
    await bench?.stop();
    figures.print();
  });

  figures.scenario('1. a fresh apply builds the template and the jails h1..h4', async () => {
    const commands = bench.commandCount();
    const report = await bench.apply();
    expectOk(report);
    figures.row('fresh apply', { resources: report.created.length, ...runCells(report, bench.commandCount() - commands) });
    const ds = datasets(bench.host);
    expect(ds['zroot/vm/tmpl/14.5'].props['cdktf-freebsd-jails:owner']).toBe('notebook:notebook/template');
    expect(ds[P3]?.type).toBe('snapshot');
    expect(bench.host.readFile('/vm/tmpl/14.5/etc/rc.conf')).toContain('sendmail_enable="NO"');
    expect(bench.host.readFile('/vm/tmpl/14.5/etc/make.conf')).toContain('WRKDIRPREFIX');
    for (const j of NOTEBOOK_JAILS) expectJail(bench, j);
    expect(jailConf(bench.host).h3.sysvshm).toEqual(['new']);
    expect(rcConf(bench.host).jail_enable).toBe('YES');
    expect(rcWords(bench.host, 'cloned_interfaces')).toContain('lo1');
    expect(runningJails(bench.host)).toEqual(['adm', 'h1', 'h2', 'h3', 'h4']);
    expect(adminView(bench.host)).toEqual(admin);
  });

  figures.scenario('2. applying again runs zero provisioners and changes nothing', async () => {
    const commands = bench.commandCount();
    const report = await expectSecondApplyIdle(bench);
    figures.row('idle re-apply', { resources: report.unchanged.length, ...runCells(report, bench.commandCount() - commands) });
  });

  figures.scenario('2b. every create script run a second time by hand changes nothing', async () => {
    figures.row('create scripts run by hand', { scripts: await expectCreateScriptsRerunIdle(bench) });
  });

  figures.scenario('5. destroy with removal policy RETAIN: jails stop, their files go, only retained datasets remain, moved aside', async () => {
    const commands = bench.commandCount();
    const report = await bench.destroy();
    figures.row('destroy (RETAIN)', { resources: report.destroyed.length, ...runCells(report, bench.commandCount() - commands) });
    // Nothing fails: the retained clones h1 and h2 still need the template's snapshot, so the
    // template is retained beside them; only retired datasets (and the admin's own) remain.
    expect(report.failures).toEqual([]);
    for (const j of NOTEBOOK_JAILS) expectJailGone(bench, j.name);
    const ds = datasets(bench.host);
    // Filesystems only: the received copies h3, h4 and the template keep their @p3 snapshots.
    const retired = datasetNames(bench.host, 'zroot/vm/.retired').filter((n) => n !== 'zroot/vm/.retired' && !n.includes('@'));
    expect(retired.map((n) => n.replace(/-\d{8}T\d{6}Z$/, ''))).toEqual([
      'zroot/vm/.retired/h1', 'zroot/vm/.retired/h2', 'zroot/vm/.retired/h3', 'zroot/vm/.retired/h4', 'zroot/vm/.retired/template-14.5',
    ]);
    for (const n of retired) expect(ds[n].props['cdktf-freebsd-jails:role']).toBe('retired');
    const retiredTemplate = retired.find((n) => n.includes('/template-14.5-'))!;
    expect(ds[`${retiredTemplate}@p3`]).toBeDefined();
    for (const clone of ['h1', 'h2']) expect(ds[retired.find((n) => n.includes(`/${clone}-`))!].origin).toBe(`${retiredTemplate}@p3`);
    expect(ds[P3]).toBeUndefined();
    expect(ds['zroot/vm/tmpl']).toBeUndefined(); // the empty managed parent went with it
    const managedOutsideRetired = Object.keys(ds).filter((n) => n.startsWith('zroot/vm/') && !n.startsWith('zroot/vm/.retired'));
    expect(managedOutsideRetired).toEqual(['zroot/vm/h9']); // the administrator's own dataset
    expect(runningJails(bench.host)).toEqual(['adm']);
    expect(adminView(bench.host)).toEqual(admin);
  });
}, testMirrorDefect);

// Scenario 10 (VNET, netgraph and if_bridge/epair) is in scenarios-vnet.test.ts; PF NAT, forwards
// and the rollback in scenarios-pf.test.ts; removed constructs in scenarios-prune.test.ts.
