/**
 * The host helper: one POSIX sh program that the library installs on every host (the first
 * step of each FreeBsdHost) and that step scripts call by path, in the shape of FreeBSD's
 * share/examples/jails/jib and jng: globals, one function per action beside its usage and
 * description, dispatch by function name. Its source is the shell files in ./helper/, read here
 * and joined as they are (the revision stamped, nothing else spliced).
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
import * as fs from 'fs';
import * as path from 'path';
import { shellQuoteAlways } from './quote';
import { LIBRARY_NAME, STATE_DIR } from './names';

/** Version of the helper's command line; part of its path. */
export const HOST_HELPER_VERSION = 1;
/**
 * Revision of the helper program within its interface version, stamped in its text
 * (HELPER_REVISION=N). Raised with every change of the program's text; every revision keeps the
 * actions and arguments of the ones before it, so an installed helper of a newer revision is
 * never replaced by an older one (HOST_HELPER_INSTALL_PROGRAM), and an older app's scripts run
 * with it. Builds before revisions carried no stamp: revision 0.
 */
export const HOST_HELPER_REVISION = 4;
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

/** The directory of the helper's source files. */
export const HOST_HELPER_SOURCE_DIR = path.join(__dirname, 'helper');

/**
 * The helper's source files (lib/shell/helper/, shipped in the package), in the order they are
 * joined: the header with the globals, every module (a new kind's file is one more, found here),
 * then main with the dispatch, which runs last. Modules only define functions, so their order
 * is the sorted one.
 */
export const HOST_HELPER_FILES = [
  'header.sh',
  ...fs.readdirSync(HOST_HELPER_SOURCE_DIR).filter((f) => f.endsWith('.sh') && f !== 'header.sh' && f !== 'main.sh').sort(),
  'main.sh',
];

/** The header's line that the revision is stamped on. */
const REVISION_LINE = /^HELPER_REVISION=0$/m;

/** The helper program, as installed at HOST_HELPER_PATH: its files joined, the revision stamped. */
export const HOST_HELPER_PROGRAM = HOST_HELPER_FILES.map((f, i) => {
  const text = fs.readFileSync(path.join(HOST_HELPER_SOURCE_DIR, f), 'utf8');
  if (i > 0) return text;
  if (!REVISION_LINE.test(text)) throw new Error(`${f} of the host helper has no line HELPER_REVISION=0 to stamp`);
  return text.replace(REVISION_LINE, `HELPER_REVISION=${HOST_HELPER_REVISION}`);
}).join('');

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
