# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ PRUNE
# Prune: what a scope claimed on the host and its app no longer keeps, removed as its destroy would.
#
# Prune of managed jails and claimed host things (the `*-prune` actions).
#
# Terraform runs no destroy provisioner for a resource whose block left the configuration, so
# a PfNat, DevfsRuleset or VnetBridge taken out of the app would leave its anchor and pf.conf
# hooks (or its whole-file pf.conf), its devfs.rules block and loaded rules, its switch, its
# host settings (pf_enable, forwarding) and its claim files on the host for ever. Each of them leaves a claim of its owner on the host:
#
# - pf: `PF_STATE_DIR/<anchor with / as _>.owner` (pf-claim) and
#   `PF_STATE_DIR/_etc_pf.conf.owner` (pf-conf-claim) hold the owner mark `SCOPE:path`;
# - VNET: `VNET_CLAIM_DIR/NET.owner` (vnet-claim) holds the owner mark;
# - devfs: the block `devfs ruleset N of SCOPE` of /etc/devfs.rules is the claim of ruleset N
#   by SCOPE (its only owner on the host: two rulesets of one scope with one number are refused
#   at synth);
# - host settings (HostSettings such as PfNat's pf_enable, JailHost's, an offline JailPackages'
#   package directories): a state file `SETTINGS_STATE_DIR/<digest of the owner mark>.state`
#   holds what its owner needs, but names no owner; so the prune records, per scope, the state
#   files it kept (`PRUNE_STATE_DIR/SCOPE.settings`), and a later run undoes those no longer kept
#   (settings-undo: only the changes no other owner still holds). The record goes with the
#   scope's claim (unclaim).
#
# One prune step per FreeBsdHost (lib/host/prune.ts) gives each action what the app keeps (owner
# marks; for devfs, ruleset numbers) and the host's ownership scope. The action removes, under
# the same lock as the kind's own actions, every claim whose scope is SCOPE (the text before the
# owner mark's first `:`, compared exactly) and whose owner is not kept (compared exactly as a
# whole, never as a prefix), with the function the kind's destroy runs (`_pf_remove`,
# `_pf_conf_remove`, `_devfs_ruleset_remove`, `_vnet_release`, `_settings_undo`). What has no claim of SCOPE (the
# administrator's rules, another app's claims, a claim file that is not a mark) is never touched.
#
# Jails are pruned the same way (jail-prune): a jail dataset's owner property is its claim.
#
# Order: the prune step runs jail-prune first (a switch goes only once the jails on it are gone),
# and runs before every jail dataset step and every claim step of these kinds
# (lib/host/prune.ts: a new jail with a removed one's name or address, a new PfNat claiming the
# anchor of a removed one, an anchor-mode PfNat replacing a whole-file one, a new ruleset with a
# removed one's name, a new switch with a removed one's name: each would be refused, or clash,
# while the old one is there).
#

# in_list WORD [ITEM...]: WORD is one of the ITEMs (each compared as a whole).
in_list() {
  local il_word il_item
  il_word=$1
  shift
  for il_item in "$@"; do
    if [ "$il_item" = "$il_word" ]; then return 0; fi
  done
  return 1
}

# owner_pruned SCOPE OWNER [KEEP...]: OWNER is a mark of SCOPE (the text before its first
# $OWNER_SCOPE_SEPARATOR, exactly) and none of KEEP.
owner_pruned() {
  local op_scope op_owner
  op_scope=$1 op_owner=$2
  shift 2
  [ "${op_owner%%"$OWNER_SCOPE_SEPARATOR"*}" = "$op_scope" ] && [ "$op_owner" != "$op_scope" ] && ! in_list "$op_owner" "$@"
}

# pruned_claims DIR SCOPE [KEEP...]: the NAME of each claim file DIR/NAME.owner (owner_claim's)
# whose owner is pruned (owner_pruned), one a line; a NAME that is no word of letters, digits
# and _.- (no file of ours) is never listed.
pruned_claims() {
  local pc_dir pc_scope pc_name pc_file
  pc_dir=$1 pc_scope=$2
  shift 2
  [ -d "$pc_dir" ] || return 0
  for pc_file in "$pc_dir"/*.owner; do
    [ -f "$pc_file" ] || continue
    pc_name=${pc_file##*/}
    pc_name=${pc_name%.owner}
    case "$pc_name" in '' | *[!A-Za-z0-9_.-]*) continue ;; esac
    if owner_pruned "$pc_scope" "$(cat "$pc_file")" "$@"; then printf '%s\n' "$pc_name"; fi
  done
}

# every jail dataset directly under ROOT
# (mounted at MOUNTPOINT) whose owner is of SCOPE and none of OWNER torn down as its destroy does
# (jail-teardown with CONF/NAME.conf, or its block when CONF is $JAIL_CONF, and
# MOUNTPOINT/NAME.fstab), then destroyed or retired by its recorded removal policy
# (jail-dataset-remove). A dataset without the jail role, an owner of SCOPE and a jail name
# property that is a jail name is never touched. Under no lock of its own: the teardown takes the
# lock of each file it changes.
do_jail_prune_usage="jail-prune SCOPE ROOT MOUNTPOINT CONF [OWNER...]"
do_jail_prune_descr="every jail dataset under ROOT of an owner of SCOPE that is none of OWNER torn down and removed by its policy"
do_jail_prune() {
  local jp_scope jp_root jp_mount jp_conf jp_rows jp_tab jp_path jp_file jp_ds jp_owner jp_role jp_name jp_removal
  jp_scope=$1 jp_root=$2 jp_mount=$3 jp_conf=$4
  shift 4
  exists "$jp_root" || return 0
  jp_rows=$(zfs list -H -o name,"$OWNER_PROPERTY","$ROLE_PROPERTY","$JAIL_NAME_PROPERTY","$REMOVAL_PROPERTY" -r -d 1 -t filesystem "$jp_root")
  jp_tab=$(printf '	')
  # fd 3: the commands in the loop must not read the rows from stdin.
  while IFS=$jp_tab read -r jp_ds jp_owner jp_role jp_name jp_removal <&3; do
    [ "$jp_role" = "$JAIL_ROLE" ] || continue
    owner_pruned "$jp_scope" "$jp_owner" "$@" || continue
    case "$jp_name" in '' | *[!A-Za-z0-9_]*) echo "skipping $jp_ds: bad jail name property" >&2; continue ;; esac
    echo "==> pruning jail $jp_name ($jp_ds, owner $jp_owner, removal ${jp_removal:-retain}): no longer in the app"
    jp_path=$(zfs get -H -o value mountpoint "$jp_ds")
    if [ "$jp_conf" = "$JAIL_CONF" ]; then jp_file=$jp_conf; else jp_file=$jp_conf/$jp_name.conf; fi
    do_jail_teardown "$jp_name" "$jp_file" "$jp_path" "$jp_mount/$jp_name.fstab"
    do_jail_dataset_remove "$jp_ds" "$jp_root" "$jp_mount" "$jp_name"
  done 3<<EOF
$jp_rows
EOF
}

# every pf anchor and whole-file $PF_CONF claimed by an owner of
# SCOPE that is none of OWNER removed, as its destroy does (pf-remove ANCHOR FILE OWNER,
# pf-conf-remove OWNER). Under the $PF_CONF lock.
do_pf_prune_usage="pf-prune SCOPE [OWNER...]"
do_pf_prune_descr="every anchor and whole-file $PF_CONF of an owner of SCOPE that is none of OWNER removed"
do_pf_prune() {
  do_locked "$PF_CONF" "$self" _pf_prune "$@"
}
_pf_prune() {
  local pp_owner pp_anchor pp_file pp_base
  for pp_base in $(pruned_claims "$PF_STATE_DIR" "$@"); do
    pp_owner=$(cat "$PF_STATE_DIR"/"$pp_base".owner)
    if [ "$pp_base" = "$(printf '%s' "$PF_CONF" | tr / _)" ]; then
      echo "==> pruning $PF_CONF written whole by $pp_owner: no longer in the app"
      _pf_conf_remove "$pp_owner"
      continue
    fi
    case "$pp_base" in
      "${PF_ANCHOR_ROOT}"_?*) pp_anchor="$PF_ANCHOR_ROOT"/${pp_base#"${PF_ANCHOR_ROOT}"_} ;;
      *) echo "skipping $PF_STATE_DIR/$pp_base.owner: not the record of an anchor of $PF_ANCHOR_ROOT" >&2; continue ;;
    esac
    # The rules file as the hooks block lists it; never applied: where pf-apply would write it.
    pp_file=$(awk -v a="$pp_anchor" '$1 == a { print $2; exit }' "$PF_STATE_DIR"/anchors 2>/dev/null) || pp_file=
    [ -n "$pp_file" ] || pp_file="$PF_RULES_DIR"/${pp_anchor#"$PF_ANCHOR_ROOT"/}.conf
    echo "==> pruning pf anchor $pp_anchor of $pp_owner: no longer in the app"
    _pf_remove "$pp_anchor" "$pp_file" "$pp_owner"
  done
}

# every block "devfs ruleset N of SCOPE" of
# $DEVFS_RULES_FILE whose N is none of NUMBER unloaded and removed, as its destroy does
# (devfs-ruleset-remove SCOPE N). Under the $DEVFS_RULES_FILE lock.
do_devfs_ruleset_prune_usage="devfs-ruleset-prune SCOPE [NUMBER...]"
do_devfs_ruleset_prune_descr="every devfs ruleset block of SCOPE whose number is none of NUMBER removed"
do_devfs_ruleset_prune() {
  do_locked "$DEVFS_RULES_FILE" "$self" _devfs_ruleset_prune "$@"
}
_devfs_ruleset_prune() {
  local dp_scope dp_found dp_num
  dp_scope=$1
  shift
  [ -f "$DEVFS_RULES_FILE" ] || return 0
  dp_found=$(awk -v b="$BLOCK_BEGIN devfs ruleset " -v s=" of $dp_scope" '
    index($0, b) == 1 && length($0) > length(b) + length(s) && substr($0, length($0) - length(s) + 1) == s {
      n = substr($0, length(b) + 1, length($0) - length(b) - length(s))
      if (n ~ /^[0-9]+$/) print n
    }' "$DEVFS_RULES_FILE")
  for dp_num in $dp_found; do
    if in_list "$dp_num" "$@"; then continue; fi
    echo "==> pruning devfs ruleset $dp_num of $dp_scope: no longer in the app"
    _devfs_ruleset_remove "$dp_scope" "$dp_num"
  done
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

# the host settings of every state file that the last run for
# SCOPE kept ($PRUNE_STATE_DIR/SCOPE.settings) and that is none of STATE undone, as its destroy
# does (settings-undo STATE: only changes no other owner holds); then the STATEs are what SCOPE
# keeps. A state file names no owner (its name is a digest of the owner mark), so only those this
# scope's own earlier runs recorded are ever touched: none on the first run. Under the rc.conf
# lock, like settings-apply and settings-undo.
do_settings_prune_usage="settings-prune SCOPE [STATE...]"
do_settings_prune_descr="the state files the last run for SCOPE kept that are none of STATE undone; then STATE are what SCOPE keeps"
do_settings_prune() {
  do_locked "/etc/rc.conf" "$self" _settings_prune "$@"
}
_settings_prune() {
  local sp_scope sp_record sp_state
  sp_scope=$1
  shift
  sp_record="$PRUNE_STATE_DIR"/$sp_scope.settings
  if [ -f "$sp_record" ]; then
    while IFS= read -r sp_state; do
      case "$sp_state" in "$SETTINGS_STATE_DIR"/*.state) ;; *) continue ;; esac
      if in_list "$sp_state" "$@" || [ ! -f "$sp_state" ]; then continue; fi
      echo "==> pruning host settings $sp_state of $sp_scope: no longer in the app"
      "$self" _settings_undo "$sp_state"
    done < "$sp_record"
  fi
  if [ $# -eq 0 ]; then
    rm -f "$sp_record"
    rmdir "$PRUNE_STATE_DIR" 2>/dev/null || :
    return 0
  fi
  mkdir -p "$PRUNE_STATE_DIR"
  printf '%s\n' "$@" > "$sp_record.new"
  if cmp -s "$sp_record.new" "$sp_record"; then rm -f "$sp_record.new"; else mv -f "$sp_record.new" "$sp_record"; fi
}
