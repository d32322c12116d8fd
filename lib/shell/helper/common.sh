# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ COMMON
# Locks, managed blocks, owner claims, the helper's users and scope claims, no-tty.

die() {
  echo "${self##*/}: error: $*" >&2
  exit 1
}

# The lock file of FILE: $LOCK_DIR/$LIBRARY_NAME.<FILE with / as _>.lock
lock_file() {
  printf '%s/%s.%s.lock' "$LOCK_DIR" "$LIBRARY_NAME" "$(printf '%s' "$1" | sed -e 's/[^A-Za-z0-9_.-]/_/g' -e 's/^_*//')"
}

# COMMAND under the lockf lock of FILE ($LOCK_TIMEOUT_SECONDS s at most).
do_locked_usage="locked FILE COMMAND [ARG...]"
do_locked_descr="COMMAND run under the lockf lock of FILE (waited for $LOCK_TIMEOUT_SECONDS s at most)"
do_locked() {
  local lf
  lf=$(lock_file "$1")
  shift
  lockf -k -t "$LOCK_TIMEOUT_SECONDS" "$lf" "$@"
}

# CONTENT between "$BLOCK_BEGIN ID" and "$BLOCK_END ID" in FILE, in
# place of an earlier block, or at the end; empty CONTENT removes the block. Under FILE's lock
# (this program runs itself for _block).
do_block_usage="block FILE ID CONTENT"
do_block_descr="CONTENT between the lines \"$BLOCK_BEGIN ID\" and \"$BLOCK_END ID\" in FILE (empty: the block removed), under FILE's lock"
do_block() {
  do_locked "$1" "$self" _block "$@"
}

_block() {
  local file tmp
  file=$1
  BEGIN_LINE="$BLOCK_BEGIN $2"
  END_LINE="$BLOCK_END $2"
  CONTENT=$3
  export BEGIN_LINE END_LINE CONTENT
  [ -e "$file" ] || [ -n "$CONTENT" ] || exit 0
  tmp=$(mktemp "$file.cdktf.XXXXXX")
  [ -e "$file" ] || : > "$file"
  cp -p "$file" "$tmp"
  awk 'function block() { if (ENVIRON["CONTENT"] != "") print ENVIRON["BEGIN_LINE"] "\n" ENVIRON["CONTENT"] "\n" ENVIRON["END_LINE"]; done = 1 }
    $0 == ENVIRON["BEGIN_LINE"] { skip = 1; if (!done) block(); next }
    skip && $0 == ENVIRON["END_LINE"] { skip = 0; next }
    !skip { print }
    END { if (!done) block() }' "$file" > "$tmp"
  if cmp -s "$tmp" "$file"; then rm -f "$tmp"; else mv -f "$tmp" "$file"; fi
}

# COMMAND run in a session of its own, so without a controlling
# terminal (daemon(8): daemon(3) calls setsid(2)), stdin /dev/null, for at most SECONDS
# (timeout(1): 124 when it ran out); its output passes through and its exit status is ours.
# Terraform runs every script on a PTY, where a question asked on /dev/tty waits for ever;
# here opening /dev/tty fails at once (ENXIO, "Device not configured"), and we name the
# command. daemon(8) returns at once: the output pipe ends when the command (and all it
# started) has gone, and the command's status comes back in a file.
do_no_tty_usage="no-tty SECONDS COMMAND [ARG...]"
do_no_tty_descr="COMMAND run without a controlling terminal, stdin /dev/null, for at most SECONDS"
do_no_tty() {
  local nt_seconds nt_dir nt_status
  case "$1" in '' | *[!0-9]*) die "no-tty: $1 is not a number of seconds" ;; esac
  nt_seconds=$1
  shift
  nt_dir=$(mktemp -d "${TMPDIR:-/tmp}/$LIBRARY_NAME-no-tty.XXXXXX")
  # shellcheck disable=SC2064 # the directory's name is fixed now
  trap "rm -rf '$nt_dir'" EXIT
  daemon "$self" _no_tty "$nt_dir/status" "$nt_seconds" "$@" </dev/null 2>&1 | tee "$nt_dir/output"
  [ -s "$nt_dir/status" ] || die "$* did not run (see daemon's output above)"
  nt_status=$(cat "$nt_dir/status")
  if [ "$nt_status" -eq 124 ]; then
    echo "${self##*/}: error: $* did not finish within $nt_seconds s" >&2
  elif [ "$nt_status" -ne 0 ] && grep -q '/dev/tty.*Device not configured' "$nt_dir/output"; then
    echo "${self##*/}: error: $* wanted to ask a question on the terminal (/dev/tty) and failed (exit $nt_status): it runs without one, as nothing could answer under Terraform; make it ask nothing (a -y flag, a configuration)" >&2
  fi
  return "$nt_status"
}

_no_tty() {
  local nt_file nt_seconds nt_status
  nt_file=$1 nt_seconds=$2
  shift 2
  nt_status=0
  timeout "$nt_seconds" "$@" </dev/null || nt_status=$?
  echo "$nt_status" > "$nt_file.tmp"
  mv -f "$nt_file.tmp" "$nt_file"
}

# which ownership scopes need this helper, one exact line each.
do_use_usage="use SCOPE"
do_use_descr="SCOPE recorded as a user of this helper (and the library's shared directories made)"
do_use() {
  do_locked "$HOST_HELPER_USERS_FILE" "$self" _use "$1"
}

_use() {
  # The library's shared directories are there while any scope uses the helper, and go, empty,
  # with the last (_release): steps only add and remove their own files in them.
  mkdir -p "$STATE_DIR" "$JAIL_STATE_DIR" "$SCOPE_CLAIM_DIR" "$PRUNE_STATE_DIR" "$FREEBSD_UPDATE_WORKDIR_ROOT"
  grep -qsxF -e "$1" "$HOST_HELPER_USERS_FILE" || printf '%s\n' "$1" >> "$HOST_HELPER_USERS_FILE"
}

do_release_usage="release SCOPE"
do_release_descr="SCOPE forgotten; the last user removes this helper and the shared directories"
do_release() {
  do_locked "$HOST_HELPER_USERS_FILE" "$self" _release "$1"
}

_release() {
  local users tmp dir
  users="$HOST_HELPER_USERS_FILE"
  if [ -f "$users" ]; then
    tmp=$(mktemp "$users.XXXXXX")
    grep -vxF -e "$1" "$users" > "$tmp" || :
    mv -f "$tmp" "$users"
    if [ -s "$users" ]; then echo "==> helper kept: still used by $(wc -l < "$users" | tr -d ' ') owner(s)"; return 0; fi
    rm -f "$users"
  fi
  echo "==> no owner needs the helper: removing $self"
  rm -f "$self"
  rmdir "$HOST_HELPER_DIR" 2>/dev/null || :
  # The library's directories that steps of every scope share go with the last scope, when
  # empty: removed earlier, by one step while another had just made one to write in, that write
  # failed. Nothing of the host's runs now: every step of an app waits for its helper step.
  for dir in "$JAIL_STATE_DIR" "$SCOPE_CLAIM_DIR" "$PRUNE_STATE_DIR" "$FREEBSD_UPDATE_WORKDIR_ROOT" "$STATE_DIR"; do
    rmdir "$dir" 2>/dev/null || :
  done
}

# owner_claim FILE OWNER WHAT: the one owner claim of every kind (an ownership scope by a
# Terraform state, a pf anchor or $PF_CONF by an owner mark, a switch name): FILE holds
# OWNER, compared as a whole line, never as a prefix. Status 0: FILE holds OWNER, written now
# (claim_new=yes: atomically, its directory made) or already (claim_new=no). Status 1: FILE holds
# another owner, claim_held, and nothing changes: the caller refuses in its own words. Callers
# hold the lock of what they claim.
owner_claim() {
  claim_new=no claim_held=
  if [ -f "$1" ]; then
    claim_held=$(cat "$1")
    [ "$claim_held" = "$2" ] || return 1
    return 0
  fi
  { mkdir -p "${1%/*}" && printf '%s\n' "$2" > "$1.new" && mv -f "$1.new" "$1"; } || die "cannot record $2 as the owner of $3 in $1"
  claim_new=yes
}

# claim SCOPE ID: the ownership scope SCOPE of this host is claimed by the Terraform state whose
# claim is ID (the id of its helper step); a claim by another ID is refused and kept.
claim_file() {
  printf '%s/%s.claim' "$SCOPE_CLAIM_DIR" "$1"
}

do_claim_usage="claim SCOPE ID"
do_claim_descr="ownership scope SCOPE claimed by the Terraform state ID; another ID's claim refused"
do_claim() {
  do_locked "$(claim_file "$1")" "$self" _claim "$@"
}

_claim() {
  local f
  f=$(claim_file "$1")
  if ! owner_claim "$f" "$2" "ownership scope $1"; then
    die "ownership scope $1 is claimed on this host by another Terraform state (claim $claim_held; this state's is $2): give this app's FreeBsdHost another ownershipScope, or destroy the other app first; if no state holds that claim any more, remove $f"
  fi
  if [ "$claim_new" = yes ]; then echo "==> ownership scope $1 claimed by this Terraform state ($2)"; else echo "==> ownership scope $1 is claimed by this Terraform state"; fi
}

# fails unless SCOPE is claimed by ID.
do_claim_check_usage="claim-check SCOPE ID"
do_claim_check_descr="exit 0 only when SCOPE is claimed by ID"
do_claim_check() {
  local f
  f=$(claim_file "$1")
  if [ ! -f "$f" ] || [ "$(cat "$f")" != "$2" ]; then die "ownership scope $1 is not claimed on this host by this Terraform state (claim $2; $f: $(cat "$f" 2>/dev/null || echo none)); refusing to go on"; fi
}

# the claim given up, if ID holds it.
do_unclaim_usage="unclaim SCOPE ID"
do_unclaim_descr="the claim of SCOPE given up, if ID holds it"
do_unclaim() {
  do_locked "$(claim_file "$1")" "$self" _unclaim "$@"
}

_unclaim() {
  local f
  f=$(claim_file "$1")
  if [ -f "$f" ] && [ "$(cat "$f")" = "$2" ]; then
    rm -f "$f"
    echo "==> ownership scope $1 given up"
    # The scope's prune records (prune.sh) go with its claim.
    rm -f "$PRUNE_STATE_DIR/$1.settings"
  fi
}
