import * as v from '../../lib/validate';

describe('validation', () => {
  test.each([
    ['datasetName', () => v.datasetName('zroot/vm/h1'), 'zroot/vm/h1'],
    ['release short', () => v.release('14.3'), '14.3-RELEASE'],
    ['release long', () => v.release('15.0-RELEASE'), '15.0-RELEASE'],
    ['sha256 lower-cased', () => v.sha256Hex('AB'.repeat(32)), 'ab'.repeat(32)],
    ['mirror trailing slash dropped', () => v.mirrorUrl('https://download.freebsd.org/releases/'), 'https://download.freebsd.org/releases'],
    ['ipv6 host', () => v.hostAddress('fd00::1'), 'fd00::1'],
  ])('%s accepts good input', (_name, check, expected) => {
    expect(check()).toBe(expected);
  });

  test.each([
    ['dataset with space', () => v.datasetName('zroot/my vm')],
    ['dataset with empty component', () => v.datasetName('zroot//vm')],
    ['dataset with snapshot', () => v.datasetName('zroot/vm@p3')],
    ['dataset with ..', () => v.datasetName('zroot/../etc')],
    ['dataset from a digit', () => v.datasetName('1pool/vm')],
    ['release 16 (pkgbase only)', () => v.release('16.0')],
    ['release 11.2 (long gone)', () => v.release('11.2')],
    ['release garbage', () => v.release('14.3; rm -rf /')],
    ['relative path', () => v.absolutePath('vm/h1')],
    ['path with ..', () => v.absolutePath('/vm/../etc')],
    ['path with space', () => v.absolutePath('/vm/my jail')],
    ['path with $', () => v.absolutePath('/vm/$name')],
    ['port 0', () => v.port(0)],
    ['port 70000', () => v.port(70000)],
    ['user with space', () => v.userName('ro ot')],
    ['host with ;', () => v.hostAddress('host;reboot')],
    ['short digest', () => v.sha256Hex('abc')],
    ['mirror with quote', () => v.mirrorUrl("https://x/'y")],
    ['unknown arch', () => v.arch('vax')],
    ['snapshot with slash', () => v.snapshotShortName('p3/x')],
    ['two lines', () => v.singleLine('a\nb')],
  ])('%s is refused', (_name, check) => {
    expect(check).toThrow(v.ValidationError);
  });

  test('validated() names the construct path and the value', () => {
    expect(() => v.validated('stack/host/template', 'release', () => v.release('11.2'))).toThrow(
      'stack/host/template: invalid release: "11.2" is not a supported release',
    );
  });
});
