# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ DEVFS
# Devfs rulesets in /etc/devfs.rules blocks, loaded with devfs rule (sbin/devfs).

# devfs ruleset NUMBER defined by
# CONTENT (its [NAME=NUMBER] lines) in the block "devfs ruleset NUMBER of SCOPE" of
# $DEVFS_RULES_FILE, which rc.d/devfs reads at boot, and loaded now: when
# `devfs rule -s NUMBER show` is not SHOW, the set is deleted and each RULE (the words after
# `devfs rule add`, separated by spaces) added, then shown again. Refused, touching nothing:
# a [...] header for NUMBER or NAME outside the block (the administrator's, another scope's), or
# a ruleset NUMBER loaded while no block of this scope defines it. Under the file's lock.
do_devfs_ruleset_apply_usage="devfs-ruleset-apply SCOPE NUMBER NAME CONTENT SHOW [RULE...]"
do_devfs_ruleset_apply_descr="devfs ruleset NUMBER defined by CONTENT in its block of $DEVFS_RULES_FILE and loaded from the RULEs unless devfs rule -s NUMBER show prints SHOW"
do_devfs_ruleset_apply() {
  do_locked "$DEVFS_RULES_FILE" "$self" _devfs_ruleset_apply "$@"
}

# The [NAME=N] headers of FILE outside block ID, one "NAME N" a line, as rc.subr's
# devfs_rulesets_from_file finds them (a line starting with [ after leading blanks).
devfs_headers_outside() {
  [ -f "$1" ] || return 0
  awk -v begin="$BLOCK_BEGIN $2" -v end="$BLOCK_END $2" '
    $0 == begin { inside = 1; next }
    $0 == end { inside = 0; next }
    inside { next }
    { line = $0; sub(/^[ \t]+/, "", line) }
    match(line, /^\[.*=[0-9]*\]/) {
      h = substr(line, 2, RLENGTH - 2); n = h; sub(/.*=/, "", n); sub(/=[0-9]*$/, "", h)
      print h " " n
    }' "$1"
}

_devfs_ruleset_apply() {
  local scope num name content show id clash loaded rule
  scope=$1 num=$2 name=$3 content=$4 show=$5
  shift 5
  id="devfs ruleset $num of $scope"
  clash=$(devfs_headers_outside "$DEVFS_RULES_FILE" "$id" | awk -v num="$num" -v name="$name" '$1 == name || $2 == num' | head -n 1)
  [ -z "$clash" ] || die "$DEVFS_RULES_FILE defines ruleset [${clash% *}=${clash##* }] outside this library's block; ruleset $num ($name) would clash with it: refusing to touch either"
  if ! grep -qsxF "$BLOCK_BEGIN $id" "$DEVFS_RULES_FILE" && [ -n "$(devfs rule -s "$num" show)" ]; then
    die "devfs ruleset $num is loaded on the host but no block of $LIBRARY_NAME scope $scope in $DEVFS_RULES_FILE defines it: refusing to replace it"
  fi
  if [ ! -e "$DEVFS_RULES_FILE" ]; then mkdir -p "$STATE_DIR"; : > "$DEVFS_RULES_CREATED"; fi
  "$self" _block "$DEVFS_RULES_FILE" "$id" "$content"
  if [ "$(devfs rule -s "$num" show)" = "$show" ]; then
    echo "==> devfs ruleset $num ($name) is loaded as defined"
    return 0
  fi
  echo "==> loading devfs ruleset $num ($name)"
  devfs rule -s "$num" delset
  set -f
  for rule in "$@"; do
    # shellcheck disable=SC2086 # the rule's words, split on purpose (globbing is off)
    devfs rule -s "$num" add $rule
  done
  set +f
  loaded=$(devfs rule -s "$num" show)
  [ "$loaded" = "$show" ] || die "devfs rule -s $num show prints
$loaded
and not the expected
$show"
}

# when the block "devfs ruleset NUMBER of SCOPE" is in
# $DEVFS_RULES_FILE, the loaded ruleset deleted (devfs rule -s NUMBER delset), then the
# block; the file goes too when this library created it and nothing is left in it.
do_devfs_ruleset_remove_usage="devfs-ruleset-remove SCOPE NUMBER"
do_devfs_ruleset_remove_descr="when its block is there: devfs ruleset NUMBER of SCOPE deleted, then its block"
do_devfs_ruleset_remove() {
  do_locked "$DEVFS_RULES_FILE" "$self" _devfs_ruleset_remove "$@"
}

_devfs_ruleset_remove() {
  local id
  id="devfs ruleset $2 of $1"
  if grep -qsxF "$BLOCK_BEGIN $id" "$DEVFS_RULES_FILE"; then
    echo "==> unloading devfs ruleset $2"
    devfs rule -s "$2" delset
    "$self" _block "$DEVFS_RULES_FILE" "$id" ''
  fi
  if [ -f "$DEVFS_RULES_CREATED" ] && [ -f "$DEVFS_RULES_FILE" ] && [ ! -s "$DEVFS_RULES_FILE" ]; then
    echo "==> removing the empty $DEVFS_RULES_FILE (made by $LIBRARY_NAME)"
    rm -f "$DEVFS_RULES_FILE" "$DEVFS_RULES_CREATED"
  fi
}

# every block "devfs ruleset N of SCOPE" of
# $DEVFS_RULES_FILE whose N is none of NUMBER unloaded and removed, as its destroy does
# (devfs-ruleset-remove SCOPE N). Under the $DEVFS_RULES_FILE lock.
do_devfs_ruleset_prune_usage="devfs-ruleset-prune SCOPE [NUMBER...]"
do_devfs_ruleset_prune_descr="every devfs ruleset block of SCOPE whose number is none of NUMBER removed"
do_devfs_ruleset_prune() {
  do_locked "$DEVFS_RULES_FILE" "$self" _devfs_ruleset_prune "$@"
}
_devfs_ruleset_prune() {
  local dp_scope dp_found dp_num
  dp_scope=$1
  shift
  [ -f "$DEVFS_RULES_FILE" ] || return 0
  dp_found=$(awk -v b="$BLOCK_BEGIN devfs ruleset " -v s=" of $dp_scope" '
    index($0, b) == 1 && length($0) > length(b) + length(s) && substr($0, length($0) - length(s) + 1) == s {
      n = substr($0, length(b) + 1, length($0) - length(b) - length(s))
      if (n ~ /^[0-9]+$/) print n
    }' "$DEVFS_RULES_FILE")
  for dp_num in $dp_found; do
    if in_list "$dp_num" "$@"; then continue; fi
    echo "==> pruning devfs ruleset $dp_num of $dp_scope: no longer in the app"
    _devfs_ruleset_remove "$dp_scope" "$dp_num"
  done
}
