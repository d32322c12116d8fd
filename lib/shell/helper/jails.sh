# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ JAILS
# Jails started, stopped and torn down the way boot does it (rc.d/jail).

# Whatever is mounted strictly under directory $1 (nullfs, devfs, ...) unmounted, deepest first.
# The directory itself is left alone: it is the jail's own dataset, which mount -p lists there
# too; zfs destroy or the retirement deal with it.
unmount_under() {
  local m
  mount -p | awk -v d="$1" 'index($2, d "/") == 1 { print $2 }' | sort -r | while read -r m; do
    echo "==> unmounting $m"
    umount -f "$m"
  done
}

running() {
  jls -j "$1" >/dev/null 2>&1
}

# boot's own path (rc.d/jail reads the configuration as at boot). It reports
# a failed start on stdout and exits 0, so jls decides.
do_jail_start_usage="jail-start NAME"
do_jail_start_descr="jail NAME runs, started the way boot starts it (service jail start)"
do_jail_start() {
  if running "$1"; then echo "==> jail $1 runs"; return 0; fi
  echo "==> starting jail $1 (service jail start $1)"
  service jail start "$1" || true
  running "$1" || die "jail $1 did not start (see the output of service jail start above; jls -j $1: $(jls -j "$1" 2>&1 >/dev/null))"
}

# onestop works even when jail_enable was turned off since.
do_jail_stop_usage="jail-stop NAME"
do_jail_stop_descr="jail NAME is stopped (service jail onestop, then jail -r)"
do_jail_stop() {
  running "$1" || return 0
  echo "==> stopping jail $1"
  service jail onestop "$1" || true
  # Without a configuration jail(8) removes the jail by name alone.
  if running "$1"; then jail -r "$1"; fi
}

# no jail NAME runs from anywhere but PATH.
do_jail_check_usage="jail-check NAME PATH"
do_jail_check_descr="no jail NAME runs from anywhere but PATH"
do_jail_check() {
  local p
  running "$1" || return 0
  p=$(jls -j "$1" path)
  [ "$p" = "$2" ] || die "a jail named $1 runs from $p, not $2; refusing to touch it"
}

# NAME in jail_list, after the administrator's jails that boot started
# while it was empty. An empty jail_list makes rc.d/jail start every jail of /etc/jail.conf
# (jail -f /etc/jail.conf -c); a listed name restricts boot to the listed jails. So the first
# name added to an empty jail_list comes after those jails of the administrator's
# (admin_boot_jails), added for them and recorded in the shared settings changes under the
# JailHost's setting "rc-list jail_list": its last owner takes them out again (rc_list_filled).
# Under the rc.conf lock.
do_jail_list_add_usage="jail-list-add NAME"
do_jail_list_add_descr="NAME in jail_list, after the administrator's jails that boot started while it was empty"
do_jail_list_add() {
  do_locked /etc/rc.conf "$self" _jail_list_add "$1"
}

_jail_list_add() {
  local jl_admin jl_changes jl_record jl_w
  if [ -z "$(sysrc -n -i jail_list || :)" ]; then
    if jl_admin=$(admin_boot_jails); then
      jl_admin=$(printf '%s\n' "$jl_admin" | grep -vxF -e "$1" | tr '\n' ' ')
      jl_admin=${jl_admin% }
      if [ -n "$jl_admin" ]; then
        echo "==> jail_list was empty, so boot started every jail of /etc/jail.conf: listing the administrator's jails first ($jl_admin); they leave it again with the last JailHost"
        jl_changes="$SETTINGS_STATE_DIR"/"$SETTINGS_CHANGES_FILE_NAME"
        jl_record="rc-list jail_list - rc_list_filled jail_list $jl_admin"
        mkdir -p "$SETTINGS_STATE_DIR"
        grep -qsxF -e "$jl_record" "$jl_changes" || printf '%s\n' "$jl_record" >> "$jl_changes"
        for jl_w in $jl_admin; do rc_list_add jail_list "$jl_w"; done
      fi
    else
      echo "warning: jail_list was empty (boot started every jail in /etc/jail.conf) and jail -e could not list them; from now on only listed jails start at boot" >&2
    fi
  fi
  rc_list_add jail_list "$1"
}

# The administrator's jails that rc.d/jail starts at boot while jail_list is empty, one a line in
# the order of /etc/jail.conf: jail(8) -e of /etc/jail.conf without this library's blocks (its
# jails' blocks, its .include of $JAIL_CONF_DIR), less any jail whose $JAIL_CONF_DIR/NAME.conf
# this library wrote (an .include of the administrator's reaches those too). A jail rc.d/jail
# cannot find by a jail_list word (a name with a dot, blanks or quotes; a jid) is warned about.
# Fails when jail(8) cannot list them (a syntax error; no -e).
admin_boot_jails() {
  local ab_conf ab_tab ab_list ab_name name ab_first
  [ -f "$JAIL_CONF" ] || return 0
  ab_conf=$(awk -v b="$BLOCK_BEGIN " -v e="$BLOCK_END " 'index($0, b) == 1 { skip = 1 } !skip { print } index($0, e) == 1 { skip = 0 }' "$JAIL_CONF")
  printf '%s\n' "$ab_conf" | grep -Eq '[{]|^[[:space:]]*[.]include' || return 0
  ab_tab=$(printf '\t')
  ab_list=$(printf '%s\n' "$ab_conf" | jail -f - -e "$ab_tab") || return 1
  printf '%s\n' "$ab_list" | cut -f 1 | while IFS= read -r ab_first; do
    [ -n "$ab_first" ] || continue
    ab_name=${ab_first#name=}
    case "$ab_first" in
      name=[A-Za-z0-9_]*) case "$ab_name" in *[!A-Za-z0-9_-]*) ab_name= ;; esac ;;
      *) ab_name= ;;
    esac
    if [ -z "$ab_name" ]; then
      echo "warning: the jail of $JAIL_CONF shown as $ab_first cannot be named in jail_list: it no longer starts at boot" >&2
      continue
    fi
    if head -n 1 "$JAIL_CONF_DIR/$ab_name.conf" 2>/dev/null | grep -qF "$MANAGED_FILE_MARKER"; then continue; fi
    printf '%s\n' "$ab_name"
  done
}

do_jail_restart_usage="jail-restart NAME"
do_jail_restart_descr="jail NAME restarted (service jail restart) and running"
do_jail_restart() {
  echo "==> restarting jail $1 (service jail restart $1)"
  service jail restart "$1" || true
  running "$1" || die "jail $1 did not start again (see the output of service jail restart above; jls -j $1: $(jls -j "$1" 2>&1 >/dev/null))"
}

# the jail stopped, its recorded network teardown run, what
# is mounted under PATH unmounted, CONF removed (if managed; its block if CONF is
# /etc/jail.conf), FSTAB (if managed), its /etc/hosts block and jail_list word removed.
do_jail_teardown_usage="jail-teardown NAME CONF PATH FSTAB"
do_jail_teardown_descr="jail NAME stopped, its network teardown run, mounts under PATH gone, CONF, FSTAB, hosts block and jail_list word removed"
do_jail_teardown() {
  local name conf path fstab teardown
  name=$1 conf=$2 path=$3 fstab=$4
  do_jail_stop "$name"
  teardown="$JAIL_STATE_DIR/$name.teardown"
  if [ -f "$teardown" ]; then
    echo "==> network teardown of jail $name"
    /bin/sh "$teardown"
    rm -f "$teardown"
  fi
  # A roll cut off before it finished recorded it: the jail goes, so does its record.
  rm -f "$JAIL_STATE_DIR/$name.roll"
  unmount_under "$path"
  if [ "$conf" = "$JAIL_CONF" ]; then do_block "$JAIL_CONF" "jail $name" ''; else do_remove_managed_file "$conf"; fi
  do_remove_managed_file "$fstab"
  do_block /etc/hosts "jail $name" ''
  do_locked /etc/rc.conf "$self" _rc_list_remove jail_list "$name"
}

# every jail dataset directly under ROOT
# (mounted at MOUNTPOINT) whose owner is of SCOPE and none of OWNER torn down as its destroy does
# (jail-teardown with CONF/NAME.conf, or its block when CONF is $JAIL_CONF, and
# MOUNTPOINT/NAME.fstab) and its limit files removed, then destroyed or retired by its recorded removal policy
# (jail-dataset-remove). A dataset without the jail role, an owner of SCOPE and a jail name
# property that is a jail name is never touched. Under no lock of its own: the teardown takes the
# lock of each file it changes.
do_jail_prune_usage="jail-prune SCOPE ROOT MOUNTPOINT CONF [OWNER...]"
do_jail_prune_descr="every jail dataset under ROOT of an owner of SCOPE that is none of OWNER torn down and removed by its policy"
do_jail_prune() {
  local jp_scope jp_root jp_mount jp_conf
  jp_scope=$1 jp_root=$2 jp_mount=$3 jp_conf=$4
  shift 4
  each_pruned_jail "$jp_scope" "$jp_root" "$REMOVAL_PROPERTY" _jail_prune_one "$@"
}

# _jail_prune_one DATASET NAME OWNER REMOVAL: one jail of jail-prune (its jp_* locals).
_jail_prune_one() {
  local jp_path jp_file
  echo "==> pruning jail $2 ($1, owner $3, removal ${4:-retain}): no longer in the app"
  jp_path=$(zfs get -H -o value mountpoint "$1")
  if [ "$jp_conf" = "$JAIL_CONF" ]; then jp_file=$jp_conf; else jp_file=$jp_conf/$2.conf; fi
  do_jail_teardown "$2" "$jp_file" "$jp_path" "$jp_mount/$2.fstab"
  # Its resource limits (JailFromSnapshot limits), which its hooks read.
  do_jail_limits_clear "$2"
  do_jail_dataset_remove "$1" "$jp_root" "$jp_mount" "$2"
}

# each_pruned_jail SCOPE ROOT PROPERTY FUNCTION [OWNER...]: `FUNCTION DATASET NAME OWNER VALUE`
# for every jail dataset directly under ROOT (role jail) whose owner is of SCOPE and none of OWNER
# (owner_pruned), VALUE its PROPERTY ("-" when unset). A dataset whose jail name property is no
# jail name is skipped with a word on stderr.
each_pruned_jail() {
  local ej_scope ej_root ej_prop ej_fn ej_rows ej_tab ej_ds ej_owner ej_role ej_name ej_value
  ej_scope=$1 ej_root=$2 ej_prop=$3 ej_fn=$4
  shift 4
  exists "$ej_root" || return 0
  ej_rows=$(zfs list -H -o name,"$OWNER_PROPERTY","$ROLE_PROPERTY","$JAIL_NAME_PROPERTY","$ej_prop" -r -d 1 -t filesystem "$ej_root")
  ej_tab=$(printf '\t')
  # fd 3: the commands in the loop must not read the rows from stdin.
  while IFS=$ej_tab read -r ej_ds ej_owner ej_role ej_name ej_value <&3; do
    [ "$ej_role" = "$JAIL_ROLE" ] || continue
    owner_pruned "$ej_scope" "$ej_owner" "$@" || continue
    case "$ej_name" in '' | *[!A-Za-z0-9_]*) echo "skipping $ej_ds: bad jail name property" >&2; continue ;; esac
    "$ej_fn" "$ej_ds" "$ej_name" "$ej_owner" "$ej_value"
  done 3<<EOF
$ej_rows
EOF
}

# The snapshot DATASET was made from: the one recorded when it was made, else a clone's origin
# (a dataset made before the record; a copy has none: empty). A failing zfs fails the caller.
jail_source() {
  local src
  src=$(zfs get -H -o value "$JAIL_SOURCE_PROPERTY" "$1")
  if [ "$src" = - ]; then src=$(zfs get -H -o value origin "$1"); fi
  [ "$src" != - ] || src=
  printf '%s\n' "$src"
}

# Whether jail NAME has its configuration (CONF: its file, or /etc/jail.conf with its block), read
# with the shell's own builtins: a probe that fails must not pass for "not configured".
jail_configured() {
  local line
  if [ "$2" != "$JAIL_CONF" ]; then [ -f "$2" ]; return; fi
  [ -f "$2" ] || return 1
  while IFS= read -r line; do [ "$line" != "$BLOCK_BEGIN jail $1" ] || return 0; done < "$2"
  return 1
}

# A rolling jail moved to SNAPSHOT in one run, never destroyed and made again by two steps of
# an apply: Terraform runs the destroys of every replaced step before any create, so a step
# replaced for the new source would stop all jails at once. The jail stops only when its dataset
# is from another snapshot (or from one it cannot tell): the old dataset goes by its recorded
# removal policy (retired or destroyed, as jail-dataset-remove), the new one is made
# (jail-dataset-create records its source) with that policy, and the jail is started when START
# is yes and it has its configuration (CONF; a jail made for the first time is started by its
# configuration step). The policy and the start are recorded in NAME.roll before anything
# changes, so a run cut off anywhere is finished by the next; a dataset that is not from
# SNAPSHOT at the end (a probe failed on the way) fails the run.
do_jail_roll_usage="jail-roll DATASET OWNER NAME SNAPSHOT METHOD ROOT ROOTMOUNT CONF {yes | no} [PATH...]"
do_jail_roll_descr="the dataset of jail NAME made from SNAPSHOT, an existing one from another snapshot replaced (the jail stopped, the old dataset removed by its policy, the jail started again); PATHs, its mount points inside, made first"
do_jail_roll() {
  local ds owner name snap src policy start mnt record on p
  ds=$1 owner=$2 name=$3 snap=$4
  mnt=$7/$3
  record=$JAIL_STATE_DIR/$3.roll
  zfs list -H -t snapshot -o name "$snap" >/dev/null 2>&1 || die "snapshot $snap does not exist"
  policy=$REMOVAL_RETAIN start=no
  if [ -f "$record" ]; then read -r policy start < "$record"; fi
  if exists "$ds"; then
    do_owned_by "$ds" "$owner" || die "dataset $ds exists and is not managed by $owner; refusing to touch it"
    src=$(jail_source "$ds")
    if [ "$src" != "$snap" ]; then
      echo "==> jail $name rolls from ${src:-an unrecorded snapshot} to $snap"
      if [ ! -f "$record" ]; then
        policy=$(zfs get -H -o value "$REMOVAL_PROPERTY" "$ds")
        if [ "$9" = yes ] && jail_configured "$name" "$8"; then start=yes; fi
        mkdir -p "$JAIL_STATE_DIR"
        printf '%s %s\n' "$policy" "$start" > "$record"
      fi
      # Stopped without asking jls first: a failed probe would leave it running on the old dataset.
      echo "==> stopping jail $name"
      service jail onestop "$name" || true
      if running "$name"; then jail -r "$name"; fi
      unmount_under "$mnt"
      do_jail_dataset_remove "$ds" "$6" "$7" "$name"
    fi
  fi
  # A retired dataset whose unmount failed still covers the jail's path.
  on=$(mount -p | awk -v m="$mnt" '$2 == m && $3 == "zfs" { print $1 }')
  case "$on" in "$6/$RETIRED_DATASET/$name"-*) echo "==> unmounting $on from $mnt"; zfs umount "$on" ;; esac
  do_jail_dataset_create "$ds" "$owner" "$name" "$snap" "$5" "$6" "$7"
  src=$(jail_source "$ds")
  [ "$src" = "$snap" ] || die "dataset $ds is from ${src:-an unrecorded snapshot}, not $snap (a check failed on the way); run again"
  if [ -f "$record" ]; then zfs set "$REMOVAL_PROPERTY"="$policy" "$ds"; fi
  do_dataset_mounted "$ds" "$mnt"
  # The mount points of its fstab and mount lines: a new dataset has only the template's
  # directories, and jail(8) does not make them (the configuration step did, on the old one).
  shift 9
  for p in "$@"; do
    jail_path_safe "$mnt" "$p"
    mkdir -p "$mnt$p"
  done
  if [ "$start" = yes ]; then do_jail_start "$name"; fi
  rm -f "$record"
}
