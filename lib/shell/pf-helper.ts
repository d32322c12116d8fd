/**
 * The host helper's pf actions (lib/shell/helper.ts includes them): the library's rules live in
 * child anchors of PF_ANCHOR_ROOT; /etc/pf.conf gets one managed block with the hooks
 * (`nat-anchor`, `rdr-anchor`, `anchor` "ROOT/*") and a `load anchor` line per anchor (so boot
 * loads them), placed by PF_HOOKS_AWK where pfctl accepts it. Every file is checked with
 * `pfctl -n` before it is installed or loaded: a rejected file changes nothing.
 *
 * Commit-confirmed: a load of changed rules first saves the anchor's running rules and arms a
 * rollback, a detached process (daemon(8): setsid, stdio on /dev/null, so the end of the SSH
 * session does not end it) that restores them after SECONDS unless `pf-confirm` ran first. The
 * confirming step is a separate resource, so it opens a new SSH connection: a rule set that
 * cuts the operator off cannot be confirmed and undoes itself; `pf-confirm` then fails and
 * says so, on that apply and every later one, until the rules change.
 */
import { PF_ANCHOR_ROOT, PF_HOOKS_AWK, pfHookMarkers, renderPfHookLines } from '../render/pfconf';
import { LIBRARY_NAME, STATE_DIR } from './names';

/** Records of the pf actions: the anchors in the hooks block, armed rollbacks, saved rules. */
export const PF_STATE_DIR = `${STATE_DIR}/pf`;
/** Where anchors' rules files live (read at boot through the `load anchor` lines). */
export const PF_RULES_DIR = `/usr/local/etc/${LIBRARY_NAME}/pf`;
/** The host's pf.conf. */
export const PF_CONF = '/etc/pf.conf';

/** Usage lines of the pf actions. */
export const PF_HELPER_USAGE = `  pf-check ANCHOR FILE
  pf-hooks
  pf-apply ANCHOR FILE CONTENT SECONDS
  pf-confirm ANCHOR
  pf-remove ANCHOR FILE`;

/** The actions' internal entry points (run by the helper itself, under the pf.conf lock or detached). */
export const PF_HELPER_INTERNAL = ['_pf_apply', '_pf_confirm', '_pf_remove', '_pf_hooks', '_pf_rollback', '_pf_restore'];

/** The case arms of the helper's dispatcher. */
export const PF_HELPER_DISPATCH = `  pf-check) do_pf_check "$@" ;;
  pf-hooks) do_locked ${PF_CONF} "$self" _pf_hooks ;;
  pf-apply) [ $# -eq 4 ] || usage; do_locked ${PF_CONF} "$self" _pf_apply "$@" ;;
  pf-confirm) [ $# -eq 1 ] || usage; do_locked ${PF_CONF} "$self" _pf_confirm "$@" ;;
  pf-remove) [ $# -eq 2 ] || usage; do_locked ${PF_CONF} "$self" _pf_remove "$@" ;;`;

const markers = pfHookMarkers();
const hooks = renderPfHookLines();

/** The functions, in the helper's style (one per action, each idempotent). */
export const PF_HELPER_FUNCTIONS = `
# The awk program that places the hooks block in pf.conf (lib/render/pfconf.ts PF_HOOKS_AWK).
pf_hooks_awk() {
  cat <<'CDKTF_PF_AWK'
${PF_HOOKS_AWK.trim()}
CDKTF_PF_AWK
}

# The per-anchor record files: ${PF_STATE_DIR}/<anchor with / as _>.SUFFIX
pf_record() {
  printf '${PF_STATE_DIR}/%s.%s' "$(printf '%s' "$1" | tr / _)" "$2"
}

# The armed rollback timer of ANCHOR stopped (its pid file names it; never kill 0 or a guess).
pf_stop_timer() {
  p=$(cat "$(pf_record "$1" pid)" 2>/dev/null) || p=
  case "$p" in '' | *[!0-9]* | 0 | 1) ;; *) kill "$p" 2>/dev/null || : ;; esac
  rm -f "$(pf_record "$1" pid)"
}

pf_hooks_loaded() {
  pfctl -s nat 2>/dev/null | grep -qF 'nat-anchor "${PF_ANCHOR_ROOT}/*"' &&
    pfctl -s rules 2>/dev/null | grep -qF 'anchor "${PF_ANCHOR_ROOT}/*"'
}

# pf-check ANCHOR FILE: pfctl parses FILE as the rules of ANCHOR (- is the main ruleset) and
# loads nothing; exit 1 with pfctl's errors when it rejects it.
do_pf_check() {
  [ $# -eq 2 ] || usage
  if [ "$1" = - ]; then pfctl -n -f "$2"; else pfctl -a "$1" -n -f "$2"; fi
}

# pf-hooks: ${PF_CONF} holds the hooks block for the anchors recorded in ${PF_STATE_DIR}/anchors
# (none: no block), at the place PF_HOOKS_AWK finds, every other line as it was; the new file is
# checked by pfctl before it replaces the old one, and the running main ruleset gets the hooks
# (pfctl -f ${PF_CONF}) when it lacks them, or loses them when no anchor is left.
_pf_hooks() {
  records=${PF_STATE_DIR}/anchors
  block=
  if [ -s "$records" ]; then
    block='${hooks.join('\n')}'
    while read -r a f; do
      block="$block
load anchor \\"$a\\" from \\"$f\\""
    done < "$records"
  fi
  created=${PF_STATE_DIR}/created-pf.conf
  if [ ! -e ${PF_CONF} ]; then
    [ -n "$block" ] || return 0
    mkdir -p ${PF_STATE_DIR}
    : > "$created"
    : > ${PF_CONF}
  fi
  tmp=$(mktemp ${PF_CONF}.cdktf.XXXXXX)
  cp -p ${PF_CONF} "$tmp"
  BEGIN_LINE='${markers.begin}' END_LINE='${markers.end}' HOOKS="$block" awk "$(pf_hooks_awk)" ${PF_CONF} > "$tmp"
  if cmp -s "$tmp" ${PF_CONF}; then
    rm -f "$tmp"
  else
    if ! pfctl -n -f "$tmp"; then
      rm -f "$tmp"
      die "pfctl rejects ${PF_CONF} with the hooks of ${PF_ANCHOR_ROOT} (above); ${PF_CONF} is left as it was"
    fi
    if [ -n "$block" ]; then echo "==> ${PF_CONF}: hooks for ${PF_ANCHOR_ROOT}/* in place"; else echo "==> ${PF_CONF}: hooks removed"; fi
    mv -f "$tmp" ${PF_CONF}
  fi
  if [ -z "$block" ] && [ -e "$created" ] && [ ! -s ${PF_CONF} ]; then rm -f ${PF_CONF} "$created"; fi
  if [ -n "$block" ] && ! pf_hooks_loaded; then
    echo "==> loading ${PF_CONF} with the hooks (pfctl -f ${PF_CONF})"
    pfctl -f ${PF_CONF}
  elif [ -z "$block" ] && pf_hooks_loaded; then
    echo "==> loading ${PF_CONF} without the hooks"
    if [ -e ${PF_CONF} ]; then pfctl -f ${PF_CONF}; else pfctl -F rules -F nat; fi
  fi
}

# Record ANCHOR FILE in the hooks block's list (once), or take ANCHOR out of it.
pf_anchor_record() {
  mkdir -p ${PF_STATE_DIR}
  records=${PF_STATE_DIR}/anchors
  [ -e "$records" ] || : > "$records"
  tmp=$(mktemp "$records.XXXXXX")
  awk -v a="$1" '$1 != a' "$records" > "$tmp"
  if [ -n "$2" ]; then printf '%s %s\\n' "$1" "$2" >> "$tmp"; fi
  mv -f "$tmp" "$records"
  [ -s "$records" ] || rm -f "$records"
}

# Save the running rules of ANCHOR and arm the rollback (once: a rollback armed by an earlier,
# unconfirmed run keeps the rules saved then, the last confirmed ones); restart its timer.
pf_arm() {
  anchor=$1 file=$2 seconds=$3
  armed=$(pf_record "$anchor" armed)
  saved=$(pf_record "$anchor" saved)
  pid=$(pf_record "$anchor" pid)
  mkdir -p ${PF_STATE_DIR}
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

# pf-apply ANCHOR FILE CONTENT SECONDS: CONTENT checked by pfctl as ANCHOR's rules (rejected:
# nothing changes), then, when it differs from FILE, the running rules saved and the rollback
# armed, FILE written; the hooks in place, ANCHOR loaded from FILE, pf enabled.
_pf_apply() {
  anchor=$1 file=$2 content=$3 seconds=$4
  kldload -n pf
  mkdir -p "\${file%/*}"
  tmp=$(mktemp "$file.cdktf.XXXXXX")
  printf '%s' "$content" > "$tmp"
  echo "==> checking the rules of $anchor (pfctl -a $anchor -n -f)"
  if ! pfctl -a "$anchor" -n -f "$tmp"; then
    rm -f "$tmp"
    die "pfctl rejects the rules of $anchor (above); nothing on the host changed"
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
    : > ${PF_STATE_DIR}/enabled-pf
  fi
}

# _pf_rollback ANCHOR FILE SECONDS (detached): after SECONDS, an unconfirmed load is undone.
_pf_rollback() {
  sleep "$3"
  do_locked ${PF_CONF} "$self" _pf_restore "$@"
}
_pf_restore() {
  anchor=$1 file=$2 seconds=$3
  armed=$(pf_record "$anchor" armed)
  saved=$(pf_record "$anchor" saved)
  [ -e "$armed" ] || return 0
  if [ -s "$saved" ]; then pfctl -a "$anchor" -f "$saved"; else pfctl -a "$anchor" -F all; fi
  # What runs now is what boot loads.
  cp "$saved" "$file"
  printf '%s: the rules loaded into anchor %s at %s were rolled back after %s s: no new SSH connection confirmed them (do they block or redirect the operator'"'"'s SSH?). The anchor runs the rules saved before that load.\\n' \\
    "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$anchor" "$(cat "$armed")" "$seconds" > "$(pf_record "$anchor" rolled-back)"
  rm -f "$armed" "$saved" "$(pf_record "$anchor" pid)"
}

# pf-confirm ANCHOR: the armed rollback of ANCHOR disarmed (this runs over a new SSH connection,
# which the new rules let in). Fails when the rollback fired already.
_pf_confirm() {
  anchor=$1
  rolled=$(pf_record "$anchor" rolled-back)
  if [ -e "$rolled" ]; then
    cat "$rolled" >&2
    die "the rules of $anchor were rolled back; change them and apply again"
  fi
  armed=$(pf_record "$anchor" armed)
  if [ -e "$armed" ]; then
    pf_stop_timer "$anchor"
    rm -f "$armed" "$(pf_record "$anchor" saved)"
    echo "==> confirmed: a new SSH connection got through the rules of $anchor; rollback disarmed"
  else
    echo "==> nothing armed for $anchor"
  fi
}

# pf-remove ANCHOR FILE: ANCHOR flushed (nothing outside it changes), FILE and its records gone,
# its load line out of the hooks block (the block goes with the last anchor); pf disabled again
# when this library enabled it and no anchor of it is left.
_pf_remove() {
  anchor=$1 file=$2
  pf_stop_timer "$anchor"
  rm -f "$(pf_record "$anchor" armed)" "$(pf_record "$anchor" saved)" "$(pf_record "$anchor" rolled-back)"
  if [ -e /dev/pf ] || pfctl -s info >/dev/null 2>&1; then
    echo "==> flushing anchor $anchor"
    pfctl -a "$anchor" -F all
  fi
  rm -f "$file"
  rmdir "\${file%/*}" 2>/dev/null || :
  [ -d ${PF_STATE_DIR} ] || return 0
  pf_anchor_record "$anchor" ''
  _pf_hooks
  if [ ! -e ${PF_STATE_DIR}/anchors ] && [ -e ${PF_STATE_DIR}/enabled-pf ]; then
    echo "==> disabling pf (this library enabled it)"
    pfctl -d
    rm -f ${PF_STATE_DIR}/enabled-pf
  fi
  rmdir ${PF_STATE_DIR} 2>/dev/null || :
}
`;
