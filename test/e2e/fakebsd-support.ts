/** Running fakebsd shims against a temporary root in tests (FAKEBSD_ROOT), shared by the shim tests. */
import * as fs from 'fs';
import * as path from 'path';

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
