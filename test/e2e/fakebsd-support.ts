/** Running fakebsd shims against a temporary root in tests (FAKEBSD_ROOT), shared by the shim tests. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOST_HELPER_PROGRAM, SCRIPT_PATH } from '../../lib/shell';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const F = require('./fakebsd');

/** Helpers bound to the current root (tests make a fresh one in beforeEach). */
export function shimsAt(root: () => string) {
  const sh = (name: string, args: string[], opts: any = {}) => F.run(root(), name, args, opts);
  const ok = (name: string, ...args: string[]): string => {
    const r = sh(name, args);
    if (r.status !== 0) throw new Error(`${name} ${args.join(' ')} -> ${r.status}\n${r.stderr}`);
    return r.stdout as string;
  };
  const host = (p: string) => path.join(root(), p);
  const write = (p: string, text: string) => {
    fs.mkdirSync(path.dirname(host(p)), { recursive: true });
    fs.writeFileSync(host(p), text);
  };
  return { sh, ok, host, write };
}

/**
 * The host helper as installed, in a directory of its own with the fake's commands first on its
 * PATH (`edit` changes its text further), run against the current root: `run` answers, `ok`
 * throws unless it exits 0. `remove()` when done.
 */
export function helperOnFakeHost(root: () => string, prefix: string, edit: (text: string, dir: string) => string = (t) => t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  F.installShims(dir, { nodePath: process.execPath });
  const bin = ['/sbin', '/usr/sbin', '/usr/bin', '/bin'].map((d) => path.join(dir, d)).join(':');
  const helper = path.join(dir, 'helper-1');
  fs.writeFileSync(helper, edit(HOST_HELPER_PROGRAM.replace(`PATH=${SCRIPT_PATH}\n`, `PATH=${bin}:${SCRIPT_PATH}\n`), dir), { mode: 0o755 });
  const run = (...args: string[]) => {
    const r = spawnSync(helper, args, { encoding: 'utf8', env: { ...process.env, FAKEBSD_ROOT: root() } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (...args: string[]): string => {
    const r = run(...args);
    if (r.status !== 0) throw new Error(`helper ${args.join(' ')} -> ${r.status}\n${r.stderr}`);
    return r.stdout;
  };
  return { dir, helper, run, ok, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
