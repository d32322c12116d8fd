/**
 * Scenario 8 of issue 4 and the scale figures: apps of N = 1, 10, 50 cloned jails, each on a
 * fresh fake host, applied with terraform's parallelism (10). Asserts that parallel jail steps
 * lose no rc.conf (jail_list) or /etc/hosts update; prints the wall time, SSH sessions per
 * jail and commands per jail (figures only: times are never asserted), all from Terraform's
 * -json output and the host's sshd log.
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
        // Terraform opens one SSH connection per provisioner run (sshd's log against Terraform's
        // provision_start events), so a jail's connections are its provisioner runs, and when every
        // connection carried the same number of sessions, its sessions are that many per run.
        expect(report.sshConnections).toBe(report.provisionerRuns);
        const names = clonedJails(n).map((j) => `h${j.n}`);
        const jailRuns = Object.entries(report.provisionerRunsByResource).filter(([address]) => /^null_resource\.h\d+_/.test(address)).reduce((sum, [, c]) => sum + c, 0);
        const uniform = Object.keys(report.sessionsPerConnection);
        figures.row(`N=${n}`, {
          ...runCells(report, bench.commandCount() - commands),
          'ssh connections per jail': (jailRuns / n).toFixed(1),
          'ssh sessions per jail': uniform.length === 1 ? ((jailRuns / n) * Number(uniform[0])).toFixed(1) : `~${((jailRuns / n) * report.sshSessions / report.sshConnections).toFixed(1)}`,
          'sessions per connection': uniform.join('/'),
          'PTY sessions': report.sshPtySessions,
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
