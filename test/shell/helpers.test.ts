import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';
import { installUploadedFile, managedBlock, replaceFileIfChanged, shellQuote, writeFileIfChanged } from '../../lib/shell';
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

describe('installUploadedFile', () => {
  const digest = (text: string) => createHash('sha256').update(text).digest('hex');
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = tempDir();
    // FreeBSD's sha256(1) (sbin/md5): -q prints the digest alone.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'sha256'), '#!/bin/sh\n[ "$1" = -q ] || exit 64\nsha256sum "$2" | cut -d " " -f 1\n', { mode: 0o755 });
    env = { PATH: `${bin}:${process.env.PATH}` };
  });
  const run = (upload: string, target: string, sha: string) =>
    spawnSync('/bin/sh', ['-c', `set -eu\n${installUploadedFile(shellQuote(upload), target, sha, '0755').join('\n')}`], { encoding: 'utf8', env: { ...process.env, ...env } });

  test('installs the upload with the mode, removes the upload, then leaves an identical file alone', () => {
    const upload = path.join(dir, 'upload');
    const target = path.join(dir, 'lib', 'helper-1');
    fs.mkdirSync(path.dirname(target));
    fs.writeFileSync(upload, TRICKY);
    expect(run(upload, target, digest(TRICKY)).status).toBe(0);
    expect(fs.readFileSync(target, 'utf8')).toBe(TRICKY);
    expect(fs.statSync(target).mode & 0o777).toBe(0o755);
    expect(fs.existsSync(upload)).toBe(false);
    const inode = fs.statSync(target).ino;
    fs.writeFileSync(upload, TRICKY);
    expect(run(upload, target, digest(TRICKY)).status).toBe(0);
    expect(fs.statSync(target).ino).toBe(inode); // not rewritten
    expect(fs.readdirSync(path.dirname(target))).toEqual(['helper-1']); // no temporary files left
  });

  test('an upload that is not the expected file fails the script and leaves the installed file as it was', () => {
    const upload = path.join(dir, 'upload');
    const target = path.join(dir, 'helper-1');
    fs.writeFileSync(target, 'old\n', { mode: 0o755 });
    fs.writeFileSync(upload, 'changed by somebody else\n');
    const r = run(upload, target, digest('the helper\n'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: the file uploaded for ${target} is not the one this step carries (SHA-256 ${digest('the helper\n')})`);
    expect(fs.readFileSync(target, 'utf8')).toBe('old\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['bin', 'helper-1']); // upload and temporary file gone
  });

  test('no upload: the script fails before anything changes', () => {
    const target = path.join(dir, 'helper-1');
    fs.writeFileSync(target, 'old\n');
    const r = run(path.join(dir, 'missing'), target, digest('x'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error: nothing was uploaded for ${target}`);
    expect(fs.readFileSync(target, 'utf8')).toBe('old\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['bin', 'helper-1']);
  });

  test('refuses a digest that is not SHA-256 hex', () => {
    expect(() => installUploadedFile("'/tmp/u'", '/p', 'abc')).toThrow('"abc" is not a SHA-256 digest in hex');
  });
});

describe('managedBlock', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = tempDir();
    env = { PATH: `${fakeLockfBin(dir)}:${process.env.PATH}` };
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
