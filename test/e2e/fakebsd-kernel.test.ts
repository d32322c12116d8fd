// The fake kernel: its FEATURE()s as sysctl kern.features.* (a kernel without VIMAGE has no
// kern.features.vimage at all) and kldload(8) of modules that have no .ko, file by file as
// sbin/kldload/kldload.c does.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { F, shimsAt } from './fakebsd-support';

let root: string;
const { sh, ok } = shimsAt(() => root);
const loaded = (): string[] => F.readState(root).kld;

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('kernel features', () => {
  test('GENERIC (the default) has VIMAGE: kern.features.vimage is a read-only 1', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-kernel-'));
    F.initHost(root, {});
    expect(ok('sysctl', '-n', 'kern.features.vimage')).toBe('1\n');
    expect(ok('sysctl', 'kern.features.vimage')).toBe('kern.features.vimage: 1\n');
    const w = sh('sysctl', ['kern.features.vimage=0']);
    expect([w.status, w.stderr]).toEqual([1, "sysctl: oid 'kern.features.vimage' is read only\n"]);
    // A FEATURE() the kernel was not built with is no oid.
    expect(sh('sysctl', ['-n', 'kern.features.no_such_feature']).stderr).toBe("sysctl: unknown oid 'kern.features.no_such_feature'\n");
  });

  test('a kernel without VIMAGE: unknown oid, status 1 (and -i ignores it quietly)', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-kernel-'));
    F.initHost(root, { kernelFeatures: [] });
    const r = sh('sysctl', ['-n', 'kern.features.vimage']);
    expect([r.status, r.stdout, r.stderr]).toEqual([1, '', "sysctl: unknown oid 'kern.features.vimage'\n"]);
    const i = sh('sysctl', ['-i', '-n', 'kern.features.vimage']);
    expect([i.status, i.stdout, i.stderr]).toEqual([0, '', '']);
  });
});

describe('kldload', () => {
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-kernel-'));
    F.initHost(root, { missingModules: ['ng_bridge'] });
  });

  test('a module with no .ko fails with ENOENT; the files after it still load; status 1', () => {
    const r = sh('kldload', ['-n', 'netgraph', 'ng_socket', 'ng_bridge', 'ng_eiface']);
    expect([r.status, r.stderr]).toEqual([1, "kldload: can't load ng_bridge: No such file or directory\n"]);
    expect(loaded()).toEqual(expect.arrayContaining(['netgraph', 'ng_socket', 'ng_eiface']));
    expect(loaded()).not.toContain('ng_bridge');
    // Again with -n: the loaded ones are skipped, the missing one fails again.
    const again = sh('kldload', ['-n', 'netgraph', 'ng_bridge']);
    expect([again.status, again.stderr]).toEqual([1, "kldload: can't load ng_bridge: No such file or directory\n"]);
  });

  test('without -n a loaded module is EEXIST, reported and counted, and the rest still load', () => {
    ok('kldload', 'netgraph');
    const r = sh('kldload', ['netgraph', 'ng_socket']);
    expect([r.status, r.stderr]).toEqual([1, "kldload: can't load netgraph: module already loaded or in kernel\n"]);
    expect(loaded()).toContain('ng_socket');
  });

  test('a name no module has is ENOENT too', () => {
    const r = sh('kldload', ['-n', 'no_such_module']);
    expect([r.status, r.stderr]).toEqual([1, "kldload: can't load no_such_module: No such file or directory\n"]);
  });
});
