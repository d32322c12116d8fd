/**
 * How a jail is attached to a network, in the aws-cdk style of integrations (IConnectable,
 * `bind()`): a network is an object that, bound to a jail, returns what the jail needs: its
 * jail.conf parameters, the steps to wait for, its /etc/hosts entries and the actions that
 * undo its attachment when the jail goes. Aliases on an interface (the notebook's lo1) are
 * the first implementation; a VNET jail's network (JailVnetNetwork) is in lib/vnet, beside its
 * switches.
 */
import { HostStep } from '../host';
import { validated, ValidationError } from '../validate';
import { JailAddress, JailAddressFamily } from './address';
import { IJail, JailForwardTarget } from './interfaces';
import * as p from '../validate/props';

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
   * The jail's addresses on this network as a port forward on the host sees them (a VNET
   * jail's addresses on its switches, reachable through a routed switch only).
   * @default - `addresses`, each reachable (they are on the host's own network stack)
   */
  readonly forwardTargets?: JailForwardTarget[];
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
   * configuration step records them on the host (/var/db/cdktf-freebsd-jails/jails/NAME.teardown) and the
   * helper's jail-teardown runs them. They must be idempotent. Values in them are quoted by
   * the network.
   * @default - none
   */
  readonly teardown?: string[];
}

/** Forward targets of addresses on the host's own stack (aliases). @internal */
export function hostStackTargets(addresses: JailAddress[]): JailForwardTarget[] {
  return addresses.map((a) => ({ address: a, where: a.iface ? `an alias on ${a.iface}` : 'an address of the host' }));
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
    p.checkArgs('JailNetwork.aliases', [['addresses', addresses, p.required(p.list(p.instanceOf(JailAddress, 'JailAddress.onInterface("lo1", "127.1.1.1/32")'), 'JailAddress objects'))], ['options', options, p.struct('JailAliasesOptions', { hostsEntries: p.bool }, '{ hostsEntries: false }')]]);
    return new AliasNetwork([...addresses], options.hostsEntries ?? true);
  }


  private constructor() {}
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
