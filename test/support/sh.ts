/** Helpers for tests that run generated shell for real on this machine (dash as /bin/sh). */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A temporary directory removed by the caller's afterEach/afterAll. */
export function tempDir(prefix = 'cdktf-jails-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A directory with a `lockf` stand-in for Linux (FreeBSD's lockf(1) runs a command under a
 * lock file; util-linux flock(1) does the same), to put first in PATH.
 */
export function fakeLockfBin(dir: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(
    path.join(bin, 'lockf'),
    `#!/bin/sh
# lockf [-k] [-s] [-t seconds] file command...  ->  flock
while getopts kst: opt; do :; done
shift $((OPTIND - 1))
file=$1; shift
exec flock "$file" "$@"
`,
    { mode: 0o755 },
  );
  return bin;
}

/** Run a sh snippet; returns stdout, throws with stderr on failure. */
export function sh(script: string, env: NodeJS.ProcessEnv = {}, args: string[] = []): string {
  return execFileSync('/bin/sh', ['-c', script, 'sh', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Run a sh snippet and return status, stdout and stderr without throwing. */
export function shResult(script: string, env: NodeJS.ProcessEnv = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Whether a command exists on this machine. */
export function haveCommand(name: string): boolean {
  return spawnSync('/bin/sh', ['-c', `command -v ${name}`]).status === 0;
}
