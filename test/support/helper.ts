/**
 * The host helper's source files (lib/shell/helper/) as tests use them: the functions without
 * the dispatch (to source), pieces of its pf module, and the atomic file writes of step scripts
 * that older builds carried in their scripts.
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOST_HELPER_FILES, HOST_HELPER_PROGRAM, HOST_HELPER_SOURCE_DIR } from '../../lib/shell/helper';
import { BLOCK_BEGIN, BLOCK_END } from '../../lib/shell/names';
import { shellQuote, shellQuoteAlways } from '../../lib/shell/quote';

/** The last line of main.sh, the only command outside a function after the globals. */
export const HELPER_DISPATCH_LINE = 'main "$@"';

/** The helper with its dispatch line taken off: sourced, it defines every function and global. */
export function helperFunctions(): string {
  const lines = HOST_HELPER_PROGRAM.trimEnd().split('\n');
  if (lines[lines.length - 1] !== HELPER_DISPATCH_LINE) throw new Error(`the helper does not end with ${HELPER_DISPATCH_LINE}`);
  return `${lines.slice(0, -1).join('\n')}\n`;
}

/**
 * Runs the helper's functions, then `commands`, in `shell` with `args` as $1...: from a file, never
 * as `sh -c TEXT`, because the helper alone is more than Linux takes as one argument (128 KiB,
 * MAX_ARG_STRLEN: spawn then fails with E2BIG and no status).
 */
export function runWithHelper(commands: string, args: string[] = [], opts: SpawnSyncOptions = {}, shell = '/bin/sh'): { status: number; stdout: string; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helper-functions-'));
  try {
    const file = path.join(dir, 'helper-1'); // $0 as on a host
    fs.writeFileSync(file, `${helperFunctions()}${commands}\n`);
    const r = spawnSync(shell, [file, ...args], { encoding: 'utf8', ...opts });
    return { status: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The text of one of the helper's files. */
export function helperFile(name: string): string {
  if (!HOST_HELPER_FILES.includes(name)) throw new Error(`${name} is not a file of the helper`);
  return fs.readFileSync(path.join(HOST_HELPER_SOURCE_DIR, name), 'utf8');
}

/** The awk program pf_hooks_awk prints (pf.sh): it places the hooks block in pf.conf. */
export function pfHooksAwk(): string {
  const m = /^pf_hooks_awk\(\) \{\n  cat <<'CDKTF_PF_AWK'\n([\s\S]*?)\nCDKTF_PF_AWK\n\}$/m.exec(helperFile('pf.sh'));
  if (!m) throw new Error('pf.sh has no pf_hooks_awk heredoc');
  return `${m[1]}\n`;
}

/** The markers of the hooks block in pf.conf (pf.sh's pf_hooks_placed). */
export function pfHookMarkers(): { begin: string; end: string } {
  return { begin: `${BLOCK_BEGIN} pf-anchors`, end: `${BLOCK_END} pf-anchors` };
}

/** The hook lines pf.sh's pf_hook_lines prints (run in sh). */
export function pfHookLines(): string[] {
  const r = runWithHelper('pf_hook_lines');
  if (r.status !== 0) throw new Error(`pf_hook_lines: ${r.stderr}`);
  return r.stdout.trimEnd().split('\n');
}

/**
 * Replace `path` atomically with what `producer` writes to "$tmp", only when that differs; the
 * old file's mode and owner are kept (what the helper's write-file does).
 */
export function replaceFileIfChanged(file: string, producer: string, mode = '0644'): string[] {
  const p = shellQuote(file);
  return [
    `tmp=$(mktemp ${shellQuote(`${file}.cdktf.XXXXXX`)})`,
    `if [ -e ${p} ]; then cp -p ${p} "$tmp"; else chmod ${shellQuote(mode)} "$tmp"; fi`,
    `${producer} > "$tmp"`,
    `if [ -e ${p} ] && cmp -s "$tmp" ${p}; then rm -f "$tmp"; else mv -f "$tmp" ${p}; fi`,
  ];
}

/** Write `content` to `file` atomically and only when it differs. */
export function writeFileIfChanged(file: string, content: string, mode = '0644'): string[] {
  return replaceFileIfChanged(file, `# shellcheck disable=SC2016 # literal file content\nprintf '%s' ${shellQuoteAlways(content)}`, mode);
}
