/** Typed mounts of a jail: nullfs entries for its fstab and single `mount` lines. */
import { FstabEntry } from '../render/fstab';
import { shellQuote } from '../shell';
import * as v from '../validate';

/** A host directory shown inside a jail through nullfs (the notebook's /usr/ports). */
export interface JailNullfsMount {
  /** The directory on the host, like `/usr/ports`. */
  readonly hostPath: string;
  /** Where it appears inside the jail, like `/usr/ports` (created when missing). */
  readonly jailPath: string;
  /**
   * Mount read-only (`ro`); false mounts read-write (`rw`).
   * @default true
   */
  readonly readOnly?: boolean;
}

/** Any file system mounted into a jail with a single jail.conf `mount` line. */
export interface JailMount {
  /** The special device or source, like `tmpfs` or a host directory. */
  readonly device: string;
  /** Where it appears inside the jail (created when missing). */
  readonly jailPath: string;
  /** File system type, like `tmpfs` or `nullfs`. */
  readonly type: string;
  /**
   * Mount options.
   * @default "rw"
   */
  readonly options?: string;
}

/** Checked mounts with host-side mount points, ready for fstab or `mount` lines. */
export interface ResolvedMounts {
  readonly fstab: FstabEntry[];
  readonly mountLines: FstabEntry[];
  /** Jail-side paths to create, in order. */
  readonly jailPaths: string[];
}

/** Check paths (absolute, not `/`, no two overlapping) and resolve mount points under `root`. */
export function resolveMounts(root: string, nullfs: readonly JailNullfsMount[], mounts: readonly JailMount[]): ResolvedMounts {
  const jailPaths: string[] = [];
  const claim = (jailPath: string): string => {
    if (jailPath === '/') throw new v.ValidationError(`mount point "/" would hide the whole jail`);
    v.absolutePath(jailPath);
    const clash = jailPaths.find((p) => p === jailPath || jailPath.startsWith(`${p}/`) || p.startsWith(`${jailPath}/`));
    if (clash) throw new v.ValidationError(`mount point ${JSON.stringify(jailPath)} overlaps ${JSON.stringify(clash)}`);
    jailPaths.push(jailPath);
    return `${root}${jailPath}`;
  };
  const fstab = nullfs.map((m) => ({
    device: v.absolutePath(m.hostPath),
    mountPoint: claim(m.jailPath),
    type: 'nullfs',
    options: m.readOnly === false ? 'rw' : 'ro',
  }));
  const mountLines = mounts.map((m) => {
    const type = m.type;
    if (!/^[a-z0-9]+$/.test(type)) throw new v.ValidationError(`file system type ${JSON.stringify(type)} must be lower-case letters and digits`);
    const options = m.options ?? 'rw';
    if (!/^[A-Za-z0-9_=.,:/-]+$/.test(options)) throw new v.ValidationError(`mount options ${JSON.stringify(options)} must be plain words separated by commas`);
    if (!/^[A-Za-z0-9._+@%:,/-]+$/.test(m.device)) throw new v.ValidationError(`mount device ${JSON.stringify(m.device)} must be a plain word`);
    return { device: m.device, mountPoint: claim(m.jailPath), type, options };
  });
  return { fstab, mountLines, jailPaths };
}

/**
 * Create the jail-side mount points, one component at a time, refusing symbolic links: the
 * jail's own files must not send a mkdir (or a later mount) outside its root.
 */
export function mountPointLines(root: string, jailPaths: readonly string[]): string[] {
  const dirs: string[] = [];
  for (const p of jailPaths) {
    const parts = p.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const d = `${root}/${parts.slice(0, i).join('/')}`;
      if (!dirs.includes(d)) dirs.push(d);
    }
  }
  return dirs.flatMap((d) => {
    const q = shellQuote(d);
    return [
      `if [ -L ${q} ]; then echo ${shellQuote(`error: ${d} is a symbolic link; refusing to mount over it`)} >&2; exit 1; fi`,
      `[ -d ${q} ] || mkdir ${q}`,
    ];
  });
}
