/**
 * The host helper's VNET actions (netgraph backend), in the style of FreeBSD's
 * share/examples/jails/jng and the notebook's `vnet` script: one ng_bridge(4) named NETbr per
 * virtual switch, one ng_eiface(4) per jail interface, named like the interface; a bridged
 * switch hangs off the physical interface's ng_ether(4) node (lower and upper hooks, as jng
 * bridge does), a routed switch has a host ng_eiface named NET that holds the gateway
 * addresses. The jails' exec.prestart runs vnet-add and exec.poststop vnet-delete, so
 * `service jail start` at boot rebuilds the switches without the library.
 *
 * Netgraph facts used (sys/netgraph: ng_bridge.c, ng_eiface.c, ng_ether.c, ng_base.c;
 * usr.sbin/ngctl): a bridge's hooks are linkN (and uplinkN); it shuts itself down when its
 * last hook goes; `getstats N` fails (ENOTCONN) for a link not connected, which is how jng
 * finds a free link; an eiface's only hook is `ether`, and shutting the node down destroys its
 * interface wherever it is (also inside a vnet jail); an ether node's hooks are lower
 * (to the driver) and upper (to the stack), and it forgets promiscuous mode when its hooks go.
 * ngctl -f reads commands from one socket session, so a bridge made off the socket node lives
 * as long as something else is hooked to it before the socket's hook is removed.
 *
 * The if_bridge backend (vnet-epair-add, vnet-epair-delete), in the style of
 * share/examples/jails/jib: an if_bridge(4) interface NETbr per switch, one epair(4) per jail
 * interface, its host side IFh a member of the bridge and its other side IF the jail's
 * vnet.interface (jail(8) moves it in after exec.prestart). Facts used (sys/net/if_epair.c,
 * if_bridge.c, if_clone.c; sbin/ifconfig): `ifconfig epair create` prints the a side's name,
 * destroying either end destroys both (also when the other is in a jail); a clone keeps its
 * cloner group (bridge, epair) through renames; bridge_ioctl_add refuses an interface already
 * on a bridge (EBUSY); a member destroyed or moved to another vnet leaves its bridge.
 *
 * MTU: the first member of an if_bridge gives it its MTU and a member of another MTU is refused
 * (if_bridge.c bridge_ioctl_add), so both ends of each epair take the bridge's MTU before the
 * host side joins, and a bridged switch's interfaces (epair or eiface) take the uplink's; the
 * uplink's own MTU is never changed. `ifconfig IF mtu N` only warns when refused (sbin/ifconfig
 * setifmtu), so the result is read back. FreeBSD 15 keeps IP addresses off bridge members
 * (net.link.bridge.member_ifaddrs=0 by default, bridge(4)): an if_bridge uplink that carries the
 * host's addresses is refused before anything is made; ng_bridge hangs off ng_ether and leaves
 * the interface as it is, so the netgraph backend has no such rule.
 */
import { createHash } from 'crypto';
import { STATE_DIR } from './names';

/** The lock every VNET action of the helper takes: link numbers are found, then used. */
export const VNET_LOCK = 'netgraph';

/** Where each switch's owner is recorded: `<dir>/NET.owner` holds the owner mark of the VnetBridge that claimed NET. */
export const VNET_CLAIM_DIR = `${STATE_DIR}/vnet`;

/** The host side of the epair whose jail side is IF (if_bridge backend): `IFh`, jib's `e0a_NAME`. */
export function vnetEpairHostSide(interfaceName: string): string {
  return `${interfaceName}h`;
}

/** The ng_bridge node name of switch NET (the notebook's `${net}br`). */
export function vnetBridgeNodeName(network: string): string {
  return `${network}br`;
}

/**
 * A stable, locally administered unicast Ethernet address for an interface: `02` and five
 * bytes of the SHA-256 of SEED (the host and the interface name), so the address survives
 * restarts and reboots, differs between hosts, and never depends on link numbers.
 */
export function deriveMacAddress(seed: string): string {
  const bytes = createHash('sha256').update(seed).digest().subarray(0, 5);
  return ['02', ...[...bytes].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

