# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ ZFS
# Datasets: shared parents, owners, jails' datasets, retirement.

exists() {
  zfs list -H -o name "$1" >/dev/null 2>&1
}

# ROOT (at MOUNTPOINT) and the DATASETs, outermost
# first, exist; those created are marked $SHARED_PARENT_OWNER.
do_ensure_parents_usage="ensure-parents ROOT MOUNTPOINT [DATASET...]"
do_ensure_parents_descr="ROOT (at MOUNTPOINT) and the DATASETs exist, outermost first; those made are marked $SHARED_PARENT_OWNER"
do_ensure_parents() {
  do_locked "$ZFS_LOCK" "$self" _ensure_parents "$@"
}

_ensure_parents() {
  local root mnt have ds
  root=$1 mnt=$2
  shift 2
  if ! zfs list -H -o name "$root" >/dev/null 2>&1; then
    zfs create -o mountpoint="$mnt" -o "$OWNER_PROPERTY"="$SHARED_PARENT_OWNER" -o "$ROLE_PROPERTY"="$PARENT_ROLE" "$root"
  fi
  have=$(zfs get -H -o value mountpoint "$root")
  if [ "$have" != "$mnt" ]; then
    echo "error: dataset $root exists with mountpoint $have, expected $mnt" >&2
    exit 1
  fi
  for ds in "$@"; do
    if ! zfs list -H -o name "$ds" >/dev/null 2>&1; then
      zfs create -o "$OWNER_PROPERTY"="$SHARED_PARENT_OWNER" -o "$ROLE_PROPERTY"="$PARENT_ROLE" "$ds"
    fi
  done
}

# only marked parents with nothing in them go.
do_prune_parents_usage="prune-parents [DATASET...]"
do_prune_parents_descr="the marked parent DATASETs with nothing in them destroyed, innermost first"
do_prune_parents() {
  do_locked "$ZFS_LOCK" "$self" _prune_parents "$@"
}

_prune_parents() {
  local mnt ds
  for ds in "$@"; do
    zfs list -H -o name "$ds" >/dev/null 2>&1 || continue
    [ "$(zfs get -H -o value "$OWNER_PROPERTY" "$ds")" = "$SHARED_PARENT_OWNER" ] || break
    [ "$(zfs list -H -o name -r -d 1 -t filesystem "$ds" | wc -l)" -eq 1 ] || break
    mnt=$(zfs get -H -o value mountpoint "$ds")
    if [ -d "$mnt" ] && [ -n "$(ls -A "$mnt")" ]; then break; fi
    echo "removing empty managed parent dataset $ds"
    zfs destroy "$ds"
  done
}

# exact comparison, never a prefix.
do_owned_by_usage="owned-by DATASET OWNER"
do_owned_by_descr="exit 0 when the $OWNER_PROPERTY of DATASET is exactly OWNER"
do_owned_by() {
  exists "$1" && [ "$(zfs get -H -o value "$OWNER_PROPERTY" "$1")" = "$2" ]
}

# renamed aside, marked retired, never mounted automatically.
# The retired parent is made and receives the dataset under the lock prune-parents holds, so it
# cannot be pruned in between.
do_retire_usage="retire DATASET ROOT MOUNTPOINT NAME"
do_retire_descr="DATASET renamed to ROOT/$RETIRED_DATASET/NAME-<UTC time>, unmounted, marked $RETIRED_ROLE"
do_retire() {
  do_locked "$ZFS_LOCK" "$self" _retire "$@"
}

_retire() {
  local ds root name stamp retired oldmnt
  _ensure_parents "$2" "$3" "$2/$RETIRED_DATASET"
  ds=$1 root=$2 name=$4
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  retired="$root/$RETIRED_DATASET"/"$name"-"$stamp"
  echo "==> retaining dataset $ds as $retired"
  zfs set canmount=noauto "$ROLE_PROPERTY"="$RETIRED_ROLE" "$ds"
  oldmnt=$(zfs get -H -o value mountpoint "$ds")
  if [ "$(zfs get -H -o value mounted "$ds")" = yes ]; then zfs umount "$ds"; fi
  zfs rename -u "$ds" "$retired"
  if [ -d "$oldmnt" ] && [ -z "$(ls -A "$oldmnt")" ]; then rmdir "$oldmnt"; fi
}

# created when missing (a
# concurrent creator is fine); an existing dataset of another owner is refused, never touched.
# With ROOT, its parents are made as ensure-parents makes them, in the same hold of the lock
# prune-parents takes, so none of them is pruned before DATASET is in it.
do_dataset_create_usage="dataset-create DATASET OWNER ROLE [ROOT MOUNTPOINT [PARENT...]]"
do_dataset_create_descr="DATASET exists, marked OWNER and ROLE (another owner's refused); with ROOT, its parents made in the same hold of the $ZFS_LOCK lock"
do_dataset_create() {
  if [ $# -eq 3 ]; then _dataset_create "$@"; else do_locked "$ZFS_LOCK" "$self" _dataset_create "$@"; fi
}

_dataset_create() {
  local dc_ds dc_owner dc_role
  dc_ds=$1 dc_owner=$2 dc_role=$3
  shift 3
  [ $# -eq 0 ] || _ensure_parents "$@"
  exists "$dc_ds" || zfs create -o "$OWNER_PROPERTY"="$dc_owner" -o "$ROLE_PROPERTY"="$dc_role" "$dc_ds" || exists "$dc_ds"
  do_owned_by "$dc_ds" "$dc_owner" || die "dataset $dc_ds exists and is not managed by $dc_owner; refusing to touch it"
}

# DATASET made from
# SNAPSHOT by METHOD (clone or send-receive) and marked as OWNER's jail NAME (removal policy
# retain until the configuration records its own); an existing DATASET must be OWNER's. A clone
# is made in the same hold of the lock prune-parents takes as ROOT; a copy can take long, so only
# ROOT is made under it (prune-parents leaves ROOT while anything is in it: the source
# template, when it is there).
do_jail_dataset_create_usage="jail-dataset-create DATASET OWNER NAME SNAPSHOT METHOD ROOT ROOTMOUNT"
do_jail_dataset_create_descr="the dataset of jail NAME made from SNAPSHOT (METHOD clone or send-receive) and marked; an existing one must be OWNER's"
do_jail_dataset_create() {
  case "$5" in
    clone) do_locked "$ZFS_LOCK" "$self" _jail_dataset_create "$@" ;;
    *) do_ensure_parents "$6" "$7"; _jail_dataset_create "$@" ;;
  esac
}

_jail_dataset_create() {
  local ds owner name snap method
  if exists "$1"; then
    do_owned_by "$1" "$2" || die "dataset $1 exists and is not managed by $2; refusing to touch it"
    echo "==> dataset $1 exists"
    return 0
  fi
  [ "$5" != clone ] || _ensure_parents "$6" "$7"
  ds=$1 owner=$2 name=$3 snap=$4 method=$5
  zfs list -H -t snapshot -o name "$snap" >/dev/null 2>&1 || die "snapshot $snap does not exist"
  set -- -o "$OWNER_PROPERTY"="$owner" -o "$ROLE_PROPERTY"="$JAIL_ROLE" -o "$JAIL_NAME_PROPERTY"="$name" -o "$REMOVAL_PROPERTY"="$REMOVAL_RETAIN" \
    -o "$JAIL_SOURCE_PROPERTY"="$snap"
  case "$method" in
    clone) echo "==> cloning $snap to $ds"; zfs clone "$@" "$snap" "$ds" ;;
    send-receive) echo "==> copying $snap to $ds (zfs send | zfs receive)"; zfs send "$snap" | zfs receive -u "$@" "$ds" ;;
    *) die "unknown method $method" ;;
  esac
}

# refuse another mountpoint, mount when unmounted.
do_dataset_mounted_usage="dataset-mounted DATASET MOUNTPOINT"
do_dataset_mounted_descr="DATASET mounted at MOUNTPOINT; another mountpoint refused"
do_dataset_mounted() {
  [ "$(zfs get -H -o value mountpoint "$1")" = "$2" ] || die "dataset $1 is not mounted at $2"
  [ "$(zfs get -H -o value mounted "$1")" = yes ] || zfs mount "$1"
}

# destroyed by its $REMOVAL_PROPERTY, else retired, with a snapshot
# of the moment first unless it is $REMOVAL_RETAIN_NO_SNAPSHOT (snapshots.sh; a re-run after a
# failed retirement takes none again). The snapshot goes along with the rename.
do_jail_dataset_remove_usage="jail-dataset-remove DATASET ROOT MOUNTPOINT NAME"
do_jail_dataset_remove_descr="DATASET destroyed or retired by its $REMOVAL_PROPERTY; before it is retired, a snapshot unless it is $REMOVAL_RETAIN_NO_SNAPSHOT"
do_jail_dataset_remove() {
  local dr_removal dr_owner
  dr_removal=$(zfs get -H -o value "$REMOVAL_PROPERTY" "$1") || die "cannot read $REMOVAL_PROPERTY of $1"
  if [ "$dr_removal" = "$REMOVAL_DESTROY" ]; then
    echo "==> destroying dataset $1"
    zfs destroy -r "$1"
  else
    if [ "$dr_removal" != "$REMOVAL_RETAIN_NO_SNAPSHOT" ]; then
      dr_owner=$(zfs get -H -o value "$OWNER_PROPERTY" "$1") || die "cannot read $OWNER_PROPERTY of $1"
      snapshot_once "$1" "$dr_owner" "$SNAPSHOT_BEFORE_RETIRE" retire "dataset of jail $4 retired" ||
        die "no snapshot of $1 taken before its retirement"
    fi
    do_retire "$@"
  fi
}
