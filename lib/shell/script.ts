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

/** Terminator of the elevated body; a body that contains it is refused. */
const BODY_END = 'CDKTF_FREEBSD_JAILS_BODY_END';

/**
 * A script under construction: a list of actions, each announced by a banner line so that
 * Terraform's log reads as progress.
 */
export class ScriptBuilder {
  private readonly lines: string[] = [];

  /** @param title what the whole script does, echoed first */
  constructor(private readonly title: string) {}

  /** Echo a progress line (`==> text`). */
  public banner(text: string): this {
    this.lines.push(`echo ${shellQuoteAlways(`==> ${text}`)}`);
    return this;
  }

  /** Append raw shell lines (already quoted by the caller). */
  public add(...lines: string[]): this {
    for (const line of lines) {
      this.lines.push(...line.split('\n'));
    }
    return this;
  }

  /** A banner followed by the lines that carry out that action. */
  public action(text: string, ...lines: string[]): this {
    return this.banner(text).add(...lines);
  }

  /** The body without header: what runs as root. */
  public body(): string[] {
    return [...this.lines];
  }

  /** Render the complete script for the given elevation. */
  public render(elevation: Elevation): string {
    return renderScript(this.title, this.lines, elevation);
  }
}

/** Render a complete script from body lines; see the module comment for the shape. */
export function renderScript(title: string, body: readonly string[], elevation: Elevation): string {
  const titleLine = `# cdktf-freebsd-jails: ${title.replace(/\n/g, ' ')}`;
  const inner = ['set -eu', `PATH=${SCRIPT_PATH}`, 'export PATH', `echo ${shellQuoteAlways(`==> ${title}`)}`, ...body];
  if (elevation === Elevation.NONE) {
    return ['#!/bin/sh', titleLine, ...inner, ''].join('\n');
  }
  if (inner.some((l) => l.includes(BODY_END))) {
    throw new Error(`script body for "${title}" contains the reserved word ${BODY_END}`);
  }
  const tool = elevation === Elevation.SUDO ? 'sudo' : 'doas';
  return [
    '#!/bin/sh',
    titleLine,
    'set -eu',
    `PATH=${SCRIPT_PATH}`,
    'export PATH',
    `# The body runs as root in one /bin/sh through ${tool}; the quoted here-document keeps it literal.`,
    `body=$(cat <<'${BODY_END}'`,
    ...inner,
    BODY_END,
    ')',
    `exec ${tool} -n /bin/sh -c "$body" cdktf-freebsd-jails`,
    '',
  ].join('\n');
}
