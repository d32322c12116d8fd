/**
 * Issue 23, data datasets, on the fake host (real terraform engine), 14.5 and 15.1: a jail h1
 * with a nullfs data dataset (`files` at /srv/files) and a delegated one (`box`, mounted by the
 * jail at /box; 15.1 attaches it with zfs.dataset, 14.5 with zfs jail in exec.poststart). Data
 * written inside the jail survives its re-creation from a new template snapshot; the delegated
 * dataset is visible and mounted inside and detached when the jail stops; both come back after a
 * reboot; RETAIN on removal keeps the content and a later apply adopts it; DESTROY removes it; a
 * second apply runs nothing.
 */
import { JailRemovalPolicy } from '../../lib';
import { Bench, describeOnFakeHost } from './scenarios/bench';
import { dataApp as anyHostApp, DataProps } from './scenarios/data';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { reboot } from './scenarios/resources';
import { datasetNames, rawState, runningJails } from './scenarios/view';

const { RETAIN, DESTROY } = JailRemovalPolicy;
const FILES = 'zroot/vm/.data/files';
const BOX = 'zroot/vm/.data/box';

for (const release of ['14.5-RELEASE-p1', '15.1-RELEASE']) {
  describeOnFakeHost(`data datasets on the fake host (${release})`, () => {
    let bench: Bench;
    const dataApp = (props: DataProps) => anyHostApp({ ...props, hostRelease: release });
    const sh = async (cmd: string, input?: string) => {
      const r = await bench.host.hostExec(cmd, input);
      return { code: r.code, out: r.stdout, err: r.stderr };
    };
    const ds = (name: string) => Object.values(rawState(bench.host).zfs.datasets).find((d) => d.name === name);
    const h1 = () => Object.values(rawState(bench.host).jails.running).find((j) => j.name === 'h1') as { jid: number; zfsDatasets?: string[] } | undefined;
    const nullfsMounts = () => rawState(bench.host).mounts.filter((m) => m.type === 'nullfs').map((m) => [m.src, m.dst]);
    const inside = async (file: string) => (await sh(`jexec h1 cat ${file}`)).out;
    const zget = async (props: string, name: string) => (await sh(`zfs get -H -o value ${props} ${name}`)).out.trim().split('\n');

    /** h1 runs with files through nullfs and box attached and mounted from inside. */
    const expectAttached = async () => {
      expect(runningJails(bench.host)).toEqual(['h1']);
      expect(nullfsMounts()).toEqual([['/vm/.data/files', '/vm/h1/srv/files']]);
      expect(h1()!.zfsDatasets).toEqual([BOX]);
      expect(ds(BOX)).toMatchObject({ mounted: true, mountedAt: '/vm/h1/box' });
      expect((await sh('jexec h1 zfs list -H -o name')).out.split('\n')).toContain(BOX);
      expect((await sh('jexec h1 zfs mount')).out).toMatch(new RegExp(`^${BOX}\\s+/box$`, 'm'));
    };

    beforeAll(async () => { bench = await Bench.start({ release }); }, 120_000);
    afterAll(async () => { await bench?.stop(); });

    test('1. made and given: files mounted on the host and through the jail\'s fstab; box jailed, attached by the jail\'s configuration, mounted inside', async () => {
      bench.synth(dataApp({ files: RETAIN, box: RETAIN }));
      expectOk(await bench.apply());
      expect(ds(FILES)).toMatchObject({ mounted: true, mountedAt: '/vm/.data/files' });
      expect(await zget('cdktf-freebsd-jails:owner,cdktf-freebsd-jails:role,cdktf-freebsd-jails:removal,compression,jailed', FILES))
        .toEqual(['lab:lab/files', 'data', 'retain', 'lz4', 'off']);
      expect(await zget('cdktf-freebsd-jails:role,jailed,mountpoint', BOX)).toEqual(['data', 'on', '/box']);
      await expectAttached();
      const conf = bench.host.readFile('/etc/jail.conf.d/h1.conf');
      if (release.startsWith('15.')) {
        expect(conf).toContain(`zfs.dataset = "${BOX}";`);
        expect(conf).not.toContain('/sbin/zfs jail');
      } else {
        expect(conf).toContain(`exec.poststart += "/sbin/zfs jail $name ${BOX}";`);
        expect(conf).not.toContain('zfs.dataset');
      }
      // The jail's own datasets are not visible inside.
      expect((await sh('jexec h1 zfs list -H -o name')).out.split('\n')).not.toContain('zroot/vm/h1');
    }, 600_000);

    test('2. data written inside the jail lands in the datasets; a second apply runs nothing', async () => {
      expect((await sh('jexec h1 tee /srv/files/hello.txt', 'through nullfs\n')).code).toBe(0);
      expect((await sh('jexec h1 tee /box/inside.txt', 'in the delegated dataset\n')).code).toBe(0);
      expect(bench.host.readFile('/vm/.data/files/hello.txt')).toBe('through nullfs\n');
      await expectSecondApplyIdle(bench);
    }, 600_000);

    test('3. the jail made again from a new template snapshot gets both back, with their content', async () => {
      const before = { jid: h1()!.jid, origin: ds('zroot/vm/h1')!.origin, files: ds(FILES)!.guid, box: ds(BOX)!.guid };
      bench.synth(dataApp({ files: RETAIN, box: RETAIN, generation: 2 }));
      const r = await bench.apply();
      expectOk(r);
      expect(ds('zroot/vm/h1')!.origin).not.toBe(before.origin);
      expect(h1()!.jid).not.toBe(before.jid);
      expect({ files: ds(FILES)!.guid, box: ds(BOX)!.guid }).toEqual({ files: before.files, box: before.box });
      // The data datasets' own steps were not touched.
      expect([...r.created, ...r.replaced, ...r.destroyed].filter((a) => /files|box/.test(a))).toEqual([]);
      await expectAttached();
      expect(await inside('/srv/files/hello.txt')).toBe('through nullfs\n');
      expect(await inside('/box/inside.txt')).toBe('in the delegated dataset\n');
      await expectSecondApplyIdle(bench);
    }, 600_000);

    test('4. stopped: box detached and unmounted, the nullfs mount gone; a reboot brings both back with no library present', async () => {
      expect((await sh('service jail stop h1')).code).toBe(0);
      expect(runningJails(bench.host)).toEqual([]);
      expect(ds(BOX)!.mounted).toBe(false);
      expect(nullfsMounts()).toEqual([]);
      expect((await sh('service jail start h1')).code).toBe(0);
      await expectAttached();
      const boot = await reboot(bench);
      expect(boot.start).toContain('h1');
      await expectAttached();
      expect(await inside('/srv/files/hello.txt')).toBe('through nullfs\n');
      expect(await inside('/box/inside.txt')).toBe('in the delegated dataset\n');
    }, 600_000);

    test('5. RETAIN: both taken out of the app stay with their content, attached to nothing; declared again, adopted', async () => {
      const guids = { files: ds(FILES)!.guid, box: ds(BOX)!.guid };
      bench.synth(dataApp({ generation: 2 }));
      expectOk(await bench.apply());
      expect(runningJails(bench.host)).toEqual(['h1']);
      expect(nullfsMounts()).toEqual([]);
      expect(h1()!.zfsDatasets ?? []).toEqual([]);
      expect({ files: ds(FILES)?.guid, box: ds(BOX)?.guid }).toEqual(guids);
      expect(bench.host.readFile('/vm/.data/files/hello.txt')).toBe('through nullfs\n');
      expect(bench.host.readFile('/etc/jail.conf.d/h1.conf')).not.toContain('.data');
      await expectSecondApplyIdle(bench);
      bench.synth(dataApp({ files: RETAIN, box: RETAIN, generation: 2 }));
      expectOk(await bench.apply());
      expect({ files: ds(FILES)?.guid, box: ds(BOX)?.guid }).toEqual(guids);
      await expectAttached();
      expect(await inside('/box/inside.txt')).toBe('in the delegated dataset\n');
      expect(await inside('/srv/files/hello.txt')).toBe('through nullfs\n');
    }, 600_000);

    test('6. DESTROY: the policy changed in place, then both taken out of the app are destroyed', async () => {
      bench.synth(dataApp({ files: DESTROY, box: DESTROY, generation: 2 }));
      const r = await bench.apply();
      expectOk(r);
      expect(r.replaced.map((a) => a.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual(['null_resource.box_settings_resource', 'null_resource.files_settings_resource']);
      expect(await zget('cdktf-freebsd-jails:removal', FILES)).toEqual(['destroy']);
      bench.synth(dataApp({ generation: 2 }));
      expectOk(await bench.apply());
      expect(datasetNames(bench.host, 'zroot/vm/.data')).toEqual([]);
      expect(runningJails(bench.host)).toEqual(['h1']);
      expect(nullfsMounts()).toEqual([]);
      await expectSecondApplyIdle(bench);
    }, 600_000);

    test('7. destroy with a retained dataset: it alone is left', async () => {
      bench.synth(dataApp({ files: RETAIN, generation: 2 }));
      expectOk(await bench.apply());
      expect((await sh('jexec h1 tee /srv/files/kept.txt', 'kept\n')).code).toBe(0);
      expectOk(await bench.destroy());
      expect(runningJails(bench.host)).toEqual([]);
      expect(datasetNames(bench.host, 'zroot/vm/.data')).toEqual(['zroot/vm/.data', FILES]);
      expect(bench.host.readFile('/vm/.data/files/kept.txt')).toBe('kept\n');
    }, 600_000);
  });
}
