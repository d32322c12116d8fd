/**
 * examples/webstack on the fake host through Terraform (issue 22's example): three VNET jails on
 * a routed switch behind the host, PostgreSQL (initialized once), the app server reading its
 * configuration file, nginx serving a page, each with a health check the apply waits for, PfNat
 * NAT out and 80 and 443 forwarded to the web jail. It applies with every service healthy (the
 * daemons answer for real at the jails' addresses), applies again idle, restarts only the app
 * when its configuration changes, and destroys to a host without jails, switch or pf rules.
 */
import * as path from 'path';
import { APP_CONFIG, WEB_PAGE, WebStack } from '../../examples/webstack/main';
import { REPO_DIR } from './host';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { pfState, rawState, runningJails } from './scenarios/view';

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const fakebsd = require(path.join(REPO_DIR, 'test/e2e/fakebsd/index.js'));

const CLIENT = { from: '198.51.100.7', to: '192.0.2.10', iface: 'em0' };

describeOnFakeHost('examples/webstack: a site of three VNET jails behind the host', () => {
  const figures = new Figures('examples/webstack (root)');
  let bench: Bench;
  let ifacesBefore: string[];
  const ifaces = () => Object.keys(rawState(bench.host).ifaces).sort();
  /** What the host gets from a jail's service, through the fake's jail network (fetch and nc run there). */
  const fetch = async (url: string) => bench.host.hostExec(`fetch -q -o - ${url}`);
  const pidOf = async (jail: string, service: string) => (await bench.host.hostExec(`service -j ${jail} ${service} onestatus`)).stdout.trim();

  beforeAll(async () => {
    bench = await Bench.start({ seed: (h) => h.writeFile('/var/cache/pkg/.keep', '') });
    ifacesBefore = ifaces();
  }, 180_000);
  afterAll(async () => {
    await bench?.stop();
    figures.print();
  });

  figures.scenario('webstack a. applies: every service healthy, the page and the app answer at their jails, em0:80 and :443 reach web', async () => {
    bench.synth((app, env) => new WebStack(app, 'webstack', env));
    const commands = bench.commandCount();
    const report = await bench.apply();
    expectOk(report);
    figures.row('fresh apply', { resources: report.created.length, ...runCells(report, bench.commandCount() - commands) });
    expect(runningJails(bench.host)).toEqual(['app', 'db', 'web']);
    // The health checks passed in the apply; the services answer now too, for real.
    const page = await fetch('http://172.31.0.11/');
    expect([page.code, page.stdout]).toEqual([0, WEB_PAGE]);
    const app = await fetch('http://172.31.0.12:8080/');
    expect([app.code, app.stdout]).toEqual([0, APP_CONFIG]);
    const db = await bench.host.hostExec('nc -z -w 2 172.31.0.13 5432');
    expect(db.code).toBe(0);
    // Initialized once, by the service's own rc.d command.
    expect(bench.host.exists('/vm/db/var/db/postgres/data17/postgresql.conf')).toBe(true);
    for (const port of [80, 443]) {
      expect(fakebsd.pfDelivery(bench.host.root, { ...CLIENT, port })).toEqual({ reached: { jail: 'web', address: '172.31.0.11', port } });
    }
    expect(pfState(bench.host).enabled).toBe(true);
  }, 900_000);

  figures.scenario('webstack b. applying again runs nothing', async () => {
    const report = await expectSecondApplyIdle(bench);
    figures.row('idle re-apply', { resources: report.unchanged.length, ...runCells(report, 0) });
  }, 600_000);

  figures.scenario('webstack c. a new app configuration restarts the app only; the database is not initialized again', async () => {
    const before = { nginx: await pidOf('web', 'nginx'), postgresql: await pidOf('db', 'postgresql'), uwsgi: await pidOf('app', 'uwsgi') };
    const changed = `${APP_CONFIG}harakiri = 30\n`;
    bench.synth((app, env) => new WebStack(app, 'webstack', env, changed));
    const report = await bench.apply();
    expectOk(report);
    // The file's step and the service that declared it (restartOn), nothing else.
    expect(report.replaced.length).toBe(2);
    expect(report.replaced.filter((r) => !/app-config|uwsgi/.test(r))).toEqual([]);
    const app = await fetch('http://172.31.0.12:8080/');
    expect([app.code, app.stdout]).toEqual([0, changed]);
    expect(await pidOf('web', 'nginx')).toBe(before.nginx);
    expect(await pidOf('db', 'postgresql')).toBe(before.postgresql);
    expect(await pidOf('app', 'uwsgi')).not.toBe(before.uwsgi);
  }, 900_000);

  figures.scenario('webstack d. destroy: no jail, no switch interface, no pf rules of ours', async () => {
    const report = await bench.destroy();
    expectOk(report);
    expect(runningJails(bench.host)).toEqual([]);
    expect(ifaces()).toEqual(ifacesBefore);
    expect(pfState(bench.host).enabled).toBe(false);
  }, 900_000);
});
