/** Data datasets (JailDataset): synth-time checks, the jail's configuration (fstab, zfs.dataset, hooks), steps and scripts. */
import { FreeBsdHost, FreeBsdRelease, JailDataset, JailDatasetAttachment, JailParameter, JailRemovalPolicy } from '../../lib';
import { messageOf } from '../support/errors';
import { testScriptsLint } from '../support/scripts';
import { createScript, destroyScript, isHostPruneStep, nullResources } from '../support/synth';
import { jailStack } from './fixtures';
import { effectiveParameters, parseJailConf } from './jailconf-parser';

const { nullfs, delegated } = JailDatasetAttachment;

function dataStack(release = FreeBsdRelease.V14_5) {
  const s = jailStack({ release });
  const data = (id: string, props: Record<string, unknown> = {}) => new JailDataset(s.stack, id, { host: s.host, ...props });
  return { ...s, data };
}

describe('data datasets: synth-time checks name the construct, the prop and the value', () => {
  test('a dataset given to two jails, or twice to one', () => {
    const { jail, data } = dataStack();
    const pg = data('pg');
    jail('h1', { datasets: [nullfs(pg, '/data')] });
    expect(messageOf(() => jail('h2', { datasets: [delegated(pg)] })))
      .toBe('stack/h2: invalid datasets: the data dataset stack/pg (zroot/vm/.data/pg) is given to stack/h1 already; a data dataset belongs to exactly one jail, once');
    const box = data('box');
    expect(messageOf(() => jail('h3', { datasets: [nullfs(box, '/a'), nullfs(box, '/b')] })))
      .toBe('stack/h3: invalid datasets: the data dataset stack/box (zroot/vm/.data/box) is given to this jail already; a data dataset belongs to exactly one jail, once');
  });

  test('names: the characters, the length, unique on a host', () => {
    const { data } = dataStack();
    expect(messageOf(() => data('a', { name: '.hidden' }))).toBe('stack/a: invalid name: ".hidden" must be letters, digits, _ . and -, starting with a letter, digit or _, at most 64 characters');
    expect(messageOf(() => data('b', { name: 'x/y' }))).toContain('stack/b: invalid name: "x/y" must be letters');
    expect(messageOf(() => data('c', { name: 'a'.repeat(65) }))).toContain('must be letters');
    data('pg');
    expect(messageOf(() => data('pg2', { name: 'pg' }))).toBe('stack/pg2: invalid name: "pg": stack/pg has that name on host stack/host already; data dataset names are unique on a host');
  });

  test.each([
    [() => nullfs as any, 'data', 'stack/h1: invalid datasets: "data" must be an absolute path'],
    [() => nullfs as any, '/', 'stack/h1: invalid datasets: mount point "/" of stack/pg would hide the whole jail'],
    [() => nullfs as any, '/usr/ports/distfiles', 'stack/h1: invalid datasets: mount point "/usr/ports/distfiles" of stack/pg overlaps "/usr/ports"'],
    [() => nullfs as any, '/tmp', 'stack/h1: invalid datasets: mount point "/tmp" of stack/pg overlaps "/tmp"'],
    [() => nullfs as any, '/a b', 'stack/h1: invalid datasets: "/a b" may only contain letters, digits and . _ + @ % : , / -'],
  ])('mount path %#: %s', (_f, jailPath, message) => {
    const { jail, data } = dataStack();
    const pg = data('pg');
    expect(messageOf(() => jail('h1', {
      nullfsMounts: [{ hostPath: '/usr/ports', jailPath: '/usr/ports' }],
      mounts: [{ device: 'tmpfs', jailPath: '/tmp', type: 'tmpfs' }],
      datasets: [nullfs(pg, jailPath)],
    }))).toBe(message);
  });

  test('a delegated mount point overlapping another dataset\'s', () => {
    const { jail, data } = dataStack();
    expect(messageOf(() => jail('h1', { datasets: [nullfs(data('pg'), '/srv'), delegated(data('box'), { mountPoint: '/srv/box' })] })))
      .toBe('stack/h1: invalid datasets: mount point "/srv/box" of stack/box overlaps "/srv"');
  });

  test('delegation: its permissions cannot be turned off', () => {
    const { jail, data } = dataStack();
    expect(messageOf(() => jail('h1', { allow: { mount: false }, datasets: [delegated(data('a'))] })))
      .toBe('stack/h1: invalid datasets: a delegated dataset (stack/a) needs allow.mount; the jail sets allow.mount to false');
    expect(messageOf(() => jail('h2', { allow: { mountZfs: false }, datasets: [delegated(data('b'))] })))
      .toBe('stack/h2: invalid datasets: a delegated dataset (stack/b) needs allow.mount.zfs; the jail sets allow.mountZfs to false');
    expect(messageOf(() => jail('h3', { parameters: [JailParameter.set('enforce_statfs', '2')], datasets: [delegated(data('c'))] })))
      .toBe('stack/h3: invalid datasets: a delegated dataset (stack/c) is mounted from inside the jail only with enforce_statfs below 2 (jail(8), allow.mount.zfs); the jail\'s parameters set it to "2"');
    // A nullfs dataset needs none of them.
    expect(() => jail('h4', { allow: { mount: false }, parameters: [JailParameter.set('enforce_statfs', '2')], datasets: [nullfs(data('d'), '/d')] })).not.toThrow();
  });

  test('properties, the removal policy and the attachment type are checked', () => {
    const { jail, data } = dataStack();
    expect(messageOf(() => data('a', { zfsProperties: { quota: '10 G' } })))
      .toBe('stack/a: invalid zfsProperties: quota "10 G" is no size as zfs reads it: a number with an optional unit B, K, M, G, T, P or E (powers of 1024), like "10G" or "1.5T"');
    expect(messageOf(() => data('b', { zfsProperties: { recordsize: '3K' } }))).toContain('stack/b: invalid zfsProperties: recordsize "3K" must be a power of 2');
    expect(messageOf(() => data('c', { removalPolicy: 'keep' }))).toContain('stack/c: invalid removalPolicy');
    expect(messageOf(() => jail('h1', { datasets: ['/data' as any] })))
      .toContain('stack/h1: invalid datasets[0]: the string "/data" must be a JailDatasetAttachment, like JailDatasetAttachment.nullfs(data, "/var/db/postgres")');
  });

  test('a dataset of another host', () => {
    const { jail, stack } = dataStack();
    const other = new FreeBsdHost(stack, 'other', { address: '192.0.2.11', release: FreeBsdRelease.V14_5 });
    const d = new JailDataset(stack, 'far', { host: other });
    expect(messageOf(() => jail('h1', { datasets: [nullfs(d, '/far')] })))
      .toBe('stack/h1: invalid datasets: the data dataset stack/far is on host stack/other, the jail on stack/host');
  });
});

describe('data datasets in the jail\'s configuration', () => {
  test('nullfs: a read-write line of the jail\'s fstab (read-only on request); no delegation parameters', () => {
    const { stack, jail, data } = dataStack();
    const h = jail('h1', { datasets: [nullfs(data('pg'), '/var/db/postgres'), nullfs(data('ro'), '/srv/ro', { readOnly: true })] });
    const p = effectiveParameters(parseJailConf(h.confText), 'h1');
    expect(p['mount.fstab']).toEqual(['/vm/h1.fstab']);
    for (const k of ['allow.mount', 'allow.mount.zfs', 'enforce_statfs', 'zfs.dataset', 'exec.created']) expect(p[k]).toBeUndefined();
    const config = createScript(nullResources(stack).find((r) => r.name.startsWith('h1_config'))!);
    const fstab = /write-file '\/vm\/h1\.fstab' '0644' '([^']*)'/.exec(config)![1];
    expect(fstab.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/))).toEqual([
      ['/vm/.data/pg', '/vm/h1/var/db/postgres', 'nullfs', 'rw', '0', '0'],
      ['/vm/.data/ro', '/vm/h1/srv/ro', 'nullfs', 'ro', '0', '0'],
    ]);
    // Before the start: the dataset out of any jail's hands and mounted on the host, then the mount points.
    expect(config).toContain("if [ \"$(zfs get -H -o value jailed zroot/vm/.data/pg)\" = on ]; then zfs set jailed=off zroot/vm/.data/pg; zfs inherit mountpoint zroot/vm/.data/pg; fi");
    expect(config).toContain("dataset-mounted 'zroot/vm/.data/pg' '/vm/.data/pg'");
    expect(config.indexOf("dataset-mounted 'zroot/vm/.data/pg'")).toBeLessThan(config.indexOf('if [ ! -d /vm/.data/pg ]'));
    expect(config).toContain('[ -d /vm/h1/var/db/postgres ] || mkdir /vm/h1/var/db/postgres');
  });

  test('delegated on 15.1: zfs.dataset, allow.mount, allow.mount.zfs, enforce_statfs = 1, mount after start, unmount after stop', () => {
    const { stack, jail, data } = dataStack(FreeBsdRelease.V15_1);
    const h = jail('h1', { datasets: [delegated(data('box'), { mountPoint: '/box' }), delegated(data('raw'))] });
    const p = effectiveParameters(parseJailConf(h.confText), 'h1');
    expect(p['zfs.dataset']).toEqual(['zroot/vm/.data/box', 'zroot/vm/.data/raw']);
    expect([p['allow.mount'], p['allow.mount.zfs'], p['enforce_statfs']]).toEqual([true, true, ['1']]);
    expect(p['exec.created']).toBeUndefined();
    expect(p['exec.poststart']).toEqual(['/sbin/zfs get -H -o value mounted zroot/vm/.data/box | /usr/bin/grep -qx yes || /usr/sbin/jexec h1 /sbin/zfs mount zroot/vm/.data/box']);
    expect(p['exec.poststop']).toEqual([expect.stringContaining('resolv.conf'), '/sbin/zfs get -H -o value mounted zroot/vm/.data/box | /usr/bin/grep -qx no || /sbin/umount -f /vm/h1/box']);
    expect(p['mount.fstab']).toBeUndefined();
    const config = createScript(nullResources(stack).find((r) => r.name.startsWith('h1_config'))!);
    expect(config).toContain("[ \"$(zfs get -H -o value jailed zroot/vm/.data/box)\" = on ] || zfs set jailed=on zroot/vm/.data/box");
    expect(config).toContain("[ \"$(zfs get -H -o value mountpoint zroot/vm/.data/box)\" = /box ] || zfs set mountpoint=/box zroot/vm/.data/box");
    expect(config).toContain("|| zfs set mountpoint=none zroot/vm/.data/raw");
    // After the start, again: attached and mounted (a start cut off in exec.poststart).
    const after = config.slice(config.indexOf("jail-start 'h1'"));
    expect(after).toContain("jexec h1 zfs list -H -o name zroot/vm/.data/box >/dev/null 2>&1 || zfs jail h1 zroot/vm/.data/box");
    expect(after).toContain("jexec h1 zfs list -H -o name zroot/vm/.data/raw >/dev/null 2>&1 || zfs jail h1 zroot/vm/.data/raw");
    expect(after).toContain('zfs get -H -o value mounted zroot/vm/.data/box | grep -qx yes || jexec h1 zfs mount zroot/vm/.data/box');
    expect(after).not.toContain('zfs mount zroot/vm/.data/raw');
  });

  test('delegated on 14.5 (and an unknown release): zfs jail in exec.poststart before the mount, no zfs.dataset (an unknown parameter there)', () => {
    for (const release of [FreeBsdRelease.V14_5, undefined]) {
      const s = jailStack(release ? { release } : {});
      const box = new JailDataset(s.stack, 'box', { host: s.host });
      const h = s.jail('h1', { datasets: [delegated(box, { mountPoint: '/box' })], parameters: [JailParameter.set('enforce_statfs', '0')] });
      const p = effectiveParameters(parseJailConf(h.confText), 'h1');
      expect(p['zfs.dataset']).toBeUndefined();
      expect(p['exec.created']).toBeUndefined();
      expect(p['exec.poststart']).toEqual(['/sbin/zfs jail h1 zroot/vm/.data/box', expect.stringContaining('/usr/sbin/jexec h1 /sbin/zfs mount zroot/vm/.data/box')]);
      // The jail's own enforce_statfs below 2 is kept.
      expect([p['allow.mount'], p['allow.mount.zfs'], p['enforce_statfs']]).toEqual([true, true, ['0']]);
    }
  });

  test('steps: the dataset made once and marked (role data, under .data), its destroy by the recorded policy; the settings in place; the jail waits for both and is re-made with a new dataset', () => {
    const { stack, jail, data } = dataStack();
    const pg = data('pg', { removalPolicy: JailRemovalPolicy.DESTROY, zfsProperties: { quota: '5G', compression: 'lz4' } });
    jail('h1', { datasets: [nullfs(pg, '/data')] });
    const rs = nullResources(stack);
    const find = (prefix: string) => rs.find((r) => r.name.startsWith(prefix))!;
    const ds = find('pg_dataset');
    const settings = find('pg_settings');
    const config = find('h1_config');
    expect(createScript(ds)).toContain("dataset-create 'zroot/vm/.data/pg' 'stack:stack/pg' 'data' 'zroot/vm' '/vm' 'zroot/vm/.data'");
    expect(destroyScript(ds)).toContain("data-dataset-remove 'zroot/vm/.data/pg' 'stack:stack/pg'");
    expect(destroyScript(ds)).toContain("prune-parents 'zroot/vm/.data' 'zroot/vm'");
    // The policy is not in the dataset step: changing it never replaces (and so never destroys) the dataset.
    expect(createScript(ds)).not.toContain('destroy');
    expect(createScript(settings)).toContain("zfs set cdktf-freebsd-jails:removal=destroy zroot/vm/.data/pg");
    expect(createScript(settings)).toContain("zfs set quota=5G compression=lz4 zroot/vm/.data/pg");
    expect(settings.triggers.destroy_script ?? '').not.toContain('zfs');
    expect(config.depends_on).toEqual(expect.arrayContaining([`null_resource.${ds.name}`, `null_resource.${settings.name}`]));
    expect(config.triggers.input_data_pg).toBe(pg.datasetStep.contentHash);
    // The host's prune step removes data datasets no longer in the app, after the jails.
    const prune = createScript(nullResources(stack, { withHostPrune: true }).find(isHostPruneStep)!);
    expect(prune).toContain("data-prune 'stack' 'zroot/vm/.data' 'stack:stack/pg'");
    expect(prune.indexOf('jail-prune')).toBeLessThan(prune.indexOf('data-prune'));
  });

  test('a policy change replaces only the settings step', () => {
    const make = (removalPolicy: JailRemovalPolicy) => {
      const { stack, jail, data } = dataStack();
      jail('h1', { datasets: [nullfs(data('pg', { removalPolicy }), '/data')] });
      return nullResources(stack).filter((r) => r.name.startsWith('pg_') || r.name.startsWith('h1_'));
    };
    const a = make(JailRemovalPolicy.RETAIN);
    const b = make(JailRemovalPolicy.DESTROY);
    const changed = a.filter((r, i) => JSON.stringify(r.triggers) !== JSON.stringify(b[i].triggers)).map((r) => r.name.replace(/_[0-9A-F]{8}$/, ''));
    expect(changed).toEqual(['pg_settings_resource']);
  });
});

describe('data dataset scripts pass sh -n and shellcheck', () => {
  const { stack, jail, data } = dataStack(FreeBsdRelease.V15_1);
  jail('h1', { datasets: [nullfs(data('pg', { zfsProperties: { quota: '1G' } }), '/data'), delegated(data('box'), { mountPoint: '/box' })] });
  testScriptsLint(stack, /pg_|box_|h1_config|prune/, 8);
});
