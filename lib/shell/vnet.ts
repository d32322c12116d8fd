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
 */
import { createHash } from 'crypto';

/** The lock every VNET action of the helper takes: link numbers are found, then used. */
export const VNET_LOCK = 'netgraph';

/** Switch shapes as the helper's vnet-add takes them. */
export const VNET_SHAPES = ['switch', 'bridged', 'routed'] as const;

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

/** The helper's functions of the VNET actions; the dispatcher and usage live in helper.ts. */
export const VNET_HELPER_FUNCTIONS = `# vnet-add NET IF MAC SHAPE [ARG...]: switch NET (ng_bridge NETbr) exists in SHAPE and
# ng_eiface IF (interface IF, Ethernet address MAC, up) is linked to it. SHAPE: switch (the
# bridge only), bridged ETHER (ETHER's ng_ether lower and upper hooks on the bridge),
# routed GWMAC ADDRESS... (a host ng_eiface named NET holding the gateway ADDRESSes).
# Under the netgraph lock; an interface or node of that name not made here is refused.
do_vnet_add() {
  [ $# -ge 4 ] || usage
  do_locked ${VNET_LOCK} "$self" _vnet_add "$@"
}
_vnet_add() {
  net=$1 ifn=$2 mac=$3 shape=$4
  shift 4
  br=$net"br"
  case "$shape" in
    switch) [ $# -eq 0 ] || usage ;;
    bridged) [ $# -eq 1 ] || usage; vnet_uplink "$br" "$1" ;;
    routed) [ $# -ge 2 ] || usage; vnet_gateway "$net" "$br" "$@" ;;
    *) die "unknown switch shape $shape" ;;
  esac
  vnet_eiface "$br" "$ifn" "$mac"
}

# The peers of node $1 (peer name and type per line), from ngctl show.
ng_peers() {
  ngctl show "$1:" | awk 'NR > 3 && NF >= 5 { print $2, $3 }'
}

# Bridge $1 on the ng_ether node of interface $2 (jng bridge: promiscuous, no source rewrite).
vnet_uplink() {
  ngctl info "$1:" >/dev/null 2>&1 && return 0
  kldload -n ng_ether
  ngctl info "$2:" >/dev/null 2>&1 || die "interface $2 has no ng_ether node: not an Ethernet interface?"
  ngctl show "$2:" | awk 'NR > 3 && ($1 == "lower" || $1 == "upper") { busy = 1 } END { exit !busy }' &&
    die "the ng_ether hooks of $2 are in use by another netgraph node; refusing to touch them"
  echo "==> switch $1: bridging $2 (ng_ether lower and upper)"
  ngctl msg "$2:" setpromisc 1
  ngctl msg "$2:" setautosrc 0
  ngctl mkpeer "$2:" bridge lower link0
  ngctl connect "$2:" "$2:lower" upper link1
  ngctl name "$2:lower" "$1"
}

# The host's gateway interface $1 on bridge $2, Ethernet address $3, addresses $4...
vnet_gateway() {
  gw=$1 gwbr=$2 gwmac=$3
  shift 3
  vnet_eiface "$gwbr" "$gw" "$gwmac"
  for a in "$@"; do
    case "$a" in *:*) fam=inet6 ;; *) fam=inet ;; esac
    if ! ifconfig "$gw" | grep -q "^[[:space:]]*$fam \${a%/*}[ %]"; then
      echo "==> switch $gwbr: gateway $gw $fam $a"
      ifconfig "$gw" "$fam" "$a" alias
    fi
  done
}

# ng_eiface $2 linked to bridge $1 (made with it when missing), interface $2, address $3, up.
vnet_eiface() {
  eb=$1 ei=$2 em=$3
  if ngctl info "$ei:" >/dev/null 2>&1; then
    ng_peers "$ei" | grep -qxF "$eb bridge" || die "a netgraph node $ei exists and is not on $eb; refusing to touch it"
  else
    ifconfig "$ei" >/dev/null 2>&1 && die "interface $ei exists and was not made for switch $eb; refusing to touch it"
    if ngctl info "$eb:" >/dev/null 2>&1; then
      num=0
      while ngctl msg "$eb:" getstats "$num" >/dev/null 2>&1; do num=$((num + 1)); done
      ngctl mkpeer "$eb:" eiface "link$num" ether
    else
      # One session: the bridge hangs off the socket until the eiface holds it.
      num=1
      printf 'mkpeer . bridge b link0\\nname b %s\\nmkpeer %s: eiface link1 ether\\nrmhook . b\\n' "$eb" "$eb" | ngctl -f -
    fi
    echo "==> switch $eb: interface $ei (link$num)"
    ngctl name "$eb:link$num" "$ei"
  fi
  cur=$(ngctl msg "$ei:" getifname | sed -n 's/^Args:[[:space:]]*"\\(.*\\)"$/\\1/p')
  [ -n "$cur" ] || die "no interface behind netgraph node $ei"
  [ "$cur" = "$ei" ] || ifconfig "$cur" name "$ei" >/dev/null
  ifconfig "$ei" ether | grep -q "ether $em\\$" || ifconfig "$ei" ether "$em"
  ifconfig "$ei" up
}

# vnet-delete NET [IF]: ng_eiface IF shut down (its interface goes with it, also from inside a
# jail); with no jail interface left on NETbr, the routed gateway NET and the bridge go too
# (the uplink's ng_ether node stays: it is the host's). Under the netgraph lock.
do_vnet_delete() {
  [ $# -eq 1 ] || [ $# -eq 2 ] || usage
  do_locked ${VNET_LOCK} "$self" _vnet_delete "$@"
}
_vnet_delete() {
  net=$1 ifn=\${2:-}
  br=$net"br"
  if [ -n "$ifn" ] && ngctl info "$ifn:" >/dev/null 2>&1; then
    echo "==> switch $br: removing interface $ifn"
    ngctl shutdown "$ifn:"
  fi
  ngctl info "$br:" >/dev/null 2>&1 || return 0
  [ -z "$(ng_peers "$br" | awk -v gw="$net" '$2 == "eiface" && $1 != gw')" ] || return 0
  echo "==> switch $br: no jail interface left, removing the switch"
  if ng_peers "$br" | grep -qxF "$net eiface"; then ngctl shutdown "$net:"; fi
  if ngctl info "$br:" >/dev/null 2>&1; then ngctl shutdown "$br:"; fi
}

# vnet-list [-r]: the switches (ng_bridge nodes named NETbr) as NET; with -r each interface
# on it as "  JAIL IF ADDRESS/PREFIX..." (JAIL - for the host's), the notebook's vnet list -r.
do_vnet_list() {
  [ $# -eq 0 ] || { [ $# -eq 1 ] && [ "$1" = -r ]; } || usage
  for b in $(ngctl list | awk '$3 == "Type:" && $4 == "bridge" && $2 ~ /br$/ { print $2 }' | LC_ALL=C sort); do
    echo "\${b%br}"
    [ $# -eq 1 ] || continue
    for i in $(ng_peers "$b" | awk '$2 == "eiface" { print $1 }'); do
      where=- addrs=
      for j in $(jls name vnet | awk '$2 == "new" { print $1 }'); do
        if addrs=$(jexec "$j" /sbin/ifconfig "$i" 2>/dev/null); then where=$j; break; fi
      done
      [ "$where" != - ] || addrs=$(ifconfig "$i" 2>/dev/null) || addrs=
      printf '  %s %s%s\\n' "$where" "$i" "$(printf '%s\\n' "$addrs" | awk '
        BEGIN { ones = "0112122312232334"; hex = "0123456789abcdef" }
        $1 == "inet" { m = tolower(substr($4, 3)); n = 0
          for (k = 1; k <= length(m); k++) n += substr(ones, index(hex, substr(m, k, 1)), 1)
          printf " %s/%d", $2, n }
        $1 == "inet6" && $2 !~ /^fe80/ { printf " %s/%s", $2, $4 }')"
    done | LC_ALL=C sort
  done
}
`;
