# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ SNAPSHOTS
# Snapshots taken before a change (a JailUpdate, the retirement of a jail's dataset), kept by
# count; a jail's snapshots listed and a jail rolled back to one. Follows zfs(8)'s snapshot,
# list -t snapshot, destroy and rollback (sys/contrib/openzfs/cmd/zfs/zfs_main.c). A snapshot is
# the library's when it carries $SNAPSHOT_PROPERTY and the $OWNER_PROPERTY of the construct
# that took it; only those are ever destroyed here.

# OWNER's KIND snapshots of DATASET (not of its children), oldest first: NAME<tab>CHANGE. Fails
# when zfs does (read into a variable first: a pipeline's status would be awk's).
owned_snapshots() {
  local os_all
  os_all=$(zfs list -H -t snapshot -d 1 -s createtxg -o name,"$OWNER_PROPERTY","$SNAPSHOT_PROPERTY","$SNAPSHOT_CHANGE_PROPERTY" "$1") || return 1
  printf '%s\n' "$os_all" | awk -F '\t' -v o="$2" -v k="$3" '$2 == o && $3 == k { print $1 "\t" $4 }'
}

# DATASET@$SNAPSHOT_NAME_PREFIX<KIND>-<UTC time>[-SUFFIX] marked as OWNER's KIND snapshot for
# CHANGE, unless the newest of OWNER's KIND snapshots of DATASET carries CHANGE already (a re-run
# of the same change after a failure). An older one with that CHANGE is another run of it.
snapshot_once() {
  local so_ds so_owner so_kind so_change so_reason so_suffix so_last so_name
  so_ds=$1 so_owner=$2 so_kind=$3 so_change=$4 so_reason=$5 so_suffix=${6:+-$6}
  so_last=$(owned_snapshots "$so_ds" "$so_owner" "$so_kind") || return 1
  so_last=$(printf '%s\n' "$so_last" | tail -n 1)
  if [ -n "$so_last" ] && [ "${so_last#*	}" = "$so_change" ]; then
    echo "==> ${so_last%%	*} is the snapshot of this change already"
    return 0
  fi
  so_name=$so_ds@$SNAPSHOT_NAME_PREFIX$so_kind-$(date -u +%Y%m%dT%H%M%SZ)$so_suffix
  # The name is taken by a run of the same change within this second: the next second's is free.
  while zfs list -H -o name "$so_name" >/dev/null 2>&1; do
    sleep 1
    so_name=$so_ds@$SNAPSHOT_NAME_PREFIX$so_kind-$(date -u +%Y%m%dT%H%M%SZ)$so_suffix
  done
  echo "==> snapshot $so_name ($so_reason)"
  zfs snapshot -o "$OWNER_PROPERTY=$so_owner" -o "$SNAPSHOT_PROPERTY=$so_kind" \
    -o "$SNAPSHOT_CHANGE_PROPERTY=$so_change" -o "$SNAPSHOT_REASON_PROPERTY=$so_reason" "$so_name" || return 1
}

# The newest KEEP of OWNER's KIND snapshots of DATASET kept, the older ones destroyed; one that
# has clones (someone made a dataset from it) is left, with a warning.
prune_snapshots() {
  local ps_list ps_n ps_snap ps_clones
  ps_list=$(owned_snapshots "$1" "$2" "$3") || return 1
  ps_list=$(printf '%s\n' "$ps_list" | cut -f 1)
  ps_n=$(printf '%s\n' "$ps_list" | grep -c . || :)
  [ "$ps_n" -gt "$4" ] || return 0
  for ps_snap in $(printf '%s\n' "$ps_list" | head -n "$((ps_n - $4))"); do
    ps_clones=$(zfs get -H -o value clones "$ps_snap") || return 1
    if [ -n "$ps_clones" ] && [ "$ps_clones" != - ]; then
      echo "warning: $ps_snap is older than the $4 kept but has clones ($ps_clones): left" >&2
      continue
    fi
    echo "==> destroying $ps_snap (older than the $4 kept)"
    zfs destroy "$ps_snap" || return 1
  done
}

# DATASET has a snapshot of this change (made when missing),
# and no more than KEEP of OWNER's KIND snapshots. Snapshot names carry no blank (the library's
# construct paths and digests have none); REASON says in words what the change is.
do_snapshot_before_usage="snapshot-before DATASET OWNER KIND CHANGE KEEP REASON"
do_snapshot_before_descr="DATASET@${SNAPSHOT_NAME_PREFIX}KIND-<UTC time>-CHANGE taken and marked OWNER's unless the newest of OWNER's KIND snapshots is of CHANGE; the newest KEEP of them kept, older ones destroyed"
do_snapshot_before() {
  local sb_ds sb_owner sb_kind sb_change sb_keep
  sb_ds=$1 sb_owner=$2 sb_kind=$3 sb_change=$4 sb_keep=$5
  case "$sb_keep" in '' | *[!0-9]* | 0*) die "snapshot-before: KEEP must be a number from 1, not '$sb_keep'" ;; esac
  case "$sb_kind" in '' | *[!a-z0-9-]*) die "snapshot-before: KIND must be of a-z, 0-9 and -, not '$sb_kind'" ;; esac
  case "$sb_change" in '' | *[!a-z0-9]*) die "snapshot-before: CHANGE must be of a-z and 0-9, not '$sb_change'" ;; esac
  exists "$sb_ds" || die "dataset $sb_ds does not exist"
  snapshot_once "$sb_ds" "$sb_owner" "$sb_kind" "$sb_change" "$6" "$sb_change" || die "no snapshot of $sb_ds taken"
  prune_snapshots "$sb_ds" "$sb_owner" "$sb_kind" "$sb_keep" || die "the snapshots of $sb_ds beyond the $sb_keep kept were not all destroyed"
}

# The dataset of jail NAME: the one filesystem marked $JAIL_ROLE with $JAIL_NAME_PROPERTY NAME
# (a retired one is marked $RETIRED_ROLE).
jail_dataset() {
  local jd_all jd_found
  jd_all=$(zfs list -H -t filesystem -o name,"$ROLE_PROPERTY","$JAIL_NAME_PROPERTY") || die "zfs list failed"
  jd_found=$(printf '%s\n' "$jd_all" | awk -F '\t' -v n="$1" -v r="$JAIL_ROLE" '$2 == r && $3 == n { print $1 }')
  [ -n "$jd_found" ] || die "no dataset of jail $1 made by $LIBRARY_NAME"
  [ "$(printf '%s\n' "$jd_found" | wc -l)" -eq 1 ] || die "more than one dataset is marked as jail $1's: $(printf '%s ' "$jd_found")"
  printf '%s\n' "$jd_found"
}

# oldest first, with what the library took them before.
do_jail_snapshots_usage="jail-snapshots NAME"
do_jail_snapshots_descr="the snapshots of jail NAME's dataset, oldest first, with why the library took them (- for others')"
do_jail_snapshots() {
  local js_ds
  js_ds=$(jail_dataset "$1")
  zfs list -t snapshot -d 1 -s createtxg -o name,creation,used,"$SNAPSHOT_PROPERTY","$SNAPSHOT_REASON_PROPERTY" "$js_ds"
}

# the jail stopped through rc.d/jail (when it runs), its
# dataset rolled back with zfs rollback -r (the snapshots younger than SNAPSHOT are destroyed:
# zfs rolls back to the newest only), then started again as boot does. SNAPSHOT is a name of the
# jail's dataset (`@NAME` or `NAME` alone) or DATASET@NAME; another dataset's is refused. A
# rollback cut off after the stop is marked, so the next run starts the jail it stopped.
do_jail_rollback_usage="jail-rollback NAME SNAPSHOT"
do_jail_rollback_descr="jail NAME stopped, its dataset rolled back to SNAPSHOT (zfs rollback -r: younger snapshots destroyed), started again if it ran"
do_jail_rollback() {
  local jr_ds jr_snap jr_mark jr_younger
  jr_ds=$(jail_dataset "$1")
  case "$2" in
    @*) jr_snap=$jr_ds$2 ;;
    *@*) jr_snap=$2 ;;
    *) jr_snap=$jr_ds@$2 ;;
  esac
  [ "${jr_snap%%@*}" = "$jr_ds" ] || die "snapshot $jr_snap is not of jail $1's dataset $jr_ds; refusing to roll back"
  zfs list -H -t snapshot -o name "$jr_snap" >/dev/null 2>&1 || die "snapshot $jr_snap does not exist ($self jail-snapshots $1 lists them)"
  jr_younger=$(zfs list -H -t snapshot -d 1 -s createtxg -o name "$jr_ds") || die "zfs list failed"
  jr_younger=$(printf '%s\n' "$jr_younger" | awk -v s="$jr_snap" 'found { printf "%s ", $0 } $0 == s { found = 1 }')
  [ -z "$jr_younger" ] || echo "==> the younger snapshots go with the rollback: $jr_younger"
  jr_mark=$JAIL_STATE_DIR/$1.rolling-back
  if running "$1"; then
    mkdir -p "$JAIL_STATE_DIR"
    : > "$jr_mark"
    do_jail_stop "$1"
  fi
  echo "==> rolling $jr_ds back to $jr_snap"
  zfs rollback -r "$jr_snap"
  if [ -e "$jr_mark" ]; then do_jail_start "$1"; fi
  rm -f "$jr_mark"
}
