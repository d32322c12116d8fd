# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ PF
# Pf anchors and their hooks in pf.conf, whole-file pf.conf, rollback unless confirmed.
#
# The host helper's pf actions : the library's rules live in
# child anchors of PF_ANCHOR_ROOT; /etc/pf.conf gets one managed block with the hooks
# (`nat-anchor`, `rdr-anchor`, `anchor` "ROOT/*") and a `load anchor` line per anchor (so boot
# loads them), placed by pf_hooks_awk where pfctl accepts it. Every file is checked with
# `pfctl -n` before it is installed or loaded: a rejected file changes nothing.
#
# Commit-confirmed: a load of changed rules first saves the anchor's running rules and arms a
# rollback, a detached process (daemon(8): setsid, stdio on /dev/null, so the end of the SSH
# session does not end it) that restores them after SECONDS unless `pf-confirm` ran first. The
# confirming step is a separate resource, so it opens a new SSH connection: a rule set that
# cuts the operator off cannot be confirmed and undoes itself; `pf-confirm` then fails and
# says so, on that apply and every later one, until the rules change.
#
# Two steps per PfNat keep the rollback point of a rule change: an anchor step that claims the
# anchor (`pf-claim`) and whose destroy flushes it (`pf-remove`), and a load step with no
# destroy. A change of the rules replaces only the load step, so the anchor is never flushed
# between the old load and the new one, and the new load saves the rules that ran before it.
#
# Whole-file mode (hosts the library owns entirely): `pf-conf-claim` records the owner of
# /etc/pf.conf and saves the file that was there before; `pf-conf-apply` checks the whole new
# file (`pfctl -n -f`), saves the previous file and the running ruleset, arms the rollback,
# installs and loads it (`pfctl -f`); `pf-confirm /etc/pf.conf` disarms; `pf-conf-remove`
# puts the administrator's original file back and loads it.
#

# awk (POSIX; FreeBSD's one-true-awk) that prints /etc/pf.conf with the managed block
# ENVIRON["BEGIN_LINE"] ENVIRON["HOOKS"] ENVIRON["END_LINE"] placed where pfctl accepts it,
# every other line as it was. An earlier block of ours is taken out first, so a file the
# administrator rearranged converges. With HOOKS empty the block is only removed.
#
# Where (sbin/pfctl/parse.y): statements are found as parse.y reads them (`#` comments outside
# quotes, `\` continuations, `{ }` lists and inline anchors spanning lines), and each gets the
# state check_rulestate gives it: options (only the `set` options parse.y orders: reassemble,
# optimization, loginterface, block-policy, fail-policy, fingerprints, debug), ether, scrub,
# altq/queue, nat/rdr/binat and their anchors, filtering (pass, block, match, antispoof,
# anchor). Other `set` options (skip, timeout, limit, state-policy, ...), macros, tables and
# `load anchor` have no state and may stand anywhere, after filter rules too. `include "FILE"`
# is read as pushfile splices it in (relative paths from the working directory, as pfctl
# opens them): its statements count at the include line. The block goes right after the last
# statement that must precede translation or is translation (or an unordered `set` before
# any filter rule); without one, right before the first filter statement; without either, at
# the end. Translation is first-match and filtering last-match, so the administrator's own
# rules keep precedence. When pfctl would reject the block there (a `set require-order`
# toggle), the nearest place it accepts is taken. When it accepts none (an included file
# holds both translation and filter rules: the hooks would have to go inside it), the program
# prints why on stderr and exits 3, leaving the file to its owner.
pf_hooks_awk() {
  cat <<'CDKTF_PF_AWK'
function scan(s,    i, c, q, out) {
  # Strip a comment outside quotes, count braces, note a trailing backslash.
  q = ""; out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (q != "") { if (c == q) q = ""; out = out c; continue }
    if (c == "\"" || c == "'") { q = c; out = out c; continue }
    if (c == "#") break
    if (c == "{") depth++
    if (c == "}") depth--
    out = out c
  }
  cont = (out ~ /\\[ \t]*$/)
  if (cont) sub(/\\[ \t]*$/, "", out)
  return out
}
# A whole statement, as parse.y's check_rulestate sees it: sets cls (0: no check; 1 options
# (only the set options parse.y orders), 2 ether, 3 scrub, 4 altq/queue, 5 translation,
# 6 filtering), ro (set require-order: 0 or 1, else -1), inc (the file of an include) and
# uset (a set option parse.y does not order).
function classify(s,    w, n, k) {
  cls = 0; ro = -1; inc = ""; uset = 0
  n = split(s, w, /[ \t]+/)
  k = 1
  if (w[1] == "" && n > 1) k = 2
  if (s ~ /^[ \t]*[A-Za-z0-9_]+[ \t]*=/) return
  if (w[k] == "set") {
    if (w[k + 1] ~ /^(reassemble|optimization|loginterface|block-policy|fail-policy|fingerprints|debug)$/) cls = 1
    else if (w[k + 1] == "require-order") ro = (w[k + 2] == "no") ? 0 : 1
    else uset = 1
    return
  }
  if (w[k] == "include") {
    inc = s
    sub(/^[ \t]*include[ \t]+/, "", inc)
    if (inc ~ /^"/) { inc = substr(inc, 2); sub(/".*$/, "", inc) }
    else if (inc ~ /^'/) { inc = substr(inc, 2); sub(/'.*$/, "", inc) }
    else sub(/[ \t].*$/, "", inc)
    return
  }
  if (w[k] == "no") k++
  if (w[k] == "ether") cls = 2
  else if (w[k] == "scrub") cls = 3
  else if (w[k] == "altq" || w[k] == "queue") cls = 4
  else if (w[k] ~ /^(nat|rdr|binat)(-anchor)?$/) cls = 5
  else if (w[k] ~ /^(pass|block|match|antispoof|anchor)$/) cls = 6
}
# Record the check_rulestate events of the statement ending on line POS of pf.conf.
function event(pos) {
  if (cls) { ne++; etype[ne] = "s"; eval[ne] = cls; epos[ne] = pos }
  if (ro >= 0) { ne++; etype[ne] = "r"; eval[ne] = ro; epos[ne] = pos }
}
# The statements of an included FILE, as pushfile splices them in at line POS of pf.conf.
function include(file, pos, lvl,    l, t, s, instmt, sd, sc, rc) {
  if (lvl > 16 || (file in reading)) { broken = 1; return }
  reading[file] = 1
  sd = depth; sc = cont
  depth = 0; cont = 0; instmt = 0; s = ""
  while ((rc = (getline l < file)) > 0) {
    t = scan(l)
    if (!instmt) { if (t ~ /^[ \t]*$/) continue; s = t } else s = s " " t
    instmt = (cont || depth > 0)
    if (!instmt) {
      classify(s)
      if (inc != "") include(inc, pos, lvl + 1)
      else event(pos)
    }
  }
  if (rc < 0) broken = 1
  close(file)
  delete reading[file]
  depth = sd; cont = sc
}
# Would pfctl accept the events with the hooks block (nat-anchor, rdr-anchor: translation;
# anchor: filtering) after line P (P < 0: without the block)? check_rulestate, event by event.
function accepts(p,    k, rs, req, done) {
  rs = 0; req = 1; done = (p < 0)
  for (k = 1; k <= ne; k++) {
    if (!done && epos[k] > p) { if (req && rs > 5) return 0; rs = 6; done = 1 }
    if (etype[k] == "r") req = eval[k]
    else { if (req && rs > eval[k]) return 0; rs = eval[k] }
  }
  if (!done) { if (req && rs > 5) return 0 }
  return 1
}
{ line[NR] = $0 }
END {
  n = 0; skip = 0
  for (i = 1; i <= NR; i++) {
    if (line[i] == ENVIRON["BEGIN_LINE"]) { skip = 1; continue }
    if (skip) { if (line[i] == ENVIRON["END_LINE"]) skip = 0; continue }
    keep[++n] = line[i]
  }
  if (ENVIRON["HOOKS"] == "") { for (i = 1; i <= n; i++) print keep[i]; exit 0 }
  depth = 0; cont = 0; instmt = 0; after = 0; before = 0; ne = 0; nends = 0; broken = 0
  for (i = 1; i <= n; i++) {
    text = scan(keep[i])
    if (!instmt) { if (text ~ /^[ \t]*$/) continue; stmt = text; first = i } else stmt = stmt " " text
    instmt = (cont || depth > 0)
    if (instmt) continue
    classify(stmt)
    u = uset
    ends[++nends] = i
    e0 = ne
    if (inc != "") { incfile[i] = inc; include(inc, i, 1) } else event(i)
    lo = 0; hi = 0
    for (k = e0 + 1; k <= ne; k++) if (etype[k] == "s") { if (eval[k] <= 5) lo = 1; else hi = 1 }
    if (hi && before == 0) before = first
    if (lo || (u && before == 0)) after = i
    mixed[i] = (lo && hi)
  }
  at = after ? after : (before ? before - 1 : n)
  # The place preferred, else the nearest later, else the nearest earlier one pfctl accepts. A
  # file pfctl rejects already (or that includes a file that cannot be read) keeps the preferred
  # place: the check of the result reports it.
  if (!broken && accepts(-1) && !accepts(at)) {
    found = 0
    for (j = 1; j <= nends && !found; j++) if (ends[j] > at && accepts(ends[j])) { found = 1; to = ends[j] }
    for (j = nends; j >= 1 && !found; j--) if (ends[j] < at && accepts(ends[j])) { found = 1; to = ends[j] }
    if (!found && accepts(0)) { found = 1; to = 0 }
    if (!found) {
      why = ""
      for (i = 1; i <= n; i++) if (mixed[i]) why = why sprintf("line %d includes %s, which holds both statements that must come before the hooks (options, normalization, queueing, translation) and filter rules, which must come after them; ", i, incfile[i])
      print why "pfctl would reject the hooks on any line of this file. Split the included file in two (up to its last translation rule, then from its first filter rule) and include both, one after the other: the hooks go between them" | "cat 1>&2"
      exit 3
    }
    at = to
  }
  for (i = 0; i <= n; i++) {
    if (i > 0) print keep[i]
    if (i == at) print ENVIRON["BEGIN_LINE"] "\n" ENVIRON["HOOKS"] "\n" ENVIRON["END_LINE"]
  }
}
CDKTF_PF_AWK
}

# The hooks that make pf evaluate every anchor under $PF_ANCHOR_ROOT, one a line.
pf_hook_lines() {
  printf 'nat-anchor "%s/*"\nrdr-anchor "%s/*"\nanchor "%s/*"\n' "$PF_ANCHOR_ROOT" "$PF_ANCHOR_ROOT" "$PF_ANCHOR_ROOT"
}

# The per-anchor record files: $PF_STATE_DIR/<anchor with / as _>.SUFFIX
pf_record() {
  printf '%s/%s.%s' "$PF_STATE_DIR" "$(printf '%s' "$1" | tr / _)" "$2"
}

# The armed rollback timer of ANCHOR stopped (its pid file names it; never kill 0 or a guess).
pf_stop_timer() {
  local p
  p=$(cat "$(pf_record "$1" pid)" 2>/dev/null) || p=
  case "$p" in '' | *[!0-9]* | 0 | 1) ;; *) kill "$p" 2>/dev/null || : ;; esac
  rm -f "$(pf_record "$1" pid)"
}

pf_hooks_loaded() {
  pfctl -s nat 2>/dev/null | grep -qF "nat-anchor \"$PF_ANCHOR_ROOT/*\"" &&
    pfctl -s rules 2>/dev/null | grep -qF "anchor \"$PF_ANCHOR_ROOT/*\""
}

# pfctl parses FILE as the rules of ANCHOR (- is the main ruleset) and
# loads nothing; exit 1 with pfctl's errors when it rejects it.
do_pf_check_usage="pf-check ANCHOR FILE"
do_pf_check_descr="exit 0 when pfctl accepts FILE as the rules of ANCHOR (- the main ruleset); loads nothing"
do_pf_check() {
  if [ "$1" = - ]; then pfctl -n -f "$2"; else pfctl -a "$1" -n -f "$2"; fi
}

# $PF_CONF with the hooks block BLOCK placed by pf_hooks_awk (empty: without it), on stdout;
# exit 3 and the reason on stderr when no place in it lets pfctl accept the hooks. From /, as
# boot's pfctl -f runs: a relative include in $PF_CONF names the same file.
pf_hooks_placed() {
  (cd / && BEGIN_LINE="$BLOCK_BEGIN pf-anchors" END_LINE="$BLOCK_END pf-anchors" HOOKS="$1" awk "$(pf_hooks_awk)" "$PF_CONF")
}

# $PF_CONF holds the hooks block for the anchors recorded in $PF_STATE_DIR/anchors
# (none: no block), at the place pf_hooks_awk finds, every other line as it was; the new file is
# checked by pfctl before it replaces the old one, and the running main ruleset gets the hooks
# (pfctl -f $PF_CONF) when it lacks them, or loses them when no anchor is left. A file with
# no place for the hooks (an included file holds both translation and filter rules), or one
# pfctl rejects already, is left as it was, and the error says which it is.
do_pf_hooks_usage="pf-hooks"
do_pf_hooks_descr="$PF_CONF holds the hooks block for the recorded anchors, checked by pfctl before it is written"
do_pf_hooks() {
  do_locked "$PF_CONF" "$self" _pf_hooks "$@"
}
_pf_hooks() {
  local records block created tmp a f
  records="$PF_STATE_DIR"/anchors
  block=
  if [ -s "$records" ]; then
    block=$(pf_hook_lines)
    while read -r a f; do
      block="$block
load anchor \"$a\" from \"$f\""
    done < "$records"
  fi
  created="$PF_STATE_DIR"/created-pf.conf
  if [ ! -e "$PF_CONF" ]; then
    [ -n "$block" ] || return 0
    mkdir -p "$PF_STATE_DIR"
    : > "$created"
    : > "$PF_CONF"
  fi
  tmp=$(mktemp "$PF_CONF".cdktf.XXXXXX)
  cp -p "$PF_CONF" "$tmp"
  if ! pf_hooks_placed "$block" > "$tmp"; then
    rm -f "$tmp"
    die "no place in $PF_CONF where pfctl accepts the hooks of $PF_ANCHOR_ROOT (above); $PF_CONF is left as it was"
  fi
  if cmp -s "$tmp" "$PF_CONF"; then
    rm -f "$tmp"
  else
    if ! (cd / && pfctl -n -f "$tmp"); then
      rm -f "$tmp"
      if [ -s "$PF_CONF" ] && ! (cd / && pfctl -n -f "$PF_CONF") >/dev/null 2>&1; then
        die "pfctl rejects $PF_CONF as it is, without the hooks of $PF_ANCHOR_ROOT (pfctl -n -f $PF_CONF says why); $PF_CONF is left as it was"
      fi
      die "pfctl rejects $PF_CONF with the hooks of $PF_ANCHOR_ROOT (above); $PF_CONF is left as it was"
    fi
    if [ -n "$block" ]; then echo "==> $PF_CONF: hooks for $PF_ANCHOR_ROOT/* in place"; else echo "==> $PF_CONF: hooks removed"; fi
    mv -f "$tmp" "$PF_CONF"
  fi
  if [ -z "$block" ] && [ -e "$created" ] && [ ! -s "$PF_CONF" ]; then rm -f "$PF_CONF" "$created"; fi
  if [ -n "$block" ] && ! pf_hooks_loaded; then
    echo "==> loading $PF_CONF with the hooks (pfctl -f $PF_CONF)"
    (cd / && pfctl -f "$PF_CONF")
  elif [ -z "$block" ] && pf_hooks_loaded; then
    echo "==> loading $PF_CONF without the hooks"
    if [ -e "$PF_CONF" ]; then (cd / && pfctl -f "$PF_CONF"); else pf_flush_main; fi
  fi
}

# The main ruleset's filter and translation rules flushed: two runs, as pfctl keeps one flush
# option (sbin/pfctl/pfctl.c, clearopt: of "-F rules -F nat" the last one wins).
pf_flush_main() {
  pfctl -F rules
  pfctl -F nat
}

# Record ANCHOR FILE in the hooks block's list (once), or take ANCHOR out of it.
pf_anchor_record() {
  local records tmp
  mkdir -p "$PF_STATE_DIR"
  records="$PF_STATE_DIR"/anchors
  [ -e "$records" ] || : > "$records"
  tmp=$(mktemp "$records.XXXXXX")
  awk -v a="$1" '$1 != a' "$records" > "$tmp"
  if [ -n "$2" ]; then printf '%s %s\n' "$1" "$2" >> "$tmp"; fi
  mv -f "$tmp" "$records"
  [ -s "$records" ] || rm -f "$records"
}

# Save the running rules of ANCHOR and arm the rollback (once: a rollback armed by an earlier,
# unconfirmed run keeps the rules saved then, the last confirmed ones); restart its timer.
pf_arm() {
  local anchor file seconds armed saved pid
  anchor=$1 file=$2 seconds=$3
  armed=$(pf_record "$anchor" armed)
  saved=$(pf_record "$anchor" saved)
  pid=$(pf_record "$anchor" pid)
  mkdir -p "$PF_STATE_DIR"
  if [ -e "$armed" ]; then
    pf_stop_timer "$anchor"
  else
    { pfctl -a "$anchor" -s nat; pfctl -a "$anchor" -s rules; } > "$saved.tmp"
    mv -f "$saved.tmp" "$saved"
    date -u '+%Y-%m-%dT%H:%M:%SZ' > "$armed"
  fi
  rm -f "$(pf_record "$anchor" rolled-back)"
  daemon -f -p "$pid" "$self" _pf_rollback "$anchor" "$file" "$seconds"
  echo "==> rollback armed: the running rules of $anchor come back in $seconds s unless a new SSH connection confirms the new ones"
}

# CONTENT checked by pfctl as ANCHOR's rules (rejected:
# nothing changes), then, when it differs from FILE, the running rules saved and the rollback
# armed, FILE written; the hooks in place, ANCHOR loaded from FILE, pf enabled.
do_pf_apply_usage="pf-apply ANCHOR FILE CONTENT SECONDS"
do_pf_apply_descr="CONTENT checked, then (when changed) the running rules saved, a rollback armed, FILE written; ANCHOR loaded, pf enabled"
do_pf_apply() {
  do_locked "$PF_CONF" "$self" _pf_apply "$@"
}
_pf_apply() {
  local anchor file content seconds tmp
  anchor=$1 file=$2 content=$3 seconds=$4
  pf_conf_unowned "$anchor"
  kldload -n pf
  mkdir -p "${file%/*}"
  tmp=$(mktemp "$file.cdktf.XXXXXX")
  printf '%s' "$content" > "$tmp"
  echo "==> checking the rules of $anchor (pfctl -a $anchor -n -f)"
  if ! pfctl -a "$anchor" -n -f "$tmp"; then
    rm -f "$tmp"
    die "pfctl rejects the rules of $anchor (above); nothing on the host changed"
  fi
  # The hooks must have a place in $PF_CONF before anything is armed or installed.
  if [ -s "$PF_CONF" ] && ! pf_hooks_placed "$(pf_hook_lines)" > /dev/null; then
    rm -f "$tmp"
    die "no place in $PF_CONF where pfctl accepts the hooks of $PF_ANCHOR_ROOT (above); nothing on the host changed"
  fi
  if [ -f "$file" ] && cmp -s "$tmp" "$file" && [ ! -e "$(pf_record "$anchor" rolled-back)" ]; then
    rm -f "$tmp"
  else
    pf_arm "$anchor" "$file" "$seconds"
    chmod 0600 "$tmp"
    mv -f "$tmp" "$file"
  fi
  pf_anchor_record "$anchor" "$file"
  _pf_hooks
  echo "==> loading $anchor from $file"
  pfctl -a "$anchor" -f "$file"
  if ! pfctl -s info | grep -q '^Status: Enabled'; then
    echo "==> enabling pf (pfctl -e)"
    pfctl -e
    : > "$PF_STATE_DIR"/enabled-pf
    pf_enabled_by_load "$anchor"
  fi
}

# An armed load of KEY (an anchor, or $PF_CONF) that enabled pf: its rollback disables pf again.
# Before it pf ran no rules at all, the host's own $PF_CONF (loaded with the hooks) included,
# so restoring only the anchor would leave those running, and they may be what locks the
# operator out.
pf_enabled_by_load() {
  [ ! -e "$(pf_record "$1" armed)" ] || : > "$(pf_record "$1" enabled-by-load)"
}

# The rollback's half of it: pf disabled, and the record that this library enabled it ($2) gone.
# Prints what it did, for the rolled-back note.
pf_disable_after_rollback() {
  [ -e "$(pf_record "$1" enabled-by-load)" ] || return 0
  pfctl -d >/dev/null 2>&1 || :
  rm -f "$2" "$(pf_record "$1" enabled-by-load)"
  printf ' pf, which that load had enabled, is disabled again, as it was before it.'
}

# _pf_rollback ANCHOR FILE SECONDS (detached): after SECONDS, an unconfirmed load is undone.
_pf_rollback() {
  sleep "$3"
  do_locked "$PF_CONF" "$self" _pf_restore "$@"
}

_pf_restore() {
  local anchor file seconds armed saved disabled
  anchor=$1 file=$2 seconds=$3
  armed=$(pf_record "$anchor" armed)
  saved=$(pf_record "$anchor" saved)
  [ -e "$armed" ] || return 0
  if [ -s "$saved" ]; then pfctl -a "$anchor" -f "$saved"; else pfctl -a "$anchor" -F all; fi
  # What runs now is what boot loads.
  cp "$saved" "$file"
  disabled=$(pf_disable_after_rollback "$anchor" "$PF_STATE_DIR"/enabled-pf)
  printf '%s: the rules loaded into anchor %s at %s were rolled back after %s s: no new SSH connection confirmed them (do they block or redirect the operator'"'"'s SSH?). The anchor runs the rules saved before that load.%s\n' \
    "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$anchor" "$(cat "$armed")" "$seconds" "$disabled" > "$(pf_record "$anchor" rolled-back)"
  rm -f "$armed" "$saved" "$(pf_record "$anchor" pid)"
}

# the armed rollback of ANCHOR (or of $PF_CONF, whole-file mode) disarmed (this runs over a new SSH connection,
# which the new rules let in). Fails when the rollback fired already.
do_pf_confirm_usage="pf-confirm ANCHOR"
do_pf_confirm_descr="the armed rollback of ANCHOR (or of $PF_CONF) disarmed; fails when it fired already"
do_pf_confirm() {
  do_locked "$PF_CONF" "$self" _pf_confirm "$@"
}
_pf_confirm() {
  local anchor rolled armed x
  anchor=$1
  rolled=$(pf_record "$anchor" rolled-back)
  if [ -e "$rolled" ]; then
    cat "$rolled" >&2
    die "the rules of $anchor were rolled back; change them and apply again"
  fi
  armed=$(pf_record "$anchor" armed)
  if [ -e "$armed" ]; then
    pf_stop_timer "$anchor"
    rm -f "$armed"
    for x in saved saved-conf saved-absent saved-rules enabled-by-load; do rm -f "$(pf_record "$anchor" "$x")"; done
    echo "==> confirmed: a new SSH connection got through the rules of $anchor; rollback disarmed"
  else
    echo "==> nothing armed for $anchor"
  fi
}

# ANCHOR (rules in FILE) recorded as OWNER's (an owner mark,
# SCOPE:path); refused when another owner holds it, or when a whole-file PfNat owns $PF_CONF.
# Its destroy, pf-remove, is what flushes the anchor: the load step has no destroy, so a change
# of the rules (a new load step) keeps the running rules as the rollback point.
do_pf_claim_usage="pf-claim ANCHOR FILE OWNER"
do_pf_claim_descr="ANCHOR recorded as OWNER's; refused when another owner holds it or a whole-file owner writes $PF_CONF"
do_pf_claim() {
  do_locked "$PF_CONF" "$self" _pf_claim "$@"
}
_pf_claim() {
  local anchor file owner
  anchor=$1 file=$2 owner=$3
  pf_conf_unowned "$anchor"
  owner_claim "$(pf_record "$anchor" owner)" "$owner" "pf anchor $anchor" || die "pf anchor $anchor belongs to $claim_held, not $owner; refused"
  if [ "$claim_new" = yes ]; then echo "==> pf anchor $anchor (rules in $file) claimed for $owner"; fi
}

# Refuse an anchor while a whole-file PfNat writes $PF_CONF (the hooks would go into its file).
pf_conf_unowned() {
  local rec
  rec=$(pf_record "$PF_CONF" owner)
  [ ! -e "$rec" ] || die "$PF_CONF is written whole by $(cat "$rec") (a whole-file PfNat): the anchor $1 cannot be hooked into it; refused"
}

# ANCHOR flushed (nothing outside it changes), FILE and its records gone,
# its load line out of the hooks block (the block goes with the last anchor); pf disabled again
# when this library enabled it and no anchor of it is left. With OWNER, an anchor another owner
# claimed is left alone. (Destroy scripts of the first interface call it without OWNER.)
do_pf_remove_usage="pf-remove ANCHOR FILE [OWNER]"
do_pf_remove_descr="ANCHOR flushed, FILE and its load line gone, pf disabled if this library enabled it; another OWNER's anchor left alone"
do_pf_remove() {
  do_locked "$PF_CONF" "$self" _pf_remove "$@"
}
_pf_remove() {
  local anchor file owner rec
  anchor=$1 file=$2 owner=${3:-}
  rec=$(pf_record "$anchor" owner)
  if [ -n "$owner" ] && [ -e "$rec" ] && [ "$(cat "$rec")" != "$owner" ]; then
    echo "==> pf anchor $anchor belongs to $(cat "$rec"), not $owner: left as it is"
    return 0
  fi
  pf_stop_timer "$anchor"
  rm -f "$(pf_record "$anchor" armed)" "$(pf_record "$anchor" saved)" "$(pf_record "$anchor" rolled-back)" "$(pf_record "$anchor" enabled-by-load)"
  if [ -e /dev/pf ] || pfctl -s info >/dev/null 2>&1; then
    echo "==> flushing anchor $anchor"
    pfctl -a "$anchor" -F all
  fi
  # pf.conf loses the anchor's load line before its file goes: a rewrite that fails (pfctl -n
  # rejects the new pf.conf) leaves the file the line loads, or boot's pfctl -f would fail whole.
  if [ -d "$PF_STATE_DIR" ]; then
    pf_anchor_record "$anchor" ''
    _pf_hooks
  fi
  rm -f "$file"
  # Its directory, and the library's directory above it, when nothing else is in them.
  rmdir "${file%/*}" 2>/dev/null || :
  rmdir "${PF_RULES_DIR%/*}" 2>/dev/null || :
  [ -d "$PF_STATE_DIR" ] || return 0
  # The claim goes last: a run that fails half way leaves it, so the prune (or the destroy run
  # again) still finds the anchor.
  rm -f "$rec"
  if [ ! -e "$PF_STATE_DIR"/anchors ] && [ -e "$PF_STATE_DIR"/enabled-pf ]; then
    echo "==> disabling pf (this library enabled it)"
    pfctl -d
    rm -f "$PF_STATE_DIR"/enabled-pf
  fi
  rmdir "$PF_STATE_DIR" 2>/dev/null || :
}

# ---- whole-file mode: $PF_CONF written whole, for hosts the library owns entirely.
# Records (pf_record $PF_CONF X): owner (the owner mark), original or original-absent (what
# was there before the library first wrote it), armed, saved-conf or saved-absent (the file of
# the last confirmed load), saved-rules (the running ruleset then), pid, rolled-back, enabled-pf.

# $PF_CONF recorded as OWNER's, the file that was there saved once;
# refused when another owner writes it or anchors of the library are hooked into it.
do_pf_conf_claim_usage="pf-conf-claim OWNER"
do_pf_conf_claim_descr="$PF_CONF recorded as OWNER's, the file there kept for destroy"
do_pf_conf_claim() {
  do_locked "$PF_CONF" "$self" _pf_conf_claim "$@"
}
_pf_conf_claim() {
  local owner rec original
  owner=$1
  rec=$(pf_record "$PF_CONF" owner)
  if [ ! -e "$rec" ]; then
    [ ! -s "$PF_STATE_DIR"/anchors ] || die "$PF_CONF holds the hooks of the library's anchors ($(awk '{ print $1 }' "$PF_STATE_DIR"/anchors | tr '\n' ' ')): a whole-file PfNat cannot share the host with them; refused"
    mkdir -p "$PF_STATE_DIR"
    original=$(pf_record "$PF_CONF" original)
    rm -f "$original" "$(pf_record "$PF_CONF" original-absent)"
    if [ -e "$PF_CONF" ]; then cp -p "$PF_CONF" "$original"; else : > "$(pf_record "$PF_CONF" original-absent)"; fi
  fi
  owner_claim "$rec" "$owner" "$PF_CONF" || die "$PF_CONF is written by $claim_held, not $owner; refused"
  if [ "$claim_new" = yes ]; then echo "==> $PF_CONF claimed for $owner (the file that was there is kept, for destroy)"; fi
}

# The running main ruleset in pf.conf(5)'s order (pfctl -s prints scrub with the filter rules).
pf_running_ruleset() {
  pfctl -s rules 2>/dev/null | grep '^scrub ' || :
  pfctl -s nat 2>/dev/null || :
  pfctl -s rules 2>/dev/null | grep -v '^scrub ' || :
}

# CONTENT checked by pfctl as a whole pf.conf (rejected:
# nothing changes); when it differs from $PF_CONF, the previous file and the running ruleset
# saved and the rollback armed (once, as pf_arm), the file installed; then loaded, pf enabled.
do_pf_conf_apply_usage="pf-conf-apply OWNER CONTENT SECONDS"
do_pf_conf_apply_descr="CONTENT checked as a whole $PF_CONF, then (when changed) the previous one saved, a rollback armed, the file written; loaded, pf enabled"
do_pf_conf_apply() {
  do_locked "$PF_CONF" "$self" _pf_conf_apply "$@"
}
_pf_conf_apply() {
  local owner content seconds rec tmp armed saved
  owner=$1 content=$2 seconds=$3
  rec=$(pf_record "$PF_CONF" owner)
  if [ ! -e "$rec" ] || [ "$(cat "$rec")" != "$owner" ]; then
    die "$PF_CONF is not claimed for $owner (pf-conf-claim first); nothing on the host changed"
  fi
  kldload -n pf
  tmp=$(mktemp "$PF_CONF".cdktf.XXXXXX)
  printf '%s' "$content" > "$tmp"
  echo "==> checking the whole $PF_CONF (pfctl -n -f)"
  if ! pfctl -n -f "$tmp"; then
    rm -f "$tmp"
    die "pfctl rejects the new $PF_CONF (above); nothing on the host changed"
  fi
  armed=$(pf_record "$PF_CONF" armed)
  if [ -f "$PF_CONF" ] && cmp -s "$tmp" "$PF_CONF" && [ ! -e "$(pf_record "$PF_CONF" rolled-back)" ]; then
    rm -f "$tmp"
  else
    if [ -e "$armed" ]; then
      pf_stop_timer "$PF_CONF"
    else
      saved=$(pf_record "$PF_CONF" saved-conf)
      rm -f "$saved" "$(pf_record "$PF_CONF" saved-absent)"
      if [ -e "$PF_CONF" ]; then cp -p "$PF_CONF" "$saved"; else : > "$(pf_record "$PF_CONF" saved-absent)"; fi
      pf_running_ruleset > "$(pf_record "$PF_CONF" saved-rules)"
      date -u '+%Y-%m-%dT%H:%M:%SZ' > "$armed"
    fi
    rm -f "$(pf_record "$PF_CONF" rolled-back)"
    daemon -f -p "$(pf_record "$PF_CONF" pid)" "$self" _pf_conf_rollback "$seconds"
    echo "==> rollback armed: the previous $PF_CONF and its rules come back in $seconds s unless a new SSH connection confirms the new ones"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$PF_CONF"
  fi
  echo "==> loading $PF_CONF (pfctl -f)"
  pfctl -f "$PF_CONF"
  if ! pfctl -s info | grep -q '^Status: Enabled'; then
    echo "==> enabling pf (pfctl -e)"
    pfctl -e
    : > "$(pf_record "$PF_CONF" enabled-pf)"
    pf_enabled_by_load "$PF_CONF"
  fi
}

# _pf_conf_rollback SECONDS (detached): after SECONDS, an unconfirmed load is undone: the previous
# file back and loaded (it carries the options pfctl -s does not print); without one, the saved
# running ruleset loaded (or the rules flushed when none ran).
_pf_conf_rollback() {
  sleep "$1"
  do_locked "$PF_CONF" "$self" _pf_conf_restore "$@"
}

_pf_conf_restore() {
  local seconds armed saved rules disabled
  seconds=$1
  armed=$(pf_record "$PF_CONF" armed)
  [ -e "$armed" ] || return 0
  saved=$(pf_record "$PF_CONF" saved-conf)
  rules=$(pf_record "$PF_CONF" saved-rules)
  if [ -e "$saved" ]; then
    cp -p "$saved" "$PF_CONF"
    pfctl -f "$PF_CONF"
  else
    rm -f "$PF_CONF"
    if [ -s "$rules" ]; then pfctl -f "$rules"; else pf_flush_main; fi
  fi
  disabled=$(pf_disable_after_rollback "$PF_CONF" "$(pf_record "$PF_CONF" enabled-pf)")
  printf '%s: the %s loaded at %s was rolled back after %s s: no new SSH connection confirmed it (do its rules block or redirect the operator'"'"'s SSH?). The rules of the previous %s run again.%s\n' \
    "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$PF_CONF" "$(cat "$armed")" "$seconds" "$PF_CONF" "$disabled" > "$(pf_record "$PF_CONF" rolled-back)"
  rm -f "$armed" "$saved" "$rules" "$(pf_record "$PF_CONF" saved-absent)" "$(pf_record "$PF_CONF" pid)"
}

# the $PF_CONF that was there before the library first wrote it put back
# and loaded (none was there: the file goes and the rules are flushed); pf disabled again when
# this enabled it. Another owner's file is left alone.
do_pf_conf_remove_usage="pf-conf-remove OWNER"
do_pf_conf_remove_descr="the $PF_CONF that was there before put back and loaded (none: removed, rules flushed)"
do_pf_conf_remove() {
  do_locked "$PF_CONF" "$self" _pf_conf_remove "$@"
}
_pf_conf_remove() {
  local owner rec original x
  owner=$1
  rec=$(pf_record "$PF_CONF" owner)
  [ -e "$rec" ] || return 0
  if [ "$(cat "$rec")" != "$owner" ]; then
    echo "==> $PF_CONF is written by $(cat "$rec"), not $owner: left as it is"
    return 0
  fi
  original=$(pf_record "$PF_CONF" original)
  if [ -e "$original" ] && ! pfctl -n -f "$original"; then
    die "pfctl rejects the $PF_CONF that was there before (kept as $original; above); $PF_CONF is left as it is"
  fi
  pf_stop_timer "$PF_CONF"
  if [ -e "$original" ]; then
    echo "==> putting back the $PF_CONF that was there before and loading it"
    cp -p "$original" "$PF_CONF"
    if [ -e /dev/pf ] || pfctl -s info >/dev/null 2>&1; then pfctl -f "$PF_CONF"; fi
  else
    echo "==> $PF_CONF was not there before: removing it, flushing the rules"
    rm -f "$PF_CONF"
    if [ -e /dev/pf ] || pfctl -s info >/dev/null 2>&1; then pf_flush_main; fi
  fi
  if [ -e "$(pf_record "$PF_CONF" enabled-pf)" ]; then
    echo "==> disabling pf (this library enabled it)"
    pfctl -d
  fi
  for x in armed saved-conf saved-absent saved-rules rolled-back enabled-pf enabled-by-load original original-absent owner; do
    rm -f "$(pf_record "$PF_CONF" "$x")"
  done
  rmdir "$PF_STATE_DIR" 2>/dev/null || :
}

# every pf anchor and whole-file $PF_CONF claimed by an owner of
# SCOPE that is none of OWNER removed, as its destroy does (pf-remove ANCHOR FILE OWNER,
# pf-conf-remove OWNER). Under the $PF_CONF lock.
do_pf_prune_usage="pf-prune SCOPE [OWNER...]"
do_pf_prune_descr="every anchor and whole-file $PF_CONF of an owner of SCOPE that is none of OWNER removed"
do_pf_prune() {
  do_locked "$PF_CONF" "$self" _pf_prune "$@"
}
_pf_prune() {
  local pp_owner pp_anchor pp_file pp_base
  for pp_base in $(pruned_claims "$PF_STATE_DIR" "$@"); do
    pp_owner=$(cat "$PF_STATE_DIR"/"$pp_base".owner)
    if [ "$pp_base" = "$(printf '%s' "$PF_CONF" | tr / _)" ]; then
      echo "==> pruning $PF_CONF written whole by $pp_owner: no longer in the app"
      _pf_conf_remove "$pp_owner"
      continue
    fi
    case "$pp_base" in
      "${PF_ANCHOR_ROOT}"_?*) pp_anchor="$PF_ANCHOR_ROOT"/${pp_base#"${PF_ANCHOR_ROOT}"_} ;;
      *) echo "skipping $PF_STATE_DIR/$pp_base.owner: not the record of an anchor of $PF_ANCHOR_ROOT" >&2; continue ;;
    esac
    # The rules file as the hooks block lists it; never applied: where pf-apply would write it.
    pp_file=$(awk -v a="$pp_anchor" '$1 == a { print $2; exit }' "$PF_STATE_DIR"/anchors 2>/dev/null) || pp_file=
    [ -n "$pp_file" ] || pp_file="$PF_RULES_DIR"/${pp_anchor#"$PF_ANCHOR_ROOT"/}.conf
    echo "==> pruning pf anchor $pp_anchor of $pp_owner: no longer in the app"
    _pf_remove "$pp_anchor" "$pp_file" "$pp_owner"
  done
}
