// Snapshots on the fake host as OpenZFS makes them (sys/contrib/openzfs/cmd/zfs/zfs_main.c,
// lib/libzfs/libzfs_dataset.c): `zfs snapshot -o` takes user properties only, `zfs list -t
// snapshot` lists them in creation order with those properties, `zfs rollback` refuses younger
// snapshots without -r and their clones without -R, and gives the filesystem the snapshot's files.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { F, shimsAt } from './fakebsd-support';

let root: string;
const { sh, ok, host, write } = shimsAt(() => root);
const read = (p: string) => fs.readFileSync(host(p), 'utf8');
const snapshots = (ds: string) => ok('zfs', 'list', '-H', '-t', 'snapshot', '-o', 'name', '-s', 'createtxg', '-d', '1', ds).split('\n').filter(Boolean);

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-snap-'));
  F.initHost(root, {});
  ok('zfs', 'create', '-o', 'mountpoint=/vm', 'zroot/vm');
  ok('zfs', 'create', 'zroot/vm/h1');
  write('/vm/h1/etc/motd', 'before\n');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('zfs snapshot -o', () => {
  test('user properties are kept on the snapshot and listed with it, in creation order', () => {
    ok('zfs', 'snapshot', '-o', 'org.example:why=before update', 'zroot/vm/h1@a');
    ok('zfs', 'snapshot', 'zroot/vm/h1@b');
    expect(ok('zfs', 'list', '-H', '-t', 'snapshot', '-o', 'name,org.example:why', '-s', 'createtxg', '-d', '1', 'zroot/vm/h1'))
      .toBe('zroot/vm/h1@a\tbefore update\nzroot/vm/h1@b\t-\n');
  });

  test('a native property is refused: none applies to a snapshot when it is made', () => {
    const r = sh('zfs', ['snapshot', '-o', 'compression=lz4', 'zroot/vm/h1@a']);
    expect([r.status, r.stderr]).toEqual([1, "cannot create snapshots : 'compression' does not apply to datasets of this type\n"]);
    const bad = sh('zfs', ['snapshot', '-o', 'nosuch=1', 'zroot/vm/h1@a']);
    expect([bad.status, bad.stderr]).toEqual([1, "cannot create snapshots : invalid property 'nosuch'\n"]);
    expect(snapshots('zroot/vm/h1')).toEqual([]);
  });
});

describe('zfs rollback', () => {
  test('the filesystem gets the snapshot\'s files back, mounted where it was', () => {
    ok('zfs', 'snapshot', 'zroot/vm/h1@a');
    write('/vm/h1/etc/motd', 'after\n');
    write('/vm/h1/new', 'x');
    ok('zfs', 'rollback', 'zroot/vm/h1@a');
    expect(read('/vm/h1/etc/motd')).toBe('before\n');
    expect(fs.existsSync(host('/vm/h1/new'))).toBe(false);
    expect(ok('zfs', 'get', '-H', '-o', 'value', 'mounted', 'zroot/vm/h1')).toBe('yes\n');
  });

  test('younger snapshots refuse it without -r, with their names; -r destroys them', () => {
    ok('zfs', 'snapshot', 'zroot/vm/h1@a');
    ok('zfs', 'snapshot', 'zroot/vm/h1@b');
    ok('zfs', 'snapshot', 'zroot/vm/h1@c');
    write('/vm/h1/etc/motd', 'after\n');
    const r = sh('zfs', ['rollback', 'zroot/vm/h1@a']);
    expect([r.status, r.stderr]).toEqual([1, "cannot rollback to 'zroot/vm/h1@a': more recent snapshots or bookmarks exist\n"
      + "use '-r' to force deletion of the following snapshots and bookmarks:\nzroot/vm/h1@b\nzroot/vm/h1@c\n"]);
    expect(read('/vm/h1/etc/motd')).toBe('after\n');
    ok('zfs', 'rollback', '-r', 'zroot/vm/h1@a');
    expect(snapshots('zroot/vm/h1')).toEqual(['zroot/vm/h1@a']);
    expect(read('/vm/h1/etc/motd')).toBe('before\n');
  });

  test('a clone of a younger snapshot refuses -r; -R destroys it too', () => {
    ok('zfs', 'snapshot', 'zroot/vm/h1@a');
    ok('zfs', 'snapshot', 'zroot/vm/h1@b');
    ok('zfs', 'clone', 'zroot/vm/h1@b', 'zroot/vm/c1');
    const r = sh('zfs', ['rollback', '-r', 'zroot/vm/h1@a']);
    expect([r.status, r.stderr]).toEqual([1, "cannot rollback to 'zroot/vm/h1@a': clones of previous snapshots exist\n"
      + "use '-R' to force deletion of the following clones and dependents:\nzroot/vm/c1\n"]);
    expect(snapshots('zroot/vm/h1')).toEqual(['zroot/vm/h1@a', 'zroot/vm/h1@b']);
    ok('zfs', 'rollback', '-R', 'zroot/vm/h1@a');
    expect(snapshots('zroot/vm/h1')).toEqual(['zroot/vm/h1@a']);
    expect(sh('zfs', ['list', 'zroot/vm/c1']).status).toBe(1);
    expect(fs.existsSync(host('/vm/c1'))).toBe(false);
  });

  test('the operand must be a snapshot that exists; usage errors exit 2', () => {
    const fsOnly = sh('zfs', ['rollback', 'zroot/vm/h1']);
    expect([fsOnly.status, fsOnly.stderr]).toEqual([1, "cannot open 'zroot/vm/h1': missing '@' delimiter in snapshot name\n"]);
    const missing = sh('zfs', ['rollback', 'zroot/vm/h1@nosuch']);
    expect([missing.status, missing.stderr]).toEqual([1, "cannot open 'zroot/vm/h1@nosuch': dataset does not exist\n"]);
    const none = sh('zfs', ['rollback']);
    expect([none.status, none.stderr]).toEqual([2, 'missing dataset argument\nusage:\n\trollback [-rRf] <snapshot>\n']);
    const two = sh('zfs', ['rollback', 'zroot/vm/h1@a', 'zroot/vm/h1@b']);
    expect([two.status, two.stderr.split('\n')[0]]).toEqual([2, 'too many arguments']);
  });

  test('a child filesystem mounted under it keeps its files', () => {
    ok('zfs', 'create', 'zroot/vm/h1/data');
    write('/vm/h1/data/db', 'rows\n');
    ok('zfs', 'snapshot', 'zroot/vm/h1@a');
    write('/vm/h1/data/db', 'more rows\n');
    write('/vm/h1/etc/motd', 'after\n');
    ok('zfs', 'rollback', 'zroot/vm/h1@a');
    expect(read('/vm/h1/etc/motd')).toBe('before\n');
    expect(read('/vm/h1/data/db')).toBe('more rows\n');
  });
});
