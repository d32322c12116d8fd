/**
 * Maps a fake host path to a path this process can open, following symlinks the way the
 * fake host would. Needed because /proc/PID/root/var/run -> "/run" would otherwise be
 * resolved against the REAL machine's / (absolute link targets are read from our root).
 */
import * as fs from 'fs';
import * as path from 'path';

const MAX_LINKS = 40; // like the kernel's ELOOP limit

/** `root` is the fake host's / seen from outside; the last component is not followed when `followLast` is false. */
export function resolveHostPath(root: string, hostPath: string, followLast = true): string {
  const pending = path.posix.normalize(`/${hostPath}`).split('/').filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '.') continue;
    if (name === '..') { done.pop(); continue; }
    const candidate = path.join(root, ...done, name);
    let target: string | undefined;
    if (followLast || pending.length > 0) {
      try {
        if (fs.lstatSync(candidate).isSymbolicLink()) target = fs.readlinkSync(candidate);
      } catch { /* missing: the rest is taken literally */ }
    }
    if (target === undefined) { done.push(name); continue; }
    if (++links > MAX_LINKS) throw new Error(`too many symbolic links resolving ${hostPath} on the fake host`);
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return path.join(root, ...done);
}
