/**
 * Shell snippets of a jail's life on the host: is it running, start, stop, unmount what is
 * left under its root, retire or destroy its dataset. Values are quoted here; names that are
 * only known at run time (prune) are passed as "$variables" by the caller.
 */
import { OWNER_PROPERTY, shellQuote } from '../shell';

/** Exit status 0 when a jail of that name (a sh word) runs. */
export function jailRunning(nameWord: string): string {
  return `jls -j ${nameWord} >/dev/null 2>&1`;
}

/**
 * Stop a running jail through its configuration (exec.stop, exec.poststop, unmounts, address
 * removal); without one, jail(8) removes it by name alone.
 */
export function stopJailLines(nameWord: string, confWord: string): string[] {
  return [
    `if ${jailRunning(nameWord)}; then`,
    `  echo "==> stopping jail ${nameWord.replace(/"/g, '')}"`,
    `  if [ -f ${confWord} ]; then jail -f ${confWord} -r ${nameWord}; else jail -r ${nameWord}; fi`,
    'fi',
  ];
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

/** Exit status 0 when the dataset's owner property equals the given (quoted) owner word. */
export function ownedBy(datasetWord: string, ownerWord: string): string {
  return `[ "$(zfs get -H -o value ${OWNER_PROPERTY} ${datasetWord})" = ${ownerWord} ]`;
}

/** Quote a value as one sh word. */
export const word = shellQuote;
