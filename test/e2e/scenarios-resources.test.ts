/**
 * Issue 23, first part, on the fake host (real terraform engine), 14.5 and 15.1: a jail's rctl
 * rules and cpuset applied by its own hooks at start, back after a reboot (`service jail start`),
 * changed in place without a restart (same jid), gone at stop and destroy; a host without racct
 * refused with the message, the jail not made; the loader tunable set by HostSettings and a
 * reboot making rctl work; ZFS properties of the jail's dataset changed in place (same guid and
 * creation), one taken out undone, all of them (and all limits) taken out undone by prune; a
 * second apply runs nothing.
 */
import { JailResourceLimits, JailZfsProperties, RctlResource, RctlRule } from '../../lib';
import { Bench, describeOnFakeHost, failureText } from './scenarios/bench';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { reboot, resourcesApp } from './scenarios/resources';
import { rawState, runningJails } from './scenarios/view';

const STATE = '/var/db/cdktf-freebsd-jails/jails';

const LIMITS: JailResourceLimits = {
  rules: [RctlRule.deny(RctlResource.MEMORYUSE, '1g'), RctlRule.deny(RctlResource.MAXPROC, '200'), RctlRule.throttle(RctlResource.WRITEBPS, '10m')],
  cpus: '0-1',
};
const CHANGED: JailResourceLimits = { rules: [RctlRule.deny(RctlResource.MEMORYUSE, '2g'), RctlRule.log(RctlResource.OPENFILES, '1000')], cpus: '1' };
const RULES = ['jail:h1:writebps:throttle=10485760', 'jail:h1:maxproc:deny=200', 'jail:h1:memoryuse:deny=1073741824'];
const CHANGED_RULES = ['jail:h1:openfiles:log=1000', 'jail:h1:memoryuse:deny=2147483648'];
const ZFS: JailZfsProperties = { quota: '2G', compression: 'zstd', recordsize: '64K', atime: false };

for (const release of ['14.5-RELEASE-p1', '15.1-RELEASE']) {
  describeOnFakeHost(`resource limits and ZFS properties on the fake host (${release})`, () => {
    let bench: Bench;
    const sh = async (cmd: string) => {
      const r = await bench.host.hostExec(cmd);
      return { code: r.code, out: r.stdout, err: r.stderr };
    };
    const rules = async () => (await sh('rctl jail:h1')).out.split('\n').filter(Boolean);
    const mask = async () => (await sh('cpuset -g -j h1')).out.split('\n')[0].replace(/^jail \d+ mask: /, '');
    const jid = () => Object.values(rawState(bench.host).jails.running).find((j) => j.name === 'h1')?.jid;
    const dataset = () => Object.values(rawState(bench.host).zfs.datasets).find((d) => d.name === 'zroot/vm/h1')!;
    const zget = async (props: string) => (await sh(`zfs get -H -o property,value,source ${props} zroot/vm/h1`)).out.trim().split('\n').map((l) => l.split('\t'));

    beforeAll(async () => {
      bench = await Bench.start({ release, seed: (h) => h.writeFile('/boot/loader.conf', '# the administrator\'s\nautoboot_delay="3"\n') });
    }, 120_000);
    afterAll(async () => { await bench?.stop(); });

    test('1. racct off: the limits step fails with what to add and that a reboot is needed; the jail is not made; the loader tunable is set', async () => {
      bench.synth(resourcesApp({ limits: LIMITS, zfsProperties: ZFS, loader: true }));
      const r = await bench.apply();
      expect(r.ok).toBe(false);
      expect(failureText(r)).toContain('error: jail h1 has rctl limits, and this host runs with kern.racct.enable=0 (or a kernel without RACCT): '
        + 'add kern.racct.enable=1 to /boot/loader.conf (HostSettings({ loaderTunables: { "kern.racct.enable": "1" } }) does) and reboot the host: '
        + 'a loader tunable takes effect at the next boot only, and this library never reboots a host');
      expect(Object.values(rawState(bench.host).zfs.datasets).map((d) => d.name)).not.toContain('zroot/vm/h1');
      expect(bench.host.exists('/etc/jail.conf.d/h1.conf')).toBe(false);
      expect(bench.host.exists(`${STATE}/h1.rctl`)).toBe(false);
      expect(runningJails(bench.host)).toEqual([]);
      // HostSettings ran beside it: the block after the administrator's lines; not in effect yet.
      expect(bench.host.readFile('/boot/loader.conf')).toBe("# the administrator's\nautoboot_delay=\"3\"\n"
        + '# BEGIN cdktf-freebsd-jails loader kern.racct.enable\nkern.racct.enable="1"\n# END cdktf-freebsd-jails loader kern.racct.enable\n');
      expect((await sh('sysctl -n kern.racct.enable')).out).toBe('0\n');
    }, 600_000);

    test('2. after a reboot racct is on: the apply makes the jail with its rules, cpuset and ZFS properties', async () => {
      await reboot(bench);
      expect((await sh('sysctl -n kern.racct.enable')).out).toBe('1\n');
      const r = await bench.apply();
      expectOk(r);
      expect(runningJails(bench.host)).toEqual(['h1']);
      expect(await rules()).toEqual(RULES);
      expect(await mask()).toBe('0, 1');
      expect(bench.host.readFile(`${STATE}/h1.rctl`)).toBe('jail:h1:memoryuse:deny=1g\njail:h1:maxproc:deny=200\njail:h1:writebps:throttle=10m\n');
      expect(await zget('quota,compression,recordsize,atime')).toEqual([
        ['quota', '2G', 'local'], ['compression', 'zstd', 'local'], ['recordsize', '64K', 'local'], ['atime', 'off', 'local']]);
    }, 600_000);

    test('3. a second apply runs nothing', async () => { await expectSecondApplyIdle(bench); }, 600_000);

    test('4. gone at stop, back at start; a reboot through service jail start brings them back', async () => {
      expect((await sh('service jail stop h1')).code).toBe(0);
      expect(await rules()).toEqual([]);
      expect((await sh('service jail start h1')).code).toBe(0);
      expect(await rules()).toEqual(RULES);
      const before = jid();
      const boot = await reboot(bench);
      expect(boot.start).toContain('h1');
      expect(jid()).not.toBe(before);
      expect(await rules()).toEqual(RULES);
      expect(await mask()).toBe('0, 1');
    }, 600_000);

    test('5. limits and ZFS properties changed in place: same jid, same dataset (guid, creation); a property taken out undone', async () => {
      const before = { jid: jid(), guid: dataset().guid, creation: (await zget('creation'))[0][1] };
      bench.synth(resourcesApp({ limits: CHANGED, zfsProperties: { quota: '4G', recordsize: '64K' }, loader: true }));
      const r = await bench.apply();
      expectOk(r);
      expect(r.replaced.map((a) => a.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual(['null_resource.h1_limits_resource', 'null_resource.h1_zfs-properties_resource']);
      expect({ jid: jid(), guid: dataset().guid, creation: (await zget('creation'))[0][1] }).toEqual(before);
      expect(await rules()).toEqual(CHANGED_RULES);
      expect(await mask()).toBe('1');
      expect(await zget('quota,compression,recordsize,atime')).toEqual([
        ['quota', '4G', 'local'], ['compression', 'off', 'default'], ['recordsize', '64K', 'local'], ['atime', 'on', 'default']]);
      await expectSecondApplyIdle(bench);
    }, 600_000);

    test('5a. every limit and every ZFS property taken out, the jail kept: prune clears its rules and limit files and undoes the properties', async () => {
      const guid = dataset().guid;
      bench.synth(resourcesApp({ loader: true }));
      const r = await bench.apply();
      expectOk(r);
      // No step of the jail is left to do it (the two steps left the state without a destroy): the host's prune step did.
      expect(runningJails(bench.host)).toEqual(['h1']);
      expect(await rules()).toEqual([]);
      expect([bench.host.exists(`${STATE}/h1.rctl`), bench.host.exists(`${STATE}/h1.cpuset`)]).toEqual([false, false]);
      expect(await mask()).toBe('0, 1, 2, 3');
      expect(dataset().guid).toBe(guid);
      expect(await zget('quota,recordsize,cdktf-freebsd-jails:properties')).toEqual([
        ['quota', 'none', 'default'], ['recordsize', '128K', 'default'], ['cdktf-freebsd-jails:properties', '-', '-']]);
      await expectSecondApplyIdle(bench);
    }, 600_000);

    test('5b. the jail taken out of the app: the prune step stops it (its poststop removes the rules) and removes its limit files', async () => {
      bench.synth(resourcesApp({ loader: true, jail: false }));
      expectOk(await bench.apply());
      expect(runningJails(bench.host)).toEqual([]);
      expect(await rules()).toEqual([]);
      expect([bench.host.exists(`${STATE}/h1.rctl`), bench.host.exists(`${STATE}/h1.cpuset`)]).toEqual([false, false]);
    }, 600_000);

    test('6. destroy: the rules and the limit files gone, the jail stopped', async () => {
      expectOk(await bench.destroy());
      expect(runningJails(bench.host)).toEqual([]);
      expect(await rules()).toEqual([]);
      expect(bench.host.exists(`${STATE}/h1.rctl`) || bench.host.exists(`${STATE}/h1.cpuset`)).toBe(false);
      // The HostSettings block goes; the administrator's lines stay.
      expect(bench.host.readFile('/boot/loader.conf')).toBe("# the administrator's\nautoboot_delay=\"3\"\n");
    }, 600_000);
  });
}
