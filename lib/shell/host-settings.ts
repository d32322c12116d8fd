/**
 * Host settings, held per owner and undone by the last: the undo half of the helper's
 * settings-apply. An owner's state file holds one `hold KIND NAME VALUE` line per setting it
 * needs; the changes made for the settings are in the shared changes file beside it, one
 * `KIND NAME VALUE RECORD` line each, in the order they were made. Undo forgets the owner, then
 * walks the shared changes newest first and undoes those whose setting no remaining owner holds.
 * Records of earlier versions in a state file itself (`jail_enable`, `rc_set NAME`) are still
 * understood: they are that owner's alone and undone with it.
 */
import { LIBRARY_NAME, SETTINGS_CHANGES_FILE_NAME } from './names';

/**
 * rc_list_add NAME WORD / rc_list_remove NAME WORD: WORD in (out of) the rc.conf list variable
 * NAME, added only when absent, whatever WORD's first character. sysrc's own `NAME+=WORD` and
 * `NAME-=WORD` take that character as the list's delimiter unless it is a blank, a letter, a
 * digit, `.` or `/` (usr.sbin/sysrc/sysrc, APPEND and REMOVE): a jail `_x` added to
 * `jail_list="h1 h2"` gave "h1 h2_x". An unset NAME reads as empty (`sysrc -n -i` of an unknown
 * variable exits 1). Callers hold the rc.conf lock.
 */
export const RC_LIST_FUNCTIONS = `rc_list_add() {
  rl_have=$(sysrc -n -i "$1" || :)
  case " $rl_have " in *" $2 "*) return 0 ;; esac
  sysrc "$1=\${rl_have:+$rl_have }$2"
}
rc_list_remove() {
  rl_have=$(sysrc -n -i "$1" || :)
  rl_new=$(set -f; for rl_w in $rl_have; do [ "$rl_w" = "$2" ] || printf '%s ' "$rl_w"; done)
  rl_new=\${rl_new% }
  [ "$rl_new" = "$rl_have" ] || sysrc "$1=$rl_new"
}`;

/**
 * Body of the helper's `_settings_undo`, and a complete program with `set -eu` before it
 * (HOST_UNDO_PROGRAM): $1 is the state file.
 */
export const HOST_SETTINGS_UNDO_FUNCTION = `state=$1
[ -e "$state" ] || exit 0
dir=\${state%/*}
changes="$dir/${SETTINGS_CHANGES_FILE_NAME}"
undo_change() {
  what=$1 arg=$2
  case "$what" in
    jail_enable) sysrc -x jail_enable ;;
    rc_set) sysrc -x "$arg" ;;
    rc_was) sysrc "\${arg%% *}=\${arg#* }" ;;
    rc_word) rc_list_remove "\${arg%% *}" "\${arg#* }" ;;
    # The list NAME was empty and WORD... were added for the administrator (jail-list-add: the
    # jails boot started while jail_list was empty). They go only if NAME holds nothing else, so
    # it is empty again as before; a word someone added since keeps them, and boot keeps starting them.
    rc_list_filled)
      rf_name=\${arg%% *} rf_words=\${arg#* }
      rf_other=$(set -f; for rf_w in $(sysrc -n -i "$rf_name" || :); do case " $rf_words " in *" $rf_w "*) ;; *) printf ' %s' "$rf_w" ;; esac; done)
      if [ -z "$rf_other" ]; then
        for rf_w in $rf_words; do rc_list_remove "$rf_name" "$rf_w"; done
      else
        echo "keeping $rf_words in $rf_name: it also names$rf_other, which ${LIBRARY_NAME} did not add" >&2
      fi ;;
    cloned_interfaces) rc_list_remove cloned_interfaces "$arg" ;;
    rc_variable) [ -n "$(sysrc -n -i "$arg")" ] || sysrc -x "$arg" ;;
    sysctl_was) sysctl "\${arg%% *}=\${arg#* }" ;;
    sysctl_conf) "$self" block /etc/sysctl.conf "sysctl $arg" '' ;;
    block) "$self" block "\${arg%% *}" "\${arg#* }" '' ;;
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
    change=\${line#* * * }
    setting=\${line%" $change"}
    if printf '%s\\n' "$held" | grep -qxF -e "$setting"; then
      printf '%s\\n' "$line" >> "$kept"
    else
      undo_change "\${change%% *}" "\${change#* }"
    fi
  done
  if [ -s "$kept" ]; then sed -n '1!G;h;$p' "$kept" > "$changes"; else rm -f "$changes"; fi
  rm -f "$kept"
  if [ -n "$held" ]; then echo "==> host settings that other owners still hold are kept"; fi
fi
if [ -d "$dir" ] && [ -z "$(ls -A "$dir")" ]; then rmdir "$dir"; fi`;

/**
 * Program: undo what the state file ($1) says was changed or created, in reverse order, then
 * forget it. The helper runs the same text.
 * @internal
 */
export const HOST_UNDO_PROGRAM = `set -eu\n${RC_LIST_FUNCTIONS}\n${HOST_SETTINGS_UNDO_FUNCTION}`;
