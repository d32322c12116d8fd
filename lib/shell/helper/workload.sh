# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ WORKLOADS
# What runs inside a jail: files written into it (JailFile), its rc.d services started and
# stopped (JailService), their health checks. A jail's rc.conf variables are host settings of
# the kind jail-rc (settings.sh). Claims: $JAIL_FILES_DIR/KEY.owner (KEY a digest of the jail
# root and the path), $JAIL_SERVICES_DIR/KEY.owner (of the jail and the service), each with the
# owner mark; KEY.info beside it says what the claim is; KEY.orig is a file taken over.

# jail_path_safe ROOT FILE: ROOT is a directory and no component of FILE below it is a symbolic
# link (followed from the host, one would lead out of the jail: a jail's root may make them).
jail_path_safe() {
  local jps_path jps_rest jps_part
  [ -d "$1" ] || die "the jail root $1 is not a directory"
  [ ! -L "$1" ] || die "the jail root $1 is a symbolic link"
  jps_path=$1 jps_rest=${2#/}
  while [ -n "$jps_rest" ]; do
    jps_part=${jps_rest%%/*}
    case "$jps_rest" in */*) jps_rest=${jps_rest#*/} ;; *) jps_rest= ;; esac
    jps_path=$jps_path/$jps_part
    if [ -L "$jps_path" ]; then die "$jps_path is a symbolic link: not followed out of the jail"; fi
  done
}

# jail_account_id ROOT passwd|group NAME: the numeric id of NAME in the jail's own database.
jail_account_id() {
  awk -F: -v n="$3" '$1 == n { print $3; f = 1; exit } END { exit !f }' "$1/etc/$2"
}

# jail_file_meta FILE: mode, owner and group of FILE as ls -ln prints them (one file, by a
# path the helper made: stat(1)'s options differ between systems, ls -ln's columns do not).
jail_file_meta() {
  # shellcheck disable=SC2012
  ls -ln "$1" | awk '{ print $1, $3, $4 }'
}

# file FILE inside the jail at ROOT holds the content (TEXT, or the file UPLOAD, removed
# after), with MODE, USER and GROUP (names in the jail's /etc/passwd and /etc/group), written
# atomically and only when different; claimed for OWNER in CLAIM.owner. A file there that is
# no claim of OWNER is refused, unless TAKEOVER is yes: then it is kept as CLAIM.orig for
# jail-file-remove. Directories made for it are recorded and removed with it when empty.
do_jail_file_write_usage="jail-file-write CLAIM OWNER ROOT FILE MODE USER GROUP TAKEOVER {content TEXT | upload UPLOAD}"
do_jail_file_write_descr="FILE in the jail at ROOT holds TEXT (or UPLOAD's content) with MODE, USER, GROUP, claimed by OWNER; a foreign file refused unless TAKEOVER is yes"
do_jail_file_write() {
  do_locked "$JAIL_FILES_DIR" "$self" _jail_file_write "$@"
}

_jail_file_write() {
  local claim owner root file mode user group takeover how src target dir uid gid tmp have top
  claim=$1 owner=$2 root=$3 file=$4 mode=$5 user=$6 group=$7 takeover=$8 how=$9
  shift 9
  src=$1
  target=$root$file
  dir=${target%/*}
  jail_path_safe "$root" "$file"
  uid=$(jail_account_id "$root" passwd "$user") || die "$file in jail root $root: no user $user in $root/etc/passwd"
  gid=$(jail_account_id "$root" group "$group") || die "$file in jail root $root: no group $group in $root/etc/group"
  mkdir -p "$JAIL_FILES_DIR"
  if [ -f "$claim.owner" ]; then
    have=$(cat "$claim.owner")
    [ "$have" = "$owner" ] || die "$target is claimed by $have, not by $owner"
  else
    if [ -e "$target" ] || [ -L "$target" ]; then
      [ "$takeover" = yes ] || die "$target exists and is not $LIBRARY_NAME's: remove it, or give the JailFile takeOver: true to keep it aside and put it back when the JailFile goes"
      if [ ! -f "$target" ] || [ -L "$target" ]; then die "$target is not a regular file: not taken over"; fi
      echo "taking over $target: the file there is kept aside and put back when this file goes"
      cp -p "$target" "$claim.orig.tmp"
      mv -f "$claim.orig.tmp" "$claim.orig"
    else
      rm -f "$claim.orig"
    fi
    # The outermost directory made here is the one to remove with the file.
    top=-
    if [ ! -d "$dir" ]; then
      top=$dir
      while [ ! -d "${top%/*}" ]; do top=${top%/*}; done
    fi
    printf '%s\n%s\n%s\n' "$root" "$file" "$top" > "$claim.info"
    printf '%s\n' "$owner" > "$claim.owner.tmp"
    mv -f "$claim.owner.tmp" "$claim.owner"
  fi
  mkdir -p "$dir"
  tmp=$(mktemp "$dir/.${file##*/}.cdktf.XXXXXX")
  case "$how" in
    content) printf '%s' "$src" > "$tmp" ;;
    upload)
      [ -f "$src" ] || { rm -f "$tmp"; die "the upload $src of $file is missing"; }
      cat "$src" > "$tmp" ;;
  esac
  chown "$uid:$gid" "$tmp"
  chmod "$mode" "$tmp"
  if [ -f "$target" ] && [ ! -L "$target" ] && cmp -s "$tmp" "$target" && [ "$(jail_file_meta "$tmp")" = "$(jail_file_meta "$target")" ]; then
    rm -f "$tmp"
    echo "$target: unchanged"
  else
    mv -f "$tmp" "$target"
    echo "$target: written"
  fi
  if [ "$how" = upload ]; then rm -f "$src"; fi
}

# the file of CLAIM (if OWNER's) removed from its jail, the file it took over put back, the
# directories made for it removed when empty, the claim gone.
do_jail_file_remove_usage="jail-file-remove CLAIM OWNER"
do_jail_file_remove_descr="the file CLAIM records removed (or the file it took over put back), if OWNER's; the claim gone"
do_jail_file_remove() {
  do_locked "$JAIL_FILES_DIR" "$self" _jail_file_remove "$@"
}

_jail_file_remove() {
  local claim root file top target
  claim=$1
  [ -f "$claim.owner" ] || { rm -f "$claim.info" "$claim.orig"; return 0; }
  [ "$(cat "$claim.owner")" = "$2" ] || { echo "keeping $claim: claimed by $(cat "$claim.owner"), not by $2" >&2; return 0; }
  { read -r root; read -r file; read -r top; } < "$claim.info"
  target=$root$file
  if [ -d "$root" ] && jail_path_safe "$root" "$file"; then
    if [ -f "$claim.orig" ]; then
      echo "putting back the file $target that was there before"
      cp -p "$claim.orig" "$target.cdktf.orig"
      mv -f "$target.cdktf.orig" "$target"
    else
      echo "removing $target"
      rm -f "$target"
      if [ "$top" != - ]; then
        while [ "${#top}" -le "${#target}" ] && [ "$target" != "$top" ]; do
          target=${target%/*}
          if [ -d "$target" ] && [ -z "$(ls -A "$target")" ]; then rmdir "$target"; else break; fi
        done
      fi
    fi
  fi
  rm -f "$claim.orig" "$claim.info" "$claim.owner"
}

# every file claim of SCOPE whose owner is none of OWNER removed, as jail-file-remove does.
do_jail_file_prune_usage="jail-file-prune SCOPE [OWNER...]"
do_jail_file_prune_descr="every jail file claimed by an owner of SCOPE that is none of OWNER removed, as jail-file-remove does"
do_jail_file_prune() {
  do_locked "$JAIL_FILES_DIR" "$self" _workload_prune "$JAIL_FILES_DIR" "jail file" _jail_file_remove "$@"
}

# _workload_prune DIR WHAT REMOVE SCOPE [OWNER...]: `REMOVE DIR/KEY OWNER` for every claim
# DIR/KEY.owner of SCOPE whose owner is none of OWNER (pruned_claims), saying what goes; run
# under DIR's lock by the prune actions.
_workload_prune() {
  local wp_dir wp_what wp_remove wp_key wp_owner
  wp_dir=$1 wp_what=$2 wp_remove=$3
  shift 3
  for wp_key in $(pruned_claims "$wp_dir" "$@"); do
    wp_owner=$(cat "$wp_dir/$wp_key.owner")
    echo "==> pruning the $wp_what of $wp_owner ($(head -n 2 "$wp_dir/$wp_key.info" | tr '\n' ' ')): no longer in the app"
    "$wp_remove" "$wp_dir/$wp_key" "$wp_owner"
  done
}

# service SERVICE of the running jail JAIL claimed by OWNER (CLAIM) and running: started
# (rc.d `start`, so enabled in the jail's rc.conf first) unless its `onestatus` says it runs.
do_jail_service_start_usage="jail-service-start CLAIM OWNER JAIL SERVICE"
do_jail_service_start_descr="SERVICE of jail JAIL claimed by OWNER and started unless it runs"
do_jail_service_start() {
  local claim owner jail service
  claim=$1 owner=$2 jail=$3 service=$4
  jls -j "$jail" >/dev/null 2>&1 || die "jail $jail is not running: service $service cannot start"
  do_locked "$JAIL_SERVICES_DIR" "$self" _jail_service_claim "$claim" "$owner" "$jail" "$service"
  if service -j "$jail" "$service" onestatus >/dev/null 2>&1; then
    echo "service $service of jail $jail runs"
  else
    service -j "$jail" "$service" start
  fi
}

# jail-service-init JAIL SERVICE COMMAND CREATES: the rc.d extra COMMAND of SERVICE (initdb) run in
# the running jail JAIL while CREATES, a path inside it, is missing; a COMMAND that does not make it
# fails the step, so the next apply runs it again.
do_jail_service_init_usage="jail-service-init JAIL SERVICE COMMAND CREATES"
do_jail_service_init_descr="the rc.d extra COMMAND of SERVICE run in jail JAIL unless the path CREATES exists in it"
do_jail_service_init() {
  local jail service command creates root
  jail=$1 service=$2 command=$3 creates=$4
  case "$creates" in /*) ;; *) die "jail-service-init: $creates is not an absolute path" ;; esac
  root=$(jls -j "$jail" path 2>/dev/null) || die "jail $jail is not running: service $service cannot be prepared"
  if [ -e "$root$creates" ]; then
    echo "service $service of jail $jail is prepared ($creates exists)"
    return 0
  fi
  service -j "$jail" "$service" "$command"
  [ -e "$root$creates" ] || die "service $service $command in jail $jail did not make $creates"
}

_jail_service_claim() {
  mkdir -p "$JAIL_SERVICES_DIR"
  if [ -f "$1.owner" ] && [ "$(cat "$1.owner")" != "$2" ]; then die "service $4 of jail $3 is claimed by $(cat "$1.owner"), not by $2"; fi
  printf '%s %s\n' "$3" "$4" > "$1.info"
  printf '%s\n' "$2" > "$1.owner.tmp"
  mv -f "$1.owner.tmp" "$1.owner"
}

# the service of CLAIM (if OWNER's) stopped when its jail runs it; the claim gone.
do_jail_service_stop_usage="jail-service-stop CLAIM OWNER"
do_jail_service_stop_descr="the service CLAIM records stopped (onestop) if its jail runs it and OWNER holds it; the claim gone"
do_jail_service_stop() {
  do_locked "$JAIL_SERVICES_DIR" "$self" _jail_service_stop "$@"
}

_jail_service_stop() {
  local jail service
  [ -f "$1.owner" ] || { rm -f "$1.info"; return 0; }
  [ "$(cat "$1.owner")" = "$2" ] || { echo "keeping $1: claimed by $(cat "$1.owner"), not by $2" >&2; return 0; }
  read -r jail service < "$1.info"
  if jls -j "$jail" >/dev/null 2>&1 && service -j "$jail" "$service" onestatus >/dev/null 2>&1; then
    service -j "$jail" "$service" onestop
  fi
  rm -f "$1.info" "$1.owner"
}

# every service claim of SCOPE whose owner is none of OWNER stopped, as jail-service-stop does.
do_jail_service_prune_usage="jail-service-prune SCOPE [OWNER...]"
do_jail_service_prune_descr="every jail service claimed by an owner of SCOPE that is none of OWNER stopped, as jail-service-stop does"
do_jail_service_prune() {
  do_locked "$JAIL_SERVICES_DIR" "$self" _workload_prune "$JAIL_SERVICES_DIR" "jail service" _jail_service_stop "$@"
}

# the health check of SERVICE in JAIL passes: tried RETRIES times more after the first,
# INTERVAL seconds apart, each try at most TIMEOUT seconds; a command run in the jail (jexec -l),
# a TCP connect (nc -z) or an HTTP GET with a 2xx answer (fetch) from the host. Fails naming
# the jail, the service, the check and the last try's output.
do_jail_health_usage="jail-health JAIL SERVICE RETRIES INTERVAL TIMEOUT {command ARG... | tcp ADDRESS PORT | http URL}"
do_jail_health_descr="the health check of SERVICE in JAIL passes within RETRIES more tries INTERVAL s apart, each at most TIMEOUT s"
do_jail_health() {
  local jail service retries interval timeout kind what tries output
  jail=$1 service=$2 retries=$3 interval=$4 timeout=$5 kind=$6
  shift 6
  case "$kind" in
    command) what="command $*" ;;
    tcp) what="tcp $1 port $2" ;;
    http) what="http $1" ;;
    *) die "unknown health check $kind" ;;
  esac
  tries=0
  while :; do
    tries=$((tries + 1))
    if output=$(jail_health_try "$jail" "$timeout" "$kind" "$@" 2>&1); then
      echo "service $service of jail $jail is healthy ($what)"
      return 0
    fi
    [ "$tries" -le "$retries" ] || break
    sleep "$interval"
  done
  die "jail $jail: service $service: health check $what failed $tries times; last output: ${output:-(none)}"
}

jail_health_try() {
  local jht_jail jht_timeout jht_kind
  jht_jail=$1 jht_timeout=$2 jht_kind=$3
  shift 3
  case "$jht_kind" in
    command) timeout "$jht_timeout" jexec -l "$jht_jail" "$@" ;;
    tcp) nc -z -w "$jht_timeout" "$1" "$2" ;;
    http) fetch -q -o /dev/null -T "$jht_timeout" "$1" ;;
  esac
}
