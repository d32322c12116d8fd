/**
 * Can this machine run the fake host? Returns a clear reason when it cannot, so the e2e
 * tests skip with a message instead of failing obscurely.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Debian paths; CI installs: openssh-server openssh-client tcsh sudo util-linux attr iproute2. */
export const BINARIES = {
  sshd: '/usr/sbin/sshd',
  ssh: '/usr/bin/ssh',
  scp: '/usr/bin/scp',
  sshKeygen: '/usr/bin/ssh-keygen',
  tcsh: '/usr/bin/tcsh',
  sudo: '/usr/bin/sudo',
  unshare: '/usr/bin/unshare',
  nsenter: '/usr/bin/nsenter',
  setpriv: '/usr/bin/setpriv',
  /** Marks a copied overlay layer's own directories opaque (FakeHost.snapshot). */
  setfattr: '/usr/bin/setfattr',
  /** The jails' network namespace: their addresses on its loopback (fakebsd/lib/jailnet.js). */
  ip: '/usr/sbin/ip',
  node: '/usr/bin/node',
} as const;

const APT_PACKAGE: Record<keyof typeof BINARIES, string> = {
  sshd: 'openssh-server', ssh: 'openssh-client', scp: 'openssh-client', sshKeygen: 'openssh-client',
  tcsh: 'tcsh', sudo: 'sudo', unshare: 'util-linux', nsenter: 'util-linux', setpriv: 'util-linux', setfattr: 'attr', ip: 'iproute2',
  node: 'nodejs (the shims run /usr/bin/node)',
};

let cached: string | null | undefined;

/** Undefined when the rig can run; otherwise why not (cached: the overlay probe forks). */
export function fakeHostSkipReason(): string | undefined {
  if (cached === undefined) cached = check() ?? null;
  return cached ?? undefined;
}

function check(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform}): the fake host needs Linux mount namespaces`;
  if (process.getuid?.() !== 0) return 'not root: the fake host needs root for unshare, overlay mounts and sshd';
  const missing = Object.entries(BINARIES).filter(([, p]) => !fs.existsSync(p));
  if (missing.length > 0) {
    return `missing ${missing.map(([k, p]) => `${p} (apt: ${APT_PACKAGE[k as keyof typeof BINARIES]})`).join(', ')}`;
  }
  return probeOverlay();
}

/** Mounts an overlay of / with a tmpfs upper layer in a throwaway namespace, exactly as the rig does. */
function probeOverlay(): string | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fakehost-probe-'));
  try {
    const script = 'set -e; mount -t tmpfs probe "$1"; mkdir "$1/u" "$1/w" "$1/m"; '
      + 'mount -t overlay -o "lowerdir=/,upperdir=$1/u,workdir=$1/w" probe "$1/m"; test -x "$1/m/usr/sbin/sshd"';
    const r = spawnSync(BINARIES.unshare, ['--mount', '--propagation', 'private', '--pid', '--fork', '/bin/sh', '-c', script, 'probe', dir],
      { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) return `overlay mount of / refused in a private mount namespace: ${(r.stderr || r.error?.message || '').trim()}`;
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
