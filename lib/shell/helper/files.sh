# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ FILES
# Files written whole, atomically and only on change.

do_remove_managed_file_usage="remove-managed-file FILE"
do_remove_managed_file_descr="FILE removed when its first line is \"$MANAGED_FILE_MARKER\""
do_remove_managed_file() {
  if [ -f "$1" ] && head -n 1 "$1" | grep -qF "$MANAGED_FILE_MARKER"; then rm -f "$1"; fi
}

# atomically, only on change; an existing file keeps its mode and owner.
do_write_file_usage="write-file FILE MODE CONTENT"
do_write_file_descr="FILE holds CONTENT, written atomically and only on change (a new file gets MODE)"
do_write_file() {
  local tmp
  tmp=$(mktemp "$1.cdktf.XXXXXX")
  if [ -e "$1" ]; then cp -p "$1" "$tmp"; else chmod "$2" "$tmp"; fi
  printf '%s' "$3" > "$tmp"
  if [ -e "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

# FILE rewritten through sed -e SCRIPT, atomically, only on change.
do_sed_file_usage="sed-file FILE SCRIPT"
do_sed_file_descr="FILE rewritten through sed -e SCRIPT, atomically, only on change"
do_sed_file() {
  local tmp
  [ -f "$1" ] || return 0
  tmp=$(mktemp "$1.cdktf.XXXXXX")
  if [ -e "$1" ]; then cp -p "$1" "$tmp"; else chmod 0644 "$tmp"; fi
  sed -e "$2" "$1" > "$tmp"
  if [ -e "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

# the same, refusing a FILE this library did not write.
do_write_managed_file_usage="write-managed-file FILE MODE CONTENT"
do_write_managed_file_descr="the same as write-file, refusing a FILE whose first line is not \"$MANAGED_FILE_MARKER\""
do_write_managed_file() {
  if [ -e "$1" ] && ! head -n 1 "$1" | grep -qF "$MANAGED_FILE_MARKER"; then
    die "$1 exists and was not written by $LIBRARY_NAME; refusing to replace it"
  fi
  do_write_file "$@"
}
