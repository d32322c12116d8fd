// FreeBsdRelease: the release table with end-of-life dates (FREEBSD.md, "Releases and updates"),
// the synth-time warning past end of life, and a default that is a supported release.
import { App, Testing, TerraformStack } from 'cdktf';
import { DEFAULT_TEMPLATE_RELEASE, FreeBsdHost, FreeBsdRelease, JailFromSnapshot, JailHost, JailSource, JailUpdate, ZfsTemplate } from '../../lib';
import { NotebookStack } from '../../examples/notebook/main';

/** A pinned host key: an unpinned host warns of that too (test/host/host-key.test.ts). */
const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfTheJailHostForTests0000000000000000';

/** Warnings and infos cdktf collected on a stack (what `cdktf synth` prints). */
function messages(stack: TerraformStack): { level: string; text: string; path: string }[] {
  Testing.synth(stack);
  const out: { level: string; text: string; path: string }[] = [];
  for (const c of stack.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type === '@cdktf/warn' || m.type === '@cdktf/info' || m.type === '@cdktf/error') out.push({ level: m.type, text: String(m.data), path: c.node.path });
    }
  }
  return out;
}

describe('FreeBsdRelease', () => {
  test('the table has the published end-of-life dates; of() returns the table entry', () => {
    expect(FreeBsdRelease.known().map((r) => [r.version, r.endOfLife])).toEqual([
      ['13.5', '2026-04-30'], ['14.3', '2026-06-30'], ['14.4', '2026-12-31'], ['14.5', '2027-06-30'], ['15.0', '2026-09-30'], ['15.1', '2027-03-31'],
    ]);
    expect(FreeBsdRelease.of('14.4')).toBe(FreeBsdRelease.V14_4);
    expect(FreeBsdRelease.of('14.4-RELEASE')).toBe(FreeBsdRelease.V14_4);
    expect(FreeBsdRelease.V14_4.name).toBe('14.4-RELEASE');
    const future = FreeBsdRelease.of('15.3');
    expect([future.name, future.major, future.minor, future.endOfLife]).toEqual(['15.3-RELEASE', 15, 3, undefined]);
  });

  test.each([['16.0', /"16.0" is not a supported release/], ['14', /"14" must look like 14.3/], ['14.3; reboot', /must look like/]])('of(%j) is refused', (value, error) => {
    expect(() => FreeBsdRelease.of(value)).toThrow(error);
  });

  test('past end of life means after the last supported day (UTC)', () => {
    expect(FreeBsdRelease.V14_3.isPastEndOfLife(new Date('2026-06-30T23:59:59Z'))).toBe(false);
    expect(FreeBsdRelease.V14_3.isPastEndOfLife(new Date('2026-07-01T00:00:00Z'))).toBe(true);
    expect(FreeBsdRelease.of('15.3').isPastEndOfLife(new Date('2099-01-01T00:00:00Z'))).toBe(false);
  });

  test('the default template release is a constant of the library, supported on 2026-12-01', () => {
    expect(DEFAULT_TEMPLATE_RELEASE).toBe(FreeBsdRelease.V14_5);
    expect(DEFAULT_TEMPLATE_RELEASE.isPastEndOfLife(new Date('2026-12-01T00:00:00Z'))).toBe(false);
    const stack = new TerraformStack(Testing.app(), 'test');
    const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', release: FreeBsdRelease.of('14.5') });
    expect(new ZfsTemplate(stack, 'template', { host }).release).toBe(FreeBsdRelease.V14_5);
  });

  test('a template of a release past its end of life synthesizes with a warning naming the release and the date', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', hostKey: HOST_KEY, release: FreeBsdRelease.of('14.5') });
    new ZfsTemplate(stack, 'old', { host, release: FreeBsdRelease.V14_3 });
    new ZfsTemplate(stack, 'current', { host, release: FreeBsdRelease.V14_5 });
    const warnings = messages(stack).filter((m) => m.level === '@cdktf/warn');
    expect(warnings).toEqual([{ level: '@cdktf/warn', path: 'test/old', text: expect.stringContaining('FreeBSD 14.3-RELEASE passed its end of life on 2026-06-30') }]);
  });

  test('annotateSupport: a warning past end of life, nothing before, an info when the date is unknown', () => {
    const stack = new TerraformStack(new App(), 's');
    FreeBsdRelease.V14_4.annotateSupport(stack, new Date('2026-12-31T12:00:00Z'));
    expect(messages(stack)).toEqual([]);
    const later = new TerraformStack(new App(), 's2');
    FreeBsdRelease.V14_4.annotateSupport(later, new Date('2027-01-01T00:00:00Z'));
    expect(messages(later).map((m) => m.level)).toEqual(['@cdktf/warn']);
    const unknown = new TerraformStack(new App(), 's3');
    FreeBsdRelease.of('15.3').annotateSupport(unknown);
    expect(messages(unknown)).toEqual([{ level: '@cdktf/info', path: 's3', text: expect.stringContaining('end-of-life date is unknown') }]);
  });

  test('a JailUpdate to a release past its end of life warns too', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', hostKey: HOST_KEY, release: FreeBsdRelease.of('15.1') });
    const template = new ZfsTemplate(stack, 'template', { host, release: FreeBsdRelease.V14_5 });
    const jail = new JailFromSnapshot(stack, 'h1', { jailHost: new JailHost(stack, 'jails', { host }), source: JailSource.template(template) });
    new JailUpdate(stack, 'up', { jail, targetRelease: FreeBsdRelease.V15_0 });
    expect(messages(stack).filter((m) => m.level === '@cdktf/warn').map((m) => m.path)).toEqual(['test/up']);
  });
});

test('the notebook synthesizes with a supported default release and no warning', () => {
  const stack = new NotebookStack(Testing.app(), 'notebook', { FREEBSD_HOST: '192.0.2.10', FREEBSD_HOST_KEY: HOST_KEY });
  expect(stack.template.release.name).toBe('14.5-RELEASE');
  expect(stack.template.release.isPastEndOfLife(new Date())).toBe(false);
  expect(messages(stack)).toEqual([]);
});
