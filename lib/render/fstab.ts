/**
 * fstab(5) lines: six whitespace-separated fields. Fields here never contain whitespace or
 * `#` (fstab's \040 escapes are not worth the surprise), which validation refuses.
 */
import { singleLine, ValidationError } from '../validate';

/** One fstab(5) entry. */
export interface FstabEntry {
  /** The special device or, for nullfs, the host directory. */
  readonly device: string;
  /** Where it is mounted (a host path, also for jails). */
  readonly mountPoint: string;
  /** File system type, like `nullfs`. */
  readonly type: string;
  /** Mount options, like `ro` or `rw,noatime`. */
  readonly options: string;
  /** dump(8) frequency. @default 0 */
  readonly dump?: number;
  /** fsck(8) pass. @default 0 */
  readonly pass?: number;
}

function field(value: string, what: string): string {
  singleLine(value);
  if (value === '' || /[\s#]/.test(value)) {
    throw new ValidationError(`fstab ${what} ${JSON.stringify(value)} must be non-empty, without spaces or #`);
  }
  return value;
}

/** One fstab line without newline. */
export function renderFstabLine(e: FstabEntry): string {
  return [
    field(e.device, 'device'),
    field(e.mountPoint, 'mount point'),
    field(e.type, 'type'),
    field(e.options, 'options'),
    String(e.dump ?? 0),
    String(e.pass ?? 0),
  ].join(' ');
}

/** A whole fstab file (a comment header, then one line per entry). */
export function renderFstab(entries: readonly FstabEntry[], header?: string): string {
  const lines = header ? header.split('\n').map((l) => `# ${singleLine(l)}`) : [];
  lines.push(...entries.map(renderFstabLine));
  return lines.join('\n') + '\n';
}

