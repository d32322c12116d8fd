/**
 * Scenario of issue 23: the rolling upgrade. Three lab jails with nginx and an HTTP check on a
 * 14.5 template move to 15.1 one at a time: a poller lists the running jails through the apply,
 * at most one is ever missing, they go in order h1, h2, h3, each back before the next goes; all
 * end on 15.1 with nginx answering; a second apply runs nothing.
 */
import { FreeBsdRelease } from '../../lib';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures } from './scenarios/figures';
import { DATA_PATH, rollingApp } from './scenarios/rolling';

const figures = new Figures('scenarios of the rolling upgrade');

const JAILS = ['h1', 'h2', 'h3'];

describeOnFakeHost('scenarios of the rolling upgrade', () => {
  afterAll(() => figures.print());
  test('23a. 14.5 to 15.1, one jail at a time, services back, idle again', async () => {
    const bench = await Bench.start({ release: '15.1-RELEASE', mirrorReleases: ['14.5', '15.1'] });
    try {
      bench.synth(rollingApp({ jails: 3, release: FreeBsdRelease.V14_5, data: true }));
      expectOk(await bench.apply());
      for (const j of JAILS) {
        expect((await bench.host.hostExec(`jexec ${j} freebsd-version -u`)).stdout.trim()).toMatch(/^14\.5-RELEASE/);
        // Data written from inside each jail: nullfs in h1 and h2, its own delegated dataset in h3.
        expect((await bench.host.hostExec(`echo 'data of ${j}' | jexec ${j} tee ${DATA_PATH}/marker`)).code).toBe(0);
      }

      bench.synth(rollingApp({ jails: 3, release: FreeBsdRelease.V15_1, data: true }));
      const seen: string[][] = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const r = await bench.host.hostExec('jls name');
          seen.push(r.stdout.split('\n').filter(Boolean).sort());
          await new Promise((res) => setTimeout(res, 100));
        }
      })();
      const rolled = await bench.apply();
      polling = false;
      await poller;
      expectOk(rolled);
      const down = seen.map((running) => JAILS.filter((j) => !running.includes(j)));
      expect(seen.length).toBeGreaterThan(10);
      expect(Math.max(...down.map((d) => d.length))).toBeLessThanOrEqual(1);
      // The order they went down in, each once: h1, then h2, then h3.
      const order = down.flat().filter((j, i, all) => i === 0 || all[i - 1] !== j);
      expect(order).toEqual(JAILS);
      // From Terraform's own log: jail k stops only after jail k-1's service passed its check again.
      const at = (address: string, what: RegExp) => {
        const m = rolled.messages.find((x) => x.hook?.resource?.addr?.startsWith(address) && what.test(x.hook?.output ?? x['@message']));
        if (!m) throw new Error(`no ${what} from ${address}`);
        return Date.parse(m['@timestamp']);
      };
      for (const [k, j] of JAILS.entries()) {
        if (k === 0) continue;
        const prev = JAILS[k - 1];
        expect(at(`null_resource.${j}_roll`, /==> stopping jail /)).toBeGreaterThan(at(`null_resource.${prev}-nginx_run-after-roll`, /Creation complete/));
        expect(at(`null_resource.${prev}-nginx_run-after-roll`, /Creation complete/)).toBeGreaterThan(at(`null_resource.${prev}-nginx_run-after-roll`, /waiting for nginx in jail .* to be healthy/));
      }
      // Nothing of the jails was destroyed: only steps without a destroy script were replaced.
      expect(rolled.replaced.filter((a) => !/_(roll|install|run-after-roll)_resource/.test(a))).toEqual([]);
      expect(rolled.provisionerRuns).toBe(rolled.replaced.length);
      // The 14.5 datasets were retained (the default removal policy).
      expect((await bench.host.hostExec('zfs list -H -o name -r zroot/vm/.retired')).stdout.split('\n').filter((l) => /\/h\d-/.test(l))).toHaveLength(3);
      for (const [k, j] of JAILS.entries()) {
        expect((await bench.host.hostExec(`jexec ${j} freebsd-version -u`)).stdout.trim()).toMatch(/^15\.1-RELEASE/);
        expect((await bench.host.hostExec(`fetch -q -o /dev/null http://127.1.1.${k + 1}/`)).code).toBe(0);
        // Its data came back with it: the same data dataset, attached by the jail's own configuration.
        expect((await bench.host.hostExec(`jexec ${j} cat ${DATA_PATH}/marker`)).stdout).toBe(`data of ${j}\n`);
      }
      await expectSecondApplyIdle(bench);
      figures.row('rolling 3 jails 14.5 -> 15.1', { 'jls samples': seen.length, 'most down at once': Math.max(...down.map((d) => d.length)), 'apply s': Math.round(rolled.applyMs / 1000), replaced: rolled.replaced.length });

      // Destroy: the jails' own destroys take the rolled jails down; nothing of them runs.
      expectOk(await bench.destroy());
      expect((await bench.host.hostExec('jls name')).stdout).toBe('');
      expect((await bench.host.hostExec('zfs list -H -o name zroot/vm/h1')).code).not.toBe(0);
      // The data datasets are retained (their own removal policy), with what the jails wrote.
      expect((await bench.host.hostExec('zfs list -H -o name -r zroot/vm/.data')).stdout.split('\n').filter((l) => /\/h\d-data$/.test(l)).sort())
        .toEqual(JAILS.map((j) => `zroot/vm/.data/${j}-data`));
    } finally {
      await bench.stop();
    }
  }, 600_000);
});
