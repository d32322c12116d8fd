/**
 * Bridge to the fake FreeBSD commands (test/e2e/fakebsd, built separately). Contract:
 * fakebsd/index.js exports COMMANDS (name -> FreeBSD absolute path) and an install
 * function that writes `exec /usr/bin/node .../fakebsd.js NAME "$@"` wrappers into a root.
 * Until index.js exists the rig runs without shims and says so.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DROP_HOOK_LINE, installDropHook } from './drop';

export interface ShimInstall {
  readonly installed: boolean;
  /** Name -> FreeBSD path(s) of each command (fakebsd's COMMANDS). */
  readonly commands: Record<string, string | string[]>;
  /** Host paths written. */
  readonly paths?: string[];
  /** Why nothing was installed. */
  readonly reason?: string;
  /** The fakebsd module itself (mirror builder, seeding helpers), when present. */
  readonly module?: Record<string, unknown>;
}

export function fakebsdIndex(repoDir: string): string {
  return path.join(repoDir, 'test/e2e/fakebsd/index.js');
}

export function loadFakebsd(repoDir: string): Record<string, unknown> | undefined {
  const index = fakebsdIndex(repoDir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return fs.existsSync(index) ? require(index) : undefined;
}

/** Installs the wrappers into `root` (the fake host's / seen from outside). */
export async function installShims(root: string, repoDir: string): Promise<ShimInstall> {
  const mod = loadFakebsd(repoDir);
  if (!mod) return { installed: false, commands: {}, reason: `${fakebsdIndex(repoDir)} does not exist yet` };
  const install = ['install', 'installShims', 'installCommands'].map((n) => mod[n]).find((f) => typeof f === 'function') as
    ((root: string) => unknown) | undefined;
  if (!install) return { installed: false, commands: {}, reason: 'fakebsd/index.js exports no install function', module: mod };
  const written = await install(root);
  if (Array.isArray(written)) addDropHook(root, written as string[]);
  return { installed: true, commands: (mod.COMMANDS ?? {}) as Record<string, string | string[]>, paths: Array.isArray(written) ? written : undefined, module: mod };
}

/** Puts the connection-drop hook (drop.ts) after the #! line of every wrapper written. */
function addDropHook(root: string, written: string[]): void {
  installDropHook((p, content, mode) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content, { mode });
  });
  for (const p of written) {
    const file = path.join(root, p);
    const text = fs.readFileSync(file, 'utf8');
    if (!text.startsWith('#!/bin/sh\n')) throw new Error(`${p}: a shim wrapper that is not a #!/bin/sh script; the drop hook cannot go in`);
    fs.writeFileSync(file, text.replace('#!/bin/sh\n', `#!/bin/sh\n${DROP_HOOK_LINE}\n`));
  }
}
