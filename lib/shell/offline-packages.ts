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
import { HOST_HELPER_VARIABLE, helperCallWords, noTtyCall } from './helper';
import { underLockWords } from './helpers';
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
 * The fetch, under the lock of the offline directory, as a fixed program (values arrive as
 * $1...). Steps of jails of one ABI share the directory and its catalogue: unlocked, one step's
 * `pkg fetch` updated the catalogue and wrote files while another resolved versions and read
 * them (CI lost scenario 10a on it). Under the lock the catalogue, the files and the versions
 * resolved from them are one consistent view; what it prints on stdout is this run's own list,
 * `NAME FILE` per wanted package (FILE relative to the ABI's directory), which nobody else
 * writes. pkg never rewrites a file it finds complete (libpkg/repo/binary/fetch.c,
 * pkg_repo_binary_try_fetch), so the files listed stay as they are while the jail adds them
 * after the lock is given up.
 * $1 helper, $2 ABI, $3 OSVERSION, $4 the ABI's directory, $5 its PKG_DBDIR, then the names.
 */
export const OFFLINE_FETCH_PROGRAM = `set -eu
cfj=$1 abi=$2 osversion=$3 repo=$4 db=$5
shift 5
"$cfj" no-tty ${OFFLINE_FETCH_TIMEOUT_SECONDS} pkg -o ABI="$abi" -o OSVERSION="$osversion" -o PKG_DBDIR="$db" fetch -d -y -o "$repo" "$@" >&2
for p in "$@"; do
  v=$(pkg -o ABI="$abi" -o OSVERSION="$osversion" -o PKG_DBDIR="$db" rquery -U '%v' "$p")
  # Where the repository put it (All/NAME-VERSION.pkg, All/Hashed/NAME-VERSION~HASH.pkg), checked
  # for what it is.
  file=$(find "$repo" -type f \\( -name "$p-$v.pkg" -o -name "$p-$v~*.pkg" \\) | while read -r f; do
    if [ "$(pkg query -F "$f" '%n-%v')" = "$p-$v" ]; then printf '%s\\n' "\${f#"$repo"/}"; break; fi
  done)
  [ -n "$file" ] || { echo "error: no package file for $p-$v in $repo" >&2; exit 1; }
  printf '%s %s\\n' "$p" "$file"
done`;

/**
 * Lines that fetch `$missing` (a list of checked package names) for the jail's ABI. They set
 * `$pkg_repo`, the host directory to mount in the jail, and `$pkg_files`, the files to add.
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
    'echo "==> fetching on the host for $pkg_abi (OSVERSION $pkg_osversion):$missing"',
    '# pkg for the jail\'s ABI, with a catalogue of its own (the host\'s stays the host\'s); one step',
    '# of the directory at a time, each waiting up to a whole fetch\'s time.',
    '# shellcheck disable=SC2086 # $missing is a list of checked package names',
    'pkg_files=$(',
    ...underLockWords(o.directory, OFFLINE_FETCH_PROGRAM,
      [`"$${HOST_HELPER_VARIABLE}"`, '"$pkg_abi"', '"$pkg_osversion"', '"$pkg_repo"', '"$pkg_db"', '$missing'], OFFLINE_FETCH_TIMEOUT_SECONDS)
      .map((l) => `  ${l}`),
    ')',
  ];
}

/** Lines that add each of `$pkg_files` in the jail from the mount. */
export function offlineAddLines(o: OfflinePackagesScript): string[] {
  return [
    'printf \'%s\\n\' "$pkg_files" | while read -r p file; do',
    `  echo "==> jail ${o.jailName}: pkg add $file ($p)"`,
    `  ${pkgCall('-j', shellQuote(o.jailName), 'add', `${shellQuote(o.mountPoint)}/"$file"`)}`,
    'done',
  ];
}
