/** Resource limits, ZFS properties of a jail's dataset and loader tunables: synth-time checks, hooks, steps, scripts. */
import { HostSettings, JailFromSnapshot, RctlResource, RctlRule, RctlSignal } from '../../lib';
import { messageOf } from '../support/errors';
import { testScriptsLint } from '../support/scripts';
import { createScript, destroyScript, nullResources } from '../support/synth';
import { jailStack, synthValidated } from './fixtures';
import { effectiveParameters, parseJailConf } from './jailconf-parser';

const { MEMORYUSE, PCPU, MAXPROC, READBPS, CPUTIME, WALLCLOCK, WRITEIOPS, OPENFILES, SWAPUSE } = RctlResource;

describe('resource limits: synth-time checks name the construct and the value', () => {
  const refused = (limits: any) => messageOf(() => jailStack().jail('h1', { limits }));
  test.each([
    [[RctlRule.deny(MEMORYUSE, '2 g')], 'stack/h1: invalid limits: "2 g" is no memoryuse amount as rctl reads it: digits with an optional unit k, m, g, t, p or e (powers of 1024), like "512m" or "2g"'],
    [[RctlRule.deny(MEMORYUSE, '2gb')], 'stack/h1: invalid limits: "2gb" is no memoryuse amount'],
    [[RctlRule.deny(MEMORYUSE, '-1')], 'stack/h1: invalid limits: "-1" is no memoryuse amount'],
    [[RctlRule.deny(PCPU, '50%')], 'stack/h1: invalid limits: "50%" is no pcpu amount: a percentage of one CPU in digits (100 is one whole CPU, 250 two and a half), like "50", without a % sign or unit'],
    [[RctlRule.deny(PCPU, '1k')], 'stack/h1: invalid limits: "1k" is no pcpu amount'],
    [[RctlRule.log(CPUTIME, '9223372036855')], 'stack/h1: invalid limits: "9223372036855" is more than rctl takes for cputime (at most 9223372036854)'],
    [[RctlRule.deny(SWAPUSE, '8e')], 'stack/h1: invalid limits: "8e" is more than rctl takes for swapuse (at most 9223372036854775807)'],
    [[RctlRule.deny(CPUTIME, '3600')], 'stack/h1: invalid limits: "cputime:deny=3600": the kernel cannot deny cputime (kern_rctl.c refuses it: Operation not supported); use log, devctl or a signal'],
    [[RctlRule.deny(WALLCLOCK, '3600')], 'the kernel cannot deny wallclock'],
    [[RctlRule.deny(READBPS, '10m')], 'stack/h1: invalid limits: "readbps:deny=10m": the kernel cannot deny readbps (kern_rctl.c refuses it: Operation not supported); use log, devctl or a signal, or throttle'],
    [[RctlRule.throttle(PCPU, '50')], 'stack/h1: invalid limits: "pcpu:throttle=50": only the i/o rates (readbps, writebps, readiops, writeiops) can be throttled'],
    [[RctlRule.throttle(MAXPROC, '50')], '"maxproc:throttle=50": only the i/o rates'],
    [[RctlRule.deny(MEMORYUSE, '1g'), RctlRule.deny(MEMORYUSE, '2g')], 'stack/h1: invalid limits: "memoryuse:deny=1g" and "memoryuse:deny=2g" have the same resource and action; rctl keeps only one of them'],
    [[RctlRule.deny('nosuch' as any, '1')], 'stack/h1: invalid limits: "nosuch" is no rctl resource (RctlResource lists them)'],
    [['memoryuse:deny=1g'], 'stack/h1: invalid limits.rules[0]: the string "memoryuse:deny=1g" must be a RctlRule, like RctlRule.deny(RctlResource.MEMORYUSE, "2g")'],
  ])('%j', (rules, message) => {
    expect(refused({ rules })).toContain(message);
  });

  test.each([
    ['0-', 'stack/h1: invalid limits: "0-" is no CPU list as cpuset reads it: CPU numbers and ranges joined by commas, like "0-3" or "0,2,4-5"'],
    ['0,,1', 'is no CPU list'],
    ['all', 'is no CPU list'],
    ['a', 'is no CPU list'],
    ['5-2', 'stack/h1: invalid limits: "5-2": the range 5-2 runs backwards (cpuset would take it as no CPU at all); write 2-5'],
    ['0,1024', 'stack/h1: invalid limits: "0,1024": CPU 1024 exceeds the maximum of 1023'],
  ])('cpus %j', (cpus, message) => {
    expect(refused({ cpus })).toContain(message);
  });

  test('empty limits are refused; a wrong type is named', () => {
    expect(refused({})).toBe('stack/h1: invalid limits: no rules and no cpus given; leave limits out instead');
    expect(refused({ cpus: 3 })).toContain('stack/h1: invalid limits.cpus: the number 3 must be a string');
  });

  test('allowed: deny on memoryuse and pcpu, throttle on i/o rates, signals, log and devctl anywhere, units', () => {
    const { jail } = jailStack();
    expect(() => jail('h1', {
      limits: {
        rules: [RctlRule.deny(MEMORYUSE, '2G'), RctlRule.deny(PCPU, '250'), RctlRule.throttle(READBPS, '10m'), RctlRule.throttle(WRITEIOPS, '100'),
          RctlRule.signal(CPUTIME, '3600', RctlSignal.SIGXCPU), RctlRule.log(WALLCLOCK, '86400'), RctlRule.devctl(OPENFILES, '1k'), RctlRule.log(MEMORYUSE, '1g')],
        cpus: '0,2-3',
      },
    })).not.toThrow();
  });
});

describe('resource limits: jail.conf hooks, the limits step, no restart on a change', () => {
  const limits = { rules: [RctlRule.deny(MEMORYUSE, '2g'), RctlRule.deny(MAXPROC, '100')], cpus: '0-1' };

  test('the hooks: rules added at prestart, the cpuset at poststart, rules removed at poststop; the resolv.conf hooks stay', () => {
    const { jail } = jailStack();
    const h = jail('h1', { limits });
    const p = effectiveParameters(parseJailConf(h.confText), 'h1');
    const state = '/var/db/cdktf-freebsd-jails/jails';
    expect(p['exec.prestart']).toEqual([
      expect.stringContaining('/bin/cp /etc/resolv.conf /vm/h1/etc/resolv.conf'),
      `/usr/bin/rctl -r jail:h1 >/dev/null 2>&1; /usr/bin/xargs /usr/bin/rctl -a < ${state}/h1.rctl`,
    ]);
    expect(p['exec.poststart']).toEqual([`/usr/bin/xargs /usr/bin/cpuset -j h1 -l < ${state}/h1.cpuset`]);
    expect(p['exec.created']).toBeUndefined();
    expect(p['exec.poststop']).toEqual([expect.stringContaining('/bin/rm -f /vm/h1/etc/resolv.conf'), '/usr/bin/rctl -r jail:h1 >/dev/null 2>&1; exit 0']);
    // Only a cpuset: no rctl hooks (they would need racct).
    const c = effectiveParameters(parseJailConf(jail('h2', { limits: { cpus: '1' } }).confText), 'h2');
    expect(c['exec.prestart']).toHaveLength(1);
    expect(c['exec.poststart']).toEqual([`/usr/bin/xargs /usr/bin/cpuset -j h2 -l < ${state}/h2.cpuset`]);
  });

  const steps = (l: any, zfs?: any) => {
    const { stack, jail } = jailStack();
    const h: JailFromSnapshot = jail('h1', { limits: l, zfsProperties: zfs });
    synthValidated(stack);
    const rs = nullResources(stack);
    const find = (p: string) => rs.find((r) => r.name.startsWith(p));
    return { h, limits: find('h1_limits'), config: find('h1_config')!, dataset: find('h1_dataset')!, zfs: find('h1_zfs-properties') };
  };

  test('a limits-only change changes the limits step and leaves the conf, the config and the dataset step as they were', () => {
    const a = steps(limits);
    const b = steps({ rules: [RctlRule.deny(MEMORYUSE, '4g')], cpus: '2-3' });
    expect(b.h.confText).toBe(a.h.confText);
    expect(b.config.triggers.content_hash).toBe(a.config.triggers.content_hash);
    expect(b.dataset.triggers.content_hash).toBe(a.dataset.triggers.content_hash);
    expect(b.limits!.triggers.content_hash).not.toBe(a.limits!.triggers.content_hash);
    // The config step sets the cpuset again after its start (fixed text: the value is in the file).
    expect(createScript(a.config)).toContain("echo '==> jail h1: its cpuset'\n/usr/bin/xargs /usr/bin/cpuset -j h1 -l < /var/db/cdktf-freebsd-jails/jails/h1.cpuset\n");
    // The limits come first: a host without racct fails before the dataset or the conf is made.
    expect(a.dataset.depends_on).toContain(`null_resource.${a.limits!.name}`);
    expect(a.config.depends_on).toContain(`null_resource.${a.limits!.name}`);
  });

  test('the limits step: racct preflight with the message, files, rules replaced and cpuset set only in a running jail', () => {
    const { limits: l } = steps(limits);
    const create = createScript(l!);
    expect(create).toContain('if [ "$(sysctl -n kern.racct.enable 2>/dev/null || :)" != 1 ]; then echo \'error: jail h1 has rctl limits, and this host runs with kern.racct.enable=0 (or a kernel without RACCT): add kern.racct.enable=1 to /boot/loader.conf (HostSettings({ loaderTunables: { "kern.racct.enable": "1" } }) does) and reboot the host: a loader tunable takes effect at the next boot only, and this library never reboots a host\' >&2; exit 1; fi');
    expect(create).toContain("write-file '/var/db/cdktf-freebsd-jails/jails/h1.rctl' '0644' 'jail:h1:memoryuse:deny=2g\njail:h1:maxproc:deny=100\n'");
    expect(create).toContain("write-file '/var/db/cdktf-freebsd-jails/jails/h1.cpuset' '0644' '0-1\n'");
    expect(create).toContain([
      'if jls -j h1 >/dev/null 2>&1; then',
      '  if [ -n "$(rctl jail:h1)" ]; then rctl -r jail:h1; fi',
      '  rctl -a jail:h1:memoryuse:deny=2g jail:h1:maxproc:deny=100',
      '  cpuset -l 0-1 -j h1',
      'fi'].join('\n'));
    expect(create).toContain('if [ "$ncpu" -le 1 ]; then echo "error: jail h1: cpus 0-1 names CPU 1, and this host has $ncpu CPUs (0 to $((ncpu - 1)))" >&2; exit 1; fi');
    expect(destroyScript(l!)).toContain(`"$cfj" jail-limits-clear 'h1'`);
    // Only a cpuset: no racct needed, the rules file removed.
    const c = createScript(steps({ cpus: '3' }).limits!);
    expect(c).not.toContain('kern.racct.enable');
    expect(c).toContain('rm -f /var/db/cdktf-freebsd-jails/jails/h1.rctl');
  });

  test('no limits: no limits step, no hooks', () => {
    const s = steps(undefined);
    expect(s.limits).toBeUndefined();
    expect(s.h.confText).not.toContain('rctl');
  });
});

describe('ZFS properties of a jail dataset', () => {
  const refused = (zfsProperties: any) => messageOf(() => jailStack().jail('h1', { zfsProperties }));
  test.each([
    [{ quota: 'lots' }, 'stack/h1: invalid zfsProperties: quota "lots" is no size as zfs reads it: a number with an optional unit B, K, M, G, T, P or E (powers of 1024), like "10G" or "1.5T"'],
    [{ quota: '1X' }, 'quota "1X" is no size'],
    [{ reservation: '10 G' }, 'reservation "10 G" is no size'],
    [{ refquota: '20E' }, 'stack/h1: invalid zfsProperties: refquota "20E" is too large for zfs'],
    [{ compression: 'brotli' }, 'stack/h1: invalid zfsProperties: compression "brotli" must be one of on, off, lzjb, gzip, gzip-[1-9], zle, lz4, zstd, zstd-[1-19], zstd-fast, zstd-fast-[1-10,20,30,40,50,60,70,80,90,100,500,1000]'],
    [{ compression: 'gzip-10' }, 'compression "gzip-10" must be one of'],
    [{ compression: 'zstd-fast-11' }, 'compression "zstd-fast-11" must be one of'],
    [{ recordsize: '3K' }, 'stack/h1: invalid zfsProperties: recordsize "3K" must be a power of 2 from 512B to 16M, like "128K" or "1M"'],
    [{ recordsize: '256' }, 'recordsize "256" must be a power of 2'],
    [{ recordsize: '32M' }, 'recordsize "32M" must be a power of 2'],
    [{ atime: 'off' }, 'stack/h1: invalid zfsProperties.atime: the string "off" must be true or false'],
    [{}, 'stack/h1: invalid zfsProperties: no property given; leave zfsProperties out instead'],
  ])('%j', (props, message) => {
    expect(refused(props)).toContain(message);
  });

  test('a step of its own, after the dataset, made again only with a new dataset; no trigger of the dataset or config step', () => {
    const { stack, jail } = jailStack();
    const a = jail('h1', { zfsProperties: { quota: '10G', compression: 'zstd-3', recordsize: '1M', atime: false, reservation: 'none' } });
    const b = jailStack().jail('h1', { zfsProperties: { quota: '20G' } });
    expect(a.datasetStep.contentHash).toBe(b.datasetStep.contentHash);
    expect(a.configStep.contentHash).toBe(b.configStep.contentHash);
    synthValidated(stack);
    const r = nullResources(stack).find((x) => x.name.startsWith('h1_zfs-properties'))!;
    expect(r.triggers.input_dataset).toBe(a.datasetStep.contentHash);
    expect(r.depends_on).toContain(`null_resource.${nullResources(stack).find((x) => x.name.startsWith('h1_dataset'))!.name}`);
    const create = createScript(r);
    expect(create).toContain("zfs set quota=10G reservation=none compression=zstd-3 recordsize=1M atime=off zroot/vm/h1\nzfs set cdktf-freebsd-jails:properties=quota,reservation,compression,recordsize,atime zroot/vm/h1");
    // Those recorded and no longer set are undone first (the helper's jail-zfs-properties-undo, KEEP the ones set).
    expect(create.indexOf(`"$cfj" jail-zfs-properties-undo 'zroot/vm/h1' 'quota' 'reservation' 'compression' 'recordsize' 'atime'`))
      .toBeLessThan(create.indexOf('zfs set quota=10G'));
    expect(destroyScript(r)).toContain(`"$cfj" jail-zfs-properties-undo 'zroot/vm/h1'\n`);
  });
});

describe('loader tunables', () => {
  test('kern.racct.enable given as a sysctl is refused, naming loaderTunables and the source', () => {
    const { stack, host } = jailStack();
    expect(messageOf(() => new HostSettings(stack, 'racct', { host, sysctl: { 'kern.racct.enable': '1' } }))).toBe(
      'stack/racct: invalid settings: "kern.racct.enable" is a loader tunable, read only at run time (sys/kern/kern_racct.c (SYSCTL_BOOL, CTLFLAG_RDTUN)): '
      + 'sysctl kern.racct.enable=1 fails on the host; give it as loaderTunables: { "kern.racct.enable": "1" } (set in /boot/loader.conf, in effect from the next boot)');
  });

  test.each([
    [{ 'kern racct': '1' }, 'stack/s: invalid settings: "kern racct" is not a valid loader tunable name'],
    [{ 'kern.racct.enable': '1"' }, 'stack/s: invalid settings: "1\\"" is not a valid loader tunable value'],
    [{ 'kern.racct.enable': 1 }, 'stack/s: invalid loaderTunables.kern.racct.enable: the number 1 must be a string'],
  ])('%j refused', (loaderTunables, message) => {
    const { stack, host } = jailStack();
    expect(messageOf(() => new HostSettings(stack, 's', { host, loaderTunables: loaderTunables as any }))).toContain(message);
  });

  test('a managed block per tunable in /boot/loader.conf, the file held; the step says it takes effect at the next boot', () => {
    const { stack, host } = jailStack();
    new HostSettings(stack, 's', { host, loaderTunables: { 'kern.racct.enable': '1', 'zfs_load': 'YES' } });
    synthValidated(stack);
    const create = createScript(nullResources(stack).find((r) => r.name.startsWith('s_apply'))!);
    expect(create).toContain("'file' '/boot/loader.conf' '-' 'loader' 'kern.racct.enable' '1' 'loader' 'zfs_load' 'YES'");
    expect(create).toContain("echo '==> kern.racct.enable, zfs_load: set in /boot/loader.conf; loader tunables take effect at the next boot (this library never reboots a host)'");
  });
});

describe('all scripts with limits, ZFS properties and loader tunables pass sh -n and shellcheck', () => {
  const { stack, jail, host } = jailStack();
  jail('h1', { limits: { rules: [RctlRule.deny(MEMORYUSE, '2g')], cpus: '0-1' }, zfsProperties: { quota: '10G', atime: false } });
  new HostSettings(stack, 'racct', { host, loaderTunables: { 'kern.racct.enable': '1' } });
  testScriptsLint(stack, /limits|zfs-properties|racct|h1_config/, 8);
});
