/**
 * Scenarios that only real Terraform can show (issue 8), each asserting the host's state:
 * one jail's step fails while the other jails' steps are running: Terraform lets them all
 * complete, taints only the failed one, and the next apply converges with nothing lost.
 * (Connections dropped in the middle of a script are in the scenarios-faults-*.test.ts files.)
 */
import * as path from 'path';
import { REPO_DIR } from './host';
import { clonedJails, labApp } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectJail, expectOk } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { hostsEntries, jailConf, rcWords, runningJails } from './scenarios/view';

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const fakebsd = require(path.join(REPO_DIR, 'test/e2e/fakebsd/index.js'));

const figures = new Figures('scenarios of real Terraform: a failure among parallel steps');
const P3 = 'zroot/vm/tmpl/14.3@p3';
const jail = (n: number) => ({ name: `h${n}`, owner: `lab:lab/h${n}`, origin: P3, ip4: `127.1.1.${n}` });

describeOnFakeHost('scenarios of real Terraform', () => {
  afterAll(() => figures.print());

  figures.scenario('11. one jail\'s step fails while the others run: they complete, only it is tainted, the next apply converges', async () => {
    const bench = await Bench.start();
    try {
      const n = 6;
      bench.synth(labApp({ jails: [] }));
      expectOk(await bench.apply());
      bench.synth(labApp({ jails: clonedJails(n) }));
      // h3's configuration fails early (its second command, recording the removal policy), while the
      // other jails' dataset and configuration steps still run: failing its last command (the start)
      // raced with them, and on an idle machine they had all finished.
      fakebsd.setFault(bench.host.root, {
        'zfs set cdktf-freebsd-jails:removal=retain zroot/vm/h3': { failOnCall: 1 },
        'zfs set cdktf-freebsd-jails:removal=destroy zroot/vm/h3': { failOnCall: 1 },
      });
      let commands = bench.commandCount();
      const failed = await bench.apply();
      fakebsd.clearFaults(bench.host.root);
      figures.row('6 jails, h3 fails', { resources: failed.created.length, ...runCells(failed, bench.commandCount() - commands) });

      expect(failed.ok).toBe(false);
      expect(failed.failures.map((f) => f.address)).toEqual([expect.stringMatching(/^null_resource\.h3_config/)]);
      expect(failed.failures[0].output).toContain('fakebsd: injected fault');
      expect(failed.tainted).toEqual([expect.stringMatching(/^null_resource\.h3_config/)]);
      // The failure came while other jails' steps were in flight (Terraform's own event order).
      const events = failed.messages.filter((m) => m.type === 'apply_start' || m.type === 'apply_complete' || m.type === 'apply_errored');
      const failedAt = events.findIndex((m) => m.type === 'apply_errored');
      const inFlight = new Set<string>();
      for (const m of events.slice(0, failedAt)) {
        const a = m.hook!.resource!.addr;
        if (m.type === 'apply_start') inFlight.add(a); else inFlight.delete(a);
      }
      inFlight.delete(events[failedAt].hook!.resource!.addr);
      expect([...inFlight].filter((a) => /^null_resource\.h\d+_/.test(a)).length).toBeGreaterThan(0);
      // ...and every one of them completed: all the other jails are there and run.
      expect(failed.notStarted).toEqual([]);
      for (const j of [1, 2, 4, 5, 6]) expectJail(bench, jail(j));
      expect(runningJails(bench.host)).not.toContain('h3');

      commands = bench.commandCount();
      const recovery = await bench.apply();
      figures.row('next apply', { resources: recovery.replaced.length, ...runCells(recovery, bench.commandCount() - commands) });
      expectOk(recovery);
      expect(recovery.replaced).toEqual([expect.stringMatching(/^null_resource\.h3_config/)]);
      const names = clonedJails(n).map((j) => `h${j.n}`);
      for (const j of clonedJails(n)) expectJail(bench, jail(j.n));
      expect(rcWords(bench.host, 'jail_list').sort()).toEqual(names);
      expect(hostsEntries(bench.host).filter(([a]) => a.startsWith('127.1.1.')).map(([, h]) => h).sort()).toEqual(names);
      expect(Object.keys(jailConf(bench.host)).sort()).toEqual(names);
    } finally {
      await bench.stop();
    }
  }, 300_000);
});
