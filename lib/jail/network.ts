/**
 * How a jail is attached to a network, in the aws-cdk style of integrations (IConnectable,
 * `bind()`): a network is an object that, bound to a jail, returns what the jail needs: its
 * jail.conf parameters, the steps to wait for, its /etc/hosts entries and the actions that
 * undo its attachment when the jail goes. Aliases on an interface (the notebook's lo1) are
 * the first implementation; VNET switches will be others.
 */
import { IConstruct } from 'constructs';
import { FreeBsdHost, HostStep } from '../host';
import { deriveMacAddress } from '../shell/vnet';
import { validated, ValidationError } from '../validate';
import * as net from '../validate/net';
import { VnetBridge, vnetHookCommand } from '../vnet/bridge';
import { JailAddress, JailAddressFamily } from './address';

/** What a network sees of the jail it is bound to. */
export interface IJail extends IConstruct {
  /** The jail's name. */
  readonly name: string;
  /** The jail's root on the host, like `/vm/h1`. */
  readonly path: string;
  /** The host. */
  readonly host: FreeBsdHost;
}

/** One jail.conf statement a network sets (values are literal text, quoted on rendering). */
export interface JailNetworkParameter {
  /** The parameter, like `ip4.addr` or `vnet.interface`. */
  readonly name: string;
  /**
   * The values (a list parameter gets several).
   * @default - none: a flag (see `flag`)
   */
  readonly values?: string[];
  /**
   * For a boolean parameter without values: set (`vnet;`) or cleared (`novnet;`).
   * @default true
   */
  readonly flag?: boolean;
  /**
   * Append (`+=`) instead of set: for exec.* hooks several networks may add to.
   * @default false
   */
  readonly append?: boolean;
}

/** An /etc/hosts entry of the jail (in the jail's managed block). */
export interface JailHostsEntry {
  /** The address. */
  readonly address: string;
  /**
   * The names.
   * @default - the jail's name
   */
  readonly names?: string[];
}

/** What a network gives a jail it is bound to. */
export interface JailNetworkConfig {
  /**
   * jail.conf statements, written in this order after the host defaults.
   * @default - none
   */
  readonly parameters?: JailNetworkParameter[];
  /**
   * The jail's addresses on the host, for the host's clash checks and `JailFromSnapshot.addresses`.
   * @default - none
   */
  readonly addresses?: JailAddress[];
  /**
   * Steps the jail's configuration must wait for (a switch, a bridge, a ruleset).
   * @default - none
   */
  readonly dependsOn?: HostStep[];
  /**
   * /etc/hosts entries.
   * @default - none
   */
  readonly hostsEntries?: JailHostsEntry[];
  /**
   * sh lines that undo the attachment, run on the host after the jail stopped, whichever way
   * the jail goes (its configuration's destroy, its dataset's destroy, prune): the jail's
   * configuration step records them on the host (JAIL_STATE_DIR/NAME.teardown) and the
   * helper's jail-teardown runs them. They must be idempotent. Values in them are quoted by
   * the network.
   * @default - none
   */
  readonly teardown?: string[];
}

/** A network a jail can be attached to. */
export interface IJailNetwork {
  /** Called once by each jail that uses the network, in the jail's constructor. */
  bind(jail: IJail): JailNetworkConfig;
}

/** Options of aliased addresses. */
export interface JailAliasesOptions {
  /**
   * Write `ADDRESS NAME` lines for the addresses into /etc/hosts.
   * @default true
   */
  readonly hostsEntries?: boolean;
}

/** Networks of jails. */
export class JailNetwork {
  /**
   * Addresses that jail(8) adds as aliases on start and removes on stop (ip4.addr, ip6.addr),
   * like `JailAddress.onInterface('lo1', '127.1.1.1/32')`: the notebook's jails.
   */
  public static aliases(addresses: JailAddress[], options: JailAliasesOptions = {}): IJailNetwork {
    return new AliasNetwork([...addresses], options.hostsEntries ?? true);
  }

  /**
   * A VNET jail (`vnet`): its own network stack with one interface per VnetBridge it is on
   * (`vnet.interface`), addresses and routes set inside the jail at start (exec.start), the
   * interfaces made before start and removed after stop by the host helper (exec.prestart,
   * exec.poststop), so `service jail start` rebuilds them at boot.
   */
  public static vnet(options: JailVnetOptions): IJailNetwork {
    return new VnetNetwork(options);
  }

  private constructor() {}
}

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

/** A VNET jail's network. */
export interface JailVnetOptions {
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

class VnetNetwork implements IJailNetwork {
  constructor(private readonly options: JailVnetOptions) {}

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
    for (const i of o.interfaces) {
      if (i.bridge.host !== jail.host) throw new ValidationError(`${at}: invalid vnet: switch ${i.bridge.node.path} is on host ${i.bridge.host.node.path}, the jail on ${jail.host.node.path}`);
      const name = check('interface name', () => net.interfaceName(i.name ?? `${i.bridge.name}_${jail.name}`));
      if (names.has(name)) throw new ValidationError(`${at}: invalid interface name: ${name} is given twice`);
      names.add(name);
      const addresses = check('addresses', () => (i.addresses ?? []).map((a) => net.interfaceAddress(a)));
      const mac = check('macAddress', () => (i.macAddress === undefined ? deriveMacAddress(`${jail.host.address}:${jail.host.port}/${name}`) : net.macAddress(i.macAddress)));
      i.bridge._attach({ owner: at, jailName: jail.name, interfaceName: name, addresses, macAddress: mac });
      all.push(...addresses);
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
      dependsOn: o.interfaces.map((i) => i.bridge.step),
      // After the jail stopped its poststop removed them; again in case a stop failed half-way.
      teardown,
    };
  }
}

class AliasNetwork implements IJailNetwork {
  constructor(private readonly addresses: JailAddress[], private readonly hostsEntries: boolean) {}

  public bind(jail: IJail): JailNetworkConfig {
    const seen = new Set<string>();
    for (const a of this.addresses) {
      validated(jail.node.path, 'addresses', () => a._check());
      if (seen.has(a.canonicalIp)) throw new ValidationError(`${jail.node.path}: invalid addresses: ${JSON.stringify(a.ip)} is given twice`);
      seen.add(a.canonicalIp);
    }
    const parameters: JailNetworkParameter[] = [];
    for (const family of [JailAddressFamily.IPV4, JailAddressFamily.IPV6]) {
      const values = this.addresses.filter((a) => a.family === family).map((a) => a.parameterValue);
      if (values.length > 0) parameters.push({ name: family === JailAddressFamily.IPV4 ? 'ip4.addr' : 'ip6.addr', values });
    }
    return {
      parameters,
      addresses: this.addresses,
      hostsEntries: this.hostsEntries ? this.addresses.map((a) => ({ address: a.ip })) : [],
    };
  }
}
