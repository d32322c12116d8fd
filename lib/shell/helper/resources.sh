# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ RESOURCES
# What a jail may use: its rctl rules and cpuset (files under $JAIL_STATE_DIR that its exec
# hooks read: usr.bin/rctl, usr.bin/cpuset) and the ZFS properties set on its dataset (the
# names recorded in $ZFS_PROPERTIES_PROPERTY). Each is undone by its step's destroy, and by
# prune once the app no longer sets any for the jail (the step then leaves the app with no
# destroy of its own).

# The quotas and reservations cannot be inherited (zfs_prop_inherit in
# sys/contrib/openzfs/lib/libzfs/libzfs_dataset.c): they are set back to none.
ZFS_NOT_INHERITABLE=" quota refquota reservation refreservation "

# jail-limits-clear NAME: the rules on jail:NAME removed (when racct is on and there are any:
# rctl -r fails on a subject with no rule) and the limit files removed. The cpuset dies with
# the jail, so the next start, whose hooks no longer set one, has every CPU.
do_jail_limits_clear_usage="jail-limits-clear NAME"
do_jail_limits_clear_descr="the rctl rules of jail NAME removed and its limit files (NAME.rctl, NAME.cpuset) gone"
do_jail_limits_clear() {
  local name
  name=$1
  if [ "$(sysctl -n kern.racct.enable 2>/dev/null || :)" = 1 ] && [ -n "$(rctl "jail:$name")" ]; then
    rctl -r "jail:$name"
  fi
  rm -f "$JAIL_STATE_DIR/$name.rctl" "$JAIL_STATE_DIR/$name.cpuset"
}

# jail-zfs-properties-undo DATASET [KEEP...]: every property the record on DATASET names that
# is none of KEEP set back to what it inherits (none for quotas and reservations); with no KEEP
# the record is removed too (the properties step's create writes it afresh after).
do_jail_zfs_properties_undo_usage="jail-zfs-properties-undo DATASET [KEEP...]"
do_jail_zfs_properties_undo_descr="the ZFS properties recorded as set by $LIBRARY_NAME on DATASET that are none of KEEP undone; with no KEEP, the record removed"
do_jail_zfs_properties_undo() {
  local ds p
  ds=$1
  shift
  exists "$ds" || return 0
  for p in $(zfs get -H -o value "$ZFS_PROPERTIES_PROPERTY" "$ds" | tr ',' ' '); do
    case "$p" in -) continue ;; esac
    if in_list "$p" "$@"; then continue; fi
    case "$ZFS_NOT_INHERITABLE" in
      *" $p "*) zfs set "$p=none" "$ds" ;;
      *) zfs inherit "$p" "$ds" ;;
    esac
  done
  if [ $# -eq 0 ]; then zfs inherit "$ZFS_PROPERTIES_PROPERTY" "$ds"; fi
}

# _jail_limits_prune_one DATASET NAME OWNER RECORD: the limits of jail NAME cleared when it has limit files.
_jail_limits_prune_one() {
  [ -e "$JAIL_STATE_DIR/$2.rctl" ] || [ -e "$JAIL_STATE_DIR/$2.cpuset" ] || return 0
  echo "==> jail $2 ($3): its resource limits removed: the app sets none any more"
  do_jail_limits_clear "$2"
}

# _jail_zfs_properties_prune_one DATASET NAME OWNER RECORD: the recorded properties undone.
_jail_zfs_properties_prune_one() {
  case "$4" in '' | -) return 0 ;; esac
  echo "==> jail $2 ($3): its ZFS properties $4 undone: the app sets none any more"
  do_jail_zfs_properties_undo "$1"
}

# jail-limits-prune SCOPE ROOT [OWNER...]: the limits of every jail of SCOPE under ROOT that
# is none of OWNER (the jails that still have limits) cleared, as jail-limits-clear does. Jails
# that left the app went with theirs before (jail-prune).
do_jail_limits_prune_usage="jail-limits-prune SCOPE ROOT [OWNER...]"
do_jail_limits_prune_descr="the rctl rules and limit files of every jail of SCOPE under ROOT that is none of OWNER removed"
do_jail_limits_prune() {
  local lp_scope lp_root
  lp_scope=$1 lp_root=$2
  shift 2
  each_pruned_jail "$lp_scope" "$lp_root" "$ZFS_PROPERTIES_PROPERTY" _jail_limits_prune_one "$@"
}

# jail-zfs-properties-prune SCOPE ROOT [OWNER...]: the recorded ZFS properties of every jail
# dataset of SCOPE under ROOT that is none of OWNER undone, as jail-zfs-properties-undo does.
do_jail_zfs_properties_prune_usage="jail-zfs-properties-prune SCOPE ROOT [OWNER...]"
do_jail_zfs_properties_prune_descr="the recorded ZFS properties of every jail dataset of SCOPE under ROOT that is none of OWNER undone"
do_jail_zfs_properties_prune() {
  local zp_scope zp_root
  zp_scope=$1 zp_root=$2
  shift 2
  each_pruned_jail "$zp_scope" "$zp_root" "$ZFS_PROPERTIES_PROPERTY" _jail_zfs_properties_prune_one "$@"
}
