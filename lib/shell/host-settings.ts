/**
 * Host settings, recorded and undone exactly: the undo half of the helper's settings-apply.
 * A state file holds one record per line, `WHAT ARGUMENT...`, in the order the changes were
 * made; undo walks it newest first. Records written by earlier versions (`jail_enable`) are
 * still understood.
 */

/**
 * Body of the helper's `_settings_undo`, and a complete program with `set -eu` before it
 * (HOST_UNDO_PROGRAM): $1 is the state file.
 */
export const HOST_SETTINGS_UNDO_FUNCTION = `state=$1
[ -e "$state" ] || exit 0
sed -n '1!G;h;$p' "$state" | while read -r what arg; do
  case "$what" in
    jail_enable) sysrc -x jail_enable ;;
    rc_set) sysrc -x "$arg" ;;
    rc_was) sysrc "\${arg%% *}=\${arg#* }" ;;
    rc_word) sysrc "\${arg%% *}-=\${arg#* }" ;;
    cloned_interfaces) sysrc cloned_interfaces-="$arg" ;;
    rc_variable) [ -n "$(sysrc -n -i "$arg")" ] || sysrc -x "$arg" ;;
    sysctl_was) sysctl "\${arg%% *}=\${arg#* }" ;;
    sysctl_conf) "$self" block /etc/sysctl.conf "sysctl $arg" '' ;;
    interface)
      if ! ifconfig "$arg" >/dev/null 2>&1; then :
      # Addresses (link-local ones aside) mean jails or the administrator still use it.
      elif ifconfig "$arg" | awk '$1 == "inet" || ($1 == "inet6" && $2 !~ /^fe80:/) { f = 1 } END { exit !f }'; then
        echo "keeping interface $arg: it still has addresses" >&2
      else
        echo "destroying interface $arg"
        ifconfig "$arg" destroy
      fi ;;
    conf_dir) if [ -d "$arg" ] && [ -z "$(ls -A "$arg")" ]; then rmdir "$arg"; fi ;;
    created_file) if [ -f "$arg" ] && [ ! -s "$arg" ]; then rm -f "$arg"; fi ;;
  esac
done
rm -f "$state"
dir=\${state%/*}
if [ -d "$dir" ] && [ -z "$(ls -A "$dir")" ]; then rmdir "$dir"; fi`;

/**
 * Program: undo what the state file ($1) says was changed or created, in reverse order, then
 * forget it. The helper runs the same text.
 * @internal
 */
export const HOST_UNDO_PROGRAM = `set -eu\n${HOST_SETTINGS_UNDO_FUNCTION}`;
