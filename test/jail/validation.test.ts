/** Every synth-time error names the construct and the value. */
import { JailAddress, JailDevfsRuleset, JailParameter, JailSource } from '../../lib';
import { jailStack, synthValidated } from './fixtures';

describe('jail names', () => {
  test.each([
    ['h-1', /stack\/bad: invalid name: "h-1" is not a jail name/],
    ['h.1', /"h\.1" is not a jail name/],
    ['123', /"123" is not a jail name \(letters, digits and _, not all digits\)/],
    ['abcdefghijkl', /stack\/bad: invalid name: "abcdefghijkl" is longer than 11 characters/],
    ['', /is not a jail name/],
  ])('%j is refused', (name, message) => {
    const { jail } = jailStack();
    expect(() => jail('bad', { name })).toThrow(message);
  });

  test('the longest allowed name and underscores pass', () => {
    const { jail } = jailStack();
    expect(jail('ok', { name: 'a_b_c_d_e_f' }).name).toBe('a_b_c_d_e_f');
  });

  test('duplicate names on one host fail synth, naming both constructs', () => {
    const { stack, jail } = jailStack();
    jail('one', { name: 'www' });
    jail('two', { name: 'www' });
    expect(() => synthValidated(stack)).toThrow(/duplicate jail name "www" on host 192\.0\.2\.10: stack\/one and stack\/two/);
  });
});

describe('addresses', () => {
  const refusal = (iface: string, cidr: string) => {
    const address = JailAddress.onInterface(iface, cidr); // checked when a jail binds it
    const { jail } = jailStack();
    try {
      jail('web', { addresses: [address] });
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };

  test.each([
    ['127.1.1.300/32', 'stack/web: invalid addresses: "127.1.1.300/32" is not an address like 127.1.1.1/32 or fd00:1:1:1::1/64'],
    ['127.1.1.1/33', 'stack/web: invalid addresses: "127.1.1.1/33" has a prefix length outside 0..32'],
    ['fd00::1/129', 'stack/web: invalid addresses: "fd00::1/129" has a prefix length outside 0..128'],
    ['127.1.1.1/024', 'stack/web: invalid addresses: "127.1.1.1/024" has a prefix length outside 0..32'],
    ['lo1|127.1.1.1', 'stack/web: invalid addresses: "lo1|127.1.1.1" is not an address like 127.1.1.1/32 or fd00:1:1:1::1/64'],
    ['fe80::1%em0/64', 'stack/web: invalid addresses: "fe80::1%em0/64" is not an address like 127.1.1.1/32 or fd00:1:1:1::1/64'],
  ])('%j is refused, naming the jail that binds it', (cidr, message) => {
    expect(refusal('lo1', cidr)).toBe(message);
  });

  test('interface names are checked (15 characters at most), naming the jail', () => {
    expect(refusal('lo2345678901234x', '127.1.1.1')).toBe('stack/web: invalid addresses: interface "lo2345678901234x" is longer than 15 characters');
    expect(refusal('lo1|x', '127.1.1.1')).toBe('stack/web: invalid addresses: interface "lo1|x" must be letters, digits, _ and . starting with a letter');
    expect(refusal('lo234567890123x', '127.1.1.1/32')).toBe('accepted');
  });

  test('the construct path is in the message when the jail refuses an address', () => {
    const { jail } = jailStack();
    const a = JailAddress.onInterface('lo1', '127.1.1.1/32');
    expect(() => jail('dup', { addresses: [a, JailAddress.existing('127.1.1.1')] })).toThrow(/stack\/dup: invalid addresses: "127\.1\.1\.1" is given twice/);
  });

  test('the same address on two jails of one host fails synth, also in another IPv6 spelling', () => {
    const { stack, jail } = jailStack();
    jail('a', { addresses: [JailAddress.onInterface('lo1', 'fd00:1:1:1::1/64')] });
    jail('b', { addresses: [JailAddress.onInterface('lo1', 'FD00:1:1:1:0:0:0:1/64')] });
    expect(() => synthValidated(stack)).toThrow(/duplicate address FD00:1:1:1:0:0:0:1 on host 192\.0\.2\.10: stack\/a and stack\/b/);
  });

  test('the same address on two hosts is fine', () => {
    const one = jailStack();
    one.jail('a', { addresses: [JailAddress.onInterface('lo1', '127.1.1.1/32')] });
    expect(() => synthValidated(one.stack)).not.toThrow();
  });
});

describe('mounts', () => {
  test.each([
    [[{ hostPath: 'usr/ports', jailPath: '/usr/ports' }], /stack\/m: invalid mounts: "usr\/ports" must be an absolute path/],
    [[{ hostPath: '/usr/ports', jailPath: 'usr/ports' }], /"usr\/ports" must be an absolute path/],
    [[{ hostPath: '/usr/ports', jailPath: '/usr/../etc' }], /must be normalized/],
    [[{ hostPath: '/usr/ports', jailPath: '/' }], /mount point "\/" would hide the whole jail/],
    [
      [{ hostPath: '/a', jailPath: '/usr' }, { hostPath: '/b', jailPath: '/usr/ports' }],
      /mount point "\/usr\/ports" overlaps "\/usr"/,
    ],
    [
      [{ hostPath: '/a', jailPath: '/mnt' }, { hostPath: '/b', jailPath: '/mnt' }],
      /mount point "\/mnt" overlaps "\/mnt"/,
    ],
    [[{ hostPath: '/my dir', jailPath: '/mnt' }], /may only contain/],
  ])('nullfs %j is refused', (nullfsMounts, message) => {
    const { jail } = jailStack();
    expect(() => jail('m', { nullfsMounts })).toThrow(message);
  });

  test('a mount line overlapping a nullfs mount is refused', () => {
    const { jail } = jailStack();
    expect(() =>
      jail('m', { nullfsMounts: [{ hostPath: '/a', jailPath: '/data' }], mounts: [{ device: 'tmpfs', jailPath: '/data/tmp', type: 'tmpfs' }] }),
    ).toThrow(/stack\/m: invalid mounts: mount point "\/data\/tmp" overlaps "\/data"/);
  });

  test('siblings with a common prefix are not overlapping', () => {
    const { jail } = jailStack();
    expect(() => jail('m', { nullfsMounts: [{ hostPath: '/a', jailPath: '/data' }, { hostPath: '/b', jailPath: '/data2' }] })).not.toThrow();
  });
});

describe('parameters', () => {
  test('an unknown escape-hatch parameter is refused', () => {
    const { jail } = jailStack();
    expect(() => jail('p', { parameters: [JailParameter.set('allow.everything', '1')] })).toThrow(
      /stack\/p: invalid parameters: "allow\.everything" is not a jail\(8\) parameter/,
    );
  });

  test('a typed parameter through the escape hatch is refused', () => {
    const { jail } = jailStack();
    expect(() => jail('p', { parameters: [JailParameter.set('ip4.addr', '127.0.0.1')] })).toThrow(/"ip4\.addr" has a typed property/);
  });

  test('a reference to an unknown variable is refused', () => {
    const { jail } = jailStack();
    expect(() => jail('p', { exec: { prestart: ['echo $HOME'] } })).toThrow(/stack\/p: invalid parameters: "echo \$HOME" refers to \$HOME, which is no jail parameter/);
    expect(() => jail('q', { exec: { start: ['echo 5$'] } })).toThrow(/starts no \$name/);
  });

  test('a newline in a hook is refused', () => {
    const { jail } = jailStack();
    expect(() => jail('p', { exec: { start: ['true\nreboot'] } })).toThrow(/single line/);
  });

  test('devfs_ruleset must be a small integer', () => {
    const { jail } = jailStack();
    expect(() => jail('p', { devfsRuleset: JailDevfsRuleset.fromNumber(1.5) })).toThrow(/stack\/p: invalid parameters: devfsRuleset 1\.5 must be an integer/);
    expect(() => jail('q', { devfsRuleset: JailDevfsRuleset.fromNumber(-1) })).toThrow(/devfsRuleset -1/);
  });

  test('a source is required, and a snapshot is checked', () => {
    const { jail } = jailStack();
    expect(() => jail('s', { source: undefined })).toThrow(/stack\/s: invalid source: missing; JailFromSnapshot requires it: give a JailSource, like JailSource.template\(template\)/);
    expect(() => jail('u', { source: JailSource.snapshot('zroot/x') })).toThrow(/stack\/u: invalid source: "zroot\/x" must be DATASET@SNAPSHOT/);
  });
});

test('a jail named like the templates dataset of its host is refused at synth', () => {
  const { stack, jail } = jailStack();
  jail('tmpl');
  expect(() => synthValidated(stack)).toThrow(/stack\/tmpl: invalid name: "tmpl": zroot\/vm\/tmpl holds the templates of this host \(stack\/template, zroot\/vm\/tmpl\/14\.3\)/);
  const other = jailStack();
  other.jail('tmpl2');
  expect(() => synthValidated(other.stack)).not.toThrow();
});
