/**
 * A digest of the fake host's state, so scenarios can assert "before == after": paths,
 * types, modes, owners and contents (not times) under the watched trees.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

// Not /root or /home: the overlay's lower layer is this machine's / with its toolchains there.
export const DEFAULT_DIGEST_PATHS = ['/etc', '/vm', '/usr/local/etc', '/var/db/fakebsd', '/boot/loader.conf'];

/** Logs and locks change on every command without changing what the host is. */
export const DEFAULT_DIGEST_IGNORE: (string | RegExp)[] = [
  /^\/var\/db\/fakebsd\/.*\.log$/,
  /^\/var\/db\/fakebsd\/.*\.lock$/,
  /^\/var\/db\/fakebsd\/faults\.json$/,
  '/etc/ld.so.cache',
];

export interface DigestOptions {
  /** Host paths to walk (default DEFAULT_DIGEST_PATHS); missing ones count as "absent". */
  readonly paths?: string[];
  /** Host paths to leave out: exact strings (a directory drops its subtree) or patterns. */
  readonly ignore?: (string | RegExp)[];
  /** Added to the defaults instead of replacing them. */
  readonly alsoIgnore?: (string | RegExp)[];
  /** Give up past this many entries (every loop bounded). */
  readonly maxEntries?: number;
}

export interface HostDigest {
  readonly digest: string;
  /** Host path -> a description of that entry (type, mode, owner, content hash). */
  readonly entries: Map<string, string>;
}

function ignored(p: string, rules: (string | RegExp)[]): boolean {
  return rules.some((r) => (typeof r === 'string' ? p === r || p.startsWith(r.endsWith('/') ? r : `${r}/`) : r.test(p)));
}

function describe(real: string, st: fs.Stats): string {
  const meta = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
  if (st.isSymbolicLink()) return `link ${meta} -> ${fs.readlinkSync(real)}`;
  if (st.isDirectory()) return `dir ${meta}`;
  if (st.isFile()) return `file ${meta} ${crypto.createHash('sha256').update(fs.readFileSync(real)).digest('hex')}`;
  return `special ${meta} ${st.rdev}`;
}

/** `root` is the fake host's / as seen from outside (FakeHost.root). Never follows symlinks. */
export function stateDigest(root: string, opts: DigestOptions = {}): HostDigest {
  const rules = [...(opts.ignore ?? DEFAULT_DIGEST_IGNORE), ...(opts.alsoIgnore ?? [])];
  const max = opts.maxEntries ?? 200_000;
  const entries = new Map<string, string>();
  const stack = [...(opts.paths ?? DEFAULT_DIGEST_PATHS)];
  while (stack.length > 0) {
    const hostPath = stack.pop()!;
    if (ignored(hostPath, rules)) continue;
    if (entries.size >= max) throw new Error(`state digest: more than ${max} entries; narrow the paths`);
    const real = path.join(root, hostPath);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(real);
    } catch {
      entries.set(hostPath, 'absent');
      continue;
    }
    entries.set(hostPath, describe(real, st));
    if (st.isDirectory()) for (const name of fs.readdirSync(real)) stack.push(path.posix.join(hostPath, name));
  }
  const hash = crypto.createHash('sha256');
  for (const key of [...entries.keys()].sort()) hash.update(`${key}\0${entries.get(key)}\n`);
  return { digest: hash.digest('hex'), entries };
}

/** Human-readable differences between two digests ("+ /etc/x", "- /vm/y", "~ /etc/rc.conf"). */
export function diffDigests(before: HostDigest, after: HostDigest): string[] {
  const out: string[] = [];
  for (const [p, d] of after.entries) {
    const was = before.entries.get(p);
    if (was === undefined || was === 'absent') { if (d !== 'absent') out.push(`+ ${p}`); } else if (d === 'absent') out.push(`- ${p}`);
    else if (was !== d) out.push(`~ ${p}`);
  }
  for (const [p, d] of before.entries) if (!after.entries.has(p) && d !== 'absent') out.push(`- ${p}`);
  return out.sort();
}
