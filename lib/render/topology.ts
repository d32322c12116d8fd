/**
 * The VNET topology of a host, as text: the listing the host helper's `vnet-list -r` prints
 * from the live host (the notebook's `vnet list -r`: each switch, then one line per interface
 * on it with its jail and addresses), and a Mermaid flowchart of the same.
 */

/** One interface on a switch. */
export interface TopologyInterface {
  /** The jail that holds it, or `-` for the host's own (a routed switch's gateway). */
  readonly jail: string;
  /** The interface name. */
  readonly interfaceName: string;
  /** Its addresses, ADDRESS/PREFIX. */
  readonly addresses: string[];
}

/** One switch. */
export interface TopologySwitch {
  /** The network name (the bridge is NAMEbr). */
  readonly network: string;
  /** The physical interface joined to it (bridged), if any. */
  readonly uplink?: string;
  /** The interfaces on it. */
  readonly interfaces: TopologyInterface[];
}

/** Byte order, as `LC_ALL=C sort` orders the helper's lines. */
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The listing of `vnet-list -r`: switches by name, their lines sorted as `LC_ALL=C sort` does. */
export function renderVnetListing(switches: readonly TopologySwitch[]): string {
  return [...switches]
    .sort((a, b) => byteOrder(a.network, b.network))
    .map((s) => [s.network, ...s.interfaces.map((i) => `  ${i.jail} ${i.interfaceName}${i.addresses.map((a) => ` ${a}`).join('')}`).sort(byteOrder)].join('\n') + '\n')
    .join('');
}

/** A Mermaid flowchart: a node per switch (and uplink), per jail, edges labelled with interface and addresses. */
export function renderTopologyMermaid(switches: readonly TopologySwitch[]): string {
  const id = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const lines = ['flowchart LR'];
  const jails = new Set<string>();
  const sorted = [...switches].sort((a, b) => byteOrder(a.network, b.network));
  for (const s of sorted) {
    lines.push(`  ${id('sw', s.network)}{{"${s.network} (${s.network}br)"}}`);
    if (s.uplink) lines.push(`  ${id('if', s.uplink)}[/"${s.uplink} (host uplink)"/] --- ${id('sw', s.network)}`);
    for (const i of s.interfaces) if (i.jail !== '-') jails.add(i.jail);
  }
  for (const j of [...jails].sort(byteOrder)) lines.push(`  ${id('jail', j)}["${j}"]`);
  if (sorted.some((s) => s.interfaces.some((i) => i.jail === '-'))) lines.push(`  host(("host"))`);
  for (const s of sorted) {
    for (const i of [...s.interfaces].sort((a, b) => byteOrder(a.jail + a.interfaceName, b.jail + b.interfaceName))) {
      const label = [i.interfaceName, ...i.addresses].join(' ');
      lines.push(`  ${i.jail === '-' ? 'host' : id('jail', i.jail)} ---|"${label}"| ${id('sw', s.network)}`);
    }
  }
  return lines.join('\n') + '\n';
}
