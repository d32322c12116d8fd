/**
 * Scenarios of issue 20 (finding 13): the administrator's jails and jail_list. While jail_list
 * is empty rc.d/jail starts every jail of /etc/jail.conf at boot; once it names a jail, only the
 * listed ones start. A managed jail must never change which of the administrator's jails start
 * at boot: not while it exists, not after it is gone.
 */
import { JailRemovalPolicy } from '../../lib';
import { labApp } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectOk } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { rcConf, rcWords, runningJails } from './scenarios/view';

const figures = new Figures('scenarios of the administrator\'s jails and jail_list');

/** Two jails of the administrator's in /etc/jail.conf, adminj first (not in name order). */
const ADMIN_JAIL_CONF = `# the administrator's jails
exec.clean;
persist;
path = "/data/$name";
adminj { host.hostname = "adminj"; }
admina { host.hostname = "admina"; }
`;
/** A jail of the administrator's that their jail.conf does not include: boot never started it. */
const ADMIN_SPARE_CONF = 'spare { path = "/data/spare"; persist; }\n';

async function adminHost(jailList?: string): Promise<Bench> {
  const bench = await Bench.start({
    seed: (h) => {
      h.writeFile('/etc/jail.conf', ADMIN_JAIL_CONF);
      h.writeFile('/etc/jail.conf.d/spare.conf', ADMIN_SPARE_CONF);
    },
  });
  const r = await bench.host.hostExec([
    'set -eu',
    'mkdir -p /data/adminj /data/admina /data/spare',
    'sysrc jail_enable=YES',
    ...(jailList === undefined ? [] : [`sysrc jail_list="${jailList}"`]),
    // The administrator's host as boot left it.
    'service jail start',
  ].join('\n'));
  expect([r.code, r.stderr]).toEqual([0, '']);
  return bench;
}

/** A reboot as rc does it: every jail stopped, then `service jail start` with rc.conf as it is. */
async function reboot(bench: Bench): Promise<string[]> {
  for (const cmd of ['service jail stop', 'service jail start']) {
    const r = await bench.host.hostExec(cmd);
    expect([cmd, r.code]).toEqual([cmd, 0]);
  }
  return runningJails(bench.host);
}

const app = labApp({ jails: [{ n: 1 }], removalPolicy: JailRemovalPolicy.DESTROY });

describeOnFakeHost('scenarios of the administrator\'s jails and jail_list', () => {
  afterAll(() => figures.print());

  figures.scenario('20a. jail_list unset: the administrator\'s jails keep starting at boot, listed first, and jail_list is unset again after destroy', async () => {
    const bench = await adminHost();
    try {
      expect(runningJails(bench.host)).toEqual(['admina', 'adminj']);
      expect('jail_list' in rcConf(bench.host)).toBe(false);
      const jailConf = bench.host.readFile('/etc/jail.conf');

      bench.synth(app);
      let commands = bench.commandCount();
      const applied = await bench.apply();
      expectOk(applied);
      figures.row('apply, two jails of the administrator\'s', { resources: applied.created.length, ...runCells(applied, bench.commandCount() - commands) });
      // The jails boot started while jail_list was empty, in jail.conf's order, then the managed
      // one; not `spare`, which no boot started, nor h1 a second time through the library's include.
      expect(rcWords(bench.host, 'jail_list')).toEqual(['adminj', 'admina', 'h1']);
      expect(await reboot(bench)).toEqual(['admina', 'adminj', 'h1']);

      commands = bench.commandCount();
      const gone = await bench.destroy();
      expectOk(gone);
      figures.row('destroy', { resources: gone.destroyed.length, ...runCells(gone, bench.commandCount() - commands) });
      expect('jail_list' in rcConf(bench.host)).toBe(false);
      expect(bench.host.readFile('/etc/jail.conf')).toBe(jailConf);
      expect(await reboot(bench)).toEqual(['admina', 'adminj']);

      // Again, and this time the administrator lists a jail of their own while h1 is there: the
      // library takes nothing out of jail_list then, so every jail it names still starts.
      expectOk(await bench.apply());
      expect(rcWords(bench.host, 'jail_list')).toEqual(['adminj', 'admina', 'h1']);
      const r = await bench.host.hostExec('sysrc jail_list+=spare');
      expect(r.code).toBe(0);
      expectOk(await bench.destroy());
      expect(rcWords(bench.host, 'jail_list')).toEqual(['adminj', 'admina', 'spare']);
      expect(await reboot(bench)).toEqual(['admina', 'adminj', 'spare']);
    } finally {
      await bench.stop();
    }
  }, 600_000);

  figures.scenario('20b. jail_list names the administrator\'s jail: nothing of theirs is added, nothing of theirs removed', async () => {
    const bench = await adminHost('adminj');
    try {
      expect(runningJails(bench.host)).toEqual(['adminj']);
      bench.synth(app);
      expectOk(await bench.apply());
      expect(rcWords(bench.host, 'jail_list')).toEqual(['adminj', 'h1']);
      expect(await reboot(bench)).toEqual(['adminj', 'h1']);
      expectOk(await bench.destroy());
      expect(rcConf(bench.host).jail_list).toBe('adminj');
      expect(await reboot(bench)).toEqual(['adminj']);
    } finally {
      await bench.stop();
    }
  }, 600_000);
});
