/**
 * Scenarios that only real Terraform can show (issue 8), each asserting the host's state:
 * one jail's step fails while the other jails' steps are running: Terraform lets them all
 * complete, taints only the failed one, and the next apply converges with nothing lost.
 * A library upgrade that changes how the host helper travels (script text before, an uploaded
 * file now) replaces only the helper step, and the jails keep running.
 * (Connections dropped in the middle of a script are in the scenarios-faults-*.test.ts files.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_DIR } from './host';
import { clonedJails, labApp } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectJail, expectOk } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { hostsEntries, jailConf, rcWords, runningJails } from './scenarios/view';
import { escapeTerraformTemplate, HOST_HELPER_DIR, HOST_HELPER_PATH } from '../../lib';
import { HOST_HELPER_PROGRAM, HOST_HELPER_USERS_FILE, lockFileFor } from '../../lib/shell';
import { writeFileIfChanged } from '../support/helper';

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

  figures.scenario('12. upgrade from a release that carried the helper as script text: only the helper step is replaced, the jails run on', async () => {
    const bench = await Bench.start();
    try {
      bench.synth(labApp({ jails: clonedJails(2) }));
      const helperName = asReleaseWithInlineHelper(path.join(bench.out, 'stacks', 'lab', 'cdk.tf.json'));
      let commands = bench.commandCount();
      const before = await bench.apply();
      figures.row('apply (helper as script text)', { resources: before.created.length, ...runCells(before, bench.commandCount() - commands) });
      expectOk(before);
      expect(bench.host.readFile(HOST_HELPER_PATH)).toBe(HOST_HELPER_PROGRAM);

      bench.synth(labApp({ jails: clonedJails(2) }));
      commands = bench.commandCount();
      const upgrade = await bench.apply();
      figures.row('apply (helper uploaded)', { resources: upgrade.replaced.length, ...runCells(upgrade, bench.commandCount() - commands) });
      expectOk(upgrade);
      expect(upgrade.replaced).toEqual([`null_resource.${helperName}`]);
      expect(upgrade.created).toEqual([]);
      expect(bench.host.readFile(HOST_HELPER_PATH)).toBe(HOST_HELPER_PROGRAM);
      expect(fs.readdirSync(bench.host.path('/tmp')).filter((f) => f.startsWith('cdktf-freebsd-jails-helper'))).toEqual([]);
      for (const j of [1, 2]) expectJail(bench, jail(j));
      expect(runningJails(bench.host).sort()).toEqual(['h1', 'h2']);
      // The scope is claimed again, by the new helper step: the next apply has nothing to do.
      const idle = await bench.apply();
      expectOk(idle);
      expect(idle.provisionerRuns).toBe(0);
    } finally {
      await bench.stop();
    }
  }, 300_000);
});

/**
 * Rewrites a synthesized cdk.tf.json's helper step as the release before the upload wrote it
 * (the helper inline in its script through writeFileIfChanged, no file provisioner, another
 * content hash). Returns the helper step's resource name.
 */
function asReleaseWithInlineHelper(file: string): string {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const [name, helper] = Object.entries<any>(json.resource.null_resource).find(([, r]) => r.provisioner.some((p: any) => p.file))!;
  helper.provisioner = helper.provisioner.filter((p: any) => !p.file);
  const exec = helper.provisioner.find((p: any) => p['remote-exec'] && !p['remote-exec'].when)['remote-exec'];
  const lines: string[] = exec.inline[0].split('\n');
  // Today's install: one locked program (HOST_HELPER_INSTALL_PROGRAM) from its lockf line to its
  // last line, which ends with the scope; that release wrote the helper, then ran `use SCOPE`.
  const first = lines.findIndex((l) => l.startsWith(`lockf -k -t 300 ${lockFileFor(HOST_HELPER_USERS_FILE)} /bin/sh -c 'set -eu`));
  const last = lines.findIndex((l) => l.startsWith('"$target" _use "$scope"\' sh '));
  expect([first > 0, last > first]).toEqual([true, true]);
  const scope = /'([^']*)'$/.exec(lines[last])![1];
  lines.splice(first, last - first + 1, `mkdir -p ${HOST_HELPER_DIR}`, ...escapeTerraformTemplate(writeFileIfChanged(HOST_HELPER_PATH, HOST_HELPER_PROGRAM, '0755').join('\n')).split('\n'),
    `${HOST_HELPER_PATH} use ${scope}`);
  exec.inline = [lines.join('\n')];
  helper.triggers.content_hash = `before-${helper.triggers.content_hash}`;
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  return name;
}
