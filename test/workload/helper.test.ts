/**
 * The helper's workload actions (lib/shell/helper/workload.sh) run for real by /bin/sh, as root,
 * against a jail root in a temporary directory, with the helper's state directory moved there and
 * lockf standing in as flock: what jail-file-write leaves (content, mode, numeric owner from the
 * jail's own passwd and group), that it rewrites only on a change, refuses a foreign file unless
 * taking it over, puts that file back on removal, removes the directories it made, refuses another
 * owner's claim and never follows a symbolic link out of the jail.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HOST_HELPER_PROGRAM, JAIL_FILES_DIR, SCRIPT_PATH, STATE_DIR } from '../../lib/shell';
import { haveCommand, tempDir } from '../support/sh';

const root = process.getuid?.() === 0;
const t = root && haveCommand('flock') ? test : test.skip;

function rig() {
  const dir = tempDir('cdktf-workload-helper-');
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'lockf'), '#!/bin/sh\nwhile getopts kst: opt; do :; done\nshift $((OPTIND - 1))\nf=$(basename "$1"); shift\nexec flock "$RIG/$f" "$@"\n', { mode: 0o755 });
  const state = path.join(dir, 'state');
  const helper = path.join(dir, 'helper-1');
  fs.writeFileSync(helper, HOST_HELPER_PROGRAM.replace(`PATH=${SCRIPT_PATH}\n`, `PATH=${bin}:${SCRIPT_PATH}\n`).split(STATE_DIR).join(state), { mode: 0o755 });
  const jail = path.join(dir, 'vm', 'j1');
  fs.mkdirSync(path.join(jail, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(jail, 'etc', 'passwd'), 'root:*:0:0:Charlie &:/root:/bin/sh\nwww:*:80:80:World Wide Web Owner:/nonexistent:/usr/sbin/nologin\n');
  fs.writeFileSync(path.join(jail, 'etc', 'group'), 'wheel:*:0:root\nwww:*:80:\n');
  const claim = path.join(JAIL_FILES_DIR.split(STATE_DIR).join(state), 'k1');
  const run = (...args: string[]) => {
    const r = spawnSync(helper, args, { encoding: 'utf8', env: { ...process.env, RIG: dir } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const write = (file: string, content: string, opts: { owner?: string; mode?: string; takeOver?: boolean; mark?: string } = {}) =>
    run('jail-file-write', claim, opts.mark ?? 'lab:lab/f', jail, file, opts.mode ?? '0640', opts.owner ?? 'www', 'www', opts.takeOver ? 'yes' : 'no', 'content', content);
  const meta = (file: string) => {
    const s = fs.statSync(path.join(jail, file));
    return { mode: (s.mode & 0o7777).toString(8), uid: s.uid, gid: s.gid };
  };
  return { dir, jail, claim, run, write, meta };
}

describe('jail-file-write and jail-file-remove', () => {
  t('write with mode and the jail\'s ids, only on a change; removed with the directories made for it', () => {
    const h = rig();
    expect(h.write('/usr/local/etc/app/app.ini', 'a = 1\n')).toMatchObject({ status: 0, stdout: `${h.jail}/usr/local/etc/app/app.ini: written\n` });
    expect(fs.readFileSync(path.join(h.jail, 'usr/local/etc/app/app.ini'), 'utf8')).toBe('a = 1\n');
    expect(h.meta('usr/local/etc/app/app.ini')).toEqual({ mode: '640', uid: 80, gid: 80 });
    const ino = fs.statSync(path.join(h.jail, 'usr/local/etc/app/app.ini')).ino;
    expect(h.write('/usr/local/etc/app/app.ini', 'a = 1\n').stdout).toBe(`${h.jail}/usr/local/etc/app/app.ini: unchanged\n`);
    expect(fs.statSync(path.join(h.jail, 'usr/local/etc/app/app.ini')).ino).toBe(ino);
    // A changed mode alone is a change; the rename gives a new file (atomic).
    expect(h.write('/usr/local/etc/app/app.ini', 'a = 1\n', { mode: '0600' }).stdout).toMatch(/: written\n$/);
    expect(h.meta('usr/local/etc/app/app.ini').mode).toBe('600');
    expect(fs.readdirSync(path.join(h.jail, 'usr/local/etc/app'))).toEqual(['app.ini']);
    fs.writeFileSync(path.join(h.jail, 'usr/local/etc/other'), 'the administrator\'s\n');
    expect(h.run('jail-file-remove', h.claim, 'lab:lab/f').status).toBe(0);
    // usr/local/etc/app was made for it and goes; usr/local/etc holds another file and stays.
    expect(fs.existsSync(path.join(h.jail, 'usr/local/etc/app'))).toBe(false);
    expect(fs.readFileSync(path.join(h.jail, 'usr/local/etc/other'), 'utf8')).toBe('the administrator\'s\n');
    expect(fs.readdirSync(path.dirname(h.claim))).toEqual([]);
    expect(h.run('jail-file-remove', h.claim, 'lab:lab/f').status).toBe(0);
  });

  t('a file that is not ours is refused, taken over with takeOver and put back on removal', () => {
    const h = rig();
    fs.writeFileSync(path.join(h.jail, 'etc/motd'), 'the old motd\n', { mode: 0o644 });
    expect(h.write('/etc/motd', 'ours\n')).toMatchObject({ status: 1, stderr: `helper-1: error: ${h.jail}/etc/motd exists and is not cdktf-freebsd-jails's: remove it, or give the JailFile takeOver: true to keep it aside and put it back when the JailFile goes\n` });
    expect(fs.readFileSync(path.join(h.jail, 'etc/motd'), 'utf8')).toBe('the old motd\n');
    expect(h.write('/etc/motd', 'ours\n', { takeOver: true }).status).toBe(0);
    expect(fs.readFileSync(path.join(h.jail, 'etc/motd'), 'utf8')).toBe('ours\n');
    // Ours now: a second write needs no takeOver; another owner is refused.
    expect(h.write('/etc/motd', 'ours 2\n').status).toBe(0);
    expect(h.write('/etc/motd', 'theirs\n', { mark: 'lab:lab/g', takeOver: true })).toMatchObject({ status: 1, stderr: `helper-1: error: ${h.jail}/etc/motd is claimed by lab:lab/f, not by lab:lab/g\n` });
    expect(h.run('jail-file-remove', h.claim, 'lab:lab/g').stderr).toMatch(/keeping .*: claimed by lab:lab\/f, not by lab:lab\/g/);
    expect(h.run('jail-file-remove', h.claim, 'lab:lab/f').status).toBe(0);
    expect(fs.readFileSync(path.join(h.jail, 'etc/motd'), 'utf8')).toBe('the old motd\n');
    expect(h.meta('etc/motd')).toEqual({ mode: '644', uid: 0, gid: 0 });
  });

  t('a symbolic link on the way is refused: nothing is written outside the jail', () => {
    const h = rig();
    const outside = path.join(h.dir, 'outside');
    fs.mkdirSync(outside);
    fs.mkdirSync(path.join(h.jail, 'usr'));
    fs.symlinkSync(outside, path.join(h.jail, 'usr/local'));
    expect(h.write('/usr/local/etc/x.conf', 'x\n')).toMatchObject({ status: 1, stderr: `helper-1: error: ${h.jail}/usr/local is a symbolic link: not followed out of the jail\n` });
    expect(fs.readdirSync(outside)).toEqual([]);
    fs.symlinkSync('/etc/passwd', path.join(h.jail, 'etc/link'));
    expect(h.write('/etc/link', 'x\n', { takeOver: true }).stderr).toBe(`helper-1: error: ${h.jail}/etc/link is a symbolic link: not followed out of the jail\n`);
  });

  t('an owner or group the jail does not have is refused by name', () => {
    const h = rig();
    expect(h.write('/etc/x', 'x\n', { owner: 'nobody2' })).toMatchObject({ status: 1, stderr: `helper-1: error: /etc/x in jail root ${h.jail}: no user nobody2 in ${h.jail}/etc/passwd\n` });
    expect(fs.existsSync(path.join(h.jail, 'etc/x'))).toBe(false);
  });

  t('jail-file-prune removes exactly the files of the scope\'s owners not kept', () => {
    const h = rig();
    const claimOf = (k: string) => path.join(path.dirname(h.claim), k);
    const put = (k: string, mark: string, file: string) => h.run('jail-file-write', claimOf(k), mark, h.jail, file, '0644', 'root', 'wheel', 'no', 'content', `${mark}\n`);
    for (const [k, mark, file] of [['a', 'lab:lab/kept', '/etc/a'], ['b', 'lab:lab/gone', '/etc/b'], ['c', 'lab2:lab/gone', '/etc/c'], ['d', 'lab:lab/gone2', '/etc/d']]) expect(put(k, mark, file).status).toBe(0);
    const r = h.run('jail-file-prune', 'lab', 'lab:lab/kept');
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout.split('\n').filter((l) => l.startsWith('==>')).sort()).toEqual([
      `==> pruning the jail file of lab:lab/gone (${h.jail} /etc/b ): no longer in the app`,
      `==> pruning the jail file of lab:lab/gone2 (${h.jail} /etc/d ): no longer in the app`,
    ]);
    expect(['a', 'b', 'c', 'd'].map((f) => fs.existsSync(path.join(h.jail, 'etc', f)))).toEqual([true, false, true, false]);
  });
});
