/**
 * VnetBridge: one virtual switch per network on a host, for VNET jails (the notebook's
 * "VNET Jails": bridged, routed and the separate five-jail lab). The switch itself is built
 * on the host by the jails that use it: each jail's exec.prestart runs the host helper's
 * vnet-add (bridge, uplink or gateway, the jail's interface) and its exec.poststop vnet-delete,
 * so a reboot rebuilds it through the stock `service jail`. This construct's own step checks
 * the kernel (VIMAGE, the backend's modules) and claims the switch's name on the host for its
 * owner (another app's switch of that name is refused); a routed switch's forwarding is a
 * host setting. Backends: netgraph (jng) or if_bridge + epair (jib), per switch.
 */
import { Construct } from 'constructs';
import { FreeBsdHost, HostSettings, HostStep, stepScripts } from '../host';
import { constructsOfApp, earlierMatch } from '../host/app-index';
import { defineHostKind, keepHostClaim, pruneHostBefore } from '../host/prune';
import { hostReport } from '../host/output';
import { renderTopologyMermaid, renderVnetListing, TopologySwitch } from '../render/topology';
import { HOST_HELPER_PATH, ownerMark, ScriptBuilder, shellCommand } from '../shell';
import { deriveMacAddress, vnetBridgeNodeName, vnetEpairHostSide } from '../shell/vnet';
import * as v from '../validate';
import * as p from '../validate/props';
import * as net from '../validate/net';

/** VNET switches, kept by owner mark; pruned after the jails on them. */
const VNET_KIND = defineHostKind({
  name: 'vnet',
  claims: 'VNET switches',
  title: 'VNET switches',
  pruneAction: 'vnet-prune',
  pruneOrder: 40,
  helperModule: 'vnet.sh',
  constructs: ['VnetBridge'],
});

/** The switch's backend. */
export enum VnetBackend {
  /** ng_bridge(4) with ng_eiface(4) interfaces and ng_ether(4) for a physical uplink (jng, the notebook's vnet). */
  NETGRAPH = 'netgraph',
  /**
   * if_bridge(4) with one epair(4) per jail interface (jib): the bridge interface `NETbr`, the
   * epair's host side `IFh` a member of it, its other side `IF` the jail's interface; a bridged
   * switch has the physical interface as a member, a routed switch an epair `NET` / `NETh`
   * whose `NET` holds the gateway addresses on the host.
   *
   * FreeBSD 15 keeps IP addresses off bridge members (`net.link.bridge.member_ifaddrs=0` by
   * default, bridge(4)), so a bridged switch on this backend needs an uplink that carries none;
   * an uplink with the host's addresses is refused at the switch's step, before any jail, and
   * nothing of the host's is moved. Use NETGRAPH there, or give the uplink's addresses to a
   * bridge of the host's own configuration.
   */
  IF_BRIDGE = 'if_bridge',
}

/** Options of a routed switch. */
export interface VnetRoutedOptions {
  /**
   * The host's gateway addresses on the switch (ADDRESS/PREFIX, like `172.31.0.1/24`), held by
   * a host interface named like the switch. Their networks are the switch's subnets.
   */
  readonly gateways: string[];
  /**
   * Let the host forward between the switch and its other networks: gateway_enable /
   * ipv6_gateway_enable in rc.conf and net.inet.ip.forwarding / net.inet6.ip6.forwarding
   * now (host settings, undone on destroy when this app set them).
   * @default true
   */
  readonly forwarding?: boolean;
}

/** How a switch meets the host: the notebook's three configurations. */
export class VnetBridgeMode {
  /** Only the switch: jails reach each other, not the host (the notebook's lab, `vnet add -b`). */
  public static switchOnly(): VnetBridgeMode {
    return new VnetBridgeMode('switch');
  }

  /**
   * The physical interface (like `em0`) joined to the switch: jails share the host's LAN and
   * router. The jails' interfaces take the uplink's MTU; the uplink itself is never changed (its
   * MTU, its addresses, its offloads). On FreeBSD 15 with the if_bridge backend the uplink must
   * carry no IP address (see `VnetBackend.IF_BRIDGE`). With the netgraph backend, turn off the
   * uplink's checksum offload, TSO and LRO (`ifconfig em0 -txcsum -txcsum6 -tso -lro`, also in
   * rc.conf), which if_bridge does by itself for its members: the switch's step warns while
   * they are on.
   */
  public static bridged(uplink: string): VnetBridgeMode {
    p.checkArgs('VnetBridgeMode.bridged', [['uplink', uplink, p.required(p.str('"em0"'))]]);
    return new VnetBridgeMode('bridged', uplink);
  }

  /** A host interface named like the switch holds the gateway addresses; the host routes. */
  public static routed(options: VnetRoutedOptions): VnetBridgeMode {
    return new VnetBridgeMode('routed', undefined, options);
  }

  private constructor(
    /** switch, bridged or routed, as the helper's vnet-add takes it. */
    public readonly shape: string,
    /** The physical interface of a bridged switch. */
    public readonly uplink?: string,
    /** The options of a routed switch. */
    public readonly routedOptions?: VnetRoutedOptions,
  ) {}
}

/** Properties of a virtual switch. */
export interface VnetBridgeProps {
  /** The host. */
  readonly host: FreeBsdHost;
  /**
   * The network's name, like `vi1` (the bridge node is `vi1br`, jail interfaces `vi1_JAIL`,
   * a routed switch's host interface `vi1`): a letter, then letters, digits or `_`.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * How the switch meets the host.
   * @default - a switch only (VnetBridgeMode.switchOnly())
   */
  readonly mode?: VnetBridgeMode;
  /**
   * The switch's subnets (networks like `192.168.1.0/24`, one per family at most): every
   * address on the switch must be in one of them.
   * @default - a routed switch's gateway networks; else the network of the first address of each family attached
   */
  readonly subnets?: string[];
  /**
   * The backend.
   * @default VnetBackend.NETGRAPH
   */
  readonly backend?: VnetBackend;
}

/** Where the topology of a host's switches is shown (see `VnetBridge.topologyNames`). */
export interface VnetTopologyNames {
  /** The Terraform output with the listing (`terraform output -raw NAME`). */
  readonly outputName: string;
  /** The Mermaid file in the stack's synth folder (cdktf.out/stacks/STACK/). */
  readonly mermaidFileName: string;
}

/** A jail interface on a switch (what VNET jails tell their switch when they bind). @internal */
export interface VnetAttachment {
  readonly owner: string;
  readonly jailName: string;
  readonly interfaceName: string;
  readonly addresses: string[];
  readonly macAddress: string;
}

/** The host side of an epair (if_bridge backend). */
interface EpairHostSide {
  readonly name: string;
  readonly macAddress: string;
}

/** The longest network name: its interfaces `NET_JAIL` are cut by nothing, and the bridge node `NETbr` stays readable. */
const MAX_NETWORK_NAME = 12;

/**
 * A virtual switch on a host that VNET jails attach to (`JailVnetNetwork`). The netgraph
 * nodes and interfaces are made by the jails' hooks through the host helper and removed when
 * the last jail on the switch stops; this construct's step checks the kernel and, on destroy,
 * removes what is left of the switch.
 */
export class VnetBridge extends Construct {
  /** The network name. */
  public readonly name: string;
  /** The bridge's name (`NAMEbr`): the ng_bridge node, or the if_bridge interface. */
  public readonly bridgeNodeName: string;
  /** The host. */
  public readonly host: FreeBsdHost;
  /** How the switch meets the host. */
  public readonly mode: VnetBridgeMode;
  /** The backend. */
  public readonly backend: VnetBackend;
  /** The gateway addresses of a routed switch. */
  public readonly gateways: string[];
  /** The routed gateway interface's Ethernet address (derived from host and name). */
  public readonly gatewayMacAddress?: string;
  /** The subnets given (see `subnets` of the props). */
  public readonly declaredSubnets: string[];
  /** The step that checks the kernel; jails on the switch are configured after it. */
  public readonly step: HostStep;
  private readonly attachments: VnetAttachment[] = [];
  /** The epairs' host sides by jail interface (if_bridge backend). */
  private readonly hostSides = new Map<string, EpairHostSide>();

  constructor(scope: Construct, id: string, props: VnetBridgeProps) {
    super(scope, id);
    const at = this.node.path;
    p.checkProps(at, 'VnetBridge', props, {
      host: p.required(p.instanceOf(FreeBsdHost, 'new FreeBsdHost(scope, "host", { address: "192.0.2.10" })')),
      name: p.str('"vi1"'),
      mode: p.instanceOf(VnetBridgeMode, 'VnetBridgeMode.routed({ gateways: ["172.31.0.1/24"] }), VnetBridgeMode.bridged("em0") or VnetBridgeMode.switchOnly()', {
        uplink: p.str('"em0"'),
        routedOptions: p.struct('VnetRoutedOptions', {
          gateways: p.required(p.list(p.str('"172.31.0.1/24"'), 'addresses')),
          forwarding: p.bool,
        }, '{ gateways: ["172.31.0.1/24"] }'),
      }),
      subnets: p.list(p.str('"172.31.1.0/24"'), 'networks'),
      backend: p.oneOf('VnetBackend', VnetBackend),
    });
    this.host = props.host;
    this.mode = props.mode ?? VnetBridgeMode.switchOnly();
    this.backend = props.backend ?? VnetBackend.NETGRAPH;
    this.name = v.validated(at, 'name', () => networkName(props.name ?? id, this.mode.shape === 'routed'));
    this.bridgeNodeName = vnetBridgeNodeName(this.name);
    const uplink = this.mode.uplink === undefined ? undefined : v.validated(at, 'uplink', () => net.interfaceName(this.mode.uplink!));
    this.gateways = v.validated(at, 'gateways', () => (this.mode.routedOptions?.gateways ?? []).map((g) => net.interfaceAddress(g)));
    if (this.mode.shape === 'routed' && this.gateways.length === 0) throw new v.ValidationError(`${at}: invalid gateways: a routed switch needs at least one gateway address`);
    this.declaredSubnets = v.validated(at, 'subnets', () => (props.subnets ?? []).map((s) => net.network(s)));
    for (const g of this.gateways) {
      if (this.declaredSubnets.some((s) => net.familyOf(s) === net.familyOf(g)) && !this.declaredSubnets.some((s) => net.inNetwork(g, s))) {
        throw new v.ValidationError(`${at}: invalid gateways: ${g} is outside the switch's subnets ${this.declaredSubnets.join(', ')}`);
      }
    }
    if (this.mode.shape === 'routed') this.gatewayMacAddress = deriveMacAddress(`${this.host.address}:${this.host.port}/${this.name}`);
    if (this.mode.shape === 'routed' && this.backend === VnetBackend.IF_BRIDGE) this.hostSides.set(this.name, this.epairHostSide(at, this.name));

    const forwarding = this.mode.routedOptions?.forwarding ?? true;
    const families = new Set(this.gateways.map((g) => net.familyOf(g)));
    const settings = this.mode.shape === 'routed' && forwarding ? [...families].sort().map((f) => forwardingSettings(this.host, f)) : [];

    const create = new ScriptBuilder(`VNET switch ${this.name}`)
      .action('kernel: VIMAGE (kern.features.vimage)',
        'if [ "$(sysctl -n kern.features.vimage 2>/dev/null || :)" != 1 ]; then',
        // GENERIC has `options VIMAGE` since 12.0 (sys/amd64/conf/GENERIC, sys/arm64/conf/std.arm64),
        // so on every supported release only a custom kernel lacks it: no kernel-building construct.
        `  echo 'error: this kernel has no VIMAGE (sysctl kern.features.vimage is not 1): VNET jails need it. GENERIC has "options VIMAGE" since FreeBSD 12.0 (sys/amd64/conf/GENERIC; arm64: sys/arm64/conf/std.arm64): boot GENERIC, or add "options VIMAGE" to this custom kernel and rebuild it' >&2`,
        '  exit 1',
        'fi');
    if (this.backend === VnetBackend.IF_BRIDGE) ifBridgeModules(create, this.bridgeNodeName);
    else netgraphModules(create, this.bridgeNodeName, uplink !== undefined);
    // if_bridge: the helper's vnet-uplink-check (the check vnet-epair-add makes again at each
    // jail's start): the uplink exists and, where FreeBSD 15 keeps IP addresses off if_bridge
    // members (net.link.bridge.member_ifaddrs=0 by default; bridge(4)), has none. Refused here,
    // before any jail.
    if (uplink && this.backend === VnetBackend.IF_BRIDGE) create.helper('vnet-uplink-check', uplink);
    else if (uplink) create.action(`uplink ${uplink}`, `ifconfig ${shellCommand(uplink)} >/dev/null || { echo ${shellCommand(`error: the uplink ${uplink} does not exist on this host`)} >&2; exit 1; }`);
    // if_bridge turns LRO off on its members and keeps TSO and checksum offload only where every
    // member has them (if_bridge.c BRIDGE_IFCAPS_STRIP, BRIDGE_IFCAPS_MASK); ng_ether hands
    // ng_bridge the host's frames as the stack left them for the card, so the operator is told.
    if (uplink && this.backend === VnetBackend.NETGRAPH) {
      create.action(`uplink ${uplink}: offloads netgraph bridging cannot use`,
        `if ifconfig ${shellCommand(uplink)} | awk '$1 ~ /^options=/' | grep -Eq '[<,](TXCSUM|TXCSUM_IPV6|TSO4|TSO6|LRO)[,>]'; then`,
        `  echo ${shellCommand(`warning: ${at}: ${uplink} has checksum offload, TSO or LRO on (ifconfig ${uplink}: options=). if_bridge turns them off on its members; ng_bridge does not, so the host's own packets to jails on this switch arrive with checksums left for the card to compute (and are dropped) and LRO merges what the jails receive. Turn them off for this switch: ifconfig ${uplink} -txcsum -txcsum6 -tso -lro, and the same words in ifconfig_${uplink.replace(/[.:]/g, '_')} in /etc/rc.conf. The library leaves ${uplink} as it is`)} >&2`,
        'fi');
    }
    // The switch's name on the host is this construct's: another app's switch of that name is refused here.
    const owner = ownerMark(this.host.ownershipScope, at);
    create.helper('vnet-claim', this.name, owner);
    const destroy = new ScriptBuilder(`VNET switch ${this.name}`).banner(`what is left of switch ${this.name} once no jail uses it, if it is this app's`)
      .helper('vnet-release', this.name, owner, this.backend);
    this.step = new HostStep(this, 'switch', {
      host: this.host,
      description: `VNET switch ${this.name} (${this.mode.shape}${uplink ? ` on ${uplink}` : ''}${this.gateways.length ? ` gateway ${this.gateways.join(' ')}` : ''})`,
      ...stepScripts(create, destroy),
      dependsOn: settings.map((s) => s.step),
    });

    // Taken out of the app, what is left of the switch and its claim are removed by the host's
    // prune step (after it prunes the jails on it), which runs first: a switch of a removed one's name would
    // be refused while the old claim is there.
    keepHostClaim(this.host, VNET_KIND, owner, this);
    pruneHostBefore(this.host, this.step);

    this.node.addValidation({ validate: () => this.crossChecks() });
    VnetBridge.topologyReport(this.host);
  }

  /** The helper action that removes an interface, and the switch after its last one. */
  private get deleteAction(): string {
    return this.backend === VnetBackend.IF_BRIDGE ? 'vnet-epair-delete' : 'vnet-delete';
  }

  /** The helper command (action and arguments) a jail's exec.prestart runs for its interface on this switch. @internal */
  public _addCommand(interfaceName: string, macAddress: string): string[] {
    if (this.backend === VnetBackend.IF_BRIDGE) {
      const side = this.hostSides.get(interfaceName)!;
      return ['vnet-epair-add', this.name, interfaceName, macAddress, side.macAddress, ...this.epairShapeArgs()];
    }
    return ['vnet-add', this.name, interfaceName, macAddress, ...this.netgraphShapeArgs()];
  }

  /** The helper command a jail's exec.poststop (and its teardown) runs for its interface on this switch. @internal */
  public _deleteCommand(interfaceName: string): string[] {
    return [this.deleteAction, this.name, interfaceName];
  }

  /** vnet-add's arguments after NET IF MAC that say the switch's shape. */
  private netgraphShapeArgs(): string[] {
    switch (this.mode.shape) {
      case 'bridged': return ['bridged', this.mode.uplink!];
      case 'routed': return ['routed', this.gatewayMacAddress!, ...this.gateways];
      default: return ['switch'];
    }
  }

  /** vnet-epair-add's arguments after NET IF MAC HOSTMAC that say the switch's shape. */
  private epairShapeArgs(): string[] {
    switch (this.mode.shape) {
      case 'bridged': return ['bridged', this.mode.uplink!];
      case 'routed': return ['routed', this.gatewayMacAddress!, this.hostSides.get(this.name)!.macAddress, ...this.gateways];
      default: return ['switch'];
    }
  }

  /** A jail interface on this switch (with the if_bridge backend, its epair's host side is named and checked here). @internal */
  public _attach(a: VnetAttachment): void {
    if (this.backend === VnetBackend.IF_BRIDGE) this.hostSides.set(a.interfaceName, this.epairHostSide(a.owner, a.interfaceName));
    this.attachments.push(a);
  }

  /** The epair's host side of interface IF: `IFh`, at most 15 characters, its Ethernet address derived like the interface's. */
  private epairHostSide(owner: string, interfaceName: string): EpairHostSide {
    const name = vnetEpairHostSide(interfaceName);
    if (name.length > net.MAX_INTERFACE_NAME_LENGTH) {
      throw new v.ValidationError(`${owner}: invalid interface name: ${JSON.stringify(interfaceName)} is too long for switch ${this.node.path} (if_bridge): its epair's host side ${JSON.stringify(name)} would be longer than ${net.MAX_INTERFACE_NAME_LENGTH} characters (IFNAMSIZ)`);
    }
    return { name, macAddress: deriveMacAddress(`${this.host.address}:${this.host.port}/${name}`) };
  }

  /** The switch's subnets: given, the gateways' networks, else the first attached address of each family. */
  public get subnets(): string[] {
    const out = [...this.declaredSubnets, ...this.gateways.map((g) => net.networkOf(g))];
    for (const a of this.attachments.flatMap((x) => x.addresses)) {
      if (!out.some((s) => net.familyOf(s) === net.familyOf(a))) out.push(net.networkOf(a));
    }
    return [...new Set(out)];
  }

  /** The switch as the topology listing shows it. */
  public get topology(): TopologySwitch {
    return {
      network: this.name,
      uplink: this.mode.uplink,
      interfaces: [
        ...(this.mode.shape === 'routed' ? [{ jail: '-', interfaceName: this.name, addresses: this.gateways }] : []),
        ...this.attachments.map((a) => ({ jail: a.jailName, interfaceName: a.interfaceName, addresses: a.addresses })),
      ],
    };
  }

  /** The listing of every switch of `host` in the app, as the host helper's `vnet-list -r` prints it. */
  public static listing(host: FreeBsdHost): string {
    return renderVnetListing(VnetBridge.onHost(host).map((b) => b.topology));
  }

  /** A Mermaid flowchart of every switch of `host` in the app. */
  public static mermaid(host: FreeBsdHost): string {
    return renderTopologyMermaid(VnetBridge.onHost(host).map((b) => b.topology));
  }

  /**
   * The name of the Terraform output that holds `listing(host)` (`vnet_topology_HOST`, HOST the
   * host's construct path in its stack) and of the Mermaid file beside the stack's Terraform
   * JSON (`vnet-topology-HOST.mmd`), made for every host with a switch.
   */
  public static topologyNames(host: FreeBsdHost): VnetTopologyNames {
    const r = VnetBridge.topologyReport(host);
    return { outputName: r.outputName, mermaidFileName: r.fileName! };
  }

  /** The host's topology report: made once per host, by its first switch. */
  private static topologyReport(host: FreeBsdHost) {
    return hostReport(host, 'vnet-topology', {
      outputPrefix: 'vnet_topology',
      description: `VNET switches of ${host.user}@${host.address}:${host.port} as "${HOST_HELPER_PATH} vnet-list -r" prints them on the host: each network, then its jail, interface and addresses`,
      value: () => VnetBridge.listing(host),
      filePrefix: 'vnet-topology',
      fileExtension: '.mmd',
      fileContent: () => VnetBridge.mermaid(host),
    });
  }

  private static onHost(host: FreeBsdHost): VnetBridge[] {
    return constructsOfApp(host.node.root, VnetBridge).filter((b) => b.host === host);
  }

  /** Every interface the switch makes on the host: the routed gateway, the jails', the epairs' host sides. */
  private hostInterfaces(): VnetAttachment[] {
    const at = this.node.path;
    const gateway = this.gatewayMacAddress ? [{ owner: at, jailName: '-', interfaceName: this.name, addresses: this.gateways, macAddress: this.gatewayMacAddress }] : [];
    // Each epair's host side right after its interface, so a clash is reported on the later jail.
    const side = (ifn: string, owner: string) => {
      const h = this.hostSides.get(ifn);
      return h ? [{ owner, jailName: '-', interfaceName: h.name, addresses: [], macAddress: h.macAddress }] : [];
    };
    return [...gateway.flatMap((g) => [g, ...side(g.interfaceName, at)]), ...this.attachments.flatMap((a) => [a, ...side(a.interfaceName, a.owner)])];
  }

  /** Clashes with the other switches of the host; each reported once, on the later construct. */
  private crossChecks(): string[] {
    const at = this.node.path;
    const errors: string[] = [];
    const all = VnetBridge.onHost(this.host);
    const same = earlierMatch(all, this, (b) => b.name === this.name);
    if (same) errors.push(`${at}: invalid name: ${JSON.stringify(this.name)} is already the switch ${same.node.path} on this host`);
    const subnets = this.subnets;
    for (const a of this.attachments) {
      for (const addr of a.addresses) {
        const fam = subnets.filter((s) => net.familyOf(s) === net.familyOf(addr));
        if (!fam.some((s) => net.inNetwork(addr, s))) errors.push(`${a.owner}: invalid address: ${addr} on ${a.interfaceName} is outside the subnets of switch ${at} (${fam.join(', ')})`);
      }
    }
    for (const o of all.slice(0, all.indexOf(this))) {
      for (const s of subnets) {
        const hit = o.subnets.find((x) => net.familyOf(x) === net.familyOf(s) && net.networksOverlap(x, s));
        if (hit) errors.push(`${at}: invalid subnets: ${s} overlaps ${hit} of switch ${o.node.path} on the same host`);
      }
    }
    // Interfaces, addresses and Ethernet addresses: one each per host.
    const mine = this.hostInterfaces();
    const earlier = all.slice(0, all.indexOf(this)).flatMap((b) => b.hostInterfaces().map((x) => ({ ...x, bridge: b })));
    const seen: Array<VnetAttachment & { bridge: VnetBridge }> = [...earlier];
    for (const a of mine) {
      for (const o of seen) {
        if (o.interfaceName === a.interfaceName) {
          errors.push(o.bridge === this
            ? `${a.owner}: invalid interface: ${a.interfaceName} is already on switch ${at} for ${o.owner}`
            : `${a.owner}: invalid interface: ${a.interfaceName} would be on two switches, ${o.bridge.node.path} (for ${o.owner}) and ${at}`);
        }
        const ip = (x: string) => x.split('/')[0];
        for (const addr of a.addresses) {
          const dup = o.addresses.find((x) => ip(x) === ip(addr));
          if (dup) errors.push(`${a.owner}: invalid address: ${ip(addr)} is already the address of ${o.interfaceName} (${o.owner}) on this host`);
        }
        if (o.macAddress === a.macAddress) errors.push(`${a.owner}: invalid Ethernet address: ${a.macAddress} of ${a.interfaceName} is already that of ${o.interfaceName} (${o.owner}) on this host`);
      }
      seen.push({ ...a, bridge: this });
    }
    return errors;
  }
}

/** The host helper command a jail's exec hook runs (absolute path: exec.clean empties PATH). @internal */
export function vnetHookCommand(...actionAndArgs: string[]): string {
  return shellCommand(HOST_HELPER_PATH, ...actionAndArgs);
}

function networkName(value: string, isInterface: boolean): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(value) || value.length > MAX_NETWORK_NAME) {
    throw new v.ValidationError(`${JSON.stringify(value)} must be a letter, then letters, digits or _, at most ${MAX_NETWORK_NAME} characters`);
  }
  return isInterface ? net.interfaceName(value) : value;
}

/** The one forwarding setting per host and family, shared by its routed switches. */
function forwardingSettings(host: FreeBsdHost, family: net.AddressFamily): HostSettings {
  const id = `vnet-forwarding-${family}`;
  const existing = host.node.tryFindChild(id);
  if (existing instanceof HostSettings) return existing;
  return family === 'inet'
    ? new HostSettings(host, id, { host, rcConf: { gateway_enable: 'YES' }, sysctl: { 'net.inet.ip.forwarding': '1' }, description: 'IPv4 forwarding for routed VNET switches' })
    : new HostSettings(host, id, { host, rcConf: { ipv6_gateway_enable: 'YES' }, sysctl: { 'net.inet6.ip6.forwarding': '1' }, description: 'IPv6 forwarding for routed VNET switches' });
}

/** The netgraph backend's kernel modules (ng_ether only for an uplink). */
function netgraphModules(create: ScriptBuilder, bridge: string, uplink: boolean): void {
  const modules = ['netgraph', 'ng_socket', 'ng_bridge', 'ng_eiface', ...(uplink ? ['ng_ether'] : [])].join(' ');
  create.action(`netgraph modules for ${bridge}`,
    `kldload -n ${modules} || { echo 'error: the netgraph modules cannot be loaded (kldload ${modules}): VNET switches need them' >&2; exit 1; }`);
}

/** The if_bridge backend's kernel modules (if_bridge(4), epair(4)). */
function ifBridgeModules(create: ScriptBuilder, bridge: string): void {
  create.action(`if_bridge and epair modules for ${bridge}`,
    `kldload -n if_bridge if_epair || { echo 'error: the if_bridge and epair modules cannot be loaded (kldload if_bridge if_epair): VNET switches need them' >&2; exit 1; }`);
}
