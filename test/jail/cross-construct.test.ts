/** Issue 10, synth half: clashes between constructs and values the host side cannot carry, with the exact messages. */
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { FreeBsdHost, FreeBsdRelease, JailAddress, JailAllow, JailFromSnapshot, JailHost, JailPackages, JailParameter, JailSource, ZfsTemplate } from '../../lib';
import { messageOf } from '../support/errors';
import { jailStack, synthValidated } from './fixtures';

describe('one of each per host', () => {
  test('two FreeBsdHosts with one address and port: named both', () => {
    const { stack } = jailStack();
    new FreeBsdHost(stack, 'again', { address: '192.0.2.10', release: FreeBsdRelease.of('14.3') });
    expect(messageOf(() => synthValidated(stack))).toContain(
      'stack/again: invalid address: 192.0.2.10 port 22 is already the host stack/host; use one FreeBsdHost per host');
  });

  test('the same address on another port is another sshd: accepted', () => {
    const { stack } = jailStack();
    new FreeBsdHost(stack, 'other', { address: '192.0.2.10', port: 2222, release: FreeBsdRelease.of('14.3') });
    expect(() => synthValidated(stack)).not.toThrow();
  });

  test('two FreeBsdHosts with one address in two stacks of one app are refused too', () => {
    const app = Testing.app();
    const a = new TerraformStack(app, 'a');
    const b = new TerraformStack(app, 'b');
    new FreeBsdHost(a, 'host', { address: '192.0.2.10' });
    new FreeBsdHost(b, 'host', { address: '192.0.2.10' });
    expect(messageOf(() => Testing.synth(b, true))).toContain('b/host: invalid address: 192.0.2.10 port 22 is already the host a/host');
    expect(() => Testing.synth(a, true)).not.toThrow();
  });

  test('two JailHosts on one FreeBsdHost, and the jail name they share: named both', () => {
    const { stack, host, template, jail } = jailStack();
    jail('www');
    const second = new JailHost(stack, 'jails2', { host });
    new JailFromSnapshot(stack, 'www2', { jailHost: second, source: JailSource.template(template), name: 'www' });
    const message = messageOf(() => synthValidated(stack));
    expect(message).toContain('stack/jails2: invalid host: stack/host already has the JailHost stack/jails; use one JailHost per host');
    expect(message).toContain('duplicate jail name "www" on host 192.0.2.10: stack/www (stack/jails) and stack/www2 (stack/jails2)');
  });

  test('two ZfsTemplates on one dataset: named both', () => {
    const { stack, host } = jailStack();
    new ZfsTemplate(stack, 'template2', { host, snapshotName: 'p4', release: FreeBsdRelease.of('14.3') });
    expect(messageOf(() => synthValidated(stack))).toContain(
      'stack/template2: invalid dataset: zroot/vm/tmpl/14.3 is already the dataset of the template stack/template');
  });

  test('templates of two releases, and of one release on two hosts, are accepted', () => {
    const { stack, host } = jailStack();
    new ZfsTemplate(stack, 'template2', { host, snapshotName: 'p4', release: FreeBsdRelease.of('14.2') });
    const other = new FreeBsdHost(stack, 'host2', { address: '192.0.2.11', release: FreeBsdRelease.of('14.3') });
    new ZfsTemplate(stack, 'template3', { host: other, snapshotName: 'p3', release: FreeBsdRelease.of('14.3') });
    expect(() => synthValidated(stack)).not.toThrow();
  });
});

describe('escape-hatch parameters that contradict typed props', () => {
  test.each([
    ['allow.nomount', 'allow.mount', { mount: true }],
    ['allow.mount.nozfs', 'allow.mount.zfs', { mountZfs: true }],
    ['allow.noraw_sockets', 'allow.raw_sockets', {}],
  ])('%s is refused like %s', (name, positive, allow: JailAllow) => {
    const { jail } = jailStack();
    expect(messageOf(() => jail('bad', { allow, parameters: [JailParameter.flag(name, true)] }))).toBe(
      `stack/bad: invalid parameters: "${name}" is the no form of "${positive}", which has a typed property on JailFromSnapshot; use it instead of the escape hatch`);
  });

  test('the no form of mount.devfs (typed mountDevfs) and of an untyped flag', () => {
    const { jail } = jailStack();
    expect(messageOf(() => jail('bad', { parameters: [JailParameter.flag('mount.nodevfs', true)] }))).toBe(
      'stack/bad: invalid parameters: "mount.nodevfs" is the no form of "mount.devfs", which has a typed property on JailFromSnapshot; use it instead of the escape hatch');
    expect(() => jail('ok', { parameters: [JailParameter.flag('nopersist', true)] })).not.toThrow();
  });
});

describe('values the host side cannot carry', () => {
  test.each([
    ['w\tx', '"stack/w\\tx"'],
    ['w\nx', '"stack/w\\nx"'],
    ['w\u0001x', '"stack/w\\u0001x"'],
  ])('a construct id with %j is refused as such', (id, shown) => {
    const { jail } = jailStack();
    expect(messageOf(() => jail(id, { name: 'w' }))).toBe(
      `${JSON.parse(shown)}: invalid construct path: ${shown} must not contain tabs, newlines or other control characters (the host reads it back from tab-separated lines)`);
  });

  test('a control character in a parent construct is refused on the jail too', () => {
    const { stack, jailHost, template } = jailStack();
    const parent = new Construct(stack, 'team\tA');
    expect(messageOf(() => new JailFromSnapshot(parent, 'www', { jailHost, source: JailSource.template(template) }))).toBe(
      'stack/team\tA/www: invalid construct path: "stack/team\\tA/www" must not contain tabs, newlines or other control characters (the host reads it back from tab-separated lines)');
  });
});

describe('errors blame the construct whose prop is wrong', () => {
  test('a bad defaults.consoleLog is reported on the JailHost', () => {
    const stack = new TerraformStack(Testing.app(), 'stack');
    const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', release: FreeBsdRelease.of('14.3') });
    expect(messageOf(() => new JailHost(stack, 'jails', { host, defaults: { consoleLog: '/var/log/a\nb' } }))).toBe(
      'stack/jails: invalid defaults: "/var/log/a\\nb" must be a single line without control characters');
    expect(messageOf(() => new JailHost(stack, 'jails2', { host, defaults: { consoleLog: '/var/log/$' } }))).toContain('stack/jails2: invalid defaults: "/var/log/$" has a $');
  });

  test('"/" as a host path, a mount point or an offline mount point', () => {
    const { jail, stack } = jailStack();
    expect(messageOf(() => jail('m1', { nullfsMounts: [{ hostPath: '/', jailPath: '/mnt' }] }))).toBe(
      'stack/m1: invalid mounts: "/" is the root directory, not a directory of its own');
    const www = jail('www');
    expect(messageOf(() => new JailPackages(stack, 'pkgs', { jail: www, packages: ['nginx'], offline: true, offlineMountPoint: '/' }))).toBe(
      'stack/pkgs: invalid offlineMountPoint: "/" is the root directory, not a directory of its own');
  });
});

describe('aliases of typed parameters through the escape hatch', () => {
  const lo1 = [JailAddress.onInterface('lo1', '127.1.1.1/32')];
  test.each([
    ['ip4', 'inherit', 'ip4.addr'],
    ['interface', 'em0', 'ip4.addr'],
    ['ip_hostname', 'true', 'ip4.addr'],
  ])('%s beside typed addresses is refused', (name, value, contradicted) => {
    const { jail } = jailStack();
    expect(messageOf(() => jail('bad', { addresses: lo1, parameters: [JailParameter.set(name, value)] }))).toBe(
      `stack/bad: invalid parameters: "${name}" changes what the jail's typed addresses (${contradicted}) mean; give the addresses through the escape hatch too, or leave "${name}" out`);
  });

  test('ip4 without typed addresses, and ip6 beside IPv4 addresses only, are the escape hatch\'s to give', () => {
    const { jail } = jailStack();
    expect(() => jail('inherits', { parameters: [JailParameter.set('ip4', 'inherit')] })).not.toThrow();
    expect(() => jail('v4only', { addresses: lo1, parameters: [JailParameter.set('ip6', 'disable')] })).not.toThrow();
  });
});

describe('ownership scope', () => {
  test('defaults to the stack name; a given one is used as it is', () => {
    const { host, stack } = jailStack();
    expect(host.ownershipScope).toBe('stack');
    expect(new FreeBsdHost(stack, 'other', { address: '192.0.2.11', ownershipScope: 'team-a.web@1+x_y' }).ownershipScope).toBe('team-a.web@1+x_y');
  });

  test.each([
    ['a:b', '"a:b"'],
    ['team a', '"team a"'],
    ['x\ty', '"x\\ty"'],
    ['', '""'],
    ['-lead', '"-lead"'],
    ['a'.repeat(65), `"${'a'.repeat(65)}"`],
  ])('%j is refused', (scope, shown) => {
    const stack = new TerraformStack(Testing.app(), 'stack');
    expect(messageOf(() => new FreeBsdHost(stack, 'host', { address: '192.0.2.10', ownershipScope: scope }))).toBe(
      `stack/host: invalid ownershipScope: ${shown} must be 1 to 64 letters, digits and _.@+- starting with a letter or digit (it names a file and the first field of ownership marks on the host)`);
  });

  test('a stack name that cannot be a scope asks for one', () => {
    const stack = new TerraformStack(Testing.app(), 'team:a');
    expect(messageOf(() => new FreeBsdHost(stack, 'host', { address: '192.0.2.10' }))).toBe(
      'team:a/host: invalid ownershipScope: the default (the stack\'s name "team:a") cannot be one: "team:a" must be 1 to 64 letters, digits and _.@+- starting with a letter or digit (it names a file and the first field of ownership marks on the host); give ownershipScope');
    expect(new FreeBsdHost(stack, 'host2', { address: '192.0.2.11', ownershipScope: 'my-stack' }).ownershipScope).toBe('my-stack');
  });

  test('a control character in the path of a FreeBsdHost, JailHost or ZfsTemplate is refused', () => {
    const { stack, host } = jailStack();
    const bad = new Construct(stack, 'team\nB');
    const why = 'must not contain tabs, newlines or other control characters (the host reads it back from tab-separated lines)';
    expect(messageOf(() => new JailHost(bad, 'jails', { host }))).toBe(`stack/team\nB/jails: invalid construct path: "stack/team\\nB/jails" ${why}`);
    expect(messageOf(() => new ZfsTemplate(bad, 'template', { host, release: FreeBsdRelease.of('14.3'), name: 'other' }))).toBe(
      `stack/team\nB/template: invalid construct path: "stack/team\\nB/template" ${why}`);
    expect(messageOf(() => new FreeBsdHost(bad, 'host', { address: '192.0.2.99' }))).toBe(`stack/team\nB/host: invalid construct path: "stack/team\\nB/host" ${why}`);
  });
});
