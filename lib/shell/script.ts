/**
 * Building the scripts that Terraform uploads and runs.
 *
 * Terraform's remote-exec joins `inline` lines with newlines, uploads the result to
 * /tmp/terraform_<n>.sh and runs that path through the SSH user's login shell (tcsh for root
 * before FreeBSD 14). The first line is therefore `#!/bin/sh`, which makes the kernel run the
 * file with sh whatever the login shell is; `set -eu` makes every failing command fail the
 * step (Terraform only sees the script's exit status); PATH is explicit because a
 * non-interactive login gets a minimal one.
 *
 * With sudo or doas the whole body runs in one elevated /bin/sh -c, taken from a quoted
 * here-document, so no line of the body is expanded by the outer shell and no single command
 * is forgotten un-elevated.
 */
import { HOST_HELPER_PREAMBLE, HOST_HELPER_VARIABLE, helperCall } from './helper';
import { shellQuoteAlways } from './quote';

/** How the script gains root on the host. */
export enum Elevation {
  /** The SSH user is root already. */
  NONE = 'none',
  /** `sudo -n` (passwordless sudo required). */
  SUDO = 'sudo',
  /** `doas -n` (a `permit nopass` rule required). */
  DOAS = 'doas',
}

/** The PATH every script runs with: FreeBSD's base system, then packages. */
export const SCRIPT_PATH = '/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin';

/** How a body line calls the host helper (through the preamble's variable). */
const HELPER_REFERENCE = `"$${HOST_HELPER_VARIABLE}"`;

/** Terminator of the elevated body; a body that contains it is refused. */
const BODY_END = 'CDKTF_FREEBSD_JAILS_BODY_END';

/**
 * Indent every line of sh code by `depth` steps of two spaces, nested programs included, but
 * never a line that continues a quoted string: that text is data (file content, a program
 * given to sh -c), and indenting it would change it.
 */
export function indentLines(lines: readonly string[], depth = 1): string[] {
  const pad = '  '.repeat(depth);
  const out: string[] = [];
  let quote: string | undefined;
  const indentOne = (line: string) => {
    out.push(quote === undefined && line !== '' ? pad + line : line);
    quote = quoteStateAfter(line, quote);
  };
  for (const entry of lines) {
    if (entry.includes('\n')) entry.split('\n').forEach(indentOne);
    else indentOne(entry);
  }
  return out;
}

/** Which quote (' or ") is still open at the end of a line of sh, given the one open before it. */
function quoteStateAfter(line: string, open: string | undefined): string | undefined {
  let q = open;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q === "'") {
      if (c === "'") q = undefined;
    } else if (c === '\\') {
      i++;
    } else if (q === '"') {
      if (c === '"') q = undefined;
    } else if (c === "'" || c === '"') {
      q = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      break; // a comment: its apostrophes quote nothing
    }
  }
  return q;
}

/**
 * A step script under construction: a sequence of actions, each announced by one banner
 * line (`echo '==> TITLE'`) so that Terraform's log reads as progress. The titles are kept
 * (`outline`): the step records them beside its resource, and `npm start` prints them.
 * Calls of the host helper (`helper`) make the body start with the helper's preamble.
 */
export class ScriptBuilder {
  private readonly lines: string[] = [];
  private readonly titles: string[] = [];

  /** @param title what the whole script does, echoed first */
  constructor(private readonly title: string) {}

  /** Echo a progress line (`==> text`) and record it in the outline. */
  public banner(text: string): this {
    this.titles.push(text);
    this.lines.push(bannerLine(text));
    return this;
  }

  /** Append raw shell lines (already quoted by the caller). */
  public add(...lines: string[]): this {
    for (const line of lines) {
      // Most lines are one line: splitting them would only copy them.
      if (line.includes('\n')) this.lines.push(...line.split('\n'));
      else this.lines.push(line);
    }
    return this;
  }

  /** A banner followed by the lines that carry out that action. */
  public action(text: string, ...lines: string[]): this {
    return this.banner(text).add(...lines);
  }

  /** A call of the host helper with literal arguments (quoted here). */
  public helper(action: string, ...args: string[]): this {
    return this.add(helperCall(action, ...args));
  }

  /** The action titles, in order: what the script does, for summaries. */
  public get outline(): string[] {
    return [...this.titles];
  }

  /** The body without header: what runs as root. */
  public body(): string[] {
    const usesHelper = this.lines.some((l) => l.includes(HELPER_REFERENCE));
    return [...(usesHelper ? HOST_HELPER_PREAMBLE : []), ...this.lines];
  }

  /** Render the complete script for the given elevation. */
  public render(elevation: Elevation): string {
    return renderScript(this.title, this.body(), elevation);
  }
}

/** The one banner form: `echo '==> TEXT'`. */
export function bannerLine(text: string): string {
  return `echo ${shellQuoteAlways(`==> ${text}`)}`;
}

/**
 * Render a complete script from body lines; see the module comment for the shape. The text is
 * returned as a one-byte string when all its characters fit one (see oneByte).
 */
export function renderScript(title: string, body: readonly string[], elevation: Elevation): string {
  return oneByte(renderScriptText(title, body, elevation));
}

/**
 * The same text, stored one byte per character when every character is below U+0100. V8 keeps
 * a string built from a "thin" string (a construct id, once a map key: constructs' Node.path
 * joins them) two bytes per character even when all of it is ASCII, and so is every string
 * built from it: a script that names its construct path took twice its length in memory, in
 * every copy cdktf makes of it and in the JSON written (measured at 3,000 steps: 20-50 MiB of
 * peak RSS, and the regex passes of cdktf's resolve over twice the bytes). Decoding latin1
 * always gives a one-byte string; the text is the same.
 */
function oneByte(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\xff]/.test(text) ? text : Buffer.from(text, 'latin1').toString('latin1');
}

/** The script text (see renderScript). */
function renderScriptText(title: string, body: readonly string[], elevation: Elevation): string {
  // export NAME=VALUE is POSIX (export, XCU 2.14): one line instead of two in every script.
  // Joined once, without copying the body into a new array first (thousands of steps).
  const inner = `set -eu\nexport PATH=${SCRIPT_PATH}\n${bannerLine(title)}${body.length > 0 ? '\n' + body.join('\n') : ''}`;
  if (elevation === Elevation.NONE) {
    return `#!/bin/sh\n${inner}\n`;
  }
  if (inner.includes(BODY_END)) {
    throw new Error(`script body for "${title}" contains the reserved word ${BODY_END}`);
  }
  const tool = elevation === Elevation.SUDO ? 'sudo' : 'doas';
  return [
    '#!/bin/sh',
    'set -eu',
    `export PATH=${SCRIPT_PATH}`,
    `# The body runs as root in one /bin/sh through ${tool}; the quoted here-document keeps it literal.`,
    `body=$(cat <<'${BODY_END}'`,
    inner,
    BODY_END,
    ')',
    `exec ${tool} -n /bin/sh -c "$body" cdktf-freebsd-jails`,
    '',
  ].join('\n');
}
