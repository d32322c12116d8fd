/**
 * Scenarios of issue 10: several apps (separate Terraform states) on one host. Each asserts the
 * host's state: an app whose ownership scope another state holds is refused before it changes
 * anything; an app's destroy leaves the other fully working, also across a simulated reboot;
 * destroying every app leaves the host as it was; a jail whose construct id holds odd
 * characters is pruned exactly.
 */
import { JailRemovalPolicy } from '../../lib';
import { labApp, LabProps } from './scenarios/apps';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { expectJail, expectJailGone, expectOk } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { datasetNames, diffViews, hostView, jailConf, rcConf, rcWords, runningJails } from './scenarios/view';

const figures = new Figures('scenarios of several apps on one host');
const jail = (scope: string, stack: string, n: number, template = 'zroot/vm/tmpl/14.3@p3') =>
  ({ name: `h${n}`, owner: `${scope}:${stack}/h${n}`, origin: template, ip4: `127.1.1.${n}` });
const STATE_DIR = '/var/db/cdktf-freebsd-jails';

describeOnFakeHost('scenarios of several apps on one host', () => {
  afterAll(() => figures.print());

  figures.scenario('12. a second app with the same stack name is refused before it touches anything; with its own scope it works beside the first', async () => {
    const first = await Bench.start();
    const second = first.anotherApp();
    try {
      const a: LabProps = { jails: [{ n: 1 }, { n: 2 }], removalPolicy: JailRemovalPolicy.DESTROY };
      first.synth(labApp(a));
      expectOk(await first.apply());
      const before = hostView(first.host);

      // Another team's app, also a stack named "lab": its jail h3 is no jail of the first app,
      // and the first app's h1 and h2 are jails it does not know, which its prune would remove.
      const b = (scope?: string): LabProps => ({ jails: [{ n: 3 }], removalPolicy: JailRemovalPolicy.DESTROY, template: { name: '14.3b' }, host: { ownershipScope: scope } });
      second.synth(labApp(b()));
      let commands = first.commandCount();
      const refused = await second.apply();
      figures.row('same scope, refused', { resources: refused.created.length, ...runCells(refused, first.commandCount() - commands) });
      expect(refused.ok).toBe(false);
      expect(refused.failures.map((f) => f.address)).toEqual([expect.stringMatching(/^null_resource\.host_helper/)]);
      expect(refused.failures[0].output).toContain('error: ownership scope lab is claimed on this host by another Terraform state');
      expect(refused.created).toEqual([]);
      expect(diffViews(before, hostView(first.host))).toEqual([]);

      // The first app noticed nothing and lost nothing.
      commands = first.commandCount();
      const again = await first.apply();
      expectOk(again);
      expect(again.created.length + again.replaced.length).toBe(0);
      for (const n of [1, 2]) expectJail(first, jail('lab', 'lab', n));
      // Destroying the refused app changes nothing either: its helper step is tainted, runs no destroy.
      expectOk(await second.destroy());
      expect(diffViews(before, hostView(first.host))).toEqual([]);

      // With a scope of its own the same stack works beside the first.
      second.synth(labApp(b('lab-b')));
      expectOk(await second.apply());
      expectJail(second, jail('lab-b', 'lab', 3, 'zroot/vm/tmpl/14.3b@p3'));
      for (const n of [1, 2]) expectJail(first, jail('lab', 'lab', n));
      expect(first.host.readFile(`${STATE_DIR}/scopes/lab.claim`)).not.toBe(first.host.readFile(`${STATE_DIR}/scopes/lab-b.claim`));
      expectOk(await second.destroy());
      expectJailGone(first, 'h3');
      for (const n of [1, 2]) expectJail(first, jail('lab', 'lab', n));
    } finally {
      await second.stop();
      await first.stop();
    }
  }, 600_000);

  figures.scenario('13. two apps: destroying one leaves the other working, also after a reboot; destroying both leaves the host as it was', async () => {
    const first = await Bench.start();
    const second = first.anotherApp();
    try {
      const pristine = hostView(first.host);
      // h2's construct id holds quotes, a $, a backslash and spaces: it reaches owner marks and prune's keep list.
      const odd = `odd 'id' "$x" \\ ;`;
      const a = (jails: number[]): LabProps => ({ jails: jails.map((n) => ({ n })), removalPolicy: JailRemovalPolicy.DESTROY, ids: { 2: odd } });
      first.synth(labApp(a([1, 2])));
      expectOk(await first.apply());
      expectJail(first, { ...jail('lab', 'lab', 2), owner: `lab:lab/${odd}` });
      second.synth(labApp({ jails: [{ n: 3 }], removalPolicy: JailRemovalPolicy.DESTROY, template: { name: '14.3b' } }, undefined, 'other'));
      expectOk(await second.apply());
      expectJail(second, jail('other', 'other', 3, 'zroot/vm/tmpl/14.3b@p3'));

      // The odd jail leaves the first app: its prune removes exactly it.
      first.synth(labApp(a([1])));
      expectOk(await first.apply());
      expectJailGone(first, 'h2');
      expect(datasetNames(first.host, 'zroot/vm').filter((d) => /^zroot\/vm\/h/.test(d))).toEqual(['zroot/vm/h1', 'zroot/vm/h3']);
      expectJail(first, jail('lab', 'lab', 1));
      expectJail(second, jail('other', 'other', 3, 'zroot/vm/tmpl/14.3b@p3'));

      let commands = first.commandCount();
      const gone = await first.destroy();
      expectOk(gone);
      figures.row('destroy of one app', { resources: gone.destroyed.length, ...runCells(gone, first.commandCount() - commands) });
      expectJailGone(first, 'h1');
      expectJail(second, jail('other', 'other', 3, 'zroot/vm/tmpl/14.3b@p3'));
      // What the survivor needs of the host is all there: it starts at boot...
      expect(rcConf(first.host).jail_enable).toBe('YES');
      expect(rcWords(first.host, 'cloned_interfaces')).toEqual(['lo1']);
      expect(rcWords(first.host, 'jail_list')).toEqual(['h3']);
      expect(first.host.readFile('/etc/jail.conf')).toContain('.include "/etc/jail.conf.d/*.conf";');
      expect(Object.keys(jailConf(first.host, '/etc/jail.conf.d/h3.conf'))).toEqual(['h3']);
      // ...and its re-apply has nothing to repair.
      commands = first.commandCount();
      const idle = await second.apply();
      expectOk(idle);
      expect(idle.created.length + idle.replaced.length).toBe(0);

      // A reboot, as rc does it: every jail stopped, then `service jail start` with rc.conf as it is.
      for (const cmd of ['service jail stop', 'service jail start']) {
        const r = await first.host.hostExec(cmd);
        expect([cmd, r.code]).toEqual([cmd, 0]);
      }
      expect(runningJails(first.host)).toEqual(['h3']);
      expectJail(second, jail('other', 'other', 3, 'zroot/vm/tmpl/14.3b@p3'));

      expectOk(await second.destroy());
      const rc = rcConf(first.host);
      expect(['jail_enable', 'jail_list', 'cloned_interfaces'].filter((k) => k in rc)).toEqual([]);
      expect(first.host.exists('/etc/jail.conf.d')).toBe(false);
      expect(first.host.exists(STATE_DIR)).toBe(false);
      expect(diffViews(pristine, hostView(first.host))).toEqual([]);
    } finally {
      await second.stop();
      await first.stop();
    }
  }, 600_000);
});
