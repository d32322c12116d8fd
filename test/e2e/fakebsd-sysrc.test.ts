/**
 * The host helper's rc.conf edits against the fake sysrc, which follows usr.sbin/sysrc/sysrc:
 * `sysrc -n -i NAME` exits 1 for a variable set nowhere, and `NAME+=WORD` / `NAME-=WORD` take
 * WORD's first character as the list's delimiter unless it is a blank, a letter, a digit, `.` or
 * `/` (APPEND and REMOVE). Issue 20, findings 5 and 6.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOST_HELPER_PROGRAM, SCRIPT_PATH, STATE_DIR } from '../../lib/shell';
import { F, shimsAt } from './fakebsd-support';

let root: string;
let helper: string;
let state: string;
const { sh, ok } = shimsAt(() => root);

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-sysrc-'));
  F.initHost(root, {});
  const shims = path.join(root, '..', `${path.basename(root)}-shims`);
  F.installShims(shims, { nodePath: process.execPath });
  const bin = ['/sbin', '/usr/sbin', '/usr/bin', '/bin'].map((d) => path.join(shims, d)).join(':');
  // The helper runs on this machine's file system: its state directory is the test's.
  state = path.join(shims, 'state');
  helper = path.join(shims, 'helper-1');
  fs.writeFileSync(helper, HOST_HELPER_PROGRAM.replace(`PATH=${SCRIPT_PATH}\n`, `PATH=${bin}:${SCRIPT_PATH}\n`).split(STATE_DIR).join(state), { mode: 0o755 });
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(`${root}-shims`, { recursive: true, force: true });
});

function run(...args: string[]) {
  const r = spawnSync(helper, args, { encoding: 'utf8', env: { ...process.env, FAKEBSD_ROOT: root } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const rc = (name: string) => ok('sysrc', '-n', name).trim();

test('the fake sysrc: -n -i of a variable set nowhere prints nothing and exits 1; += takes a leading _ as the delimiter', () => {
  expect(sh('sysrc', ['-n', '-i', 'nginx_enable'])).toMatchObject({ status: 1, stdout: '', stderr: '' });
  ok('sysrc', 'jail_list=h1 h2');
  ok('sysrc', 'jail_list+=_x');
  expect(rc('jail_list')).toBe('h1 h2_x');
});

test('settings-apply sets an rc.conf variable that was set nowhere, and its undo removes it', () => {
  const file = path.join(state, 'settings', 'a.state');
  const r = run('settings-apply', file, 'rc', 'nginx_enable', 'YES');
  expect([r.status, r.stderr]).toEqual([0, '']);
  expect(rc('nginx_enable')).toBe('YES');
  expect(run('settings-undo', file).status).toBe(0);
  expect(sh('sysrc', ['-n', '-i', 'nginx_enable']).status).toBe(1);
});

test('list words whatever their first character: jail_list gets "_x" as a word of its own, once, and loses exactly it', () => {
  ok('sysrc', 'jail_list=h1 h2');
  for (let i = 0; i < 2; i++) expect(run('jail-list-add', '_x').status).toBe(0);
  expect(rc('jail_list')).toBe('h1 h2 _x');
  const file = path.join(state, 'settings', 'b.state');
  for (const word of ['-y', ':z', '@w', '+v']) expect(run('settings-apply', file, 'rc-word', 'jail_list', word).status).toBe(0);
  expect(run('settings-apply', file, 'rc-word', 'jail_list', '-y').status).toBe(0);
  expect(rc('jail_list')).toBe('h1 h2 _x -y :z @w +v');
  expect(run('settings-undo', file).status).toBe(0);
  expect(rc('jail_list')).toBe('h1 h2 _x');
  expect(run('_rc_list_remove', 'jail_list', '_x').status).toBe(0);
  expect(rc('jail_list')).toBe('h1 h2');
});

test('a jail_list the administrator keeps in /etc/rc.conf.local is edited there, not shadowed by one in /etc/rc.conf', () => {
  fs.writeFileSync(path.join(root, 'etc/rc.conf.local'), 'jail_list="db"\n');
  expect(run('jail-list-add', 'web').status).toBe(0);
  expect(fs.readFileSync(path.join(root, 'etc/rc.conf.local'), 'utf8')).toContain('jail_list="db web"');
  expect(fs.readFileSync(path.join(root, 'etc/rc.conf'), 'utf8')).not.toContain('jail_list');
  expect(run('_rc_list_remove', 'jail_list', 'db').status).toBe(0);
  expect(fs.readFileSync(path.join(root, 'etc/rc.conf.local'), 'utf8')).toContain('jail_list="web"');
});
