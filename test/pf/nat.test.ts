/**
 * PfNat as synthesized: the notebook's rules parsed back from what the load step sends (each
 * rule after macro expansion, category order, both renderings), the steps and their order,
 * and synth-time errors that name the construct and the value.
 */
import { Testing } from 'cdktf';
import { NotebookStack } from '../../examples/notebook/main';
import { FreeBsdHost, FreeBsdRelease, JailAddress, JailAddressFamily, JailFromSnapshot, JailHost, JailSource, JailVnetNetwork, PfDirection, PfFilterRule, PfMode, PfNat, PfNatNetwork, PfPortForward, PfPortRange, PfProtocol, VnetBridge, VnetBridgeMode } from '../../lib';
import { jailStack } from '../jail/fixtures';
import { NOTEBOOK_PF_CONF } from '../support/notebook-pf';
import { checkOrder, parsePf, rulesOf } from '../support/pfparse';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fakePfctl = require('../e2e/fakebsd/commands/pfctl');


const notebook = () => new NotebookStack(Testing.app(), 'notebook', { FREEBSD_HOST: '192.0.2.10' });

function lab() {
  const stack = new NotebookStack(Testing.app(), 'notebook', { FREEBSD_HOST: '192.0.2.10' });
  const v4only = new JailFromSnapshot(stack, 'h9', {
    jailHost: stack.jailHost, source: JailSource.template(stack.template), addresses: [JailAddress.onInterface('lo1', '127.1.1.9/32')],
  });
  return { stack, host: stack.host, h4: stack.jails[3], v4only };
}

describe('the notebook\'s PfNat', () => {
  const nb = notebook();

  test('the anchor\'s rules, each after macro expansion: NAT of both jail networks, 8080 to h4 on both families', () => {
    const p = parsePf(nb.pf.rulesText);
    expect(p.statements.map((s) => s.category)).toEqual(['macro', 'macro', 'macro', 'macro', 'translation', 'translation', 'translation', 'translation']);
    expect(rulesOf(p)).toEqual([
      { kind: 'nat', interface: 'em0', family: 'inet', from: '127.1.1.0/24', to: 'any', target: '(em0)' },
      { kind: 'nat', interface: 'em0', family: 'inet6', from: 'fd00:1:1:1::0/64', to: 'any', target: '2001:db8::1' },
      { kind: 'rdr', pass: true, log: true, interface: 'em0', family: 'inet', proto: 'tcp', to: '(em0)', port: '8080', target: '127.1.1.4' },
      { kind: 'rdr', pass: true, log: true, interface: 'em0', family: 'inet6', proto: 'tcp', to: '2001:db8::1', port: '8080', target: 'fd00:1:1:1::4' },
    ]);
    expect(() => fakePfctl.parse(nb.pf.rulesText, 'anchor', {}, nb.pf.anchor)).not.toThrow();
  });

  test('the forwards\' targets are h4\'s own addresses, not copied strings', () => {
    const h4 = nb.jails[3];
    const targets = rulesOf(parsePf(nb.pf.rulesText)).filter((r) => r.kind === 'rdr').map((r) => r.target);
    expect(targets).toEqual(h4.addresses.map((a) => a.ip));
  });

  test('as a whole pf.conf, the rules read as the notebook\'s pf.conf, byte for byte', () => {
    expect(nb.pf.pfConfText).toBe(NOTEBOOK_PF_CONF);
    expect(checkOrder(parsePf(nb.pf.pfConfText))).toEqual(['translation', 'translation', 'translation', 'translation']);
  });

  test('steps: settings, claim (destroy flushes and removes the hooks), load (check, arm, load; no destroy), then confirm over its own connection', () => {
    const owner = `${nb.host.ownershipScope}:${nb.pf.node.path}`;
    expect(nb.pf.claimStep.createScript).toContain(`"$cfj" pf-claim '${nb.pf.anchor}' '${nb.pf.rulesFile}' '${owner}'`);
    expect(nb.pf.claimStep.destroyScript).toContain(`"$cfj" pf-remove '${nb.pf.anchor}' '${nb.pf.rulesFile}' '${owner}'`);
    const load = nb.pf.loadStep;
    expect(load.createScript).toContain(`"$cfj" pf-apply '${nb.pf.anchor}' '${nb.pf.rulesFile}' 'XIF = "em0"`);
    expect(load.createScript).toMatch(/' '120'\n$/);
    // A change of the rules replaces this step: no destroy, so nothing flushes the anchor in between.
    expect(load.destroyScript).toBe('');
    expect(nb.pf.confirmStep.createScript).toContain(`"$cfj" pf-confirm '${nb.pf.anchor}'`);
    expect(nb.pf.confirmStep.destroyScript).toBe('');
    const resources = JSON.parse(Testing.synth(nb)).resource.null_resource as Record<string, { depends_on?: string[]; triggers: Record<string, string> }>;
    const name = (prefix: string) => Object.keys(resources).find((k) => k.startsWith(prefix))!;
    expect(resources[name('pf_claim_')].depends_on).toContain(`null_resource.${name('pf_settings_apply_')}`);
    expect(resources[name('pf_load_')].depends_on).toContain(`null_resource.${name('pf_claim_')}`);
    expect(resources[name('pf_confirm_')].depends_on).toContain(`null_resource.${name('pf_load_')}`);
    expect(resources[name('pf_confirm_')].triggers.input_load).toBe(load.contentHash);
    expect(nb.pf.settings.step.createScript).toMatch(/settings-apply '[^']+' 'rc' 'pf_enable' 'YES' 'rc' 'pflog_enable' 'YES'/);
  });

  test('a change of the rules replaces the load and the confirm steps', () => {
    const other = lab();
    const a = new PfNat(other.stack, 'pf2', { host: other.host, externalInterface: 'em0', portForwards: [PfPortForward.toJail(other.h4, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(8080) })] });
    const b = new PfNat(lab().stack, 'pf2', { host: other.host, externalInterface: 'em0', portForwards: [PfPortForward.toJail(other.h4, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(8081) })] });
    expect(a.anchor).toBe(b.anchor);
    expect(a.loadStep.contentHash).not.toBe(b.loadStep.contentHash);
    expect(a.confirmStep.contentHash).not.toBe(b.confirmStep.contentHash);
    // The claim, whose destroy flushes the anchor, stays.
    expect(a.claimStep.contentHash).toBe(b.claimStep.contentHash);
  });
});

describe('PfNat rules', () => {
  test('filter rules, ranges, udp and a target port, in pf.conf(5) order after translation', () => {
    const { stack, host, h4 } = lab();
    const pf = new PfNat(stack, 'pf2', {
      host,
      externalInterface: 'vtnet0',
      natNetworks: [PfNatNetwork.ipv4('10.0.0.0/24'), PfNatNetwork.ipv4('10.0.1.0/24')],
      portForwards: [PfPortForward.toJail(h4, { family: JailAddressFamily.IPV4, protocol: PfProtocol.UDP, ports: PfPortRange.range(60000, 60010), targetPort: 50000, pass: false })],
      filterRules: [
        PfFilterRule.block({ direction: PfDirection.IN, log: true, onExternalInterface: true, protocol: PfProtocol.TCP, ports: PfPortRange.port(8080) }),
        PfFilterRule.pass({ direction: PfDirection.IN, quick: true, from: '10.0.0.0/24', to: '127.1.1.4' }),
      ],
    });
    const p = parsePf(pf.rulesText);
    expect(p.macros).toEqual({ XIF: 'vtnet0', JAILNET_V4: '10.0.0.0/24', JAILNET_V4_2: '10.0.1.0/24' });
    expect(rulesOf(p)).toEqual([
      { kind: 'nat', interface: 'vtnet0', family: 'inet', from: '10.0.0.0/24', to: 'any', target: '(vtnet0)' },
      { kind: 'nat', interface: 'vtnet0', family: 'inet', from: '10.0.1.0/24', to: 'any', target: '(vtnet0)' },
      { kind: 'rdr', interface: 'vtnet0', family: 'inet', proto: 'udp', to: '(vtnet0)', port: '60000:60010', target: '127.1.1.4', targetPort: '50000:*' },
      { kind: 'block', direction: 'in', log: true, interface: 'vtnet0', proto: 'tcp', from: 'any', to: 'any', port: '8080' },
      { kind: 'pass', direction: 'in', quick: true, from: '10.0.0.0/24', to: '127.1.1.4' },
    ]);
    expect(checkOrder(parsePf(pf.pfConfText))).toEqual(['translation', 'translation', 'translation', 'filtering', 'filtering']);
    expect(() => fakePfctl.parse(pf.rulesText, 'anchor', {}, pf.anchor)).not.toThrow();
    expect(() => fakePfctl.parse(pf.pfConfText, 'pf.conf')).not.toThrow();
  });

  test('synth-time errors name the construct and the value', () => {
    type Props = Partial<ConstructorParameters<typeof PfNat>[2]>;
    // Props, or props made from a lab of their own (jails of the PfNat's host).
    const make = (props: Props | ((l: ReturnType<typeof lab>) => Props), id = 'bad') => {
      const l = lab();
      return () => new PfNat(l.stack, id, { host: l.host, externalInterface: 'em0', ...(typeof props === 'function' ? props(l) : props) });
    };
    const { h4, v4only, stack, host } = lab();
    expect(make({ externalInterface: 'em0; rm -rf /' })).toThrow(/notebook\/bad: invalid externalInterface: .*"em0; rm -rf \/"/);
    expect(make({ natNetworks: [PfNatNetwork.ipv6('fd00:1:1:1::/64')] })).toThrow(/notebook\/bad: invalid natNetworks\[0\]: IPv6 NAT of fd00:1:1:1::\/64 needs externalIpv6Address/);
    expect(make({ natNetworks: [PfNatNetwork.ipv4('127.1.1.1/24')] })).toThrow(/notebook\/bad: invalid natNetworks\[0\]: "127.1.1.1\/24" has host bits set/);
    expect(make({ natNetworks: [PfNatNetwork.ipv4('fd00::/64')] })).toThrow(/notebook\/bad: invalid natNetworks\[0\]: "fd00::\/64" is not an IPv4 network/);
    expect(make({ externalIpv6Address: '127.0.0.1' })).toThrow(/notebook\/bad: invalid externalIpv6Address: "127.0.0.1" is not an IPv6 address/);
    expect(() => new PfNat(stack, 'v6', { host, externalInterface: 'em0', externalIpv6Address: '2001:db8::1', portForwards: [PfPortForward.toJail(v4only, { family: JailAddressFamily.IPV6, ports: PfPortRange.port(80) })] }))
      .toThrow(/notebook\/v6: invalid portForwards\[0\]\.options\.family: the port forward to notebook\/h9 needs an IPv6 address of that jail, and it has none/);
    expect(() => new PfNat(stack, 'v6b', { host, externalInterface: 'em0', portForwards: [PfPortForward.toJail(h4, { family: JailAddressFamily.IPV6, ports: PfPortRange.port(80) })] }))
      .toThrow(/notebook\/v6b: invalid portForwards\[0\]: the IPv6 port forward to notebook\/h4 needs externalIpv6Address/);
    expect(make((l) => ({ portForwards: [PfPortForward.toJail(l.h4, { family: JailAddressFamily.IPV4, ports: PfPortRange.range(90, 80) })] }))).toThrow(/notebook\/bad: invalid portForwards\[0\]\.options\.ports: "90:80" is a port range whose start is after its end/);
    expect(make((l) => ({ portForwards: [PfPortForward.toJail(l.h4, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(70000) })] }))).toThrow(/notebook\/bad: invalid portForwards\[0\]\.options\.ports: 70000 must be a port/);
    expect(make({ filterRules: [PfFilterRule.pass({ ports: PfPortRange.port(22) })] })).toThrow(/notebook\/bad: invalid filterRules\[0\]: a port needs a protocol/);
    expect(make({ filterRules: [PfFilterRule.pass({ from: '10.0.0.0/8', to: 'fd00::1' })] })).toThrow(/notebook\/bad: invalid filterRules\[0\]\.options\.to: "fd00::1" is not an IPv4 address/);
    expect(make({ anchorName: 'a/b' })).toThrow(/notebook\/bad: invalid anchorName: "a\/b" must be one anchor name/);
    // A jail of another host of the same app: its address is not on this host.
    const other = new FreeBsdHost(stack, 'other-host', { address: '192.0.2.20', release: FreeBsdRelease.of('14.3') });
    const elsewhere = new JailFromSnapshot(stack, 'far', {
      jailHost: new JailHost(stack, 'other-jails', { host: other }), source: JailSource.snapshot('zroot/vm/tmpl/14.3@p3'), addresses: [JailAddress.onInterface('lo1', '127.1.1.20/32')],
    });
    expect(() => new PfNat(stack, 'cross', { host, externalInterface: 'em0', portForwards: [PfPortForward.toJail(h4, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(80) }), PfPortForward.toJail(elsewhere, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(443) })] }))
      .toThrow('notebook/cross: invalid portForwards[1].jail: notebook/far is a jail of host notebook/other-host, and this PfNat is on host notebook/host: a port forward reaches only jails of its own host');
    expect(make({ anchorName: '_hidden' })).toThrow(/notebook\/bad: invalid anchorName: .*_hidden/);
    expect(make({ rollbackSeconds: 5 })).toThrow(/notebook\/bad: invalid rollbackSeconds: 5 must be a whole number of seconds from 10 to 3600/);
  });

  test('the default anchor name is the id and a digest of the path, so two stacks on one host never share an anchor', () => {
    const a = lab();
    const b = new NotebookStack(Testing.app(), 'other', { FREEBSD_HOST: '192.0.2.10' });
    expect(a.stack.pf.anchor).toMatch(/^cdktf-freebsd-jails\/pf-[0-9a-f]{8}$/);
    expect(b.pf.anchor).toMatch(/^cdktf-freebsd-jails\/pf-[0-9a-f]{8}$/);
    expect(a.stack.pf.anchor).not.toBe(b.pf.anchor);
    expect(new PfNat(a.stack, 'named', { host: a.host, externalInterface: 'em0', anchorName: 'web' }).anchor).toBe('cdktf-freebsd-jails/web');
  });
});

describe('PfNat in whole-file mode (PfMode.WHOLE_FILE)', () => {
  test('the load step sends the whole /etc/pf.conf: pf.conf(5) category order, each rule after macro expansion', () => {
    const nbw = wholeFileNotebook();
    const pf = nbw.pfWhole;
    expect(pf.mode).toBe(PfMode.WHOLE_FILE);
    expect(pf.rulesFile).toBe('/etc/pf.conf');
    expect(pf.anchor).toBe('');
    expect(pf.rulesText).toBe(pf.pfConfText);
    const p = parsePf(pf.rulesText);
    expect(p.macros).toEqual({ XIF: 'em0', JAILNET_V4: '127.1.1.0/24', EXT_V6ADDR: '2001:db8::1' });
    expect(checkOrder(p)).toEqual(['options', 'translation', 'translation', 'filtering', 'filtering']);
    expect(p.statements.filter((s) => s.category === 'options').map((s) => s.text)).toEqual(['set skip on lo0']);
    expect(rulesOf(p)).toEqual([
      { kind: 'nat', interface: 'em0', family: 'inet', from: '127.1.1.0/24', to: 'any', target: '(em0)' },
      { kind: 'rdr', pass: true, interface: 'em0', family: 'inet', proto: 'tcp', to: '(em0)', port: '8080', target: '127.1.1.4' },
      { kind: 'pass', direction: 'in', interface: 'em0', proto: 'tcp', from: 'any', to: 'any', port: '22' },
      { kind: 'pass', direction: 'out', from: 'any', to: 'any' },
    ]);
    // The notebook's section comments, in its order: macros/tables, options, normalization, queueing, translation, filtering.
    expect(pf.rulesText.split('\n').filter((l) => l.startsWith('#'))).toEqual([
      '# MACROS/TABLES', '# OPTIONS (set skip, etc.)', '# NORMALIZATION (scrub)', '# QUEUEING', '# TRANSLATION', '## NAT', '## REDIRECT (Port Forwarding)', '# FILTERING (Pass/Block)',
    ]);
    expect(() => fakePfctl.parse(pf.rulesText, 'pf.conf')).not.toThrow();
  });

  test('steps: claim (pf-conf-claim; destroy pf-conf-remove puts the earlier file back), load (pf-conf-apply, no destroy), confirm (pf-confirm /etc/pf.conf)', () => {
    const nbw = wholeFileNotebook();
    const pf = nbw.pfWhole;
    const owner = `${nbw.host.ownershipScope}:${pf.node.path}`;
    expect(pf.claimStep.createScript).toContain(`"$cfj" pf-conf-claim '${owner}'`);
    expect(pf.claimStep.destroyScript).toContain(`"$cfj" pf-conf-remove '${owner}'`);
    expect(pf.loadStep.createScript).toContain(`"$cfj" pf-conf-apply '${owner}' '# MACROS/TABLES\nXIF = "em0"`);
    expect(pf.loadStep.createScript).toMatch(/' '60'\n$/);
    expect(pf.loadStep.destroyScript).toBe('');
    expect(pf.confirmStep.createScript).toContain(`"$cfj" pf-confirm '/etc/pf.conf'`);
  });

  test('one whole-file PfNat per host, and none beside an anchor-mode one: refused at synth, naming both', () => {
    const { stack, host, h4 } = lab();
    // The notebook's PfNat (anchor mode) is already on this host.
    expect(() => new PfNat(stack, 'whole', { host, externalInterface: 'em0', mode: PfMode.WHOLE_FILE }))
      .toThrow('notebook/whole: invalid mode: a whole-file PfNat owns the host\'s /etc/pf.conf entirely, so it cannot share host notebook/host with another PfNat: notebook/pf (anchor) and notebook/whole (whole-file)');
    const nbw = wholeFileNotebook();
    expect(() => new PfNat(nbw, 'second', { host: nbw.host, externalInterface: 'em0', mode: PfMode.WHOLE_FILE }))
      .toThrow(/owned\/second: invalid mode: .*: owned\/pf-whole \(whole-file\) and owned\/second \(whole-file\)/);
    expect(() => new PfNat(nbw, 'anchored', { host: nbw.host, externalInterface: 'em0' }))
      .toThrow(/owned\/anchored: invalid mode: .*: owned\/pf-whole \(whole-file\) and owned\/anchored \(anchor\)/);
    // Another host is another pf.conf.
    expect(() => new PfNat(stack, 'fwd', { host, externalInterface: 'em0', portForwards: [PfPortForward.toJail(h4, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(81) })] })).not.toThrow();
  });

  test('options only in whole-file mode, anchors only in anchor mode', () => {
    const { stack, host } = lab();
    expect(() => new PfNat(stack, 'skip', { host, externalInterface: 'em0', skipInterfaces: ['lo0'] }))
      .toThrow(/notebook\/skip: invalid skipInterfaces: options \(set skip\) belong to the main ruleset/);
    const other = wholeFileNotebook();
    other.node.tryRemoveChild('pf-whole');
    expect(() => new PfNat(other, 'named', { host: other.host, externalInterface: 'em0', mode: PfMode.WHOLE_FILE, anchorName: 'x' }))
      .toThrow(/owned\/named: invalid anchorName: "x": a whole-file PfNat loads the main ruleset/);
    expect(() => new PfNat(other, 'badskip', { host: other.host, externalInterface: 'em0', mode: PfMode.WHOLE_FILE, skipInterfaces: ['lo0 }'] }))
      .toThrow('owned/badskip: invalid skipInterfaces[0]: "lo0 }" must be a letter, then letters, digits, _ or .');
  });
});

/** The notebook's stack with a whole-file PfNat (options, filter rules) instead of its anchor-mode one. */
function wholeFileNotebook(): NotebookStack & { pfWhole: PfNat } {
  const nb = new NotebookStack(Testing.app(), 'owned', { FREEBSD_HOST: '192.0.2.20' }) as NotebookStack & { pfWhole: PfNat };
  nb.node.tryRemoveChild('pf');
  nb.pfWhole = new PfNat(nb, 'pf-whole', {
    host: nb.host,
    mode: PfMode.WHOLE_FILE,
    externalInterface: 'em0',
    externalIpv6Address: '2001:db8::1',
    skipInterfaces: ['lo0'],
    natNetworks: [PfNatNetwork.ipv4('127.1.1.0/24')],
    portForwards: [PfPortForward.toJail(nb.jails[3], { family: JailAddressFamily.IPV4, ports: PfPortRange.port(8080), log: false })],
    filterRules: [
      PfFilterRule.pass({ direction: PfDirection.IN, onExternalInterface: true, protocol: PfProtocol.TCP, ports: PfPortRange.port(22) }),
      PfFilterRule.pass({ direction: PfDirection.OUT }),
    ],
    rollbackSeconds: 60,
  });
  return nb;
}

describe('forwards to VNET jails', () => {
  /** A host with switches of each shape and a VNET web jail on `shape`'s switch. */
  const vnet = (shape: 'routed' | 'bridged' | 'switch') => {
    const { stack, host, jail } = jailStack();
    const mode = shape === 'routed' ? VnetBridgeMode.routed({ gateways: ['172.31.0.1/24'] }) : shape === 'bridged' ? VnetBridgeMode.bridged('em0') : VnetBridgeMode.switchOnly();
    const vi0 = new VnetBridge(stack, 'vi0', { host, mode, subnets: ['172.31.0.0/24'] });
    const web = jail('web', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi0, addresses: ['172.31.0.11/24'] }], defaultRouter: shape === 'routed' ? '172.31.0.1' : undefined })] });
    return { stack, host, vi0, web, jail };
  };
  const forwards = (web: JailFromSnapshot) => [80, 443].map((port) => PfPortForward.toJail(web, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(port) }));

  test('behind a routed switch: the rdr goes to the jail\'s address on the switch, the NAT covers the switch\'s subnet', () => {
    const { stack, host, vi0, web } = vnet('routed');
    expect(web.forwardTargets).toEqual([{ address: JailAddress.existing('172.31.0.11/24'), where: 'vi0_web on routed switch stack/vi0' }]);
    const pf = new PfNat(stack, 'pf', { host, externalInterface: 'em0', natNetworks: vi0.subnets.map((s) => PfNatNetwork.ipv4(s)), portForwards: forwards(web) });
    expect(rulesOf(parsePf(pf.rulesText))).toEqual([
      { kind: 'nat', interface: 'em0', family: 'inet', from: '172.31.0.0/24', to: 'any', target: '(em0)' },
      { kind: 'rdr', pass: true, interface: 'em0', family: 'inet', proto: 'tcp', to: '(em0)', port: '80', target: '172.31.0.11' },
      { kind: 'rdr', pass: true, interface: 'em0', family: 'inet', proto: 'tcp', to: '(em0)', port: '443', target: '172.31.0.11' },
    ]);
    expect(() => fakePfctl.parse(pf.rulesText, 'anchor', {}, pf.anchor)).not.toThrow();
  });

  test('on a bridged switch: refused, naming the switch, the LAN and what to do', () => {
    const { stack, host, web } = vnet('bridged');
    expect(() => new PfNat(stack, 'pf', { host, externalInterface: 'em0', portForwards: forwards(web) })).toThrow(
      'stack/pf: invalid portForwards[0].jail: the port forward cannot reach stack/web at its IPv4 address 172.31.0.11 (vi0_web on bridged switch stack/vi0): '
      + 'the switch joins the jail to the LAN of em0: the host has no route of its own to 172.31.0.11 and the jail\'s replies go to the LAN\'s router, not back through the host\'s translation. '
      + 'Clients on that LAN reach 172.31.0.11 directly; for a forward on the host, put the jail on a routed switch (VnetBridgeMode.routed) behind it');
  });

  test('on a switch only: refused, the host has no interface there', () => {
    const { stack, host, web } = vnet('switch');
    expect(() => new PfNat(stack, 'pf', { host, externalInterface: 'em0', portForwards: forwards(web) })).toThrow(
      'stack/pf: invalid portForwards[0].jail: the port forward cannot reach stack/web at its IPv4 address 172.31.0.11 (vi0_web on switch stack/vi0): that switch has no host interface (VnetBridgeMode.switchOnly()), so the host cannot reach 172.31.0.11');
  });

  test('a jail on a bridged and a routed switch is reached through the routed one', () => {
    const { stack, host, vi0: lan, jail } = vnet('bridged');
    const vi1 = new VnetBridge(stack, 'vi1', { host, mode: VnetBridgeMode.routed({ gateways: ['172.31.1.1/24'] }) });
    const app = jail('app', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: lan, addresses: ['172.31.0.12/24'] }, { bridge: vi1, addresses: ['172.31.1.12/24'] }], defaultRouter: '172.31.1.1' })] });
    const pf = new PfNat(stack, 'pf', { host, externalInterface: 'em0', portForwards: forwards(app) });
    expect(rulesOf(parsePf(pf.rulesText)).map((r) => r.target)).toEqual(['172.31.1.12', '172.31.1.12']);
  });

  test('behind a routed switch, replies must come back through the host: no default route, or another one, is refused naming it', () => {
    const { stack, host, vi0, jail } = vnet('routed');
    const vi1 = new VnetBridge(stack, 'vi1', { host, mode: VnetBridgeMode.routed({ gateways: ['172.31.1.1/24'] }) });
    const lone = jail('lone', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi0, addresses: ['172.31.0.21/24'] }] })] });
    expect(() => new PfNat(stack, 'pf1', { host, externalInterface: 'em0', portForwards: forwards(lone) })).toThrow(
      'stack/pf1: invalid portForwards[0].jail: the port forward cannot reach stack/lone at its IPv4 address 172.31.0.21 (vi0_lone on routed switch stack/vi0): '
      + 'the jail has no default route (defaultRouter), so its replies to clients outside 172.31.0.0/24 have no way back; give it defaultRouter: "172.31.0.1"');
    const elsewhere = jail('away', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi0, addresses: ['172.31.0.22/24'] }, { bridge: vi1, addresses: ['172.31.1.22/24'] }], defaultRouter: '172.31.1.1' })] });
    // Its address on vi1 is where its replies go: that one is the target.
    const pf = new PfNat(stack, 'pf2', { host, externalInterface: 'em0', portForwards: forwards(elsewhere) });
    expect(rulesOf(parsePf(pf.rulesText)).map((r) => r.target)).toEqual(['172.31.1.22', '172.31.1.22']);
    const v6 = jail('six', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi0, addresses: ['172.31.0.23/24', 'fd00:31::23/64'] }], defaultRouter: '172.31.0.1' })] });
    expect(() => new PfNat(stack, 'pf3', { host, externalInterface: 'em0', externalIpv6Address: '2001:db8::1', portForwards: [PfPortForward.toJail(v6, { family: JailAddressFamily.IPV6, ports: PfPortRange.port(80) })] })).toThrow(
      'stack/pf3: invalid portForwards[0].jail: the port forward cannot reach stack/six at its IPv6 address fd00:31::23 (vi0_six on routed switch stack/vi0): the host has no IPv6 gateway on the switch (172.31.0.1/24), so no route to fd00:31::23');
  });

  test('a VNET jail with no address of the family: the family is the cause, and the message says what counts', () => {
    const { stack, host, web } = vnet('routed');
    expect(() => new PfNat(stack, 'pf', { host, externalInterface: 'em0', externalIpv6Address: '2001:db8::1', portForwards: [PfPortForward.toJail(web, { family: JailAddressFamily.IPV6, ports: PfPortRange.port(80) })] })).toThrow(
      'stack/pf: invalid portForwards[0].options.family: the port forward to stack/web needs an IPv6 address of that jail, and it has none (an aliased address, or an address on a VNET interface of a routed switch)');
  });
});
