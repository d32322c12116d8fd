import { Testing, TerraformStack } from 'cdktf';
import { FreeBsdHost, FreeBsdRelease, ZfsTemplate, ZfsTemplateProps } from '../../lib';
import { createScript, destroyScript, isHostPruneStep, nullResources } from '../support/synth';

function build(props: Partial<ZfsTemplateProps> = {}, hostProps: Record<string, unknown> = {}) {
  const stack = new TerraformStack(Testing.app(), 'test');
  const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', privateKeyPath: '/k', ...hostProps });
  const template = new ZfsTemplate(stack, 'template', { host, release: FreeBsdRelease.V14_3, ...props });
  const [resource] = nullResources(stack);
  return { template, resource, create: createScript(resource), destroy: destroyScript(resource) };
}

/** Index of the first line matching, to assert the order of actions. */
function at(script: string, pattern: RegExp): number {
  const i = script.split('\n').findIndex((l) => pattern.test(l));
  if (i < 0) throw new Error(`no line matches ${pattern}`);
  return i;
}

describe('ZfsTemplate', () => {
  test('the notebook layout: zroot/vm at /vm, tmpl, one dataset per release, snapshot p3', () => {
    const { template } = build({ release: FreeBsdRelease.of('14.3'), snapshotName: 'p3' });
    expect(template.datasetName).toBe('zroot/vm/tmpl/14.3');
    expect(template.path).toBe('/vm/tmpl/14.3');
    expect(template.snapshot).toBe('zroot/vm/tmpl/14.3@p3');
    expect(template.release).toBe(FreeBsdRelease.V14_3);
  });

  test('the script does the notebook\'s nine steps in order', () => {
    const { create } = build({ release: FreeBsdRelease.of('14.3'), snapshotName: 'p3', portsSupport: true });
    const order = [
      // 1. datasets: the template's, with its parents made in the same hold of the zfs-parents lock
      /"\$cfj" dataset-create 'zroot\/vm\/tmpl\/14.3' 'test:test\/template' 'template' 'zroot\/vm' '\/vm' 'zroot\/vm\/tmpl'$/,
      /fetch -q -o "\$dl\/base.txz" https:\/\/download.freebsd.org\/releases\/amd64\/amd64\/14.3-RELEASE\/base.txz/, // 2.
      /have=\$\(sha256 -q "\$dl\/base.txz"\)/,
      /tar -xpf "\$dl\/base.txz" -C \/vm\/tmpl\/14.3/, // 3.
      /cp -p \/etc\/localtime \/vm\/tmpl\/14.3\/etc\/localtime/, // 4.
      /"\$cfj" write-file '\/vm\/tmpl\/14.3\/etc\/rc.conf' '0644'/, // 5. (atomic, only on change)
      /"\$cfj" sed-file '\/vm\/tmpl\/14.3\/etc\/crontab' '\/\^\[\^#\]\.\*adjkerntz\/s\/\^\/#\/'/, // 6.
      /mkdir -p \/vm\/tmpl\/14.3\/usr\/ports \/vm\/tmpl\/14.3\/var\/ports\/distfiles \/vm\/tmpl\/14.3\/var\/ports\/packages/, // 7.
      /^fu_base=\/vm\/tmpl\/14.3$/, // 8. freebsd-update (lib/shell/freebsd-update.ts)
      /^fu fetch$/,
      /^  fu install$/,
      /^zfs snapshot zroot\/vm\/tmpl\/14.3@p3$/, // 9.
    ];
    const positions = order.map((p) => at(create, p));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  test('rc.conf has the notebook defaults, overridable and extendable', () => {
    const { create } = build({ rcConf: { cron_enable: 'YES', sshd_enable: 'NO' } });
    expect(create).toContain('cron_enable="YES"\nsendmail_enable="NO"\nsendmail_submit_enable="NO"\nsendmail_outbound_enable="NO"\nsendmail_msp_queue_enable="NO"\nsyslogd_flags="-ss"\nsshd_enable="NO"\n');
    const replaced = build({ rcConf: { sshd_enable: 'NO' }, replaceRcConfDefaults: true }).create;
    expect(replaced).not.toContain('sendmail_enable');
  });

  test('a pinned digest is the trust anchor: no MANIFEST is fetched', () => {
    const digest = 'a'.repeat(64);
    const { create } = build({ digests: { base: digest } });
    expect(create).not.toContain('MANIFEST');
    expect(create).toContain(`want=${digest}`);
  });

  test('without a pin the digest comes from MANIFEST, and every set is verified before any is extracted', () => {
    const { create } = build({ extraSets: ['lib32', 'src'] });
    expect(create).toContain('fetch -q -o "$dl/MANIFEST"');
    const lastVerify = Math.max(...['base', 'lib32', 'src'].map((s) => at(create, new RegExp(`have=\\$\\(sha256 -q "\\$dl/${s}.txz"\\)`))));
    const firstExtract = at(create, /tar -xpf/);
    expect(lastVerify).toBeLessThan(firstExtract);
    expect(create).toContain('zfs set cdktf-freebsd-jails:extracted=base:manifest,lib32:manifest,src:manifest');
  });

  test('the mirror and architecture shape the URL', () => {
    const { create } = build({ release: FreeBsdRelease.of('15.0'), arch: 'arm64', mirror: 'http://mirror.local/pub/FreeBSD/releases/' });
    expect(create).toContain('http://mirror.local/pub/FreeBSD/releases/arm64/aarch64/15.0-RELEASE/base.txz');
  });

  test('a finished template is left alone: the script exits early when the snapshot exists', () => {
    const { create } = build({ snapshotName: 'p3' });
    expect(at(create, /zfs list -H -t snapshot -o name zroot\/vm\/tmpl\/14.3@p3/)).toBeLessThan(at(create, /zfs create/));
  });

  test('freebsd-update can be turned off, ports support is off by default', () => {
    const { create } = build({ freebsdUpdate: false });
    expect(create).not.toContain('freebsd-update');
    expect(create).not.toContain('make.conf');
  });

  test('the default snapshot name follows the inputs, so a change never lands under existing clones', () => {
    const a = build().template.snapshotName;
    expect(a).toMatch(/^t[0-9a-f]{8}$/);
    expect(build().template.snapshotName).toBe(a);
    expect(build({ rcConf: { cron_enable: 'YES' } }).template.snapshotName).not.toBe(a);
  });

  test('destroy removes only its own dataset and refuses while live clones exist, naming them', () => {
    const { destroy } = build({ snapshotName: 'p3' });
    expect(destroy).toContain(`"$cfj" owned-by 'zroot/vm/tmpl/14.3' 'test:test/template'`); // exact owner match, by the helper
    expect(destroy).toContain(`awk -F '\\t' -v p=zroot/vm/tmpl/14.3@ 'index($2, p) == 1 && $3 != "retired" { print $1 }'`);
    expect(destroy).toContain('these datasets are clones of its snapshots:');
    expect(at(destroy, /exit 1/)).toBeLessThan(at(destroy, /zfs destroy -r zroot\/vm\/tmpl\/14.3/));
    expect(destroy).toMatch(/"\$cfj" prune-parents 'zroot\/vm\/tmpl' 'zroot\/vm'$/m); // empty managed parents, innermost first
  });

  test('with only retained (retired) clones left, destroy retains the template beside them instead', () => {
    const { destroy } = build({ snapshotName: 'p3' });
    const retainedCheck = at(destroy, /\$3 == "retired"/);
    expect(retainedCheck).toBeGreaterThan(at(destroy, /exit 1/));
    // The helper's retire: renamed to zroot/vm/.retired/template-14.3-<UTC time>, canmount=noauto,
    // role=retired (its behaviour is tested in test/shell/host-helper.test.ts).
    expect(at(destroy, /"\$cfj" retire 'zroot\/vm\/tmpl\/14.3' 'zroot\/vm' '\/vm' 'template-14.3'$/)).toBeGreaterThan(retainedCheck);
  });

  test('a template newer than the host release is refused; the mirror is not part of the template identity', () => {
    expect(() => build({ release: FreeBsdRelease.of('15.0') }, { release: FreeBsdRelease.of('14.3') })).toThrow(/test\/template: invalid release: "15.0-RELEASE" is newer than the host's 14.3-RELEASE/);
    expect(build({ release: FreeBsdRelease.of('13.5') }, { release: FreeBsdRelease.of('14.3') }).template.release.name).toBe('13.5-RELEASE');
    expect(build({ mirror: 'http://mirror.local/releases' }).template.snapshotName).toBe(build().template.snapshotName);
  });

  test('a partial extraction is cleared before extracting again; a foreign snapshot is never used', () => {
    const { create } = build({ snapshotName: 'p3' });
    expect(at(create, /holds a partial extraction: recreating it empty/)).toBeLessThan(at(create, /tar -xpf/));
    expect(at(create, /exists on a dataset not managed by test:test\/template; refusing to use it/)).toBeLessThan(at(create, /nothing to do/));
  });

  test('the template step runs after the host\'s prune step, as every step that makes datasets under the jail root', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', release: FreeBsdRelease.of('14.3') });
    new ZfsTemplate(stack, 'template', { host, release: FreeBsdRelease.V14_3 });
    const all = nullResources(stack, { withHostPrune: true });
    const prune = all.find(isHostPruneStep)!;
    const build = all.find((r) => r.name.startsWith('template_build'))!;
    expect(build.depends_on).toContain(`null_resource.${prune.name}`);
    expect(prune.depends_on ?? []).not.toContain(`null_resource.${build.name}`);
  });

  test.each([
        [{ arch: 'sparc64' }, /invalid arch: "sparc64"/],
    [{ mirror: 'https://x/$(reboot)' }, /invalid mirror/],
    [{ extraSets: ['lib32', 'lib32'] }, /lists a set twice/],
    [{ extraSets: ['base'] }, /always extracted/],
    [{ digests: { base: 'xyz' } }, /invalid digests.base: "xyz"/],
    [{ digests: { src: 'a'.repeat(64) } }, /"src" is not among the extracted sets/],
    [{ snapshotName: 'p3;reboot' }, /invalid snapshotName: "p3;reboot"/],
    [{ name: 'a/b' }, /invalid name: "a\/b"/],
    [{ rcConf: { 'bad-name': 'x' } }, /test\/template: invalid rcConf: "bad-name"/],
  ])('refuses bad input %j', (props, message) => {
    expect(() => build(props as Partial<ZfsTemplateProps>)).toThrow(message);
  });
});
