import {
  addressFamily, devfsPathPattern, fileModeOctal, interfaceName, ipAddress, network, pfAnchorPath, pfMacroName, portNumber, portRange,
} from '../../lib/validate/net';

describe('network values', () => {
  test('interface names: IFNAMSIZ 16 means at most 15 characters', () => {
    expect(interfaceName('vi1_vpnr1')).toBe('vi1_vpnr1');
    expect(interfaceName('a'.repeat(15))).toHaveLength(15);
    expect(() => interfaceName('a'.repeat(16))).toThrow(`"${'a'.repeat(16)}" must be 1 to 15 characters`);
    expect(() => interfaceName('')).toThrow(/must be 1 to 15/);
    expect(() => interfaceName('em0;reboot')).toThrow(/"em0;reboot" must be a letter/);
    expect(() => interfaceName('0em')).toThrow(/must be a letter/);
  });

  test('addresses and networks, both families', () => {
    expect(addressFamily('127.1.1.4')).toBe('inet');
    expect(addressFamily('fd00:1:1:1::4')).toBe('inet6');
    expect(addressFamily('fe80::1%em0')).toBeUndefined();
    expect(ipAddress('2001:db8::1', 'inet6')).toBe('2001:db8::1');
    expect(() => ipAddress('2001:db8::1', 'inet')).toThrow('"2001:db8::1" is not an IPv4 address');
    expect(() => ipAddress('300.1.1.1')).toThrow(/is not an IPv4 or IPv6 address/);
    expect(network('127.1.1.0/24', 'inet')).toBe('127.1.1.0/24');
    expect(network('fd00:1:1:1::0/64')).toBe('fd00:1:1:1::0/64');
    expect(network('::ffff:192.0.2.0/120')).toBe('::ffff:192.0.2.0/120');
    expect(() => network('fd00:1:1:1::1/64')).toThrow('"fd00:1:1:1::1/64" has host bits set: give the network address');
    expect(() => network('10.0.0.0/33')).toThrow(/prefix longer than 32/);
    expect(() => network('10.0.0.0')).toThrow(/must be a network ADDRESS\/PREFIX/);
    expect(() => network('10.0.0.0/8', 'inet6')).toThrow(/is not an IPv6 network/);
  });

  test('ports and ranges', () => {
    expect(portNumber(1)).toBe(1);
    expect(portNumber(65535)).toBe(65535);
    for (const bad of [0, 65536, 80.5, -1, NaN]) expect(() => portNumber(bad)).toThrow(/must be a port/);
    expect(portRange(8000, 8000)).toEqual({ from: 8000, to: 8000 });
    expect(() => portRange(2, 1)).toThrow('"2:1" is a port range whose start is after its end');
  });

  test('pf names, devfs patterns, modes', () => {
    expect(pfAnchorPath('cdktf-freebsd-jails/h4')).toBe('cdktf-freebsd-jails/h4');
    expect(() => pfAnchorPath('x/')).toThrow(/single slashes/);
    expect(() => pfAnchorPath('a'.repeat(1024))).toThrow(/must be 1 to 1023 characters/);
    expect(() => pfMacroName('1X')).toThrow(/"1X" must be a pf macro name/);
    expect(devfsPathPattern('pts/*')).toBe('pts/*');
    expect(devfsPathPattern('tun[0-9]*')).toBe('tun[0-9]*');
    expect(() => devfsPathPattern('a'.repeat(200))).toThrow(/must be 1 to 199 characters/);
    expect(() => devfsPathPattern('bpf$(id)')).toThrow(/may only contain/);
    expect(fileModeOctal('660')).toBe('0660');
    expect(() => fileModeOctal('rw')).toThrow(/"rw" must be an octal mode/);
  });
});
