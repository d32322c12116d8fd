/**
 * A VNET jail's network, beside the switches it attaches jails to: the jail side of a
 * VnetBridge (lib/jail's IJailNetwork, bound by the jail).
 */
import { IJail, JailForwardTarget } from '../jail/interfaces';
import { JailAddress } from '../jail/address';
import { IJailNetwork, JailNetworkConfig } from '../jail/network';
import { deriveMacAddress } from '../shell/vnet';
import { ValidationError } from '../validate';
import * as net from '../validate/net';
import { VnetBridge, vnetHookCommand } from './bridge';

/** One interface of a VNET jail. */
export interface JailVnetInterface {
  /** The switch the interface is on. */
  readonly bridge: VnetBridge;
  /**
   * Its addresses, ADDRESS/PREFIX (like `172.31.1.1/24` or `fd00:1::11/64`), in the switch's subnets.
   * @default - none
   */
  readonly addresses?: string[];
  /**
   * The interface name (at most 15 characters).
   * @default - NETWORK_JAIL, like `vi1_r1` (the notebook's `${net}_$name`)
   */
  readonly name?: string;
  /**
   * Its Ethernet address.
   * @default - derived from the host and the interface name: stable across restarts and reboots
   */
  readonly macAddress?: string;
}

/** Properties of a VNET jail's network. */
export interface JailVnetNetworkProps {
  /** Its interfaces, each on a switch. */
  readonly interfaces: JailVnetInterface[];
  /**
   * The IPv4 default route (`route add default GATEWAY`), an address in one of its interfaces' subnets.
   * @default - none
   */
  readonly defaultRouter?: string;
  /**
   * The IPv6 default route.
   * @default - none
   */
  readonly defaultRouter6?: string;
  /**
   * Forward packets between its interfaces (a router jail): net.inet.ip.forwarding=1, and
   * net.inet6.ip6.forwarding=1 when it has IPv6 addresses, set inside the jail at start.
   * @default false
   */
  readonly forwarding?: boolean;
}

/** Absolute paths: exec.clean empties PATH for the jail's commands too. */
const IFCONFIG = '/sbin/ifconfig';
const ROUTE = '/sbin/route';
const SYSCTL = '/sbin/sysctl';

/**
 * A VNET jail's network (`vnet`): its own network stack with one interface per VnetBridge it is
 * on (`vnet.interface`), addresses and routes set inside the jail at start (exec.start), the
 * interfaces made before start and removed after stop by the host helper (exec.prestart,
 * exec.poststop), so `service jail start` rebuilds them at boot. Give it as a jail's `network`.
 */
export class JailVnetNetwork implements IJailNetwork {
  private readonly options: JailVnetNetworkProps;

  constructor(props: JailVnetNetworkProps) {
    this.options = props;
  }

  /** Attaches the jail: its interfaces on the switches, and the jail.conf hooks that make them. */
  public bind(jail: IJail): JailNetworkConfig {
    const at = jail.node.path;
    const o = this.options;
    if (o.interfaces.length === 0) throw new ValidationError(`${at}: invalid vnet: give at least one interface`);
    const check = <T>(what: string, f: () => T): T => {
      try {
        return f();
      } catch (e) {
        if (e instanceof ValidationError) throw new ValidationError(`${at}: invalid ${what}: ${e.message}`);
        throw e;
      }
    };
    const prestart: string[] = [];
    const start: string[] = [];
    const poststop: string[] = [];
    const names = new Set<string>();
    const all: string[] = [];
    const forwardTargets: JailForwardTarget[] = [];
    for (const i of o.interfaces) {
      if (i.bridge.host !== jail.host) throw new ValidationError(`${at}: invalid vnet: switch ${i.bridge.node.path} is on host ${i.bridge.host.node.path}, the jail on ${jail.host.node.path}`);
      const name = check('interface name', () => net.interfaceName(i.name ?? `${i.bridge.name}_${jail.name}`));
      if (names.has(name)) throw new ValidationError(`${at}: invalid interface name: ${name} is given twice`);
      names.add(name);
      const addresses = check('addresses', () => (i.addresses ?? []).map((a) => net.interfaceAddress(a)));
      const mac = check('macAddress', () => (i.macAddress === undefined ? deriveMacAddress(`${jail.host.address}:${jail.host.port}/${name}`) : net.macAddress(i.macAddress)));
      i.bridge._attach({ owner: at, jailName: jail.name, interfaceName: name, addresses, macAddress: mac });
      all.push(...addresses);
      forwardTargets.push(...addresses.map((a) => forwardTarget(i.bridge, name, a, net.familyOf(a) === 'inet' ? o.defaultRouter : o.defaultRouter6)));
      prestart.push(vnetHookCommand(...i.bridge._addCommand(name, mac)));
      const seen = new Set<string>();
      for (const a of addresses) {
        const family = net.familyOf(a) === 'inet' ? 'inet' : 'inet6';
        // The notebook's form for the first IPv4 address; the others as aliases.
        start.push(family === 'inet' && !seen.has(family) ? `${IFCONFIG} ${name} ${a}` : `${IFCONFIG} ${name} ${family} ${a}${seen.has(family) ? ' alias' : ''}`);
        seen.add(family);
      }
      poststop.push(vnetHookCommand(...i.bridge._deleteCommand(name)));
    }
    for (const [what, router, family] of [['defaultRouter', o.defaultRouter, 'inet'], ['defaultRouter6', o.defaultRouter6, 'inet6']] as const) {
      if (router === undefined) continue;
      check(what, () => net.ipAddress(router, family));
      const subnets = o.interfaces.flatMap((i) => (i.addresses ?? []).map((a) => net.networkOf(a)));
      if (!subnets.some((s) => net.inNetwork(router, s))) {
        // An address outside its switch's subnet puts the router outside too: the address is the mistake to name.
        o.interfaces.forEach((i, k) => (i.addresses ?? []).forEach((a, n) => {
          const fam = i.bridge.subnets.filter((s) => net.familyOf(s) === net.familyOf(a));
          if (fam.length > 0 && !fam.some((s) => net.inNetwork(a, s))) {
            throw new ValidationError(`${at}: invalid interfaces[${k}].addresses[${n}]: ${a} on ${[...names][k]} is outside the subnets of switch ${i.bridge.node.path} (${fam.join(', ')}); `
              + `give it an address in ${fam.join(' or ')}${fam.some((s) => net.inNetwork(router, s)) ? `, where its ${what} ${router} is` : ''}`);
          }
        }));
        throw new ValidationError(`${at}: invalid ${what}: the gateway ${router} is outside the subnets of the jail's interfaces (${subnets.join(', ') || 'none'})`);
      }
      start.push(family === 'inet' ? `${ROUTE} add default ${router}` : `${ROUTE} add -inet6 default ${router}`);
    }
    if (o.forwarding) {
      start.push(`${SYSCTL} net.inet.ip.forwarding=1`);
      if (all.some((a) => net.familyOf(a) === 'inet6')) start.push(`${SYSCTL} net.inet6.ip6.forwarding=1`);
    }
    const teardown = o.interfaces.map((i, k) => vnetHookCommand(...i.bridge._deleteCommand([...names][k])));
    return {
      parameters: [
        { name: 'vnet' },
        { name: 'vnet.interface', values: [...names] },
        ...prestart.map((c) => ({ name: 'exec.prestart', values: [c], append: true })),
        ...start.map((c) => ({ name: 'exec.start', values: [c], append: true })),
        ...poststop.map((c) => ({ name: 'exec.poststop', values: [c], append: true })),
      ],
      forwardTargets,
      dependsOn: o.interfaces.map((i) => i.bridge.step),
      // After the jail stopped its poststop removed them; again in case a stop failed half-way.
      teardown,
    };
  }
}

/**
 * A VNET jail's address as its host's pf sees it: behind a routed switch the host routes to it
 * (through the switch's host interface) and is the jail's gateway, so a forward's replies come
 * back through the host's translation; on a bridged switch the jail is on the uplink's LAN and
 * answers through the LAN's router; on a switch only, the host has no interface to it at all.
 */
function forwardTarget(bridge: VnetBridge, interfaceName: string, address: string, router: string | undefined): JailForwardTarget {
  const ip = address.split('/')[0];
  const sw = bridge.node.path;
  switch (bridge.mode.shape) {
    case 'routed': {
      const where = `${interfaceName} on routed switch ${sw}`;
      const gateway = bridge.gateways.map((g) => g.split('/')[0]).find((g) => net.familyOf(g) === net.familyOf(ip));
      const what = net.familyOf(ip) === 'inet' ? 'defaultRouter' : 'defaultRouter6';
      if (gateway === undefined) {
        return {
          address: JailAddress.existing(address),
          where,
          unreachable: `the host has no ${net.familyOf(ip) === 'inet' ? 'IPv4' : 'IPv6'} gateway on the switch (${bridge.gateways.join(', ')}), so no route to ${ip}; give the switch one in VnetBridgeMode.routed({ gateways })`,
        };
      }
      if (router === gateway) return { address: JailAddress.existing(address), where };
      return {
        address: JailAddress.existing(address),
        where,
        unreachable: `${router === undefined ? `the jail has no default route (${what}), so its replies to clients outside ${net.networkOf(address)} have no way back`
          : `its default route ${router} is not the host's address on the switch, so its replies go to ${router}, not back through the host's translation`}; give it ${what}: ${JSON.stringify(gateway)}`,
      };
    }
    case 'bridged':
      return {
        address: JailAddress.existing(address),
        where: `${interfaceName} on bridged switch ${sw}`,
        unreachable: `the switch joins the jail to the LAN of ${bridge.mode.uplink}: the host has no route of its own to ${ip} and the jail's replies go to the LAN's router, not back through the host's translation. `
          + `Clients on that LAN reach ${ip} directly; for a forward on the host, put the jail on a routed switch (VnetBridgeMode.routed) behind it`,
      };
    default:
      return {
        address: JailAddress.existing(address),
        where: `${interfaceName} on switch ${sw}`,
        unreachable: `that switch has no host interface (VnetBridgeMode.switchOnly()), so the host cannot reach ${ip}; `
          + 'for a forward on the host, put the jail on a routed switch (VnetBridgeMode.routed) behind it',
      };
  }
}
