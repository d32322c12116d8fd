/**
 * The one way this library runs freebsd-update(8) on a tree that is not the host's own (a
 * template, a jail): used by ZfsTemplate and JailUpdate alike. Behaviour it relies on is in
 * usr.sbin/freebsd-update/freebsd-update.sh (freebsd/freebsd-src) and ../shared/FREEBSD.md,
 * "Releases and updates":
 *
 * - `-b BASEDIR` assumes the host's release unless given `--currently-running`, taken from
 *   the tree's own bin/freebsd-version.
 * - Past a release's end of life, fetch_run ends with `fetch_warn_eol || return 1` after
 *   fetch_create_manifest wrote the install manifest: cmd_fetch exits 1, yet a separate
 *   `install` still applies what was fetched. That failure alone is not the step's failure.
 * - `upgrade` asks about locally modified files under MergeChanges by reading /dev/tty
 *   (upgrade_merge), which no pipe answers and which, under Terraform's PTY, waits for ever.
 *   This run's configuration is the host's /etc/freebsd-update.conf without MergeChanges, so
 *   nothing is asked; UpdateIfUnmodified keeps the modified files as they are. The other
 *   questions (continuep) read stdin: /dev/null ends them, and end of input means go on. Each
 *   run goes through the host helper's no-tty (no controlling terminal, stdin /dev/null): should
 *   a release still ask on /dev/tty, the run fails at once and the helper names the command.
 * - An upgrade installs in up to three stages (kernel; world, which exits 0 and asks for
 *   another run when old shared libraries must go; the old libraries); only the next run says
 *   "No updates are available to install." (install_check_params, exit 2).
 * - The work directory (`-d`) keeps the fetched files and the rollback data. It lives outside
 *   the tree, so a template's snapshot and the jails made from it carry none of it, and on a
 *   persistent file system (fetchupgrade_check_params refuses tmpfs and md).
 */
import { noTtyCall } from './helper';
import { FREEBSD_UPDATE_WORKDIR_ROOT } from './names';
import { shellQuote } from './quote';
/** Longest a single freebsd-update run may take before the step gives up. */
export const FREEBSD_UPDATE_TIMEOUT_SECONDS = 3600;
/** The three install stages of a major upgrade and the run that says nothing is pending. */
export const FREEBSD_UPDATE_MAX_INSTALLS = 4;
/** What fetch_warn_eol prints once a release is past its end of life. */
export const FREEBSD_UPDATE_EOL_MESSAGE = 'HAS PASSED ITS END-OF-LIFE DATE';
/** What install prints when nothing is pending. */
export const FREEBSD_UPDATE_NOTHING_PENDING = 'No updates are available to install.';

/** What a freebsd-update run of a tree does. */
export interface FreebsdUpdateScript {
  /** The tree, like `/vm/h1`. */
  readonly basedir: string;
  /** Words for messages, like `jail h1`. */
  readonly what: string;
  /** Upgrade to this normalized release (`15.1-RELEASE`); without it, security and errata updates. */
  readonly targetRelease?: string;
}

/** The work directory freebsd-update keeps for a tree. */
export function freebsdUpdateWorkDir(basedir: string): string {
  return `${FREEBSD_UPDATE_WORKDIR_ROOT}${basedir}`;
}

/** Lines that update (or upgrade) a tree with freebsd-update and install until nothing is pending. */
export function freebsdUpdateLines(o: FreebsdUpdateScript): string[] {
  const q = shellQuote;
  const work = freebsdUpdateWorkDir(o.basedir);
  const lines = [
    `fu_base=${q(o.basedir)}`,
    `fu_work=${q(work)}`,
    'if [ ! -x "$fu_base/bin/freebsd-version" ]; then',
    `  echo ${q(`error: ${o.basedir} holds no FreeBSD userland (no bin/freebsd-version)`)} >&2`,
    '  exit 1',
    'fi',
    'fu_running=$("$fu_base/bin/freebsd-version" -u)',
    'if [ ! -r /etc/freebsd-update.conf ]; then',
    "  echo 'error: the host has no /etc/freebsd-update.conf (KeyPrint and ServerName come from it)' >&2",
    '  exit 1',
    'fi',
    'mkdir -p "$fu_work"',
    '# This run asks nothing: the host\'s configuration without MergeChanges (upgrade_merge reads /dev/tty).',
    "sed -e '/^[[:space:]]*MergeChanges/d' /etc/freebsd-update.conf > \"$fu_work/freebsd-update.conf\"",
    '# One bounded run without a terminal, no pager; its output is in $fu_work/run.log and its status in $fu_status.',
    'fu() {',
    '  fu_status=0',
    `  ${noTtyCall(FREEBSD_UPDATE_TIMEOUT_SECONDS, 'env', 'PAGER=cat', 'freebsd-update', '--not-running-from-cron', '-f', '"$fu_work/freebsd-update.conf"', '-b', '"$fu_base"', '-d', '"$fu_work"', '--currently-running', '"$fu_running"', '"$@"')} >"$fu_work/run.log" 2>&1 || fu_status=$?`,
    '  cat "$fu_work/run.log"',
    '  if [ "$fu_status" -eq 124 ]; then',
    `    echo "error: freebsd-update $* for ${o.what.replace(/["\\$`]/g, '')} did not finish within ${FREEBSD_UPDATE_TIMEOUT_SECONDS} s" >&2`,
    '    exit 1',
    '  fi',
    '}',
  ];
  if (o.targetRelease) {
    const target = o.targetRelease;
    lines.push(
      'case "$fu_running" in',
      `${target} | ${target}-p*)`,
      `  echo ${q(`==> ${o.what} runs ${target} already`)}`,
      '  ;;',
      '*)',
      `  echo "==> upgrading ${o.what.replace(/["\\$`]/g, '')} from $fu_running to ${target}"`,
      `  fu -r ${target} upgrade`,
      `  if [ "$fu_status" -ne 0 ]; then echo ${q(`error: freebsd-update upgrade to ${target} failed for ${o.what}`)} >&2; exit 1; fi`,
      '  ;;',
      'esac',
    );
  } else {
    lines.push(
      `echo "==> fetching updates for ${o.what.replace(/["\\$`]/g, '')} ($fu_running)"`,
      'fu fetch',
      'if [ "$fu_status" -ne 0 ]; then',
      `  if [ "$fu_status" -eq 1 ] && grep -q ${q(FREEBSD_UPDATE_EOL_MESSAGE)} "$fu_work/run.log"; then`,
      '    echo "warning: FreeBSD $fu_running is past its end of life: it gets no more security updates; installing what was fetched"',
      '  else',
      `    echo ${q(`error: freebsd-update fetch failed for ${o.what}`)} >&2`,
      '    exit 1',
      '  fi',
      'fi',
    );
  }
  // Also after "runs TARGET already": a run that failed half way through the stages converges.
  lines.push(
    'fu_n=0',
    'while :; do',
    '  fu_n=$((fu_n + 1))',
    '  echo "==> freebsd-update install (run $fu_n)"',
    '  fu install',
    `  if grep -q ${q(FREEBSD_UPDATE_NOTHING_PENDING)} "$fu_work/run.log"; then break; fi`,
    `  if [ "$fu_status" -ne 0 ]; then echo ${q(`error: freebsd-update install failed for ${o.what}`)} >&2; exit 1; fi`,
    `  if [ "$fu_n" -ge ${FREEBSD_UPDATE_MAX_INSTALLS} ]; then echo ${q(`error: an install is still pending for ${o.what} after ${FREEBSD_UPDATE_MAX_INSTALLS} runs`)} >&2; exit 1; fi`,
    'done',
  );
  return lines;
}

/** Lines that remove the work directory of a tree (its fetched files and rollback data) and its parents once empty. */
export function freebsdUpdateCleanupLines(basedir: string): string[] {
  const work = freebsdUpdateWorkDir(basedir);
  return [
    `rm -rf ${shellQuote(work)}`,
    `fu_dir=${shellQuote(work.slice(0, work.lastIndexOf('/')))}`,
    // Up to, not including, the work directories' root (the helper's last release removes it):
    // rmdir stops at the first one still in use.
    `while [ "$fu_dir" != ${FREEBSD_UPDATE_WORKDIR_ROOT} ] && rmdir "$fu_dir" 2>/dev/null; do fu_dir=\${fu_dir%/*}; done`,
  ];
}
