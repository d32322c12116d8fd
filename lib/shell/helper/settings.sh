# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ SETTINGS
# Host settings held per owner and undone by the last (rc.conf, sysctl, interfaces, directories).

# host settings made true for the owner of STATE.
# STATE holds what the owner needs ("hold KIND NAME VALUE"); the changes made for a setting are
# recorded beside it in $SETTINGS_CHANGES_FILE_NAME ("KIND NAME VALUE RECORD"), shared by every
# owner, and settings-undo undoes them when the last owner that holds the setting goes. KIND: rc
# (NAME=VALUE), rc-word (word VALUE in list NAME), rc-list (list NAME, removed at undo when empty
# and new), sysctl (NAME=VALUE now and in /etc/sysctl.conf), interface (cloned NAME), dir (NAME),
# file (NAME, removed at undo when empty and new), loader (NAME=VALUE in a managed block of
# /boot/loader.conf: a loader tunable, read at the next boot; later blocks win), jail-rc
# (ROOT:VARIABLE=VALUE in the rc.conf of the jail at ROOT, through sysrc -R), cache-dir (NAME,
# removed with its content at
# undo when new), jail-conf-include (".include VALUE" in jail.conf
# NAME). VALUE is - for kinds without one. Under the rc.conf lock.
do_settings_apply_usage="settings-apply STATE [KIND NAME VALUE]..."
do_settings_apply_descr="host settings true and held by the owner of STATE, the changes recorded beside it"
do_settings_apply() {
  do_locked /etc/rc.conf "$self" _settings_apply "$@"
}

yes_no() {
  case "$1" in [Yy][Ee][Ss] | [Tt][Rr][Uu][Ee] | [Oo][Nn] | 1) echo YES ;; [Nn][Oo] | [Ff][Aa][Ll][Ss][Ee] | [Oo][Ff][Ff] | 0) echo NO ;; *) printf '%s\n' "$1" ;; esac
}

# Set in an rc.conf file (not only in /etc/defaults/rc.conf)?
rc_set_in_files() {
  grep -Eqs "^[[:space:]]*$1=" /etc/rc.conf /etc/rc.conf.local
}

# Set in the rc.conf files of the jail at ROOT? (jail_rc_set_in_files ROOT VARIABLE)
jail_rc_set_in_files() {
  grep -Eqs "^[[:space:]]*$2=" "$1/etc/rc.conf" "$1/etc/rc.conf.local"
}

_settings_apply() {
  local state changes kind name value key have top
  state=$1
  shift
  changes="${state%/*}/$SETTINGS_CHANGES_FILE_NAME"
  mkdir -p "${state%/*}"
  [ -e "$state" ] || : > "$state"
  [ -e "$changes" ] || : > "$changes"
  record() { grep -qxF "$key $1" "$changes" || printf '%s\n' "$key $1" >> "$changes"; }
  while [ $# -ge 3 ]; do
    kind=$1 name=$2 value=$3
    shift 3
    key="$kind $name $value"
    grep -qxF "hold $key" "$state" || printf 'hold %s\n' "$key" >> "$state"
    case "$kind" in
      rc)
        # An rc.conf variable set nowhere (sysrc -n -i exits 1 for it) reads as empty.
        have=$(sysrc -n -i "$name" || :)
        [ "$(yes_no "$have")" = "$(yes_no "$value")" ] && continue
        if rc_set_in_files "$name"; then record "rc_was $name $have"; else record "rc_set $name"; fi
        sysrc "$name=$value" ;;
      jail-rc)
        root=${name%:*} top=${name##*:}
        have=$(sysrc -R "$root" -n -i "$top" || :)
        [ "$(yes_no "$have")" = "$(yes_no "$value")" ] && continue
        if jail_rc_set_in_files "$root" "$top"; then record "jail_rc_was $name $have"; else record "jail_rc_set $name"; fi
        sysrc -R "$root" "$top=$value" ;;
      rc-list)
        rc_set_in_files "$name" || record "rc_variable $name" ;;
      rc-word)
        rc_set_in_files "$name" || record "rc_variable $name"
        case " $(sysrc -n -i "$name") " in
          *" $value "*) ;;
          *) record "rc_word $name $value"; rc_list_add "$name" "$value" ;;
        esac ;;
      sysctl)
        have=$(sysctl -n "$name")
        if [ "$have" != "$value" ]; then
          record "sysctl_was $name $have"
          sysctl "$name=$value"
        fi
        record "sysctl_conf $name"
        do_block /etc/sysctl.conf "sysctl $name" "$name=$value" ;;
      loader)
        # sysrc refuses the dotted names of tunables: a block, after what the file had (the loader's last assignment wins).
        record "loader_conf $name"
        do_block /boot/loader.conf "loader $name" "$name=\"$value\"" ;;
      interface)
        case " $(sysrc -n -i cloned_interfaces) " in
          *" $name "*) ;;
          *) record "cloned_interfaces $name"; rc_list_add cloned_interfaces "$name" ;;
        esac
        if ! ifconfig "$name" >/dev/null 2>&1; then
          echo "creating interface $name"
          record "interface $name"
          ifconfig "$name" create
        fi ;;
      dir)
        if [ ! -d "$name" ]; then mkdir -p "$name"; record "conf_dir $name"; fi ;;
      file)
        [ -e "$name" ] || record "created_file $name" ;;
      cache-dir)
        if [ ! -d "$name" ]; then
          # The outermost directory made here is the one to remove.
          top=$name
          while [ -n "${top%/*}" ] && [ ! -d "${top%/*}" ]; do top=${top%/*}; done
          mkdir -p "$name"
          record "cache_dir $top"
        fi ;;
      jail-conf-include)
        grep -qsxF "$BLOCK_BEGIN include" "$name" || record "block $name include"
        do_block "$name" include ".include \"$value\";" ;;
      *) die "unknown setting kind $kind" ;;
    esac
  done
}

rc_list_add() {
  local rl_have
  rl_have=$(sysrc -n -i "$1" || :)
  case " $rl_have " in *" $2 "*) return 0 ;; esac
  sysrc "$1=${rl_have:+$rl_have }$2"
}

rc_list_remove() {
  local rl_have rl_new rl_w
  rl_have=$(sysrc -n -i "$1" || :)
  rl_new=$(set -f; for rl_w in $rl_have; do [ "$rl_w" = "$2" ] || printf '%s ' "$rl_w"; done)
  rl_new=${rl_new% }
  [ "$rl_new" = "$rl_have" ] || sysrc "$1=$rl_new"
}

_rc_list_add() { rc_list_add "$@"; }

_rc_list_remove() { rc_list_remove "$@"; }

# the owner of STATE gone; the changes made for settings that no other owner
# holds any more undone, newest first (and what STATE itself records, from earlier versions).
do_settings_undo_usage="settings-undo STATE"
do_settings_undo_descr="the owner of STATE gone; changes for settings no other owner holds undone, newest first"
do_settings_undo() {
  do_locked /etc/rc.conf "$self" _settings_undo "$@"
}

_settings_undo() {
  local state dir changes what arg rf_name rf_words rf_other held kept change setting rf_w line
  state=$1
  [ -e "$state" ] || exit 0
  dir=${state%/*}
  changes="$dir/$SETTINGS_CHANGES_FILE_NAME"
  undo_change() {
    what=$1 arg=$2
    case "$what" in
      jail_enable) sysrc -x jail_enable ;;
      rc_set) sysrc -x "$arg" ;;
      rc_was) sysrc "${arg%% *}=${arg#* }" ;;
      # A jail's variable (ROOT:VARIABLE), only while the jail's root is there.
      jail_rc_set) if jail_rc_set_in_files "${arg%:*}" "${arg##*:}"; then sysrc -R "${arg%:*}" -x "${arg##*:}"; fi ;;
      jail_rc_was)
        rf_name=${arg%% *}
        if [ -d "${rf_name%:*}/etc" ]; then sysrc -R "${rf_name%:*}" "${rf_name##*:}=${arg#* }"; fi ;;
      rc_word) rc_list_remove "${arg%% *}" "${arg#* }" ;;
      # The list NAME was empty and WORD... were added for the administrator (jail-list-add: the
      # jails boot started while jail_list was empty). They go only if NAME holds nothing else, so
      # it is empty again as before; a word someone added since keeps them, and boot keeps starting them.
      rc_list_filled)
        rf_name=${arg%% *} rf_words=${arg#* }
        rf_other=$(set -f; for rf_w in $(sysrc -n -i "$rf_name" || :); do case " $rf_words " in *" $rf_w "*) ;; *) printf ' %s' "$rf_w" ;; esac; done)
        if [ -z "$rf_other" ]; then
          for rf_w in $rf_words; do rc_list_remove "$rf_name" "$rf_w"; done
        else
          echo "keeping $rf_words in $rf_name: it also names$rf_other, which $LIBRARY_NAME did not add" >&2
        fi ;;
      cloned_interfaces) rc_list_remove cloned_interfaces "$arg" ;;
      rc_variable) [ -n "$(sysrc -n -i "$arg")" ] || sysrc -x "$arg" ;;
      sysctl_was) sysctl "${arg%% *}=${arg#* }" ;;
      sysctl_conf) "$self" block /etc/sysctl.conf "sysctl $arg" '' ;;
      loader_conf) "$self" block /boot/loader.conf "loader $arg" '' ;;
      block) "$self" block "${arg%% *}" "${arg#* }" '' ;;
      interface)
        if ! ifconfig "$arg" >/dev/null 2>&1; then :
        # Addresses (link-local ones aside) mean jails or the administrator still use it.
        elif ifconfig "$arg" | awk '$1 == "inet" || ($1 == "inet6" && $2 !~ /^fe80:/) { f = 1 } END { exit !f }'; then
          echo "keeping interface $arg: it still has addresses" >&2
        else
          echo "destroying interface $arg"
          ifconfig "$arg" destroy
        fi ;;
      # Only an absolute path below the root, made by settings-apply with everything in it.
      cache_dir) case "$arg" in /?*) if [ -d "$arg" ]; then rm -rf "$arg"; fi ;; esac ;;
      conf_dir) if [ -d "$arg" ] && [ -z "$(ls -A "$arg")" ]; then rmdir "$arg"; fi ;;
      created_file) if [ -f "$arg" ] && [ ! -s "$arg" ]; then rm -f "$arg"; fi ;;
    esac
  }
  sed -n '1!G;h;$p' "$state" | while read -r what arg; do
    [ "$what" = hold ] || undo_change "$what" "$arg"
  done
  rm -f "$state"
  if [ -f "$changes" ]; then
    held=$(cat "$dir"/*.state 2>/dev/null | sed -n 's/^hold //p')
    kept="$changes.kept"
    : > "$kept"
    sed -n '1!G;h;$p' "$changes" | while IFS= read -r line; do
      change=${line#* * * }
      setting=${line%" $change"}
      if printf '%s\n' "$held" | grep -qxF -e "$setting"; then
        printf '%s\n' "$line" >> "$kept"
      else
        undo_change "${change%% *}" "${change#* }"
      fi
    done
    if [ -s "$kept" ]; then sed -n '1!G;h;$p' "$kept" > "$changes"; else rm -f "$changes"; fi
    rm -f "$kept"
    if [ -n "$held" ]; then echo "==> host settings that other owners still hold are kept"; fi
  fi
  if [ -d "$dir" ] && [ -z "$(ls -A "$dir")" ]; then rmdir "$dir"; fi
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
