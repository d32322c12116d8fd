/**
 * Scenario 8 of issue 4 and the scale figures: apps of N = 1, 10, 50 cloned jails, each on a
 * fresh fake host, applied with terraform's parallelism (10). Asserts that parallel jail steps
 * lose no rc.conf (jail_list) or /etc/hosts update; prints the wall time, SSH sessions per
 * jail and commands per jail (figures only: times are never asserted).
 */
import { clonedJails, labApp } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectOk } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { hostsEntries, jailConf, rcWords, runningJails } from './scenarios/view';

const figures = new Figures('scale: apply of N cloned jails (template included), parallelism 10');
const SIZES = [1, 10, 50];

describeOnFakeHost('scale and parallel jails', () => {
  afterAll(() => figures.print());

  for (const n of SIZES) {
    figures.scenario(`8. ${n} jail(s) created in parallel: every jail_list word, hosts line and conf is there, every jail runs`, async () => {
      const bench = await Bench.start();
      try {
        bench.synth(labApp({ jails: clonedJails(n) }));
        const commands = bench.commandCount();
        const report = await bench.apply();
        expectOk(report);
        const perJail = (byResource: Record<string, number>) =>
          (Object.entries(byResource).filter(([address]) => /^null_resource\.h\d+_/.test(address)).reduce((sum, [, c]) => sum + c, 0) / n).toFixed(1);
        const names = clonedJails(n).map((j) => `h${j.n}`);
        figures.row(`N=${n}`, {
          ...runCells(report, bench.commandCount() - commands),
          // Two steps per jail; each is one SSH connection carrying terraform's three sessions (scp, chmod, run).
          'ssh connections per jail': perJail(report.connectionsByResource),
          'ssh sessions per jail': perJail(report.sessionsByResource),
          'max parallel': report.maxConcurrent,
        });
        expect(rcWords(bench.host, 'jail_list').sort()).toEqual([...names].sort());
        expect(hostsEntries(bench.host).filter(([addr]) => addr.startsWith('127.1.1.')).map(([, name]) => name).sort()).toEqual([...names].sort());
        expect(Object.keys(jailConf(bench.host)).sort()).toEqual([...names].sort());
        expect(runningJails(bench.host)).toEqual([...names].sort());
      } finally {
        await bench.stop();
      }
    }, 480_000);
  }
});
