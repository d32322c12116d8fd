/**
 * Checks of the fakebsd test mirror that the notebook needs and that the test bed, not the
 * library, must provide. A missing piece BLOCKS the scenarios with a printed reason instead of
 * being patched around in the test.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_DIR } from '../host';

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const fakebsd = require(path.join(REPO_DIR, 'test/e2e/fakebsd/index.js'));

/** Directories of a real base.txz that the notebook's jails mount on (mount.procfs of h4: /proc). */
const BASE_DIRS_NEEDED = ['dev/', 'proc/', 'tmp/', 'etc/'];

export function testMirrorDefect(): string | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mirror-check-'));
  try {
    fakebsd.buildMirror(dir, { releases: ['14.3'] });
    const base = path.join(dir, 'releases/amd64/amd64/14.3-RELEASE/base.txz');
    const listing = spawnSync('tar', ['-tJf', base], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.replace(/^\.\//, ''));
    const missing = BASE_DIRS_NEEDED.filter((d) => !listing.includes(d));
    return missing.length > 0
      ? `shim defect: the fakebsd test mirror's base.txz lacks ${missing.map((d) => `/${d}`).join(', ')} (a real base.txz has it; mount.procfs of the notebook's h4 needs /proc)`
      : undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
