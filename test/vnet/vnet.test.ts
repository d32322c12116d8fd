/**
 * VNET at synth: examples/vnet-lab read as the notebook's lab (its jail.conf parameter by
 * parameter, its `vnet list -r`), the three switch shapes, derived Ethernet addresses, and
 * every validation error with the constructs it names.
 */
import { Testing, TerraformStack } from 'cdktf';
import { VnetLabStack } from '../../examples/vnet-lab/main';
import { FreeBsdHost, FreeBsdRelease, HOST_HELPER_PATH, HostSettings, JailAddress, JailNetwork, JailVnetInterface, JailVnetNetwork, VnetBackend, VnetBridge, VnetBridgeMode } from '../../lib';
import { deriveMacAddress } from '../../lib/shell/vnet';
import { jailStack, synthValidated } from '../jail/fixtures';
import { messageOf } from '../support/errors';
import { BridgedStack } from '../../examples/bridged/main';
import { RoutedStack } from '../../examples/routed/main';
import { NOTEBOOK_B1, NOTEBOOK_LAB_JAIL_CONF, NOTEBOOK_LAB_LISTING, NOTEBOOK_V1 } from './notebook-lab';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const J = require('../e2e/fakebsd/lib/jailconf');

const ENV = { FREEBSD_HOST: '192.0.2.10', FREEBSD_KEY_PATH: '/home/operator/.ssh/id_ed25519' };
const LAB = ['r1', 'vpnr1', 'vpnr2', 'vpnh1', 'vpnh2'];

/** Every jail's parameters as jail(8) reads them (variables expanded). */
function readConf(text: string): Record<string, Record<string, string[]>> {
  const { order, jails } = J.jailsOf(J.parse(text, 'jail.conf', { release: 14 }));
  return Object.fromEntries(order.map((n: string) => [n, J.resolveJail(n, jails[n].stmts, { kld: ['nullfs'] }).params]));
}


describe('examples/vnet-lab is the notebook\'s lab', () => {
  const stack = new VnetLabStack(Testing.app(), 'vnet-lab', ENV);
  const notebook = readConf(NOTEBOOK_LAB_JAIL_CONF);
  const ours = readConf(stack.jails.map((j) => j.confText).join('\n'));

  test('the topology listing at synth equals the notebook\'s vnet list -r', () => {
    expect(VnetBridge.listing(stack.host)).toBe(NOTEBOOK_LAB_LISTING);
  });

  test.each(LAB)('%s: every jail.conf parameter as the notebook has it (the helper in place of its vnet script)', (name) => {
    const nb = notebook[name];
    const me = ours[name];
    expect(Object.keys(me).sort()).toEqual(Object.keys(nb).sort());
    for (const k of Object.keys(nb)) {
      if (k === 'exec.prestart') {
        // vnet add -b NET IF  <->  helper-1 vnet-add NET IF MAC switch
        expect(me[k].map((c) => c.split(' '))).toEqual(nb[k].map((c) => {
          const [, , flag, net, ifn] = c.split(' ');
          expect([c.split(' ').slice(0, 2), flag]).toEqual([['vnet', 'add'], '-b']);
          return [HOST_HELPER_PATH, 'vnet-add', net, ifn, expect.stringMatching(/^02(:[0-9a-f]{2}){5}$/), 'switch'];
        }));
      } else if (k === 'exec.poststop') {
        expect(me[k]).toEqual(nb[k].map((c) => c.replace(/^vnet delete /, `${HOST_HELPER_PATH} vnet-delete `)));
      } else if (k === 'exec.start') {
        // The same commands, by absolute path (exec.clean), the network's before rc: the
        // notebook runs rc first, so the services rc starts came up with no network.
        const network = nb[k].filter((c) => c !== '/bin/sh /etc/rc').map((c) => c.replace(/^(ifconfig|route|sysctl) /, '/sbin/$1 '));
        expect(me[k]).toEqual([...network, '/bin/sh /etc/rc']);
      } else {
        expect([k, me[k]]).toEqual([k, nb[k]]);
      }
    }
  });

  test('the Mermaid diagram has every switch, jail and interface', () => {
    const m = VnetBridge.mermaid(stack.host);
    expect(m.split('\n')[0]).toBe('flowchart LR');
    for (const line of NOTEBOOK_LAB_LISTING.split('\n').filter((l) => l.startsWith('  '))) {
      const [jail, ifn, address] = line.trim().split(' ');
      expect(m).toContain(`  jail_${jail} ---|"${ifn} ${address}"| sw_${ifn.split('_')[0]}`);
    }
    expect(m).not.toContain('host(('); // nothing of the lab is on the host
  });

  test('jails wait for their switches\' steps; the switches check the kernel', () => {
    const synth = JSON.parse(Testing.synth(stack));
    const r = synth.resource.null_resource;
    const r1 = Object.keys(r).find((k) => k.startsWith('r1_config'))!;
    expect(r[r1].depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^null_resource\.vi1_switch/), expect.stringMatching(/^null_resource\.vi2_switch/)]));
    const vi1 = Object.keys(r).find((k) => k.startsWith('vi1_switch'))!;
    const script = r[vi1].provisioner[0]['remote-exec'].inline.join('\n');
    expect(script).toContain('sysctl -n kern.features.vimage');
    expect(script).toContain('kldload -n netgraph ng_socket ng_bridge ng_eiface ||');
    // The switch's name is claimed for this construct's owner mark, released (with what is left) on destroy.
    expect(script).toContain('"$cfj" vnet-claim \'vi1\' \'vnet-lab:vnet-lab/vi1\'');
    expect(r[vi1].triggers.destroy_script).toContain('"$cfj" vnet-release \'vi1\' \'vnet-lab:vnet-lab/vi1\' \'netgraph\'');
  });
});

test.each([VnetBackend.IF_BRIDGE, VnetBackend.NETGRAPH])('a bridged %s switch: on if_bridge the step has the helper check the uplink (FreeBSD 15 refuses one with addresses); on netgraph it warns of offloads', (backend) => {
  const stack = new BridgedStack(Testing.app(), 'bridged', { ...ENV, VNET_BACKEND: backend });
  const r = JSON.parse(Testing.synth(stack)).resource.null_resource;
  const script = r[Object.keys(r).find((k) => k.startsWith('em0_switch'))!].provisioner[0]['remote-exec'].inline.join('\n');
  const check = `"$cfj" vnet-uplink-check 'em0'`;
  if (backend === VnetBackend.IF_BRIDGE) {
    expect(script).toContain(check);
    // The rule is the helper's alone (vnet-epair-add makes the same check at each jail's start).
    expect(script).not.toContain('member_ifaddrs');
    // Before the switch is claimed: a refused switch leaves nothing behind.
    expect(script.indexOf(check)).toBeLessThan(script.indexOf('vnet-claim'));
    expect(script).not.toContain('-txcsum');
  } else {
    expect(script).not.toContain('vnet-uplink-check');
    expect(script).not.toContain('member_ifaddrs');
    expect(script).toContain("if ifconfig em0 | awk '$1 ~ /^options=/' | grep -Eq '[<,](TXCSUM|TXCSUM_IPV6|TSO4|TSO6|LRO)[,>]'; then");
    expect(script).toContain('warning: bridged/em0: em0 has checksum offload, TSO or LRO on');
  }
});

describe('examples/bridged and examples/routed are the notebook\'s b1 and v1', () => {
  test.each([
    ['b1', NOTEBOOK_B1, () => new BridgedStack(Testing.app(), 'bridged', ENV).jail, ['bridged', 'em0']],
    ['v1', NOTEBOOK_V1, () => new RoutedStack(Testing.app(), 'routed', ENV).jail, ['routed', expect.stringMatching(/^02:/), '172.31.0.1/24']],
  ] as const)('%s: its vnet parameters as the notebook writes them', (name, text, make, shape) => {
    const nb = readConf(text)[name];
    const me = readConf(make().confText)[name];
    // The notebook's block holds only the network; ours adds the host defaults before it.
    const mine = (k: string) => me[k].filter((c) => c.startsWith('/sbin/') || c.startsWith(HOST_HELPER_PATH) || !k.startsWith('exec.'));
    for (const k of Object.keys(nb).filter((x) => x !== 'name')) {
      if (k === 'exec.prestart') {
        const [net, ifn] = nb[k][0].split(' ').slice(-2);
        expect(mine(k).map((c) => c.split(' '))).toEqual([[HOST_HELPER_PATH, 'vnet-add', net, ifn, expect.stringMatching(/^02(:[0-9a-f]{2}){5}$/), ...shape]]);
      } else if (k === 'exec.poststop') {
        expect(mine(k)).toEqual(nb[k].map((c) => c.replace(/^vnet delete /, `${HOST_HELPER_PATH} vnet-delete `)));
      } else if (k === 'exec.start') {
        expect(mine(k)).toEqual(nb[k].map((c) => c.replace(/^(ifconfig|route) /, '/sbin/$1 ')));
      } else {
        expect([k, me[k]]).toEqual([k, nb[k]]);
      }
    }
  });
});

describe('switch shapes', () => {
  test('bridged: the physical interface is joined (notebook b1), the jail uses the host\'s router', () => {
    const { stack, host, jail } = jailStack();
    const em0 = new VnetBridge(stack, 'em0', { host, mode: VnetBridgeMode.bridged('em0'), subnets: ['192.168.1.0/24'] });
    const b1 = jail('b1', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: em0, addresses: ['192.168.1.11/24'] }], defaultRouter: '192.168.1.1' })] });
    synthValidated(stack);
    const p = readConf(b1.confText).b1;
    expect(p['vnet.interface']).toEqual(['em0_b1']);
    expect(p['exec.prestart']).toContain(`${HOST_HELPER_PATH} vnet-add em0 em0_b1 ${deriveMacAddress('192.0.2.10:22/em0_b1')} bridged em0`);
    // The network first, then rc (its services start with the network up).
    expect(p['exec.start']).toEqual(['/sbin/ifconfig em0_b1 192.168.1.11/24', '/sbin/route add default 192.168.1.1', '/bin/sh /etc/rc']);
    // The jail's configuration waits for its switch.
    const config = JSON.parse(synthValidated(stack)).resource.null_resource;
    const b1Config = Object.entries<any>(config).find(([k]) => k.startsWith('b1_config'))![1];
    expect(b1Config.depends_on).toContain(`null_resource.${em0.step.nullResource.friendlyUniqueId}`);
    expect(host.node.tryFindChild('vnet-forwarding-inet')).toBeUndefined();
    expect(VnetBridge.mermaid(host)).toContain('if_em0[/"em0 (host uplink)"/] --- sw_em0');
  });

  test('routed: a host interface holds the gateway (notebook v1); forwarding is a host setting, once per host', () => {
    const { stack, host, jail } = jailStack();
    const vi0 = new VnetBridge(stack, 'vi0', { host, mode: VnetBridgeMode.routed({ gateways: ['172.31.0.1/24', 'fd00:31::1/64'] }) });
    const vi9 = new VnetBridge(stack, 'vi9', { host, mode: VnetBridgeMode.routed({ gateways: ['172.31.9.1/24'] }) });
    const v1 = jail('v1', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi0, addresses: ['172.31.0.11/24', 'fd00:31::11/64'] }], defaultRouter: '172.31.0.1', defaultRouter6: 'fd00:31::1' })] });
    synthValidated(stack);
    const p = readConf(v1.confText).v1;
    expect(p['exec.prestart']).toContain(`${HOST_HELPER_PATH} vnet-add vi0 vi0_v1 ${deriveMacAddress('192.0.2.10:22/vi0_v1')} routed ${vi0.gatewayMacAddress} 172.31.0.1/24 fd00:31::1/64`);
    expect(p['exec.start']).toEqual(['/sbin/ifconfig vi0_v1 172.31.0.11/24', '/sbin/ifconfig vi0_v1 inet6 fd00:31::11/64',
      '/sbin/route add default 172.31.0.1', '/sbin/route add -inet6 default fd00:31::1', '/bin/sh /etc/rc']);
    expect(vi0.gatewayMacAddress).toBe(deriveMacAddress('192.0.2.10:22/vi0'));
    const v4 = host.node.tryFindChild('vnet-forwarding-inet') as HostSettings;
    const v6 = host.node.tryFindChild('vnet-forwarding-inet6') as HostSettings;
    expect(v4).toBeInstanceOf(HostSettings);
    expect(v6).toBeInstanceOf(HostSettings);
    const synth = JSON.parse(Testing.synth(stack)).resource.null_resource;
    const settingsScript = (prefix: string) => synth[Object.keys(synth).find((k) => k.startsWith(prefix))!].provisioner[0]['remote-exec'].inline.join('\n');
    expect(settingsScript('host_vnet-forwarding-inet_apply')).toMatch(/settings-apply '[^']+' 'rc' 'gateway_enable' 'YES' 'sysctl' 'net\.inet\.ip\.forwarding' '1'/);
    expect(settingsScript('host_vnet-forwarding-inet6_apply')).toMatch(/'rc' 'ipv6_gateway_enable' 'YES' 'sysctl' 'net\.inet6\.ip6\.forwarding' '1'/);
    // Both switches wait for the one IPv4 setting.
    for (const sw of ['vi0_switch', 'vi9_switch']) {
      expect(synth[Object.keys(synth).find((k) => k.startsWith(sw))!].depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^null_resource\.host_vnet-forwarding-inet_apply/)]));
    }
    expect(VnetBridge.listing(host)).toBe('vi0\n  - vi0 172.31.0.1/24 fd00:31::1/64\n  v1 vi0_v1 172.31.0.11/24 fd00:31::11/64\nvi9\n  - vi9 172.31.9.1/24\n');
    expect(vi9.subnets).toEqual(['172.31.9.0/24']);
  });

  test('a router jail forwards inside: IPv4, and IPv6 when it has IPv6 addresses', () => {
    const { stack, host, jail } = jailStack();
    const a = new VnetBridge(stack, 'a', { host });
    const b = new VnetBridge(stack, 'b', { host });
    const r = jail('r', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: a, addresses: ['10.0.1.1/24'] }, { bridge: b, addresses: ['fd00:b::1/64'] }], forwarding: true })] });
    synthValidated(stack);
    expect(readConf(r.confText).r['exec.start'].slice(-3)).toEqual(['/sbin/sysctl net.inet.ip.forwarding=1', '/sbin/sysctl net.inet6.ip6.forwarding=1', '/bin/sh /etc/rc']);
  });

  test('Ethernet addresses are derived: stable for one host and name, different on another host', () => {
    const make = (address: string) => {
      const { stack, jail } = jailStack({ address });
      const sw = new VnetBridge(stack, 'vi1', { host: stack.node.findChild('host') as FreeBsdHost });
      return readConf(jail('r1', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: sw, addresses: ['10.0.0.1/24'] }] })] }).confText).r1['exec.prestart'].find((c: string) => c.includes(' vnet-add '))!.split(' ')[4];
    };
    expect(make('192.0.2.10')).toBe(make('192.0.2.10'));
    expect(make('192.0.2.10')).not.toBe(make('192.0.2.11'));
    expect(make('192.0.2.10')).toMatch(/^02(:[0-9a-f]{2}){5}$/);
  });
});

describe('the if_bridge backend (if_bridge(4) and epair(4), as jib)', () => {
  const stackOf = () => new VnetLabStack(Testing.app(), 'vnet-lab', { ...ENV, VNET_BACKEND: 'if_bridge' });

  test('the lab on if_bridge: the same topology listing; hooks call vnet-epair-add and -delete with both ends\' stable addresses', () => {
    const stack = stackOf();
    expect(Object.values(stack.switches).map((b) => b.backend)).toEqual(Array(4).fill(VnetBackend.IF_BRIDGE));
    expect(VnetBridge.listing(stack.host)).toBe(NOTEBOOK_LAB_LISTING);
    const confText = stack.jails.map((j) => j.confText).join('\n');
    // The boot hooks never look at switch claims: a reboot must not depend on them.
    expect(confText).not.toMatch(/vnet-claim|vnet-release/);
    const ours = readConf(confText);
    const netgraph = readConf(new VnetLabStack(Testing.app(), 'vnet-lab', ENV).jails.map((j) => j.confText).join('\n'));
    for (const name of LAB) {
      // Everything but the hooks as the netgraph lab has it.
      for (const k of Object.keys(netgraph[name]).filter((x) => !['exec.prestart', 'exec.poststop'].includes(x))) expect([k, ours[name][k]]).toEqual([k, netgraph[name][k]]);
      expect(ours[name]['exec.prestart'].filter((c) => c.includes(' vnet-')).map((c) => c.split(' '))).toEqual(
        netgraph[name]['exec.prestart'].filter((c) => c.includes(' vnet-')).map((c) => {
          const [helper, , net, ifn, mac] = c.split(' ');
          return [helper, 'vnet-epair-add', net, ifn, mac, deriveMacAddress(`192.0.2.10:22/${ifn}h`), 'switch'];
        }));
      expect(ours[name]['exec.poststop']).toEqual(netgraph[name]['exec.poststop'].map((c) => c.replace(' vnet-delete ', ' vnet-epair-delete ')));
    }
    const r = JSON.parse(Testing.synth(stack)).resource.null_resource;
    const vi1 = Object.keys(r).find((k) => k.startsWith('vi1_switch'))!;
    const script = r[vi1].provisioner[0]['remote-exec'].inline.join('\n');
    expect(script).toContain('kldload -n if_bridge if_epair ||');
    expect(script).not.toContain('ng_bridge');
    expect(r[vi1].triggers.destroy_script).toContain('"$cfj" vnet-release \'vi1\' \'vnet-lab:vnet-lab/vi1\' \'if_bridge\'');
  });

  test('the claim is per ownership scope: two apps\' switches of one name claim different owners', () => {
    const claimOf = (scope: string) => {
      const { stack, host } = jailStack({ ownershipScope: scope });
      new VnetBridge(stack, 'vi1', { host, backend: VnetBackend.IF_BRIDGE });
      const r = JSON.parse(Testing.synth(stack)).resource.null_resource;
      return r[Object.keys(r).find((k) => k.startsWith('vi1_switch'))!].provisioner[0]['remote-exec'].inline.join('\n').match(/vnet-claim 'vi1' '([^']+)'/)![1];
    };
    expect([claimOf('appa'), claimOf('appb')]).toEqual(['appa:stack/vi1', 'appb:stack/vi1']);
  });

  test('bridged and routed: the uplink, the gateway epair\'s two addresses', () => {
    const { stack, host, jail } = jailStack();
    const em0 = new VnetBridge(stack, 'em0', { host, backend: VnetBackend.IF_BRIDGE, mode: VnetBridgeMode.bridged('em0'), subnets: ['192.168.1.0/24'] });
    const vi0 = new VnetBridge(stack, 'vi0', { host, backend: VnetBackend.IF_BRIDGE, mode: VnetBridgeMode.routed({ gateways: ['172.31.0.1/24'] }) });
    const b1 = jail('b1', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: em0, addresses: ['192.168.1.11/24'] }] })] });
    const v1 = jail('v1', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi0, addresses: ['172.31.0.11/24'] }] })] });
    synthValidated(stack);
    const mac = (n: string) => deriveMacAddress(`192.0.2.10:22/${n}`);
    expect(readConf(b1.confText).b1['exec.prestart']).toContain(`${HOST_HELPER_PATH} vnet-epair-add em0 em0_b1 ${mac('em0_b1')} ${mac('em0_b1h')} bridged em0`);
    expect(readConf(v1.confText).v1['exec.prestart']).toContain(`${HOST_HELPER_PATH} vnet-epair-add vi0 vi0_v1 ${mac('vi0_v1')} ${mac('vi0_v1h')} routed ${mac('vi0')} ${mac('vi0h')} 172.31.0.1/24`);
    expect(VnetBridge.listing(host)).toBe('em0\n  b1 em0_b1 192.168.1.11/24\nvi0\n  - vi0 172.31.0.1/24\n  v1 vi0_v1 172.31.0.11/24\n');
  });

  test('an interface whose epair host side would pass 15 characters; a host side that is another jail\'s interface', () => {
    const { stack, host, jail } = jailStack();
    const vi1 = new VnetBridge(stack, 'vi1', { host, backend: VnetBackend.IF_BRIDGE });
    expect(messageOf(() => jail('routerjail1', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi1, name: 'vi1_routerjail1' }] })] }))).toBe(
      'stack/routerjail1: invalid interface name: "vi1_routerjail1" is too long for switch stack/vi1 (if_bridge): its epair\'s host side "vi1_routerjail1h" would be longer than 15 characters (IFNAMSIZ)');
    jail('r1', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi1 }] })] });
    jail('r2', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi1, name: 'vi1_r1h' }] })] });
    expect(messageOf(() => synthValidated(stack))).toContain('stack/r2: invalid interface: vi1_r1h is already on switch stack/vi1 for stack/r1');
  });
});

describe('validation errors name the constructs', () => {
  function lab() {
    const f = jailStack();
    const vi1 = new VnetBridge(f.stack, 'vi1', { host: f.host, subnets: ['172.31.1.0/24'] });
    const vi2 = new VnetBridge(f.stack, 'vi2', { host: f.host });
    const vnet = (...interfaces: JailVnetInterface[]) => [new JailVnetNetwork({ interfaces })];
    return { ...f, vi1, vi2, vnet };
  }

  test('an interface name longer than 15 characters', () => {
    const { jail, vi1, vnet } = lab();
    expect(messageOf(() => jail('routerjail1', { networks: vnet({ bridge: vi1, name: 'vi1_routerjail1x' }) }))).toBe(
      'stack/routerjail1: invalid interface name: "vi1_routerjail1x" must be 1 to 15 characters (IFNAMSIZ 16)');
  });

  test('a network name too long for its interfaces, or not a name', () => {
    const { stack, host } = lab();
    expect(messageOf(() => new VnetBridge(stack, 'averylongnetwork', { host }))).toBe(
      'stack/averylongnetwork: invalid name: "averylongnetwork" must be a letter, then letters, digits or _, at most 12 characters');
    expect(messageOf(() => new VnetBridge(stack, 'x', { host, name: 'vi-1' }))).toContain('stack/x: invalid name: "vi-1"');
  });

  test('aliased addresses on a VNET jail: jail(8) refuses them (kern_jail.c), so synth does, naming the jail and the way to give them', () => {
    const { jail, vi1, vnet } = lab();
    const message = 'stack/r2: invalid addresses: aliased addresses (addresses, JailNetwork.aliases) are restrictions on the host\'s stack, and this jail has a stack of its own (a VNET network)';
    expect(messageOf(() => jail('r2', { addresses: [JailAddress.onInterface('lo1', '127.1.1.2/32')], networks: vnet({ bridge: vi1, addresses: ['172.31.1.2/24'] }) }))).toContain(message);
    expect(messageOf(() => jail('r3', { networks: [JailNetwork.aliases([JailAddress.onInterface('lo1', 'fd00:1::3/64')]), ...vnet({ bridge: vi1, addresses: ['172.31.1.3/24'] })] })))
      .toContain(message.replace('r2', 'r3'));
    expect(messageOf(() => jail('r4', { addresses: [JailAddress.onInterface('lo1', '127.1.1.4/32')], networks: vnet({ bridge: vi1, addresses: ['172.31.1.4/24'] }) })))
      .toContain('new JailVnetNetwork({ interfaces: [{ bridge, addresses: [...] }] })');
  });

  test('an address outside its switch\'s subnet', () => {
    const { stack, jail, vi1, vnet } = lab();
    jail('r1', { networks: vnet({ bridge: vi1, addresses: ['172.31.2.1/24'] }) });
    expect(messageOf(() => synthValidated(stack))).toContain('stack/r1: invalid address: 172.31.2.1/24 on vi1_r1 is outside the subnets of switch stack/vi1 (172.31.1.0/24)');
  });

  test('without declared subnets the first address sets the switch\'s subnet', () => {
    const { stack, jail, vi2, vnet } = lab();
    jail('r1', { networks: vnet({ bridge: vi2, addresses: ['172.31.2.1/24'] }) });
    jail('r2', { networks: vnet({ bridge: vi2, addresses: ['172.31.3.1/24'] }) });
    expect(messageOf(() => synthValidated(stack))).toContain('stack/r2: invalid address: 172.31.3.1/24 on vi2_r2 is outside the subnets of switch stack/vi2 (172.31.2.0/24)');
  });

  test('overlapping subnets on different switches of one host', () => {
    const { stack, host } = lab();
    new VnetBridge(stack, 'vi3', { host, subnets: ['172.31.0.0/16'] });
    expect(messageOf(() => synthValidated(stack))).toContain('stack/vi3: invalid subnets: 172.31.0.0/16 overlaps 172.31.1.0/24 of switch stack/vi1 on the same host');
  });

  test('the same subnets on switches of different hosts are fine', () => {
    const { stack } = lab();
    const other = new FreeBsdHost(stack, 'other', { address: '192.0.2.20', release: FreeBsdRelease.of('14.3') });
    new VnetBridge(stack, 'vi1b', { host: other, name: 'vi1', subnets: ['172.31.1.0/24'] });
    expect(() => synthValidated(stack)).not.toThrow();
  });

  test('a default route outside the jail\'s subnets; a routed gateway outside the declared subnet', () => {
    const { stack, host, jail, vi1 } = lab();
    expect(messageOf(() => jail('r1', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi1, addresses: ['172.31.1.11/24'] }], defaultRouter: '172.31.2.1' })] }))).toBe(
      'stack/r1: invalid defaultRouter: the gateway 172.31.2.1 is outside the subnets of the jail\'s interfaces (172.31.1.0/24)');
    expect(messageOf(() => new VnetBridge(stack, 'vi0', { host, mode: VnetBridgeMode.routed({ gateways: ['172.30.0.1/24'] }), subnets: ['172.31.0.0/24'] }))).toBe(
      'stack/vi0: invalid gateways: 172.30.0.1/24 is outside the switch\'s subnets 172.31.0.0/24');
    expect(messageOf(() => new VnetBridge(stack, 'vi8', { host, mode: VnetBridgeMode.routed({ gateways: [] }) }))).toBe(
      'stack/vi8: invalid gateways: a routed switch needs at least one gateway address');
  });

  test('two jails with one address', () => {
    const { stack, jail, vi1, vnet } = lab();
    jail('r1', { networks: vnet({ bridge: vi1, addresses: ['172.31.1.1/24'] }) });
    jail('r2', { networks: vnet({ bridge: vi1, addresses: ['172.31.1.1/24'] }) });
    expect(messageOf(() => synthValidated(stack))).toContain('stack/r2: invalid address: 172.31.1.1 is already the address of vi1_r1 (stack/r1) on this host');
  });

  test('an interface on two switches', () => {
    const { stack, jail, vi1, vi2, vnet } = lab();
    jail('r1', { networks: vnet({ bridge: vi1, name: 'net0' }) });
    jail('r2', { networks: vnet({ bridge: vi2, name: 'net0' }) });
    expect(messageOf(() => synthValidated(stack))).toContain('stack/r2: invalid interface: net0 would be on two switches, stack/vi1 (for stack/r1) and stack/vi2');
  });

  test('one interface name twice in a jail; a switch of another host', () => {
    const { stack, jail, vi1 } = lab();
    expect(messageOf(() => jail('r1', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi1, name: 'a' }, { bridge: vi1, name: 'a' }] })] }))).toBe(
      'stack/r1: invalid interface name: a is given twice');
    const other = new FreeBsdHost(stack, 'other', { address: '192.0.2.20', release: FreeBsdRelease.of('14.3') });
    const far = new VnetBridge(stack, 'far', { host: other });
    expect(messageOf(() => jail('r2', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: far }] })] }))).toBe(
      'stack/r2: invalid vnet: switch stack/far is on host stack/other, the jail on stack/host');
  });

  test('an Ethernet address given twice on a host, or not unicast', () => {
    const { stack, jail, vi1, vnet } = lab();
    jail('r1', { networks: vnet({ bridge: vi1, macAddress: '02:00:00:00:00:01' }) });
    jail('r2', { networks: vnet({ bridge: vi1, macAddress: '02:00:00:00:00:01' }) });
    expect(messageOf(() => synthValidated(stack))).toContain('stack/r2: invalid Ethernet address: 02:00:00:00:00:01 of vi1_r2 is already that of vi1_r1 (stack/r1) on this host');
    expect(messageOf(() => jail('r3', { networks: vnet({ bridge: vi1, macAddress: '01:00:5e:00:00:01' }) }))).toBe(
      'stack/r3: invalid macAddress: "01:00:5e:00:00:01" is a multicast address (the first octet is odd)');
  });

  test('two switches of one name on a host', () => {
    const { stack, host } = lab();
    new VnetBridge(stack, 'again', { host, name: 'vi1' });
    expect(messageOf(() => synthValidated(stack))).toContain('stack/again: invalid name: "vi1" is already the switch stack/vi1 on this host');
  });

  test('a jail with an empty vnet', () => {
    const { jail } = lab();
    expect(messageOf(() => jail('r1', { networks: [new JailVnetNetwork({ interfaces: [] })] }))).toBe('stack/r1: invalid vnet: give at least one interface');
  });
});

test('a stack without VNET has no switch steps', () => {
  const stack = new TerraformStack(Testing.app(), 'plain');
  const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', release: FreeBsdRelease.of('14.3') });
  expect(VnetBridge.listing(host)).toBe('');
});
