/**
 * Offline packages for a jail (the notebook's way): fetched on the host for the jail's ABI,
 * then added inside the jail from a read-only nullfs mount. Facts from freebsd/pkg
 * (../shared/FREEBSD.md, "sysrc and pkg"):
 *
 * - pkg fetches for the ABI of the system it runs on; `pkg add` refuses a package of another
 *   ABI (libpkg/utils.c is_valid_abi). So the fetch names the jail's ABI and OSVERSION (from
 *   the jail's own bin/freebsd-version, which a JailUpdate may have moved on) with `-o`;
 *   without OSVERSION pkg only guesses it (libpkg/pkg_config.c).
 * - The repository catalogue of that ABI goes to a PKG_DBDIR of its own: fetched into the
 *   host's /var/db/pkg it would replace the host's catalogue ("wrong packagesite").
 * - `pkg fetch -o DIR` writes the repository's own paths under DIR; the official repositories
 *   are hashed (DIR/All/Hashed/NAME-VERSION~HASH.pkg, libpkg/repo/binary/fetch.c), so the
 *   files are found by what they are (`pkg query -F`), never by a glob, and the version is
 *   the one the catalogue has now (`pkg rquery`), not an older file left by an earlier run.
 * - Inside the jail `pkg add FILE` finds the dependencies beside FILE.
 *
 * The directories are held like host settings (the helper's `cache-dir`): the ones the step
 * made, with the files fetched into them, are removed when the last JailPackages that holds
 * them is destroyed; a directory that was there (the host's own /var/cache/pkg) stays.
 */
import { helperCallWords, noTtyCall } from './helper';
import { shellQuote } from './quote';

/** Longest the host's `pkg fetch` may take before the step gives up. */
export const OFFLINE_FETCH_TIMEOUT_SECONDS = 1800;
/** Longest any other pkg run (update, upgrade, install, add) may take before the step gives up. */
export const PKG_TIMEOUT_SECONDS = 1800;

/**
 * A pkg command line (sh words) as steps run it: through the host helper's no-tty, so stdin is
 * /dev/null and there is no controlling terminal; pkg's questions (query_yesno on stdin,
 * query_tty_yesno on /dev/tty) then take their default at once instead of waiting under
 * Terraform's PTY, and the run is bounded.
 */
export function pkgCall(...words: string[]): string {
  return noTtyCall(PKG_TIMEOUT_SECONDS, 'pkg', ...words);
}

/** Where and for which jail packages are fetched and added. */
export interface OfflinePackagesScript {
  /** The jail's name. */
  readonly jailName: string;
  /** The jail's root on the host, like `/vm/h1`. */
  readonly jailPath: string;
  /** Host directory of the fetched files; one subdirectory per ABI. */
  readonly directory: string;
  /** Where the ABI's subdirectory appears in the jail while packages are added. */
  readonly mountPoint: string;
  /** The settings state file that holds the directories for this step. */
  readonly stateFile: string;
}

/**
 * Lines that fetch `$missing` (a list of checked package names) for the jail's ABI. They set
 * `$pkg_repo`, the host directory to mount in the jail.
 */
export function offlineFetchLines(o: OfflinePackagesScript): string[] {
  const q = shellQuote;
  return [
    `pkg_rel=$(${q(`${o.jailPath}/bin/freebsd-version`)} -u)`,
    'pkg_major=${pkg_rel%%.*}',
    'pkg_minor=${pkg_rel#*.}',
    'pkg_minor=${pkg_minor%%-*}',
    'pkg_abi="FreeBSD:$pkg_major:$(uname -p)"',
    'pkg_osversion=$((pkg_major * 100000 + pkg_minor * 1000))',
    `pkg_repo=${q(o.directory)}/"$pkg_abi"`,
    `pkg_db=${q(o.directory)}/pkgdb/"$pkg_abi"`,
    '# Held for this step; made (and then removed with their last holder) when missing.',
    helperCallWords('settings-apply', q(o.stateFile), ...[o.directory, `${o.directory}/pkgdb`].flatMap((d) => ['cache-dir', q(d), '-']),
      'cache-dir', '"$pkg_repo"', '-', 'cache-dir', '"$pkg_db"', '-'),
    '# pkg for the jail\'s ABI, with a catalogue of its own (the host\'s stays the host\'s).',
    'pkg_for_jail() { pkg -o ABI="$pkg_abi" -o OSVERSION="$pkg_osversion" -o PKG_DBDIR="$pkg_db" "$@"; }',
    'echo "==> fetching on the host for $pkg_abi (OSVERSION $pkg_osversion):$missing"',
    '# shellcheck disable=SC2086 # $missing is a list of checked package names',
    noTtyCall(OFFLINE_FETCH_TIMEOUT_SECONDS, 'pkg', '-o', 'ABI="$pkg_abi"', '-o', 'OSVERSION="$pkg_osversion"', '-o', 'PKG_DBDIR="$pkg_db"', 'fetch', '-d', '-y', '-o', '"$pkg_repo"', '$missing'),
    '# What each fetched file is, wherever the repository put it (All/, All/Hashed/).',
    'find "$pkg_repo" -type f -name \'*.pkg\' | while read -r f; do',
    '  printf \'%s %s\\n\' "$(pkg query -F "$f" \'%n-%v\')" "${f#"$pkg_repo"/}"',
    'done > "$pkg_db/files"',
  ];
}

/** Lines that add each of `$missing` in the jail from the mount, in the version the catalogue has. */
export function offlineAddLines(o: OfflinePackagesScript): string[] {
  const q = shellQuote;
  return [
    '# shellcheck disable=SC2086 # $missing is a list of checked package names',
    'for p in $missing; do',
    '  v=$(pkg_for_jail rquery -U \'%v\' "$p")',
    '  file=$(awk -v want="$p-$v" \'$1 == want { print $2; exit }\' "$pkg_db/files")',
    `  if [ -z "$file" ]; then echo "error: no package file for $p-$v in $pkg_repo" >&2; exit 1; fi`,
    `  echo "==> jail ${o.jailName}: pkg add $file"`,
    `  ${pkgCall('-j', q(o.jailName), 'add', `${q(o.mountPoint)}/"$file"`)}`,
    'done',
  ];
}
