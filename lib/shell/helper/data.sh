# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ DATA
# Data datasets (JailDataset): ROOT/$DATA_DATASET/NAME, marked with an owner and the role
# $DATA_ROLE, made with dataset-create. They outlive the jails they are given to; what happens when
# one leaves the app is its recorded $REMOVAL_PROPERTY: destroy, or (retain, the default) nothing.

# every mount of DATASET: the nullfs mounts of its host mountpoint MOUNTPOINT (unless jailed),
# then its own mount (made on the host, or from inside a jail), deepest first, one path a line.
data_mounts() {
  local dm_ds dm_mnt dm_jailed
  dm_ds=$1 dm_mnt=$2 dm_jailed=$3
  mount -p | awk -v d="$dm_ds" -v m="$dm_mnt" -v j="$dm_jailed" '
    j != "on" && $3 == "nullfs" && ($1 == m || index($1, m "/") == 1) { print 1, $2; next }
    $3 == "zfs" && ($1 == d || index($1, d "/") == 1) { print 2, $2 }' | sort -k1,1 -k2,2r | cut -d ' ' -f 2-
}

# OWNER's DATASET destroyed when its removal policy is destroy (its mounts, also in jails, first);
# with retain, left where it is. Another owner's dataset is never touched.
do_data_dataset_remove_usage="data-dataset-remove DATASET OWNER"
do_data_dataset_remove_descr="DATASET, when OWNER's, destroyed (its mounts first) if its $REMOVAL_PROPERTY is $REMOVAL_DESTROY, else left where it is"
do_data_dataset_remove() {
  local dr_ds dr_owner dr_m dr_mnt dr_jailed
  dr_ds=$1 dr_owner=$2
  exists "$dr_ds" || return 0
  if ! do_owned_by "$dr_ds" "$dr_owner"; then
    echo "dataset $dr_ds is not managed by $dr_owner: left alone"
    return 0
  fi
  if [ "$(zfs get -H -o value "$REMOVAL_PROPERTY" "$dr_ds")" != "$REMOVAL_DESTROY" ]; then
    echo "==> retaining data dataset $dr_ds (removal policy $REMOVAL_RETAIN): it stays with its data, attached to no jail; declare it again to use it, or zfs destroy -r it"
    return 0
  fi
  dr_mnt=$(zfs get -H -o value mountpoint "$dr_ds")
  dr_jailed=$(zfs get -H -o value jailed "$dr_ds")
  data_mounts "$dr_ds" "$dr_mnt" "$dr_jailed" | while IFS= read -r dr_m; do
    echo "==> unmounting $dr_m"
    umount -f "$dr_m"
  done
  echo "==> destroying data dataset $dr_ds"
  zfs destroy -r "$dr_ds"
  # Its empty mountpoint directory on the host (a jailed one's mountpoint is the jail's path).
  if [ "$dr_jailed" != on ] && [ -d "$dr_mnt" ] && [ -z "$(ls -A "$dr_mnt")" ]; then rmdir "$dr_mnt"; fi
}

# every data dataset directly under PARENT whose owner is of SCOPE and none of OWNER dealt
# with as its destroy does (data-dataset-remove). A dataset without the $DATA_ROLE role is never
# touched. PARENT goes when it is left empty.
do_data_prune_usage="data-prune SCOPE PARENT [OWNER...]"
do_data_prune_descr="every data dataset under PARENT of an owner of SCOPE that is none of OWNER destroyed or left by its removal policy"
do_data_prune() {
  local dp_scope dp_parent dp_rows dp_tab dp_ds dp_owner dp_role
  dp_scope=$1 dp_parent=$2
  shift 2
  exists "$dp_parent" || return 0
  dp_rows=$(zfs list -H -o name,"$OWNER_PROPERTY","$ROLE_PROPERTY" -r -d 1 -t filesystem "$dp_parent")
  dp_tab=$(printf '\t')
  # fd 3: the commands in the loop must not read the rows from stdin.
  while IFS=$dp_tab read -r dp_ds dp_owner dp_role <&3; do
    [ "$dp_role" = "$DATA_ROLE" ] || continue
    owner_pruned "$dp_scope" "$dp_owner" "$@" || continue
    echo "==> data dataset $dp_ds (owner $dp_owner): no longer in the app"
    do_data_dataset_remove "$dp_ds" "$dp_owner"
  done 3<<EOF
$dp_rows
EOF
  do_prune_parents "$dp_parent"
}
