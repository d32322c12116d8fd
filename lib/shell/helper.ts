/**
 * The host helper: one POSIX sh program that the library installs on every host (the first
 * step of each FreeBsdHost) and that step scripts call by path, in the style of FreeBSD's
 * share/examples/jails/jib and jng: a usage text, one function per action, each idempotent.
 *
 * Its command line is an interface: destroy scripts stored in Terraform state call it long
 * after they were written. So:
 * - it is installed at a path that carries the interface version (HOST_HELPER_PATH); an
 *   incompatible change gets a new version and a new path, both installed side by side;
 * - within a version actions and arguments only ever gain (never change) meaning;
 * - it is written atomically and only when its content differs;
 * - each ownership scope that uses it (matched exactly as a whole line) is recorded in
 *   HOST_HELPER_USERS_FILE, and the file is removed only when the last scope on that host
 *   releases it;
 * - a scope is claimed by one Terraform state (`claim SCOPE ID`, ID the id of that state's
 *   helper step): another ID for the same scope is refused, and only the claiming ID gives it up.
 *
 * Owners are always passed as arguments, never derived.
 */
import { createHash } from 'crypto';
import { ENSURE_PARENTS_PROGRAM, MANAGED_BLOCK_PROGRAM, PRUNE_PARENTS_PROGRAM, removeManagedFileLines, replaceFileIfChangedWords, retireDatasetLines, unmountUnderLines } from './helpers';
import { HOST_SETTINGS_UNDO_FUNCTION, RC_LIST_FUNCTIONS } from './host-settings';
import { PF_CONF, PF_HELPER_DISPATCH, PF_HELPER_FUNCTIONS, PF_HELPER_INTERNAL, PF_HELPER_USAGE } from './pf-helper';
import { PRUNE_HELPER_DISPATCH, PRUNE_HELPER_FUNCTIONS, PRUNE_HELPER_INTERNAL, PRUNE_HELPER_USAGE } from './prune';
import { shellQuoteAlways } from './quote';
import { VNET_HELPER_FUNCTIONS } from './vnet';
import {
  BLOCK_BEGIN,
  BLOCK_END,
  DEVFS_RULES_FILE,
  FREEBSD_UPDATE_WORKDIR_ROOT,
  JAIL_CONF,
  JAIL_CONF_DIR,
  JAIL_STATE_DIR,
  LIBRARY_NAME,
  LOCK_DIR,
  LOCK_TIMEOUT_SECONDS,
  JAIL_NAME_PROPERTY,
  JAIL_ROLE,
  MANAGED_FILE_MARKER,
  OWNER_PROPERTY,
  PRUNE_STATE_DIR,
  REMOVAL_DESTROY,
  REMOVAL_PROPERTY,
  REMOVAL_RETAIN,
  ROLE_PROPERTY,
  RETIRED_DATASET,
  SCOPE_CLAIM_DIR,
  SETTINGS_CHANGES_FILE_NAME,
  SETTINGS_STATE_DIR,
  SHARED_PARENT_OWNER,
  STATE_DIR,
  ZFS_LOCK,
} from './names';

/** Version of the helper's command line; part of its path. */
export const HOST_HELPER_VERSION = 1;
/**
 * Revision of the helper program within its interface version, stamped in its text
 * (HELPER_REVISION=N). Raised with every change of the program's text; every revision keeps the
 * actions and arguments of the ones before it, so an installed helper of a newer revision is
 * never replaced by an older one (HOST_HELPER_INSTALL_PROGRAM), and an older app's scripts run
 * with it. Builds before revisions carried no stamp: revision 0.
 */
export const HOST_HELPER_REVISION = 2;
/** Directory of the installed helper programs. */
export const HOST_HELPER_DIR = `/usr/local/libexec/${LIBRARY_NAME}`;
/** Where the helper of this interface version is installed. */
export const HOST_HELPER_PATH = `${HOST_HELPER_DIR}/helper-${HOST_HELPER_VERSION}`;
/** One owner per line: who still needs the helper of this version. */
export const HOST_HELPER_USERS_FILE = `${STATE_DIR}/helper-${HOST_HELPER_VERSION}.users`;
/** Present while DEVFS_RULES_FILE is one this library created (FreeBSD ships none): removed with its last block. */
export const DEVFS_RULES_CREATED = `${STATE_DIR}/devfs.rules.created`;
/**
 * Where the helper step's upload of the helper lands (the SSH user's, before the step installs
 * it at HOST_HELPER_PATH as root), followed by the helper step's id: one state's upload never
 * meets another's.
 */
export const HOST_HELPER_UPLOAD_PREFIX = `/tmp/${LIBRARY_NAME}-helper-${HOST_HELPER_VERSION}.`;
/** The sh variable that step scripts hold the helper's path in. */
export const HOST_HELPER_VARIABLE = 'cfj';

/** Line that sets the variable and fails clearly when the helper is missing. */
export const HOST_HELPER_PREAMBLE = [
  `${HOST_HELPER_VARIABLE}=${HOST_HELPER_PATH}; [ -x "$${HOST_HELPER_VARIABLE}" ] || { echo "error: no $${HOST_HELPER_VARIABLE}: apply the host helper step first" >&2; exit 1; }`,
];

/** The start of every helper call line: the quoted variable, then a space. */
const HELPER_CALL_START = `"$${HOST_HELPER_VARIABLE}" `;

/** A call of the helper with literal arguments (each quoted). */
export function helperCall(action: string, ...args: string[]): string {
  const call = helperCallWords(action, ...args.map(shellQuoteAlways));
  // A `$` in an argument (jail.conf's $name) is meant literally.
  return args.some((a) => /[$`]/.test(a)) ? `# shellcheck disable=SC2016 # literal text\n${call}` : call;
}

/** A call of the helper with arguments that are sh words already ("$name" in a loop). */
export function helperCallWords(action: string, ...words: string[]): string {
  return words.length > 0 ? `${HELPER_CALL_START}${action} ${words.join(' ')}` : `${HELPER_CALL_START}${action}`;
}

/** The no-tty action: a command that could ask on the terminal runs without one, bounded. */
export const HOST_HELPER_NO_TTY = 'no-tty';

/**
 * A call of the helper's no-tty action: COMMAND (sh words, such as `pkg -j h1 install -y "$p"`)
 * runs without a controlling terminal and with stdin /dev/null, for at most `seconds`.
 */
export function noTtyCall(seconds: number, ...words: string[]): string {
  if (!Number.isInteger(seconds) || seconds <= 0) throw new Error(`no-tty: ${seconds} is not a positive whole number of seconds`);
  return helperCallWords(HOST_HELPER_NO_TTY, String(seconds), ...words);
}

/** A fixed program (its `set -eu` dropped: the helper has it) as a function, every line indented. */
function shellFunction(name: string, program: string): string {
  const body = program.replace(/^set -eu\n/, '').split('\n').map((l) => (l ? `  ${l}` : l));
  return [`${name}() {`, ...body, '}'].join('\n');
}

/** Synopsis; what each action makes true is said above its function in the program. */
const USAGE = `usage: \${0##*/} ACTION [ARGUMENT...]   (${LIBRARY_NAME} host helper, interface ${HOST_HELPER_VERSION}, revision \${HELPER_REVISION})
  block FILE ID CONTENT
  locked FILE COMMAND [ARG...]
  ensure-parents ROOT MOUNTPOINT [DATASET...]
  prune-parents DATASET...
  owned-by DATASET OWNER
  retire DATASET ROOT MOUNTPOINT NAME
  remove-managed-file FILE
  write-file FILE MODE CONTENT
  write-managed-file FILE MODE CONTENT
  sed-file FILE SCRIPT
  dataset-create DATASET OWNER ROLE [ROOT MOUNTPOINT [PARENT...]]
  dataset-mounted DATASET MOUNTPOINT
  jail-dataset-create DATASET OWNER NAME SNAPSHOT METHOD ROOT ROOTMOUNT
  settings-apply STATE [KIND NAME VALUE]...
  settings-undo STATE
  jail-start NAME
  jail-stop NAME
  jail-restart NAME
  jail-check NAME PATH
  jail-list-add NAME
  jail-teardown NAME CONF PATH FSTAB
  jail-dataset-remove DATASET ROOT MOUNTPOINT NAME
  devfs-ruleset-apply SCOPE NUMBER NAME CONTENT SHOW [RULE...]
  devfs-ruleset-remove SCOPE NUMBER
  vnet-add NET IF MAC switch|bridged ETHER|routed GWMAC ADDRESS...
  vnet-delete NET [IF]
  vnet-list [-r]
  vnet-epair-add NET IF MAC HOSTMAC switch|bridged ETHER|routed GWMAC GWHOSTMAC ADDRESS...
  vnet-epair-delete NET [IF]
  vnet-claim NET OWNER
  vnet-release NET OWNER netgraph|if_bridge
  use SCOPE
  release SCOPE
  claim SCOPE ID
  claim-check SCOPE ID
  unclaim SCOPE ID
  no-tty SECONDS COMMAND [ARG...]
${PF_HELPER_USAGE}
${PRUNE_HELPER_USAGE}
Every action is idempotent; the comment above its function in \${0} says what it makes true.`;

/** The helper program, as installed at HOST_HELPER_PATH. */
export const HOST_HELPER_PROGRAM = `#!/bin/sh
# ${LIBRARY_NAME} host helper, interface version ${HOST_HELPER_VERSION}, installed as ${HOST_HELPER_PATH}.
# Written by ${LIBRARY_NAME}: changes here are overwritten. Run it without arguments for usage.
# A newer revision keeps every action and argument of the older ones; no older one replaces it.
HELPER_REVISION=${HOST_HELPER_REVISION}
set -eu
PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin
export PATH
self=$0

usage() {
  cat >&2 <<EOF
${USAGE}
EOF
  exit 64
}

die() {
  echo "\${self##*/}: error: $*" >&2
  exit 1
}

# The lock file of FILE: ${LOCK_DIR}/${LIBRARY_NAME}.<FILE with / as _>.lock
lock_file() {
  printf '${LOCK_DIR}/${LIBRARY_NAME}.%s.lock' "$(printf '%s' "$1" | sed -e 's/[^A-Za-z0-9_.-]/_/g' -e 's/^_*//')"
}

# locked FILE COMMAND [ARG...]: COMMAND under the lockf lock of FILE (${LOCK_TIMEOUT_SECONDS} s at most).
do_locked() {
  [ $# -ge 2 ] || usage
  lf=$(lock_file "$1")
  shift
  lockf -k -t ${LOCK_TIMEOUT_SECONDS} "$lf" "$@"
}

# block FILE ID CONTENT: CONTENT between "${BLOCK_BEGIN} ID" and "${BLOCK_END} ID" in FILE, in
# place of an earlier block, or at the end; empty CONTENT removes the block. Under FILE's lock
# (this program runs itself for _block).
do_block() {
  [ $# -eq 3 ] || usage
  do_locked "$1" "$self" _block "$@"
}
${shellFunction('_block', MANAGED_BLOCK_PROGRAM)}

exists() {
  zfs list -H -o name "$1" >/dev/null 2>&1
}

# ensure-parents ROOT MOUNTPOINT [DATASET...]: ROOT (at MOUNTPOINT) and the DATASETs, outermost
# first, exist; those created are marked ${SHARED_PARENT_OWNER}.
do_ensure_parents() {
  [ $# -ge 2 ] || usage
  do_locked ${ZFS_LOCK} "$self" _ensure_parents "$@"
}
${shellFunction('_ensure_parents', ENSURE_PARENTS_PROGRAM)}

# prune-parents DATASET... (innermost first): only marked parents with nothing in them go.
do_prune_parents() {
  do_locked ${ZFS_LOCK} "$self" _prune_parents "$@"
}
${shellFunction('_prune_parents', PRUNE_PARENTS_PROGRAM)}

# owned-by DATASET OWNER: exact comparison, never a prefix.
do_owned_by() {
  [ $# -eq 2 ] || usage
  exists "$1" && [ "$(zfs get -H -o value ${OWNER_PROPERTY} "$1")" = "$2" ]
}

# retire DATASET ROOT MOUNTPOINT NAME: renamed aside, marked retired, never mounted automatically.
# The retired parent is made and receives the dataset under the lock prune-parents holds, so it
# cannot be pruned in between.
do_retire() {
  [ $# -eq 4 ] || usage
  do_locked ${ZFS_LOCK} "$self" _retire "$@"
}
_retire() {
  _ensure_parents "$2" "$3" "$2/${RETIRED_DATASET}"
  ds=$1 root=$2 name=$4
${retireDatasetLines('"$ds"', `"$root/${RETIRED_DATASET}"`, '"$name"').map((l) => `  ${l}`).join('\n')}
}

# remove-managed-file FILE
do_remove_managed_file() {
  [ $# -eq 1 ] || usage
  ${removeManagedFileLines('"$1"').join('\n')}
}

# write-file FILE MODE CONTENT: atomically, only on change; an existing file keeps its mode and owner.
do_write_file() {
  [ $# -eq 3 ] || usage
${replaceFileIfChangedWords('"$1"', '"$1.cdktf.XXXXXX"', `printf '%s' "$3"`, '"$2"').map((l) => `  ${l}`).join('\n')}
}

# sed-file FILE SCRIPT: FILE rewritten through sed -e SCRIPT, atomically, only on change.
do_sed_file() {
  [ $# -eq 2 ] || usage
  [ -f "$1" ] || return 0
${replaceFileIfChangedWords('"$1"', '"$1.cdktf.XXXXXX"', 'sed -e "$2" "$1"', '0644').map((l) => `  ${l}`).join('\n')}
}

# dataset-create DATASET OWNER ROLE [ROOT MOUNTPOINT [PARENT...]]: created when missing (a
# concurrent creator is fine); an existing dataset of another owner is refused, never touched.
# With ROOT, its parents are made as ensure-parents makes them, in the same hold of the lock
# prune-parents takes, so none of them is pruned before DATASET is in it.
do_dataset_create() {
  [ $# -eq 3 ] || [ $# -ge 5 ] || usage
  if [ $# -eq 3 ]; then _dataset_create "$@"; else do_locked ${ZFS_LOCK} "$self" _dataset_create "$@"; fi
}
_dataset_create() {
  dc_ds=$1 dc_owner=$2 dc_role=$3
  shift 3
  [ $# -eq 0 ] || _ensure_parents "$@"
  exists "$dc_ds" || zfs create -o ${OWNER_PROPERTY}="$dc_owner" -o ${ROLE_PROPERTY}="$dc_role" "$dc_ds" || exists "$dc_ds"
  do_owned_by "$dc_ds" "$dc_owner" || die "dataset $dc_ds exists and is not managed by $dc_owner; refusing to touch it"
}

# jail-dataset-create DATASET OWNER NAME SNAPSHOT METHOD ROOT ROOTMOUNT: DATASET made from
# SNAPSHOT by METHOD (clone or send-receive) and marked as OWNER's jail NAME (removal policy
# retain until the configuration records its own); an existing DATASET must be OWNER's. A clone
# is made in the same hold of the lock prune-parents takes as ROOT; a copy can take long, so only
# ROOT is made under it (prune-parents leaves ROOT while anything is in it: the source
# template, when it is there).
do_jail_dataset_create() {
  [ $# -eq 7 ] || usage
  case "$5" in
    clone) do_locked ${ZFS_LOCK} "$self" _jail_dataset_create "$@" ;;
    *) do_ensure_parents "$6" "$7"; _jail_dataset_create "$@" ;;
  esac
}
_jail_dataset_create() {
  if exists "$1"; then
    do_owned_by "$1" "$2" || die "dataset $1 exists and is not managed by $2; refusing to touch it"
    echo "==> dataset $1 exists"
    return 0
  fi
  [ "$5" != clone ] || _ensure_parents "$6" "$7"
  ds=$1 owner=$2 name=$3 snap=$4 method=$5
  zfs list -H -t snapshot -o name "$snap" >/dev/null 2>&1 || die "snapshot $snap does not exist"
  set -- -o ${OWNER_PROPERTY}="$owner" -o ${ROLE_PROPERTY}=${JAIL_ROLE} -o ${JAIL_NAME_PROPERTY}="$name" -o ${REMOVAL_PROPERTY}=${REMOVAL_RETAIN}
  case "$method" in
    clone) echo "==> cloning $snap to $ds"; zfs clone "$@" "$snap" "$ds" ;;
    send-receive) echo "==> copying $snap to $ds (zfs send | zfs receive)"; zfs send "$snap" | zfs receive -u "$@" "$ds" ;;
    *) die "unknown method $method" ;;
  esac
}

# dataset-mounted DATASET MOUNTPOINT: refuse another mountpoint, mount when unmounted.
do_dataset_mounted() {
  [ $# -eq 2 ] || usage
  [ "$(zfs get -H -o value mountpoint "$1")" = "$2" ] || die "dataset $1 is not mounted at $2"
  [ "$(zfs get -H -o value mounted "$1")" = yes ] || zfs mount "$1"
}

# write-managed-file FILE MODE CONTENT: the same, refusing a FILE this library did not write.
do_write_managed_file() {
  [ $# -eq 3 ] || usage
  if [ -e "$1" ] && ! head -n 1 "$1" | grep -qF '${MANAGED_FILE_MARKER}'; then
    die "$1 exists and was not written by ${LIBRARY_NAME}; refusing to replace it"
  fi
  do_write_file "$@"
}

# settings-apply STATE [KIND NAME VALUE]...: host settings made true for the owner of STATE.
# STATE holds what the owner needs ("hold KIND NAME VALUE"); the changes made for a setting are
# recorded beside it in ${SETTINGS_CHANGES_FILE_NAME} ("KIND NAME VALUE RECORD"), shared by every
# owner, and settings-undo undoes them when the last owner that holds the setting goes. KIND: rc
# (NAME=VALUE), rc-word (word VALUE in list NAME), rc-list (list NAME, removed at undo when empty
# and new), sysctl (NAME=VALUE now and in /etc/sysctl.conf), interface (cloned NAME), dir (NAME),
# file (NAME, removed at undo when empty and new), cache-dir (NAME, removed with its content at
# undo when new), jail-conf-include (".include VALUE" in jail.conf
# NAME). VALUE is - for kinds without one. Under the rc.conf lock.
do_settings_apply() {
  if [ $# -lt 1 ] || [ $(( ($# - 1) % 3 )) -ne 0 ]; then usage; fi
  do_locked /etc/rc.conf "$self" _settings_apply "$@"
}
yes_no() {
  case "$1" in [Yy][Ee][Ss] | [Tt][Rr][Uu][Ee] | [Oo][Nn] | 1) echo YES ;; [Nn][Oo] | [Ff][Aa][Ll][Ss][Ee] | [Oo][Ff][Ff] | 0) echo NO ;; *) printf '%s\\n' "$1" ;; esac
}
# Set in an rc.conf file (not only in /etc/defaults/rc.conf)?
rc_set_in_files() {
  grep -Eqs "^[[:space:]]*$1=" /etc/rc.conf /etc/rc.conf.local
}
_settings_apply() {
  state=$1
  shift
  changes="\${state%/*}/${SETTINGS_CHANGES_FILE_NAME}"
  mkdir -p "\${state%/*}"
  [ -e "$state" ] || : > "$state"
  [ -e "$changes" ] || : > "$changes"
  record() { grep -qxF "$key $1" "$changes" || printf '%s\\n' "$key $1" >> "$changes"; }
  while [ $# -ge 3 ]; do
    kind=$1 name=$2 value=$3
    shift 3
    key="$kind $name $value"
    grep -qxF "hold $key" "$state" || printf 'hold %s\\n' "$key" >> "$state"
    case "$kind" in
      rc)
        # An rc.conf variable set nowhere (sysrc -n -i exits 1 for it) reads as empty.
        have=$(sysrc -n -i "$name" || :)
        [ "$(yes_no "$have")" = "$(yes_no "$value")" ] && continue
        if rc_set_in_files "$name"; then record "rc_was $name $have"; else record "rc_set $name"; fi
        sysrc "$name=$value" ;;
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
          while [ -n "\${top%/*}" ] && [ ! -d "\${top%/*}" ]; do top=\${top%/*}; done
          mkdir -p "$name"
          record "cache_dir $top"
        fi ;;
      jail-conf-include)
        grep -qsxF "${BLOCK_BEGIN} include" "$name" || record "block $name include"
        do_block "$name" include ".include \\"$value\\";" ;;
      *) die "unknown setting kind $kind" ;;
    esac
  done
}

${RC_LIST_FUNCTIONS}
_rc_list_add() { rc_list_add "$@"; }
_rc_list_remove() { rc_list_remove "$@"; }

# settings-undo STATE: the owner of STATE gone; the changes made for settings that no other owner
# holds any more undone, newest first (and what STATE itself records, from earlier versions).
do_settings_undo() {
  [ $# -eq 1 ] || usage
  do_locked /etc/rc.conf "$self" _settings_undo "$@"
}
${shellFunction('_settings_undo', HOST_SETTINGS_UNDO_FUNCTION)}

running() {
  jls -j "$1" >/dev/null 2>&1
}

# jail-start NAME: boot's own path (rc.d/jail reads the configuration as at boot). It reports
# a failed start on stdout and exits 0, so jls decides.
do_jail_start() {
  [ $# -eq 1 ] || usage
  if running "$1"; then echo "==> jail $1 runs"; return 0; fi
  echo "==> starting jail $1 (service jail start $1)"
  service jail start "$1" || true
  running "$1" || die "jail $1 did not start (see the output of service jail start above; jls -j $1: $(jls -j "$1" 2>&1 >/dev/null))"
}

# jail-stop NAME: onestop works even when jail_enable was turned off since.
do_jail_stop() {
  [ $# -eq 1 ] || usage
  running "$1" || return 0
  echo "==> stopping jail $1"
  service jail onestop "$1" || true
  # Without a configuration jail(8) removes the jail by name alone.
  if running "$1"; then jail -r "$1"; fi
}

# jail-check NAME PATH: no jail NAME runs from anywhere but PATH.
do_jail_check() {
  [ $# -eq 2 ] || usage
  running "$1" || return 0
  p=$(jls -j "$1" path)
  [ "$p" = "$2" ] || die "a jail named $1 runs from $p, not $2; refusing to touch it"
}

# jail-list-add NAME: NAME in jail_list, after the administrator's jails that boot started
# while it was empty. An empty jail_list makes rc.d/jail start every jail of /etc/jail.conf
# (jail -f /etc/jail.conf -c); a listed name restricts boot to the listed jails. So the first
# name added to an empty jail_list comes after those jails of the administrator's
# (admin_boot_jails), added for them and recorded in the shared settings changes under the
# JailHost's setting "rc-list jail_list": its last owner takes them out again (rc_list_filled).
# Under the rc.conf lock.
do_jail_list_add() {
  [ $# -eq 1 ] || usage
  do_locked /etc/rc.conf "$self" _jail_list_add "$1"
}
_jail_list_add() {
  if [ -z "$(sysrc -n -i jail_list || :)" ]; then
    if jl_admin=$(admin_boot_jails); then
      jl_admin=$(printf '%s\\n' "$jl_admin" | grep -vxF -e "$1" | tr '\\n' ' ')
      jl_admin=\${jl_admin% }
      if [ -n "$jl_admin" ]; then
        echo "==> jail_list was empty, so boot started every jail of /etc/jail.conf: listing the administrator's jails first ($jl_admin); they leave it again with the last JailHost"
        jl_changes=${SETTINGS_STATE_DIR}/${SETTINGS_CHANGES_FILE_NAME}
        jl_record="rc-list jail_list - rc_list_filled jail_list $jl_admin"
        mkdir -p ${SETTINGS_STATE_DIR}
        grep -qsxF -e "$jl_record" "$jl_changes" || printf '%s\\n' "$jl_record" >> "$jl_changes"
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
# jails' blocks, its .include of ${JAIL_CONF_DIR}), less any jail whose ${JAIL_CONF_DIR}/NAME.conf
# this library wrote (an .include of the administrator's reaches those too). A jail rc.d/jail
# cannot find by a jail_list word (a name with a dot, blanks or quotes; a jid) is warned about.
# Fails when jail(8) cannot list them (a syntax error; no -e).
admin_boot_jails() {
  [ -f ${JAIL_CONF} ] || return 0
  ab_conf=$(awk -v b=${shellQuoteAlways(`${BLOCK_BEGIN} `)} -v e=${shellQuoteAlways(`${BLOCK_END} `)} 'index($0, b) == 1 { skip = 1 } !skip { print } index($0, e) == 1 { skip = 0 }' ${JAIL_CONF})
  printf '%s\\n' "$ab_conf" | grep -Eq '[{]|^[[:space:]]*[.]include' || return 0
  ab_tab=$(printf '\\t')
  ab_list=$(printf '%s\\n' "$ab_conf" | jail -f - -e "$ab_tab") || return 1
  printf '%s\\n' "$ab_list" | cut -f 1 | while IFS= read -r ab_first; do
    [ -n "$ab_first" ] || continue
    ab_name=\${ab_first#name=}
    case "$ab_first" in
      name=[A-Za-z0-9_]*) case "$ab_name" in *[!A-Za-z0-9_-]*) ab_name= ;; esac ;;
      *) ab_name= ;;
    esac
    if [ -z "$ab_name" ]; then
      echo "warning: the jail of ${JAIL_CONF} shown as $ab_first cannot be named in jail_list: it no longer starts at boot" >&2
      continue
    fi
    if head -n 1 "${JAIL_CONF_DIR}/$ab_name.conf" 2>/dev/null | grep -qF ${shellQuoteAlways(MANAGED_FILE_MARKER)}; then continue; fi
    printf '%s\\n' "$ab_name"
  done
}

# jail-restart NAME
do_jail_restart() {
  [ $# -eq 1 ] || usage
  echo "==> restarting jail $1 (service jail restart $1)"
  service jail restart "$1" || true
  running "$1" || die "jail $1 did not start again (see the output of service jail restart above; jls -j $1: $(jls -j "$1" 2>&1 >/dev/null))"
}

# jail-teardown NAME CONF PATH FSTAB: the jail stopped, its recorded network teardown run, what
# is mounted under PATH unmounted, CONF removed (if managed; its block if CONF is
# /etc/jail.conf), FSTAB (if managed), its /etc/hosts block and jail_list word removed.
do_jail_teardown() {
  [ $# -eq 4 ] || usage
  name=$1 conf=$2 path=$3 fstab=$4
  do_jail_stop "$name"
  teardown="${JAIL_STATE_DIR}/$name.teardown"
  if [ -f "$teardown" ]; then
    echo "==> network teardown of jail $name"
    /bin/sh "$teardown"
    rm -f "$teardown"
  fi
  # Strictly under the root, deepest first; the root itself is the jail's dataset.
${unmountUnderLines('"$path"').map((l) => `  ${l}`).join('\n')}
  if [ "$conf" = /etc/jail.conf ]; then do_block /etc/jail.conf "jail $name" ''; else do_remove_managed_file "$conf"; fi
  do_remove_managed_file "$fstab"
  do_block /etc/hosts "jail $name" ''
  do_locked /etc/rc.conf "$self" _rc_list_remove jail_list "$name"
}

# jail-dataset-remove DATASET ROOT MOUNTPOINT NAME: destroyed by its ${REMOVAL_PROPERTY}, else retired.
do_jail_dataset_remove() {
  [ $# -eq 4 ] || usage
  if [ "$(zfs get -H -o value ${REMOVAL_PROPERTY} "$1")" = ${REMOVAL_DESTROY} ]; then
    echo "==> destroying dataset $1"
    zfs destroy -r "$1"
  else
    do_retire "$@"
  fi
}

# devfs-ruleset-apply SCOPE NUMBER NAME CONTENT SHOW [RULE...]: devfs ruleset NUMBER defined by
# CONTENT (its [NAME=NUMBER] lines) in the block "devfs ruleset NUMBER of SCOPE" of
# ${DEVFS_RULES_FILE}, which rc.d/devfs reads at boot, and loaded now: when
# \`devfs rule -s NUMBER show\` is not SHOW, the set is deleted and each RULE (the words after
# \`devfs rule add\`, separated by spaces) added, then shown again. Refused, touching nothing:
# a [...] header for NUMBER or NAME outside the block (the administrator's, another scope's), or
# a ruleset NUMBER loaded while no block of this scope defines it. Under the file's lock.
do_devfs_ruleset_apply() {
  [ $# -ge 5 ] || usage
  do_locked ${DEVFS_RULES_FILE} "$self" _devfs_ruleset_apply "$@"
}
# The [NAME=N] headers of FILE outside block ID, one "NAME N" a line, as rc.subr's
# devfs_rulesets_from_file finds them (a line starting with [ after leading blanks).
devfs_headers_outside() {
  [ -f "$1" ] || return 0
  awk -v begin="${BLOCK_BEGIN} $2" -v end="${BLOCK_END} $2" '
    $0 == begin { inside = 1; next }
    $0 == end { inside = 0; next }
    inside { next }
    { line = $0; sub(/^[ \\t]+/, "", line) }
    match(line, /^\\[.*=[0-9]*\\]/) {
      h = substr(line, 2, RLENGTH - 2); n = h; sub(/.*=/, "", n); sub(/=[0-9]*$/, "", h)
      print h " " n
    }' "$1"
}
_devfs_ruleset_apply() {
  scope=$1 num=$2 name=$3 content=$4 show=$5
  shift 5
  id="devfs ruleset $num of $scope"
  clash=$(devfs_headers_outside ${DEVFS_RULES_FILE} "$id" | awk -v num="$num" -v name="$name" '$1 == name || $2 == num' | head -n 1)
  [ -z "$clash" ] || die "${DEVFS_RULES_FILE} defines ruleset [\${clash% *}=\${clash##* }] outside this library's block; ruleset $num ($name) would clash with it: refusing to touch either"
  if ! grep -qsxF "${BLOCK_BEGIN} $id" ${DEVFS_RULES_FILE} && [ -n "$(devfs rule -s "$num" show)" ]; then
    die "devfs ruleset $num is loaded on the host but no block of ${LIBRARY_NAME} scope $scope in ${DEVFS_RULES_FILE} defines it: refusing to replace it"
  fi
  if [ ! -e ${DEVFS_RULES_FILE} ]; then mkdir -p ${STATE_DIR}; : > ${DEVFS_RULES_CREATED}; fi
  "$self" _block ${DEVFS_RULES_FILE} "$id" "$content"
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

# devfs-ruleset-remove SCOPE NUMBER: when the block "devfs ruleset NUMBER of SCOPE" is in
# ${DEVFS_RULES_FILE}, the loaded ruleset deleted (devfs rule -s NUMBER delset), then the
# block; the file goes too when this library created it and nothing is left in it.
do_devfs_ruleset_remove() {
  [ $# -eq 2 ] || usage
  do_locked ${DEVFS_RULES_FILE} "$self" _devfs_ruleset_remove "$@"
}
_devfs_ruleset_remove() {
  id="devfs ruleset $2 of $1"
  if grep -qsxF "${BLOCK_BEGIN} $id" ${DEVFS_RULES_FILE}; then
    echo "==> unloading devfs ruleset $2"
    devfs rule -s "$2" delset
    "$self" _block ${DEVFS_RULES_FILE} "$id" ''
  fi
  if [ -f ${DEVFS_RULES_CREATED} ] && [ -f ${DEVFS_RULES_FILE} ] && [ ! -s ${DEVFS_RULES_FILE} ]; then
    echo "==> removing the empty ${DEVFS_RULES_FILE} (made by ${LIBRARY_NAME})"
    rm -f ${DEVFS_RULES_FILE} ${DEVFS_RULES_CREATED}
  fi
}

${VNET_HELPER_FUNCTIONS}
# no-tty SECONDS COMMAND [ARG...]: COMMAND run in a session of its own, so without a controlling
# terminal (daemon(8): daemon(3) calls setsid(2)), stdin /dev/null, for at most SECONDS
# (timeout(1): 124 when it ran out); its output passes through and its exit status is ours.
# Terraform runs every script on a PTY, where a question asked on /dev/tty waits for ever;
# here opening /dev/tty fails at once (ENXIO, "Device not configured"), and we name the
# command. daemon(8) returns at once: the output pipe ends when the command (and all it
# started) has gone, and the command's status comes back in a file.
do_no_tty() {
  [ $# -ge 2 ] || usage
  case "$1" in '' | *[!0-9]*) die "no-tty: $1 is not a number of seconds" ;; esac
  nt_seconds=$1
  shift
  nt_dir=$(mktemp -d "\${TMPDIR:-/tmp}/${LIBRARY_NAME}-no-tty.XXXXXX")
  # shellcheck disable=SC2064 # the directory's name is fixed now
  trap "rm -rf '$nt_dir'" EXIT
  daemon "$self" _no_tty "$nt_dir/status" "$nt_seconds" "$@" </dev/null 2>&1 | tee "$nt_dir/output"
  [ -s "$nt_dir/status" ] || die "$* did not run (see daemon's output above)"
  nt_status=$(cat "$nt_dir/status")
  if [ "$nt_status" -eq 124 ]; then
    echo "\${self##*/}: error: $* did not finish within $nt_seconds s" >&2
  elif [ "$nt_status" -ne 0 ] && grep -q '/dev/tty.*Device not configured' "$nt_dir/output"; then
    echo "\${self##*/}: error: $* wanted to ask a question on the terminal (/dev/tty) and failed (exit $nt_status): it runs without one, as nothing could answer under Terraform; make it ask nothing (a -y flag, a configuration)" >&2
  fi
  return "$nt_status"
}
_no_tty() {
  nt_file=$1 nt_seconds=$2
  shift 2
  nt_status=0
  timeout "$nt_seconds" "$@" </dev/null || nt_status=$?
  echo "$nt_status" > "$nt_file.tmp"
  mv -f "$nt_file.tmp" "$nt_file"
}

# use SCOPE / release SCOPE: which ownership scopes need this helper, one exact line each.
do_use() {
  [ $# -eq 1 ] || usage
  do_locked ${HOST_HELPER_USERS_FILE} "$self" _use "$1"
}
_use() {
  # The library's shared directories are there while any scope uses the helper, and go, empty,
  # with the last (_release): steps only add and remove their own files in them.
  mkdir -p ${[STATE_DIR, JAIL_STATE_DIR, SCOPE_CLAIM_DIR, PRUNE_STATE_DIR, FREEBSD_UPDATE_WORKDIR_ROOT].join(' ')}
  grep -qsxF -e "$1" ${HOST_HELPER_USERS_FILE} || printf '%s\\n' "$1" >> ${HOST_HELPER_USERS_FILE}
}
do_release() {
  [ $# -eq 1 ] || usage
  do_locked ${HOST_HELPER_USERS_FILE} "$self" _release "$1"
}
_release() {
  users=${HOST_HELPER_USERS_FILE}
  if [ -f "$users" ]; then
    tmp=$(mktemp "$users.XXXXXX")
    grep -vxF -e "$1" "$users" > "$tmp" || :
    mv -f "$tmp" "$users"
    if [ -s "$users" ]; then echo "==> helper kept: still used by $(wc -l < "$users" | tr -d ' ') owner(s)"; return 0; fi
    rm -f "$users"
  fi
  echo "==> no owner needs the helper: removing $self"
  rm -f "$self"
  rmdir ${HOST_HELPER_DIR} 2>/dev/null || :
  # The library's directories that steps of every scope share go with the last scope, when
  # empty: removed earlier, by one step while another had just made one to write in, that write
  # failed. Nothing of the host's runs now: every step of an app waits for its helper step.
  for dir in ${[JAIL_STATE_DIR, SCOPE_CLAIM_DIR, PRUNE_STATE_DIR, FREEBSD_UPDATE_WORKDIR_ROOT, STATE_DIR].join(' ')}; do
    rmdir "$dir" 2>/dev/null || :
  done
}

# owner_claim FILE OWNER WHAT: the one owner claim of every kind (an ownership scope by a
# Terraform state, a pf anchor or ${PF_CONF} by an owner mark, a switch name): FILE holds
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
  { mkdir -p "\${1%/*}" && printf '%s\\n' "$2" > "$1.new" && mv -f "$1.new" "$1"; } || die "cannot record $2 as the owner of $3 in $1"
  claim_new=yes
}

# claim SCOPE ID: the ownership scope SCOPE of this host is claimed by the Terraform state whose
# claim is ID (the id of its helper step); a claim by another ID is refused and kept.
claim_file() {
  printf '${SCOPE_CLAIM_DIR}/%s.claim' "$1"
}
do_claim() {
  [ $# -eq 2 ] || usage
  do_locked "$(claim_file "$1")" "$self" _claim "$@"
}
_claim() {
  f=$(claim_file "$1")
  if ! owner_claim "$f" "$2" "ownership scope $1"; then
    die "ownership scope $1 is claimed on this host by another Terraform state (claim $claim_held; this state's is $2): give this app's FreeBsdHost another ownershipScope, or destroy the other app first; if no state holds that claim any more, remove $f"
  fi
  if [ "$claim_new" = yes ]; then echo "==> ownership scope $1 claimed by this Terraform state ($2)"; else echo "==> ownership scope $1 is claimed by this Terraform state"; fi
}
# claim-check SCOPE ID: fails unless SCOPE is claimed by ID.
do_claim_check() {
  [ $# -eq 2 ] || usage
  f=$(claim_file "$1")
  if [ ! -f "$f" ] || [ "$(cat "$f")" != "$2" ]; then die "ownership scope $1 is not claimed on this host by this Terraform state (claim $2; $f: $(cat "$f" 2>/dev/null || echo none)); refusing to go on"; fi
}
# unclaim SCOPE ID: the claim given up, if ID holds it.
do_unclaim() {
  [ $# -eq 2 ] || usage
  do_locked "$(claim_file "$1")" "$self" _unclaim "$@"
}
_unclaim() {
  f=$(claim_file "$1")
  if [ -f "$f" ] && [ "$(cat "$f")" = "$2" ]; then
    rm -f "$f"
    echo "==> ownership scope $1 given up"
    # The scope's prune records (lib/shell/prune.ts) go with its claim.
    rm -f "${PRUNE_STATE_DIR}/$1.settings"
  fi
}

${PF_HELPER_FUNCTIONS}
${PRUNE_HELPER_FUNCTIONS}
[ $# -ge 1 ] || usage
action=$1
shift
case "$action" in
  block) do_block "$@" ;;
  locked) do_locked "$@" ;;
  ensure-parents) do_ensure_parents "$@" ;;
  prune-parents) do_prune_parents "$@" ;;
  owned-by) do_owned_by "$@" ;;
  retire) do_retire "$@" ;;
  remove-managed-file) do_remove_managed_file "$@" ;;
  write-file) do_write_file "$@" ;;
  sed-file) do_sed_file "$@" ;;
  dataset-create) do_dataset_create "$@" ;;
  dataset-mounted) do_dataset_mounted "$@" ;;
  jail-dataset-create) do_jail_dataset_create "$@" ;;
  write-managed-file) do_write_managed_file "$@" ;;
  settings-apply) do_settings_apply "$@" ;;
  settings-undo) do_settings_undo "$@" ;;
  jail-start) do_jail_start "$@" ;;
  jail-stop) do_jail_stop "$@" ;;
  jail-restart) do_jail_restart "$@" ;;
  jail-check) do_jail_check "$@" ;;
  jail-list-add) do_jail_list_add "$@" ;;
  jail-teardown) do_jail_teardown "$@" ;;
  jail-dataset-remove) do_jail_dataset_remove "$@" ;;
  devfs-ruleset-apply) do_devfs_ruleset_apply "$@" ;;
  devfs-ruleset-remove) do_devfs_ruleset_remove "$@" ;;
  vnet-add) do_vnet_add "$@" ;;
  vnet-delete) do_vnet_delete "$@" ;;
  vnet-list) do_vnet_list "$@" ;;
  vnet-epair-add) do_vnet_epair_add "$@" ;;
  vnet-epair-delete) do_vnet_epair_delete "$@" ;;
  vnet-claim) do_vnet_claim "$@" ;;
  vnet-release) do_vnet_release "$@" ;;
  use) do_use "$@" ;;
  release) do_release "$@" ;;
${PF_HELPER_DISPATCH}
${PRUNE_HELPER_DISPATCH}
  no-tty) do_no_tty "$@" ;;
  claim) do_claim "$@" ;;
  claim-check) do_claim_check "$@" ;;
  unclaim) do_unclaim "$@" ;;
  _block | _ensure_parents | _prune_parents | _retire | _dataset_create | _jail_dataset_create | _rc_list_add | _rc_list_remove | _jail_list_add | _settings_apply | _settings_undo | _use | _release | _claim | _unclaim) "$action" "$@" ;;
  _devfs_ruleset_apply | _devfs_ruleset_remove) "$action" "$@" ;;
  _vnet_add | _vnet_delete | _vnet_epair_add | _vnet_epair_delete | _vnet_claim | _vnet_release) "$action" "$@" ;;
  _no_tty | ${PF_HELPER_INTERNAL.join(' | ')}) "$action" "$@" ;;
  ${PRUNE_HELPER_INTERNAL.join(' | ')}) "$action" "$@" ;;
  -h | help) usage ;;
  *) echo "\${self##*/}: unknown action $action" >&2; usage ;;
esac
`;

/**
 * Installs an uploaded helper, as one program under the lock of HOST_HELPER_USERS_FILE, which
 * `release` also holds while it decides to remove the helper: the upload is copied into a
 * temporary file beside the target (made by root, so nobody else can change it once copied) and
 * removed, the copy checked against the digest, then renamed over the installed helper only if
 * that is not of a newer revision (HELPER_REVISION; no stamp is revision 0) and differs; last the
 * scope is recorded as a user of whichever helper is installed (its `_use`, which every revision
 * keeps). Two states installing at once, or one installing while another releases, meet only
 * under the lock. $1 upload, $2 target, $3 SHA-256, $4 the upload's revision, $5 scope.
 */
export const HOST_HELPER_INSTALL_PROGRAM = `set -eu
upload=$1 target=$2 sha=$3 ours=$4 scope=$5
[ -f "$upload" ] || { echo "error: nothing was uploaded for $target" >&2; exit 1; }
mkdir -p "\${target%/*}"
tmp=$(mktemp "$target.cdktf.XXXXXX")
chmod 0755 "$tmp"
cat "$upload" > "$tmp"
rm -f "$upload"
[ "$(sha256 -q "$tmp")" = "$sha" ] || { rm -f "$tmp"; echo "error: the file uploaded for $target is not the one this step carries (SHA-256 $sha)" >&2; exit 1; }
have=
[ -f "$target" ] && have=$(sed -n 's/^HELPER_REVISION=\\([0-9][0-9]*\\)$/\\1/p' "$target")
if [ "\${have:-0}" -gt "$ours" ]; then
  rm -f "$tmp"
  echo "==> keeping the installed helper: its revision \${have} is newer than this app's $ours and keeps every action of it"
elif [ -f "$target" ] && cmp -s "$tmp" "$target"; then
  rm -f "$tmp"
  echo "==> helper revision $ours is installed"
else
  mv -f "$tmp" "$target"
  echo "==> installed helper revision $ours (was \${have:-none})"
fi
"$target" _use "$scope"`;

/** The SHA-256 (hex) of HOST_HELPER_PROGRAM: the helper step checks its upload against it. */
export const HOST_HELPER_SHA256 = createHash('sha256').update(HOST_HELPER_PROGRAM).digest('hex');
