/**
 * Idempotent shell snippets. Each function returns lines of POSIX sh that make one thing
 * true on the host and do nothing when it is true already, so a script that failed half way
 * converges when it runs again.
 *
 * Edits of files shared with the administrator and with other steps (rc.conf, /etc/hosts,
 * /etc/jail.conf, ...) run under lockf(1): Terraform runs up to ten provisioners at once.
 * The locked part is a fixed program text given to `/bin/sh -c`, with the values passed as
 * positional parameters, so no value is ever spliced into program text.
 */
import {
  LOCK_TIMEOUT_SECONDS,
  MANAGED_FILE_MARKER,
  lockFileFor,
  OWNER_PROPERTY,
  PARENT_ROLE,
  ROLE_PROPERTY,
  SHARED_PARENT_OWNER,
  RETIRED_ROLE,
} from './names';
import { shellCommand, shellQuote, shellQuoteAlways } from './quote';

/** Run a fixed sh program under lockf, with arguments passed as positional parameters. */
export function underLock(lockName: string, program: string, args: readonly string[]): string[] {
  return underLockWords(lockName, program, args.map(shellQuoteAlways));
}

/**
 * underLock with arguments that are already sh words, for values known only at run time
 * (for example "$name" in a loop over the host's jails). `timeoutSeconds`: how long to wait for
 * the lock, for a holder that may take longer than an edit (a package fetch).
 */
export function underLockWords(lockName: string, program: string, words: readonly string[], timeoutSeconds = LOCK_TIMEOUT_SECONDS): string[] {
  return [
    '# shellcheck disable=SC2016 # the program text is literal; its values arrive as $1, $2, ...',
    `lockf -k -t ${timeoutSeconds} ${shellQuote(lockFileFor(lockName))} /bin/sh -c ${shellQuoteAlways(program)} sh ${words.join(' ')}`.trimEnd(),
  ];
}

/** `zfs list` of one dataset, quiet: the exit status says whether it exists. */
export function datasetExists(dataset: string): string {
  return `zfs list -H -o name ${shellQuote(dataset)} >/dev/null 2>&1`;
}

/** Same for a snapshot `dataset@name`. */
export function snapshotExists(snapshot: string): string {
  return `zfs list -H -t snapshot -o name ${shellQuote(snapshot)} >/dev/null 2>&1`;
}

/**
 * Create a dataset with properties when it is missing; an existing dataset is left exactly
 * as it is. A concurrent creator winning the race is not an error.
 */
export function ensureDataset(dataset: string, properties: Record<string, string>): string[] {
  const opts = Object.entries(properties).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  return [
    `if ! ${datasetExists(dataset)}; then`,
    `  ${shellCommand('zfs', 'create', ...opts, dataset)} || ${datasetExists(dataset)}`,
    'fi',
  ];
}

/**
 * Program: create the missing parents of a dataset, each marked as a shared parent, and
 * check that the root has the expected mountpoint. $1 root dataset, $2 its mountpoint, then
 * the chain of descendants to ensure, outermost first.
 */
export const ENSURE_PARENTS_PROGRAM = `set -eu
root=$1 mnt=$2
shift 2
if ! zfs list -H -o name "$root" >/dev/null 2>&1; then
  zfs create -o mountpoint="$mnt" -o ${OWNER_PROPERTY}=${SHARED_PARENT_OWNER} -o ${ROLE_PROPERTY}=${PARENT_ROLE} "$root"
fi
have=$(zfs get -H -o value mountpoint "$root")
if [ "$have" != "$mnt" ]; then
  echo "error: dataset $root exists with mountpoint $have, expected $mnt" >&2
  exit 1
fi
for ds in "$@"; do
  if ! zfs list -H -o name "$ds" >/dev/null 2>&1; then
    zfs create -o ${OWNER_PROPERTY}=${SHARED_PARENT_OWNER} -o ${ROLE_PROPERTY}=${PARENT_ROLE} "$ds"
  fi
done`;

/**
 * Program: remove shared parents created by this library once nothing is left in them
 * (no child dataset and an empty directory), innermost first. Parents that an
 * administrator made carry no mark and are never removed. Arguments: datasets, innermost first.
 */
export const PRUNE_PARENTS_PROGRAM = `set -eu
for ds in "$@"; do
  zfs list -H -o name "$ds" >/dev/null 2>&1 || continue
  [ "$(zfs get -H -o value ${OWNER_PROPERTY} "$ds")" = ${SHARED_PARENT_OWNER} ] || break
  [ "$(zfs list -H -o name -r -d 1 -t filesystem "$ds" | wc -l)" -eq 1 ] || break
  mnt=$(zfs get -H -o value mountpoint "$ds")
  if [ -d "$mnt" ] && [ -n "$(ls -A "$mnt")" ]; then break; fi
  echo "removing empty managed parent dataset $ds"
  zfs destroy "$ds"
done`;

/**
 * Replace `path` atomically with what `producer` writes to "$tmp" (a temporary file in the
 * same directory, so mv is a rename), and only when that differs from the current content.
 * The old file's mode and owner are kept when it existed.
 */
export function replaceFileIfChanged(path: string, producer: string, mode = '0644'): string[] {
  return replaceFileIfChangedWords(shellQuote(path), shellQuote(`${path}.cdktf.XXXXXX`), producer, shellQuote(mode));
}

/** replaceFileIfChanged with sh words for the path, the mktemp template and the mode (the helper's write-file). */
export function replaceFileIfChangedWords(p: string, template: string, producer: string, mode: string): string[] {
  return [
    `tmp=$(mktemp ${template})`,
    `if [ -e ${p} ]; then cp -p ${p} "$tmp"; else chmod ${mode} "$tmp"; fi`,
    `${producer} > "$tmp"`,
    `if [ -e ${p} ] && cmp -s "$tmp" ${p}; then rm -f "$tmp"; else mv -f "$tmp" ${p}; fi`,
  ];
}

/** Write `content` to `path` atomically and only when it differs (see replaceFileIfChanged). */
export function writeFileIfChanged(path: string, content: string, mode = '0644'): string[] {
  // The content is literal text: a `$` in it (jail.conf's $name) is meant, not a missed expansion.
  const producer = `# shellcheck disable=SC2016 # literal file content\nprintf '%s' ${shellQuoteAlways(content)}`;
  return replaceFileIfChanged(path, producer, mode);
}

/**
 * Program: put `content` between marker lines in a shared file, in place of an earlier block
 * with the same id, or at the end. Empty content removes the block. Writes atomically and only
 * on change, keeping the file's mode and owner. $1 file, $2 block id, $3 content.
 */
export const MANAGED_BLOCK_PROGRAM = `set -eu
file=$1
BEGIN_LINE="# BEGIN cdktf-freebsd-jails $2"
END_LINE="# END cdktf-freebsd-jails $2"
CONTENT=$3
export BEGIN_LINE END_LINE CONTENT
[ -e "$file" ] || [ -n "$CONTENT" ] || exit 0
tmp=$(mktemp "$file.cdktf.XXXXXX")
[ -e "$file" ] || : > "$file"
cp -p "$file" "$tmp"
awk 'function block() { if (ENVIRON["CONTENT"] != "") print ENVIRON["BEGIN_LINE"] "\\n" ENVIRON["CONTENT"] "\\n" ENVIRON["END_LINE"]; done = 1 }
  $0 == ENVIRON["BEGIN_LINE"] { skip = 1; if (!done) block(); next }
  skip && $0 == ENVIRON["END_LINE"] { skip = 0; next }
  !skip { print }
  END { if (!done) block() }' "$file" > "$tmp"
if cmp -s "$tmp" "$file"; then rm -f "$tmp"; else mv -f "$tmp" "$file"; fi`;

/**
 * Set a dataset aside under `retiredParentWord` as `NAME-<UTC time>`: marked retired, never
 * mounted automatically, never deleted by this library. Arguments are sh words (quoted
 * values or "$variables").
 */
export function retireDatasetLines(datasetWord: string, retiredParentWord: string, nameWord: string): string[] {
  return [
    'stamp=$(date -u +%Y%m%dT%H%M%SZ)',
    `retired=${retiredParentWord}/${nameWord}-"$stamp"`,
    `echo "==> retaining dataset ${datasetWord.replace(/"/g, '')} as $retired"`,
    `zfs set canmount=noauto ${ROLE_PROPERTY}=${RETIRED_ROLE} ${datasetWord}`,
    `oldmnt=$(zfs get -H -o value mountpoint ${datasetWord})`,
    `if [ "$(zfs get -H -o value mounted ${datasetWord})" = yes ]; then zfs umount ${datasetWord}; fi`,
    `zfs rename -u ${datasetWord} "$retired"`,
    // Whether unmount leaves the empty mountpoint directory differs between ZFS versions.
    'if [ -d "$oldmnt" ] && [ -z "$(ls -A "$oldmnt")" ]; then rmdir "$oldmnt"; fi',
  ];
}

/** Remove a file only when this library wrote it (its first line is the marker). */
export function removeManagedFileLines(fileWord: string): string[] {
  return [`if [ -f ${fileWord} ] && head -n 1 ${fileWord} | grep -qF ${shellQuoteAlways(MANAGED_FILE_MARKER)}; then rm -f ${fileWord}; fi`];
}

/**
 * Unmount whatever is still mounted strictly under a directory (nullfs, devfs, ...), deepest
 * first. The directory itself is left alone: it is the jail's own dataset, which `mount -p`
 * lists there too; zfs destroy or the retirement deal with it.
 */
export function unmountUnderLines(dirWord: string): string[] {
  return [
    `mount -p | awk -v d=${dirWord} 'index($2, d "/") == 1 { print $2 }' | sort -r | while read -r m; do`,
    '  echo "==> unmounting $m"',
    '  umount -f "$m"',
    'done',
  ];
}
