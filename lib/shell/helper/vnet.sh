# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ VNET
# VNET switches: netgraph (ng_bridge, ng_eiface, as jng does) and if_bridge with epairs (as jib does).
#
# The host helper's VNET actions (netgraph backend), in the style of FreeBSD's
# share/examples/jails/jng and the notebook's `vnet` script: one ng_bridge(4) named NETbr per
# virtual switch, one ng_eiface(4) per jail interface, named like the interface; a bridged
# switch hangs off the physical interface's ng_ether(4) node (lower and upper hooks, as jng
# bridge does), a routed switch has a host ng_eiface named NET that holds the gateway
# addresses. The jails' exec.prestart runs vnet-add and exec.poststop vnet-delete, so
# `service jail start` at boot rebuilds the switches without the library.
#
# Netgraph facts used (sys/netgraph: ng_bridge.c, ng_eiface.c, ng_ether.c, ng_base.c;
# usr.sbin/ngctl): a bridge's hooks are linkN (and uplinkN); it shuts itself down when its
# last hook goes; `getstats N` fails (ENOTCONN) for a link not connected, which is how jng
# finds a free link; an eiface's only hook is `ether`, and shutting the node down destroys its
# interface wherever it is (also inside a vnet jail); an ether node's hooks are lower
# (to the driver) and upper (to the stack), and it forgets promiscuous mode when its hooks go.
# ngctl -f reads commands from one socket session, so a bridge made off the socket node lives
# as long as something else is hooked to it before the socket's hook is removed.
#
# The if_bridge backend (vnet-epair-add, vnet-epair-delete), in the style of
# share/examples/jails/jib: an if_bridge(4) interface NETbr per switch, one epair(4) per jail
# interface, its host side IFh a member of the bridge and its other side IF the jail's
# vnet.interface (jail(8) moves it in after exec.prestart). Facts used (sys/net/if_epair.c,
# if_bridge.c, if_clone.c; sbin/ifconfig): `ifconfig epair create` prints the a side's name,
# destroying either end destroys both (also when the other is in a jail); a clone keeps its
# cloner group (bridge, epair) through renames; bridge_ioctl_add refuses an interface already
# on a bridge (EBUSY); a member destroyed or moved to another vnet leaves its bridge.
#
# MTU: the first member of an if_bridge gives it its MTU and a member of another MTU is refused
# (if_bridge.c bridge_ioctl_add), so both ends of each epair take the bridge's MTU before the
# host side joins, and a bridged switch's interfaces (epair or eiface) take the uplink's; the
# uplink's own MTU is never changed. `ifconfig IF mtu N` only warns when refused (sbin/ifconfig
# setifmtu), so the result is read back. FreeBSD 15 keeps IP addresses off bridge members
# (net.link.bridge.member_ifaddrs=0 by default, bridge(4)): an if_bridge uplink that carries the
# host's addresses is refused before anything is made; ng_bridge hangs off ng_ether and leaves
# the interface as it is, so the netgraph backend has no such rule.
#

# switch NET (ng_bridge NETbr) exists in SHAPE and
# ng_eiface IF (interface IF, Ethernet address MAC, up) is linked to it. SHAPE: switch (the
# bridge only), bridged ETHER (ETHER's ng_ether lower and upper hooks on the bridge),
# routed GWMAC ADDRESS... (a host ng_eiface named NET holding the gateway ADDRESSes).
# Under the netgraph lock; an interface or node of that name not made here is refused.
do_vnet_add_usage="vnet-add NET IF MAC {switch | bridged ETHER | routed GWMAC ADDRESS...}"
do_vnet_add_descr="netgraph switch NET (ng_bridge NETbr) in that shape, ng_eiface IF (MAC, up) on it"
do_vnet_add() {
  do_locked "$VNET_LOCK" "$self" _vnet_add "$@"
}

_vnet_add() {
  local net ifn mac shape br mtu
  net=$1 ifn=$2 mac=$3 shape=$4
  shift 4
  br=$net"br"
  mtu=
  case "$shape" in
    switch) ;;
    bridged) vnet_uplink "$br" "$1"; mtu=$(if_mtu "$1") ;;
    routed) vnet_gateway "$net" "$br" "$@" ;;
    *) die "unknown switch shape $shape" ;;
  esac
  vnet_eiface "$br" "$ifn" "$mac" "$mtu"
}

# The MTU of interface $1 (the first line of ifconfig: ... mtu N).
if_mtu() {
  ifconfig "$1" | awk 'NR == 1 { for (k = 1; k < NF; k++) if ($k == "mtu") print $(k + 1) }'
}

# Interface $1 with MTU $2 (ifconfig only warns when SIOCSIFMTU is refused: read back).
if_set_mtu() {
  [ "$(if_mtu "$1")" = "$2" ] && return 0
  ifconfig "$1" mtu "$2"
  [ "$(if_mtu "$1")" = "$2" ] || die "interface $1 does not take MTU $2"
}

# The peers of node $1 (peer name and type per line), from ngctl show.
ng_peers() {
  ngctl show "$1:" | awk 'NR > 3 && NF >= 5 { print $2, $3 }'
}

# Bridge $1 on the ng_ether node of interface $2 (jng bridge: promiscuous, no source rewrite).
# The node is named after the interface with . and : as _ (sys/netgraph/ng_ether.c,
# ng_ether_sanitize_ifname): a VLAN em0.100 is node em0_100, and a . cannot be in a path.
vnet_uplink() {
  local ue
  ngctl info "$1:" >/dev/null 2>&1 && return 0
  kldload -n ng_ether
  ue=$(printf '%s' "$2" | tr '.:' '__')
  ngctl info "$ue:" >/dev/null 2>&1 || die "interface $2 has no ng_ether node ($ue): not an Ethernet interface?"
  ngctl show "$ue:" | awk 'NR > 3 && ($1 == "lower" || $1 == "upper") { busy = 1 } END { exit !busy }' &&
    die "the ng_ether hooks of $2 are in use by another netgraph node; refusing to touch them"
  echo "==> switch $1: bridging $2 (ng_ether $ue lower and upper)"
  ngctl msg "$ue:" setpromisc 1
  ngctl msg "$ue:" setautosrc 0
  ngctl mkpeer "$ue:" bridge lower link0
  ngctl connect "$ue:" "$ue:lower" upper link1
  ngctl name "$ue:lower" "$1"
}

# The host's gateway interface $1 on bridge $2, Ethernet address $3, addresses $4...
vnet_gateway() {
  local gw gwbr gwmac
  gw=$1 gwbr=$2 gwmac=$3
  shift 3
  vnet_eiface "$gwbr" "$gw" "$gwmac"
  vnet_addresses "$gwbr" "$gw" "$@"
}

# Addresses $3... on the host's gateway interface $2 of switch $1, each once (as aliases).
vnet_addresses() {
  local gwbr gw fam a
  gwbr=$1 gw=$2
  shift 2
  for a in "$@"; do
    case "$a" in *:*) fam=inet6 ;; *) fam=inet ;; esac
    if ! ifconfig "$gw" | grep -q "^[[:space:]]*$fam ${a%/*}[ %]"; then
      echo "==> switch $gwbr: gateway $gw $fam $a"
      ifconfig "$gw" "$fam" "$a" alias
    fi
  done
}

# ng_eiface $2 linked to bridge $1 (made with it when missing), interface $2, address $3, MTU $4
# (when given), up.
vnet_eiface() {
  local eb ei em emtu num cur
  eb=$1 ei=$2 em=$3 emtu=${4:-}
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
      printf 'mkpeer . bridge b link0\nname b %s\nmkpeer %s: eiface link1 ether\nrmhook . b\n' "$eb" "$eb" | ngctl -f -
    fi
    echo "==> switch $eb: interface $ei (link$num)"
    ngctl name "$eb:link$num" "$ei"
  fi
  cur=$(ngctl msg "$ei:" getifname | sed -n 's/^Args:[[:space:]]*"\(.*\)"$/\1/p')
  [ -n "$cur" ] || die "no interface behind netgraph node $ei"
  [ "$cur" = "$ei" ] || ifconfig "$cur" name "$ei" >/dev/null
  ifconfig "$ei" ether | grep -q "ether $em\$" || ifconfig "$ei" ether "$em"
  [ -z "$emtu" ] || if_set_mtu "$ei" "$emtu"
  ifconfig "$ei" up
}

# ng_eiface IF shut down (its interface goes with it, also from inside a
# jail); with no jail interface left on NETbr, the routed gateway NET and the bridge go too
# (the uplink's ng_ether node stays: it is the host's). Under the netgraph lock.
do_vnet_delete_usage="vnet-delete NET [IF]"
do_vnet_delete_descr="ng_eiface IF shut down; with no jail interface left, the gateway and the bridge of NET too"
do_vnet_delete() {
  do_locked "$VNET_LOCK" "$self" _vnet_delete "$@"
}

_vnet_delete() {
  local net ifn br
  net=$1 ifn=${2:-}
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

# switch NET (if_bridge interface NETbr,
# up) exists in SHAPE and the epair IF / IFh is on it: IFh (Ethernet address HOSTMAC, up) a
# member of NETbr, IF (MAC, up) left for the jail's vnet.interface. SHAPE: switch, bridged
# ETHER (ETHER a member of NETbr), routed GWMAC GWHOSTMAC ADDRESS... (the epair NET / NETh,
# NET keeping the gateway ADDRESSes on the host). jib's layout; under the VNET lock; an
# interface of those names not made here is refused.
do_vnet_epair_add_usage="vnet-epair-add NET IF MAC HOSTMAC {switch | bridged ETHER | routed GWMAC GWHOSTMAC ADDRESS...}"
do_vnet_epair_add_descr="if_bridge switch NET (bridge NETbr) in that shape, epair IF / IFh (MAC / HOSTMAC, up) with IFh a member"
do_vnet_epair_add() {
  do_locked "$VNET_LOCK" "$self" _vnet_epair_add "$@"
}

_vnet_epair_add() {
  local net ifn mac hmac shape br
  net=$1 ifn=$2 mac=$3 hmac=$4 shape=$5
  shift 5
  br=$net"br"
  case "$shape" in
    switch) epair_bridge "$br" ;;
    bridged) do_vnet_uplink_check "$1"; epair_bridge "$br"; epair_uplink "$br" "$1" ;;
    routed)
      epair_bridge "$br"
      epair_iface "$br" "$net" "$1" "$2"
      shift 2
      vnet_addresses "$br" "$net" "$@" ;;
    *) die "unknown switch shape $shape" ;;
  esac
  epair_iface "$br" "$ifn" "$mac" "$hmac"
}

# Interface $1 is in interface group $2 (a cloned interface keeps its cloner's group: bridge, epair).
if_in_group() {
  ifconfig "$1" 2>/dev/null | awk -v g="$2" '$1 == "groups:" { for (k = 2; k <= NF; k++) if ($k == g) f = 1 } END { exit !f }'
}

# Interface $2 is a member of bridge $1.
bridge_has() {
  ifconfig "$1" | awk -v m="$2" '$1 == "member:" && $2 == m { f = 1 } END { exit !f }'
}

# The bridge interface $1 is a member of, if any.
bridge_of() {
  local bo
  for bo in $(ifconfig -l); do
    if if_in_group "$bo" bridge && bridge_has "$bo" "$1"; then echo "$bo"; return 0; fi
  done
}

# Interface $2 is an epair made for bridge $1: its member, or on no bridge (a run that died
# between making the epair and adding it).
epair_ours() {
  local eo
  if_in_group "$2" epair || return 1
  eo=$(bridge_of "$2")
  [ -z "$eo" ] || [ "$eo" = "$1" ]
}

# The if_bridge interface $1, up (ifconfig bridge create, renamed in the same command).
epair_bridge() {
  if ifconfig "$1" >/dev/null 2>&1; then
    if_in_group "$1" bridge || die "interface $1 exists and is not a bridge; refusing to touch it"
  else
    echo "==> switch $1: bridge"
    ifconfig bridge create name "$1" >/dev/null
  fi
  ifconfig "$1" up
}

# The host's interface ETHER can be a bridge member as it is: it exists, and it has no IP
# address where the kernel keeps addresses off members (FreeBSD 15: sys/net/if_bridge.c,
# net.link.bridge.member_ifaddrs). Checked before anything is made, by the switch step too.
do_vnet_uplink_check_usage="vnet-uplink-check ETHER"
do_vnet_uplink_check_descr="exit 0 when interface ETHER exists and can join an if_bridge as it is (no IP address where the kernel keeps them off members)"
do_vnet_uplink_check() {
  local ua
  ifconfig "$1" >/dev/null 2>&1 || die "the uplink $1 does not exist on this host"
  [ "$(sysctl -n net.link.bridge.member_ifaddrs 2>/dev/null || :)" = 0 ] || return 0
  ua=$(ifconfig "$1" | awk '$1 == "inet" || $1 == "inet6" { printf "%s%s %s", s, $1, $2; s = ", " }')
  [ -z "$ua" ] || die "the uplink $1 has IP addresses ($ua), and this kernel keeps addresses off bridge members (net.link.bridge.member_ifaddrs=0, the default since FreeBSD 15.0; bridge(4)). Use the netgraph backend (VnetBackend.NETGRAPH: the switch hangs off $1's ng_ether node and $1 stays as it is), or move the host's addresses from $1 to a bridge of the host's own configuration, or set net.link.bridge.member_ifaddrs=1 in /etc/sysctl.conf (deprecated, to be removed in FreeBSD 16). Nothing was changed"
}

# The host's interface $2 a member of bridge $1; the interface itself is left as it is (its
# MTU too: with other members, theirs must be the same).
epair_uplink() {
  bridge_has "$1" "$2" && return 0
  if [ -n "$(ifconfig "$1" | awk '$1 == "member:"')" ] && [ "$(if_mtu "$1")" != "$(if_mtu "$2")" ]; then
    die "the uplink $2 has MTU $(if_mtu "$2") and the interfaces on switch $1 have $(if_mtu "$1"): stop the jails on it, then start them again"
  fi
  echo "==> switch $1: bridging $2"
  ifconfig "$1" addm "$2" || die "$2 cannot join bridge $1 (ifconfig's error above)"
}

# The epair $2 / $2h on bridge $1: $2h a member with Ethernet address $4, up; $2 with $3, up
# while it is on the host (a running jail has it).
epair_iface() {
  local pb pj pm phm ph pa
  pb=$1 pj=$2 pm=$3 phm=$4 ph=$2"h"
  if ifconfig "$ph" >/dev/null 2>&1 && ! bridge_has "$pb" "$ph"; then
    epair_ours "$pb" "$ph" || die "interface $ph exists and was not made for switch $pb; refusing to touch it"
    echo "==> switch $pb: removing the half-made epair $ph"
    ifconfig "$ph" destroy
  fi
  if ! ifconfig "$ph" >/dev/null 2>&1; then
    ifconfig "$pj" >/dev/null 2>&1 && die "interface $pj exists and was not made for switch $pb; refusing to touch it"
    echo "==> switch $pb: interface $pj (epair, host side $ph)"
    pa=$(ifconfig epair create)
    ifconfig "$pa" name "$ph" >/dev/null
    ifconfig "${pa%a}b" name "$pj" >/dev/null
    if_set_mtu "$ph" "$(if_mtu "$pb")"
    ifconfig "$pb" addm "$ph"
  fi
  ifconfig "$ph" ether | grep -q "ether $phm\$" || ifconfig "$ph" ether "$phm"
  ifconfig "$ph" up
  if ifconfig "$pj" >/dev/null 2>&1; then
    ifconfig "$pj" ether | grep -q "ether $pm\$" || ifconfig "$pj" ether "$pm"
    if_set_mtu "$pj" "$(if_mtu "$ph")"
    ifconfig "$pj" up
  fi
}

# the epair IF / IFh destroyed (both ends go, wherever IF is);
# with no jail's epair left on NETbr, the gateway epair NET / NETh and the bridge go too (an
# uplink leaves the bridge with it; the interface stays, it is the host's). Under the VNET lock.
do_vnet_epair_delete_usage="vnet-epair-delete NET [IF]"
do_vnet_epair_delete_descr="epair IF / IFh destroyed; with no jail epair left, the gateway epair and the bridge of NET too"
do_vnet_epair_delete() {
  do_locked "$VNET_LOCK" "$self" _vnet_epair_delete "$@"
}

_vnet_epair_delete() {
  local net ifn br
  net=$1 ifn=${2:-}
  br=$net"br"
  if [ -n "$ifn" ] && epair_ours "$br" "$ifn"h; then
    echo "==> switch $br: removing interface $ifn"
    ifconfig "$ifn"h destroy
  fi
  if_in_group "$br" bridge || return 0
  ! epair_members "$br" | grep -qvxF "$net" || return 0
  echo "==> switch $br: no jail interface left, removing the switch"
  if epair_ours "$br" "$net"h; then ifconfig "$net"h destroy; fi
  ifconfig "$br" destroy
}

# The interfaces on if_bridge $1: each epair whose host side IFh is a member, as IF.
epair_members() {
  local em
  for em in $(ifconfig "$1" | awk '$1 == "member:" && $2 ~ /h$/ { print $2 }'); do
    if if_in_group "$em" epair; then echo "${em%h}"; fi
  done
}

# vnet-claim NET OWNER: switch NET of this host belongs to OWNER (an owner mark SCOPE:path);
# held by another owner, refused and kept. The switch step claims it; the jails' hooks do not
# look (a boot must not depend on it).
vnet_claim_file() {
  printf '%s/%s.owner' "$VNET_CLAIM_DIR" "$1"
}

do_vnet_claim_usage="vnet-claim NET OWNER"
do_vnet_claim_descr="switch NET belongs to OWNER; held by another owner, refused"
do_vnet_claim() {
  do_locked "$VNET_LOCK" "$self" _vnet_claim "$@"
}

_vnet_claim() {
  local f
  f=$(vnet_claim_file "$1")
  if ! owner_claim "$f" "$2" "switch $1"; then
    die "switch $1 on this host belongs to $claim_held, not to $2: give this switch another name, or destroy the other first; if nothing owns it any more, remove $f"
  fi
  if [ "$claim_new" = yes ]; then echo "==> switch $1 claimed for $2"; fi
}

# what is left of switch NET removed (the backend's
# vnet-delete NET) and the claim given up, if OWNER holds it (or nobody does: a switch made
# before claims); another owner's switch is left as it is.
do_vnet_release_usage="vnet-release NET OWNER {netgraph | if_bridge}"
do_vnet_release_descr="if OWNER holds switch NET (or nobody does): what is left of it removed and the claim given up"
do_vnet_release() {
  do_locked "$VNET_LOCK" "$self" _vnet_release "$@"
}

_vnet_release() {
  local f
  f=$(vnet_claim_file "$1")
  if [ -f "$f" ] && [ "$(cat "$f")" != "$2" ]; then
    echo "==> switch $1 belongs to $(cat "$f"): left as it is"
    return 0
  fi
  if [ "$3" = if_bridge ]; then _vnet_epair_delete "$1"; else _vnet_delete "$1"; fi
  if [ -f "$f" ]; then rm -f "$f"; echo "==> switch $1 given up by $2"; fi
  rmdir "$VNET_CLAIM_DIR" 2>/dev/null || :
}

# the switches (ng_bridge nodes and if_bridge interfaces named NETbr) as NET;
# with -r each interface on it as "  JAIL IF ADDRESS/PREFIX..." (JAIL - for the host's), the
# notebook's vnet list -r; the same listing for both backends.
do_vnet_list_usage="vnet-list [-r]"
do_vnet_list_descr="the switches of both backends; with -r each interface as \"  JAIL IF ADDRESS/PREFIX...\""
do_vnet_list() {
  local b i
  for b in $(vnet_switches); do
    echo "${b%br}"
    [ $# -eq 1 ] || continue
    for i in $(vnet_interfaces "$b"); do vnet_list_line "$i"; done | LC_ALL=C sort
  done
}

# The switches of both backends, sorted (no netgraph loaded: none of that backend).
vnet_switches() {
  local sb
  {
    ngctl list 2>/dev/null | awk '$3 == "Type:" && $4 == "bridge" && $2 ~ /br$/ { print $2 }'
    for sb in $(ifconfig -l); do
      case "$sb" in *br) if if_in_group "$sb" bridge; then echo "$sb"; fi ;; esac
    done
  } | LC_ALL=C sort -u
}

# The interfaces on switch $1: its ng_eiface peers, or its epairs.
vnet_interfaces() {
  if ngctl info "$1:" >/dev/null 2>&1; then ng_peers "$1" | awk '$2 == "eiface" { print $1 }'; fi
  if if_in_group "$1" bridge; then epair_members "$1"; fi
}

# "  JAIL IF ADDRESS/PREFIX..." for interface $1, found in a vnet jail or on the host.
vnet_list_line() {
  local where addrs j
  where=- addrs=
  for j in $(jls name vnet | awk '$2 == "new" { print $1 }'); do
    if addrs=$(jexec "$j" /sbin/ifconfig "$1" 2>/dev/null); then where=$j; break; fi
  done
  [ "$where" != - ] || addrs=$(ifconfig "$1" 2>/dev/null) || addrs=
  printf '  %s %s%s\n' "$where" "$1" "$(printf '%s\n' "$addrs" | awk '
    BEGIN { ones = "0112122312232334"; hex = "0123456789abcdef" }
    $1 == "inet" { m = tolower(substr($4, 3)); n = 0
      for (k = 1; k <= length(m); k++) n += substr(ones, index(hex, substr(m, k, 1)), 1)
      printf " %s/%d", $2, n }
    $1 == "inet6" && $2 !~ /^fe80/ { printf " %s/%s", $2, $4 }')"
}

# every switch claimed by an owner of SCOPE that is none of OWNER
# released, as its destroy does (vnet-release NET OWNER BACKEND; the backend is the one whose
# NETbr exists: an ng_bridge node, else if_bridge). Run after the jails on it are gone: a switch
# with a jail interface left keeps its nodes, and only its claim goes. Under the VNET lock.
do_vnet_prune_usage="vnet-prune SCOPE [OWNER...]"
do_vnet_prune_descr="every switch of an owner of SCOPE that is none of OWNER released"
do_vnet_prune() {
  do_locked "$VNET_LOCK" "$self" _vnet_prune "$@"
}
_vnet_prune() {
  local vp_owner vp_backend vp_net
  for vp_net in $(pruned_claims "$VNET_CLAIM_DIR" "$@"); do
    vp_owner=$(cat "$VNET_CLAIM_DIR"/"$vp_net".owner)
    if ngctl info "$vp_net"br: >/dev/null 2>&1; then vp_backend=netgraph; else vp_backend=if_bridge; fi
    echo "==> pruning switch $vp_net of $vp_owner ($vp_backend): no longer in the app"
    _vnet_release "$vp_net" "$vp_owner" "$vp_backend"
  done
}
