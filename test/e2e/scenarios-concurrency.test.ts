/**
 * Scenarios of issue 19: what two steps, two apps or two library builds do at the same moment on
 * one host. Each asserts the host's state, not only that the runs succeeded.
 */
import { JailPackages, JailRemovalPolicy } from '../../lib';
import { clonedJails, labApp } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectOk } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { rawState } from './scenarios/view';

const figures = new Figures('scenarios of concurrency on one host');
const OFFLINE_DIR = '/var/cache/cdktf-freebsd-jails/pkg';
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
        const roots = (rawState(bench.host).pkg as { roots: Record<string, Record<string, string>> }).roots;
        for (const jail of ['h1', 'h2', 'h3', 'h4']) expect([jail, Object.keys(roots[`/vm/${jail}`] ?? {})]).toEqual([jail, expect.arrayContaining([pkg])]);
        // Nothing but package files and the catalogue directory is left in the shared directory.
        expect(bench.host.exists(`${OFFLINE_DIR}/pkgdb/FreeBSD:14:amd64/files`)).toBe(false);
      }
      expectOk(await bench.destroy());
      expect(bench.host.exists(OFFLINE_DIR)).toBe(false);
    } finally {
      await bench.stop();
    }
  }, 900_000);
});
