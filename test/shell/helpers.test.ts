import * as fs from 'fs';
import * as path from 'path';
import { managedBlock, replaceFileIfChanged, writeFileIfChanged } from '../../lib/shell';
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
