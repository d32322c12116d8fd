/**
 * A jail's resolvers (`resolvers: JailResolvers...`): the jail.conf hooks as jail(8) reads them,
 * run through /bin/sh -c as jail(8) runs them; the apply-time refusal of a loopback nameserver
 * copied into a VNET jail, run against resolv.conf files; the errors of every bad value.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { JailAddress, JailFromSnapshot, JailHost, JailResolvers, JailSource, JailVnetNetwork, VnetBridge, VnetBridgeMode } from '../../lib';
import { RESOLV_CONF_POSTSTOP, RESOLV_CONF_PRESTART } from '../../lib/jail/conf';
import { loopbackResolverCheck } from '../../lib/jail/resolvers';
import { allScripts } from '../support/scripts';
import { haveCommand, tempDir } from '../support/sh';
import { createScript, nullResources } from '../support/synth';
import { jailStack, runJailHook } from './fixtures';
import { effectiveParameters, parseJailConf } from './jailconf-parser';

const lo1 = [JailAddress.onInterface('lo1', '127.1.1.9/32')];

/** A jail's exec.prestart and exec.poststop as jail(8) reads them. */
function hooks(confText: string, name: string) {
  const p = effectiveParameters(parseJailConf(confText), name);
  return { prestart: (p['exec.prestart'] ?? []) as string[], poststop: (p['exec.poststop'] ?? []) as string[] };
}

/** Runs a hook through /bin/sh -c with $path at a temporary jail root. */
const runHook = (hook: string, setup: (root: string, outside: string) => void = (r) => fs.mkdirSync(path.join(r, 'etc'))) =>
  runJailHook((root) => hook.split('/vm/web').join(root), setup);

describe('what each choice writes into the jail\'s block', () => {
  test('default: the host\'s resolv.conf copied in, removed after stop (the notebook\'s way)', () => {
    const { jail } = jailStack();
    const h = hooks(jail('web', { addresses: lo1 }).confText, 'web');
    expect(h.prestart).toEqual([RESOLV_CONF_PRESTART.replace(/\$path/g, '/vm/web').replace(/\$name/g, 'web')]);
    expect(h.poststop).toEqual([RESOLV_CONF_POSTSTOP.replace(/\$path/g, '/vm/web')]);
  });

  test('nameservers: written at start as resolv.conf(5) lines, removed after stop', () => {
    const { jail } = jailStack();
    const web = jail('web', { addresses: lo1, resolvers: JailResolvers.nameservers(['192.0.2.53', '2001:db8::53'], { search: ['example.org', 'lan.example.org'], options: ['ndots:2', 'edns0'] }) });
    const h = hooks(web.confText, 'web');
    expect(h.prestart).toHaveLength(1);
    expect(h.poststop).toEqual([RESOLV_CONF_POSTSTOP.replace(/\$path/g, '/vm/web')]);
    const start = runHook(h.prestart[0]);
    expect([start.r.status, start.r.stderr]).toEqual([0, '']);
    expect(fs.readFileSync(path.join(start.root, 'etc/resolv.conf'), 'utf8')).toBe(
      'nameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch example.org lan.example.org\noptions ndots:2 edns0\n');
    // A file of the jail's own is replaced at start, as the copy does.
    const over = runHook(h.prestart[0], (r) => { fs.mkdirSync(path.join(r, 'etc')); fs.writeFileSync(path.join(r, 'etc/resolv.conf'), 'nameserver 127.0.0.1\n'); });
    expect(fs.readFileSync(path.join(over.root, 'etc/resolv.conf'), 'utf8')).toBe('nameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch example.org lan.example.org\noptions ndots:2 edns0\n');
    const stop = runHook(h.poststop[0], (r) => { fs.mkdirSync(path.join(r, 'etc')); fs.writeFileSync(path.join(r, 'etc/resolv.conf'), 'x'); });
    expect(stop.r.status).toBe(0);
    expect(fs.existsSync(path.join(stop.root, 'etc/resolv.conf'))).toBe(false);
  });

  test('nameservers: a symlinked etc or resolv.conf is refused and nothing outside the jail is written', () => {
    const { jail } = jailStack();
    const h = hooks(jail('web', { addresses: lo1, resolvers: JailResolvers.nameservers(['192.0.2.53']) }).confText, 'web');
    for (const plant of [
      (j: string, o: string) => fs.symlinkSync(o, path.join(j, 'etc')),
      (j: string, o: string) => { fs.mkdirSync(path.join(j, 'etc')); fs.symlinkSync(path.join(o, 'victim'), path.join(j, 'etc/resolv.conf')); },
    ]) {
      const { r, outside } = runHook(h.prestart[0], plant);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('is a symbolic link; refusing to write resolv.conf');
      expect(fs.readdirSync(outside)).toEqual([]);
    }
  });

  test('none: no resolv.conf hook at all, whatever the JailHost default', () => {
    const { jail } = jailStack();
    expect(hooks(jail('web', { addresses: lo1, resolvers: JailResolvers.none() }).confText, 'web')).toEqual({ prestart: [], poststop: [] });
  });

  test('given resolvers win over a JailHost that copies nothing; without them that JailHost\'s jails get no hook', () => {
    const { stack, host, template } = jailStack();
    const jailHost = new JailHost(stack, 'nocopy', { host, defaults: { copyResolvConf: false } });
    const a = new JailFromSnapshot(stack, 'a', { jailHost, source: JailSource.template(template), addresses: lo1 });
    const b = new JailFromSnapshot(stack, 'b', { jailHost, source: JailSource.template(template), addresses: [JailAddress.onInterface('lo1', '127.1.1.8/32')], resolvers: JailResolvers.nameservers(['192.0.2.53']) });
    expect(hooks(a.confText, 'a')).toEqual({ prestart: [], poststop: [] });
    expect(hooks(b.confText, 'b').prestart).toHaveLength(1);
    expect(hooks(b.confText, 'b').prestart[0]).toContain('echo nameserver 192.0.2.53;');
  });

  test('a change of resolvers replaces the configuration step only (the jail restarts with them)', () => {
    const { jail } = jailStack();
    const a = jail('a', { addresses: lo1, resolvers: JailResolvers.nameservers(['192.0.2.53']) });
    const b = jailStack().jail('a', { addresses: lo1, resolvers: JailResolvers.nameservers(['192.0.2.54']) });
    expect(a.datasetStep.contentHash).toBe(b.datasetStep.contentHash);
    expect(a.configStep.contentHash).not.toBe(b.configStep.contentHash);
  });
});

describe('errors name the jail, the prop and the value', () => {
  const make = (r: () => JailResolvers) => () => jailStack().jail('web', { addresses: lo1, resolvers: r() });
  test.each([
    [() => JailResolvers.nameservers([]), 'stack/web: invalid resolvers.addresses: give at least one nameserver address, or JailResolvers.none() for none'],
    [() => JailResolvers.nameservers(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']), 'stack/web: invalid resolvers.addresses: 4 nameservers given: the resolver reads the first 3 (MAXNS, include/resolv.h) and ignores the rest'],
    [() => JailResolvers.nameservers(['192.0.2.1', 'dns.example.org']), 'stack/web: invalid resolvers.addresses[1]: "dns.example.org" is not an IPv4 or IPv6 address like 192.0.2.53 or 2001:db8::53'],
    [() => JailResolvers.nameservers(['192.0.2.1; rm -rf /']), 'stack/web: invalid resolvers.addresses[0]: "192.0.2.1; rm -rf /" is not an IPv4 or IPv6 address'],
    [() => JailResolvers.nameservers(['fe80::1%em0']), 'stack/web: invalid resolvers.addresses[0]: "fe80::1%em0" is not an IPv4 or IPv6 address'],
    [() => JailResolvers.nameservers(['192.0.2.1'], { search: ['a.org', 'b.org', 'c.org', 'd.org', 'e.org', 'f.org', 'g.org'] }), 'stack/web: invalid resolvers.search: 7 domains given: the resolver searches at most 6 (MAXDNSRCH, include/resolv.h)'],
    [() => JailResolvers.nameservers(['192.0.2.1'], { search: ['example.org', 'bad_domain;x'] }), 'stack/web: invalid resolvers.search[1]: "bad_domain;x" is not a domain name like example.org'],
    [() => JailResolvers.nameservers(['192.0.2.1'], { search: [`${'a'.repeat(60)}.org`, `${'b'.repeat(60)}.org`, `${'c'.repeat(60)}.org`, `${'d'.repeat(60)}.org`] }), 'stack/web: invalid resolvers.search: the search line is longer than 255 characters, which the resolver cuts'],
    [() => JailResolvers.nameservers(['192.0.2.1'], { options: ['ndots:2', 'use-vc'] }), 'stack/web: invalid resolvers.options[1]: "use-vc" is not a resolver option (ndots:N'],
  ])('%#', (r, message) => {
    expect(make(r)).toThrow(message);
  });

  test('untyped arguments of JailResolvers.nameservers are refused naming the argument', () => {
    const untyped = JailResolvers.nameservers as unknown as (...a: unknown[]) => JailResolvers;
    expect(() => untyped('192.0.2.53')).toThrow('JailResolvers.nameservers: invalid addresses: the string "192.0.2.53" must be a list of addresses, like ["192.0.2.53"]');
    expect(() => untyped([53])).toThrow('JailResolvers.nameservers: invalid addresses[0]: the number 53 must be a string, like "192.0.2.53"');
    expect(() => untyped(['192.0.2.53'], { search: 'example.org' })).toThrow('JailResolvers.nameservers: invalid options.search: the string "example.org" must be a list of domains');
  });

  test('an untyped value that is no JailResolvers is refused naming the prop', () => {
    expect(() => jailStack().jail('web', { addresses: lo1, resolvers: ['192.0.2.53'] as unknown as JailResolvers })).toThrow(/stack\/web: invalid resolvers: .*JailResolvers\.nameservers/);
  });
});

describe('a copy of a loopback nameserver into a VNET jail is refused at apply', () => {
  const vnetJail = (resolvers?: JailResolvers) => {
    const s = jailStack();
    const vi0 = new VnetBridge(s.stack, 'vi0', { host: s.host, mode: VnetBridgeMode.routed({ gateways: ['172.31.0.1/24'] }) });
    const web = s.jail('web', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi0, addresses: ['172.31.0.11/24'] }], defaultRouter: '172.31.0.1' })], resolvers });
    return { ...s, web, script: createScript(nullResources(s.stack).find((x) => x.name.startsWith('web_config'))!) };
  };
  const check = (content: string | undefined) => {
    const dir = tempDir();
    const file = path.join(dir, 'resolv.conf');
    if (content !== undefined) fs.writeFileSync(file, content);
    return spawnSync('/bin/sh', ['-c', loopbackResolverCheck('/vm/web', 'web', file).join('\n')], { encoding: 'utf8' });
  };

  test('the configuration step of a VNET jail with the default copy checks the host\'s file before it writes anything', () => {
    const { script } = vnetJail();
    const at = script.indexOf(loopbackResolverCheck('/vm/web', 'web')[1]);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(script.indexOf('write-managed-file'));
    expect(vnetJail(JailResolvers.host()).script).toContain(loopbackResolverCheck('/vm/web', 'web')[1]);
  });

  test('no check where nothing is copied, or the jail shares the host\'s stack', () => {
    expect(vnetJail(JailResolvers.nameservers(['172.31.0.1'])).script).not.toContain('awk \'$1 == "nameserver"');
    expect(vnetJail(JailResolvers.none()).script).not.toContain('awk \'$1 == "nameserver"');
    const { stack, jail } = jailStack();
    jail('web', { addresses: lo1 });
    expect(createScript(nullResources(stack).find((x) => x.name.startsWith('web_config'))!)).not.toContain('awk \'$1 == "nameserver"');
  });

  test('the check: a loopback nameserver (127.0.0.0/8, ::1) or no file fails naming the jail and the way out; others pass', () => {
    for (const [content, bad] of [
      ['# local_unbound\nnameserver 127.0.0.1\noptions edns0\n', '127.0.0.1'],
      ['search example.org\nnameserver 127.0.0.53\n', '127.0.0.53'],
      ['nameserver ::1\n', '::1'],
    ] as const) {
      const r = check(content);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`error: jail web (/vm/web) is a VNET jail and the host's `);
      expect(r.stderr).toContain(`names nameserver ${bad} (a resolver on the host's loopback, like local_unbound): copied into the jail it would be the jail's own loopback, where nothing answers. give the jail its resolvers: resolvers: JailResolvers.nameservers([...])`);
    }
    const missing = check(undefined);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/error: jail web \(\/vm\/web\): the host has no .*resolv\.conf to copy into the jail/);
    for (const ok of ['nameserver 192.0.2.53\n', 'nameserver 10.127.0.1\nnameserver 2001:db8::1\n', '# nameserver 127.0.0.1\nnameserver 192.0.2.53\n']) {
      expect([check(ok).status, check(ok).stderr]).toEqual([0, '']);
    }
  });

  const { stack } = vnetJail();
  const scripts = allScripts(stack).filter((s) => s.name.startsWith('web_config'));
  test('its scripts pass sh -n and shellcheck', () => {
    const dir = tempDir();
    const files = scripts.map((s, i) => { const f = path.join(dir, `s${i}.sh`); fs.writeFileSync(f, s.text); return f; });
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(spawnSync('/bin/sh', ['-n', f]).status).toBe(0);
    if (haveCommand('shellcheck')) {
      const r = spawnSync('shellcheck', ['-s', 'sh', '-f', 'gcc', ...files], { encoding: 'utf8' });
      expect(r.stdout).toBe('');
    }
  });
});
