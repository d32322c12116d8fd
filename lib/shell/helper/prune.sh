# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ PRUNE
# Prune: what a scope claimed on the host and its app no longer keeps, removed as its destroy would.
#
# What every kind's `*-prune` action shares; each action is in its kind's module (jails, pf, devfs,
# vnet, settings), beside the destroy it runs, and the kind is declared with it in the library
# (defineHostKind in the construct's module).
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
