import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';
import { HOST_HELPER_INSTALL_PROGRAM, HOST_HELPER_PROGRAM, HOST_HELPER_REVISION, underLock } from '../../lib/shell';
import { replaceFileIfChanged, writeFileIfChanged } from '../support/helper';
import { fakeLockfBin, sh, tempDir } from '../support/sh';

const TRICKY = `line with 'single' and "double" quotes
$HOME \${PATH} \`id\` back\\slash %s %{x}
# BEGIN lookalike
ümlaut ✓`;

describe('writeFileIfChanged', () => {
  test('writes exact bytes, then leaves an identical file alone', () => {
    const dir = tempDir();
    const file = path.join(dir, 'rc.conf');
    const script = writeFileIfChanged(file, TRICKY + '\n').join('\n');
    sh(script);
    expect(fs.readFileSync(file, 'utf8')).toBe(TRICKY + '\n');
    const inode = fs.statSync(file).ino;
    sh(script);
    expect(fs.statSync(file).ino).toBe(inode); // not rewritten
    expect(fs.readdirSync(dir)).toEqual(['rc.conf']); // no temporary files left
  });

  test('replaces a different file atomically and keeps its mode', () => {
    const dir = tempDir();
    const file = path.join(dir, 'secret.conf');
    fs.writeFileSync(file, 'old\n', { mode: 0o600 });
    sh(writeFileIfChanged(file, 'new\n').join('\n'));
    expect(fs.readFileSync(file, 'utf8')).toBe('new\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  test('replaceFileIfChanged takes any producer', () => {
    const dir = tempDir();
    const file = path.join(dir, 'crontab');
    fs.writeFileSync(file, '1,31\t0-5\t*\t*\t*\troot\tadjkerntz -a\n#kept\n');
    sh(replaceFileIfChanged(file, `sed -e '/^[^#].*adjkerntz/s/^/#/' '${file}'`).join('\n'));
    expect(fs.readFileSync(file, 'utf8')).toBe('#1,31\t0-5\t*\t*\t*\troot\tadjkerntz -a\n#kept\n');
  });
});

describe('HOST_HELPER_INSTALL_PROGRAM: the helper step installs its upload unless a newer revision is installed', () => {
  const digest = (text: string) => createHash('sha256').update(text).digest('hex');
  /** A helper of revision `rev` (none: no stamp, as before revisions) whose _use records its caller. */
  const helper = (rev: number | undefined, body = '') =>
    `#!/bin/sh\n${rev === undefined ? '' : `HELPER_REVISION=${rev}\n`}${body}[ "$1" = _use ] && echo "revision ${rev ?? 0} used by $2" >> "\${0%/*}/uses"\n`;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let upload: string;
  let target: string;
  beforeEach(() => {
    dir = tempDir();
    // FreeBSD's sha256(1) (sbin/md5): -q prints the digest alone.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'sha256'), '#!/bin/sh\n[ "$1" = -q ] || exit 64\nsha256sum "$2" | cut -d " " -f 1\n', { mode: 0o755 });
    env = { PATH: `${bin}:${process.env.PATH}` };
    upload = path.join(dir, 'upload');
    target = path.join(dir, 'lib', 'helper-1');
  });
  const run = (text: string, rev: number, sha = digest(text)) =>
    spawnSync('/bin/sh', ['-c', HOST_HELPER_INSTALL_PROGRAM, 'sh', upload, target, sha, String(rev), 'lab'], { encoding: 'utf8', env: { ...process.env, ...env } });
  const uses = () => fs.readFileSync(path.join(dir, 'lib', 'uses'), 'utf8');

  test('installs the upload with mode 0755 (its directory made), removes the upload, records the scope; an identical helper is left alone', () => {
    const text = helper(2, TRICKY.replace(/^/gm, '# ') + '\n');
    fs.writeFileSync(upload, text);
    let r = run(text, 2);
    expect([r.status, r.stdout]).toEqual([0, '==> installed helper revision 2 (was none)\n']);
    expect(fs.readFileSync(target, 'utf8')).toBe(text);
    expect(fs.statSync(target).mode & 0o777).toBe(0o755);
    expect(fs.existsSync(upload)).toBe(false);
    expect(uses()).toBe('revision 2 used by lab\n');
    const inode = fs.statSync(target).ino;
    fs.writeFileSync(upload, text);
    r = run(text, 2);
    expect([r.status, r.stdout]).toEqual([0, '==> helper revision 2 is installed\n']);
    expect(fs.statSync(target).ino).toBe(inode); // not rewritten
    expect(fs.readdirSync(path.dirname(target)).sort()).toEqual(['helper-1', 'uses']); // no temporary files left
  });

  test('an installed newer revision is kept: the older upload is dropped, and the scope is recorded with the newer helper', () => {
    fs.mkdirSync(path.dirname(target));
    fs.writeFileSync(target, helper(3), { mode: 0o755 });
    const older = helper(2, 'echo older\n');
    fs.writeFileSync(upload, older);
    const r = run(older, 2);
    expect([r.status, r.stdout]).toEqual([0, '==> keeping the installed helper: its revision 3 is newer than this app\'s 2 and keeps every action of it\n']);
    expect(fs.readFileSync(target, 'utf8')).toBe(helper(3));
    expect(uses()).toBe('revision 3 used by lab\n');
    expect(fs.readdirSync(path.dirname(target)).sort()).toEqual(['helper-1', 'uses']);
    expect(fs.existsSync(upload)).toBe(false);
  });

  test('an older revision, or a helper from before revisions (no stamp: 0), is replaced', () => {
    for (const installed of [1, undefined]) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, helper(installed), { mode: 0o755 });
      const text = helper(2);
      fs.writeFileSync(upload, text);
      const r = run(text, 2);
      expect([installed, r.status, r.stdout]).toEqual([installed, 0, `==> installed helper revision 2 (was ${installed ?? 'none'})\n`]);
      expect(fs.readFileSync(target, 'utf8')).toBe(text);
      fs.rmSync(path.dirname(target), { recursive: true });
    }
  });

  test('an upload that is not the expected file fails the script and leaves the installed helper as it was', () => {
    fs.mkdirSync(path.dirname(target));
    fs.writeFileSync(target, helper(1), { mode: 0o755 });
    fs.writeFileSync(upload, 'changed by somebody else\n');
    const r = run('changed by somebody else\n', 2, digest('the helper\n'));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`error: the file uploaded for ${target} is not the one this step carries (SHA-256 ${digest('the helper\n')})\n`);
    expect(fs.readFileSync(target, 'utf8')).toBe(helper(1));
    expect(fs.readdirSync(path.dirname(target))).toEqual(['helper-1']); // temporary file gone, no use recorded
    expect(fs.existsSync(upload)).toBe(false);
  });

  test('no upload: the script fails before anything changes', () => {
    const r = run('x', 2);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`error: nothing was uploaded for ${target}\n`);
    expect(fs.existsSync(path.dirname(target))).toBe(false);
  });

  test('the installed program carries its revision as the stamp the install reads', () => {
    expect(HOST_HELPER_PROGRAM.split('\n').filter((l) => l.startsWith('HELPER_REVISION='))).toEqual([`HELPER_REVISION=${HOST_HELPER_REVISION}`]);
  });
});

/** The helper ($HELPER) runs its `_block` entry under the file's lock, as its `block` action does. */
const managedBlock = (file: string, id: string, content: string) => underLock(file, 'exec "$HELPER" _block "$@"', [file, id, content]);

describe('the helper\'s managed blocks (_block)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = tempDir();
    const helper = path.join(dir, 'helper-1');
    fs.writeFileSync(helper, HOST_HELPER_PROGRAM, { mode: 0o755 });
    env = { PATH: `${fakeLockfBin(dir)}:${process.env.PATH}`, HELPER: helper };
  });
  const run = (file: string, id: string, content: string) => sh(managedBlock(file, id, content).join('\n'), env);

  test('adds a block after the administrator\'s lines, replaces it in place, removes it', () => {
    const hosts = path.join(dir, 'hosts');
    const admin = '127.0.0.1 localhost\n::1 localhost\n';
    fs.writeFileSync(hosts, admin);
    run(hosts, 'h1', '127.1.1.1 h1');
    run(hosts, 'h2', '127.1.1.2 h2');
    expect(fs.readFileSync(hosts, 'utf8')).toBe(
      admin +
        '# BEGIN cdktf-freebsd-jails h1\n127.1.1.1 h1\n# END cdktf-freebsd-jails h1\n' +
        '# BEGIN cdktf-freebsd-jails h2\n127.1.1.2 h2\n# END cdktf-freebsd-jails h2\n',
    );
    run(hosts, 'h1', '127.1.1.11 h1');
    expect(fs.readFileSync(hosts, 'utf8')).toContain('# BEGIN cdktf-freebsd-jails h1\n127.1.1.11 h1\n# END cdktf-freebsd-jails h1\n# BEGIN cdktf-freebsd-jails h2');
    run(hosts, 'h1', '');
    run(hosts, 'h2', '');
    expect(fs.readFileSync(hosts, 'utf8')).toBe(admin);
  });

  test('is idempotent: a second run does not rewrite the file', () => {
    const file = path.join(dir, 'jail.conf');
    run(file, 'include', TRICKY);
    const before = fs.readFileSync(file, 'utf8');
    expect(before).toContain(TRICKY);
    const inode = fs.statSync(file).ino;
    run(file, 'include', TRICKY);
    expect(fs.statSync(file).ino).toBe(inode);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  test('removing a block from a missing file creates nothing', () => {
    run(path.join(dir, 'absent'), 'x', '');
    expect(fs.existsSync(path.join(dir, 'absent'))).toBe(false);
  });

  test('ten concurrent writers lose no block', () => {
    const file = path.join(dir, 'hosts');
    fs.writeFileSync(file, '');
    const script = Array.from({ length: 10 }, (_, i) => `(${managedBlock(file, `j${i}`, `127.1.1.${i} j${i}`).join('\n')}) &`).join('\n');
    sh(`${script}\nwait`, env);
    const text = fs.readFileSync(file, 'utf8');
    for (let i = 0; i < 10; i++) expect(text).toContain(`127.1.1.${i} j${i}\n`);
  });
});
