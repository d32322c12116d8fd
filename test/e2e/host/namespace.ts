/**
 * The fake host's private world: a mount + pid namespace whose first process builds an
 * overlay of the machine's own / (tmpfs upper layer, so nothing reaches the real disk),
 * mounts /dev, /proc, a fresh /tmp and /run in it, chroots there and waits; `release()`
 * then lets it exec the server (sshd). That process is pid 1 of the namespace: when it
 * dies the kernel kills everything else in it and the mounts vanish with the namespace.
 *
 * While it waits (and after), the host's files are reachable from outside at
 * /proc/PID/root/... (the kernel resolves that path inside the namespace).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BINARIES } from './preconditions';

const INNER_SCRIPT = `
set -eu
NS=$1 REPO=$2 SEED=$3
shift 3
mount -t tmpfs -o mode=700 fakehost "$NS"
mkdir "$NS/upper" "$NS/work" "$NS/root"
# A seed (another fake host's upper layer: files, whiteouts, opaque directories) is where this
# host's writes start. (As a second lower layer it would overlap / itself.)
if [ -n "$SEED" ]; then cp -a "$SEED/." "$NS/upper/"; fi
mount -t overlay -o "lowerdir=/,upperdir=$NS/upper,workdir=$NS/work" fakehost "$NS/root"
R=$NS/root
mount --rbind /dev "$R/dev"
mount -t proc proc "$R/proc"
mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
mount -t tmpfs -o mode=755 tmpfs "$R/run"
# The repository (the shims' code) read-only at its own path, even if it lives on another file system.
if [ -n "$REPO" ]; then mkdir -p "$R$REPO"; mount --bind "$REPO" "$R$REPO"; mount -o remount,bind,ro "$R$REPO"; fi
# /proc here is still the outer one, so this is our pid as the test process sees it.
read -r pid rest < /proc/self/stat
echo "READY $pid"
exec chroot "$R" /bin/sh -c 'cd / && read -r go && exec "$@" </dev/null' sh "$@"
`;

export interface Namespace {
  /** Pid (as seen from outside) of the namespace's first process: later the server. */
  readonly pid: number;
  /** The fake host's / as seen from outside. */
  readonly root: string;
  /** Identity of the mount namespace (e.g. "mnt:[4026532291]"), to check it is gone. */
  readonly mountNamespace: string;
  /** Let the first process exec the server command. */
  release(): void;
  /** Resolves with the exit code when the namespace's first process has exited. */
  readonly exited: Promise<number | null>;
  isRunning(): boolean;
  /**
   * Copies the host's writes so far (the overlay's upper layer: files, whiteouts, opaque dirs) to
   * `dest`, its own directories marked opaque (markOwnDirectoriesOpaque).
   */
  copyUpper(dest: string): Promise<void>;
  /** The last output of the server (sshd -e logs to stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the namespace is gone. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Whatever happens to the test process, no namespace outlives it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try { child.kill('SIGKILL'); } catch { /* already gone */ }
    }
  });
}

/**
 * `seedDir`: the upper layer of an earlier host (Namespace.copyUpper), copied in as this
 * host's own first writes: the new host starts as that one was.
 */
export async function startNamespace(nsDir: string, repoDir: string, server: string[], readyTimeoutMs = 15_000, seedDir = ''): Promise<Namespace> {
  installExitHook();
  // setpriv --pdeathsig: if the test process dies hard, unshare gets SIGKILL; --kill-child
  // passes that on to the namespace's pid 1, which takes the rest of the namespace with it.
  const child = spawn(BINARIES.setpriv, ['--pdeathsig', 'KILL', BINARIES.unshare, '--mount', '--propagation', 'private', '--pid', '--fork',
    '--kill-child', '/bin/sh', '-c', INNER_SCRIPT, 'fakehost', nsDir, repoDir, seedDir, ...server], { stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-16_384); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { live.delete(child); resolve(code); }));

  const pid = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`fake host namespace not ready after ${readyTimeoutMs} ms: ${stderr.trim()}`)); }, readyTimeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = stdout.match(/READY (\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`fake host namespace setup failed (exit ${code}): ${stderr.trim()}`)); });
  });

  const root = `/proc/${pid}/root`;
  // The chroot happens right after READY; wait until /proc/PID/root shows the overlay.
  for (let i = 0; i < 500 && fs.readlinkSync(root) === '/'; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const mountNamespace = fs.readlinkSync(`/proc/${pid}/ns/mnt`);
  const isRunning = () => child.exitCode === null && child.signalCode === null;

  return {
    pid, root, mountNamespace, exited, isRunning,
    release: () => { child.stdin!.end('go\n'); },
    copyUpper: async (dest) => {
      await new Promise<void>((resolve, reject) => {
        // Inside the namespace's mounts (where nsDir is its tmpfs), outside its chroot.
        const cp = spawn(BINARIES.nsenter, ['-t', String(pid), '-m', 'cp', '-a', `${nsDir}/upper/.`, dest], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        cp.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
        cp.on('error', reject);
        cp.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`copying the fake host's upper layer failed: ${err}`))));
      });
      markOwnDirectoriesOpaque(dest, '/');
    },
    output: () => stderr,
    stop: async () => {
      if (isRunning()) {
        try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
        const graceful = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref())]);
        if (!graceful) {
          try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
          child.kill('SIGKILL');
        }
      }
      await exited;
    },
  };
}

/**
 * Marks opaque (overlayfs' trusted.overlay.opaque) every directory of a copied upper layer that
 * the lower layer (`lowerDir`, this machine's /) has no directory for now: the host made it
 * (/var/db, /vm). Unmarked, a host started from the copy merges it with a directory of that
 * name that the machine has while the host looks it up (another test's /var/db for a moment),
 * and once the machine's goes, readdir of the merged directory lists nothing while lookups by
 * name still work (overlayfs: changes to a lower layer of a mounted overlay are undefined). The
 * source host saw only its own entries there at the snapshot; so do its copies, whatever the
 * machine does. Below a marked directory the lower is never looked at: no need to go on.
 */
export function markOwnDirectoriesOpaque(upperDir: string, lowerDir: string): void {
  const stack = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    for (const e of fs.readdirSync(path.join(upperDir, rel), { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const name = path.join(rel, e.name);
      let lower: fs.Stats | undefined;
      try { lower = fs.lstatSync(path.join(lowerDir, name)); } catch { /* none: the host's own */ }
      if (lower?.isDirectory()) { stack.push(name); continue; }
      const r = spawnSync(BINARIES.setfattr, ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(upperDir, name)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`marking ${name} of the copied upper layer opaque failed: ${(r.stderr || r.error?.message || '').trim()}`);
    }
  }
}

/** True while any process still lives in the given mount namespace (bounded scan of /proc). */
export function mountNamespaceInUse(mountNamespace: string): boolean {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/ns/mnt`) === mountNamespace) return true;
    } catch { /* the process exited meanwhile */ }
  }
  return false;
}
