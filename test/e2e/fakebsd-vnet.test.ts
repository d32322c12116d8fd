/**
 * The host helper's VNET actions on the fake host's netgraph, ifconfig and jail(8), without
 * Terraform: the lab's jail.conf (as examples/vnet-lab renders it) started with jail -c builds
 * the notebook's topology through exec.prestart, `vnet-list -r` prints the notebook's listing,
 * stopping every jail leaves nothing of it, starting again rebuilds it; bridged and routed
 * switches; refusals.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { VnetLabStack } from '../../examples/vnet-lab/main';
import { HOST_HELPER_PATH, VNET_CLAIM_DIR } from '../../lib/shell';
import { NOTEBOOK_LAB_LISTING } from '../vnet/notebook-lab';
import { F, helperOnFakeHost, shimsAt } from './fakebsd-support';

let root: string;
let shims: string;
let helper: string;
let claims: string;
const { sh, ok, host, write } = shimsAt(() => root);
const LAB = ['r1', 'vpnr1', 'vpnr2', 'vpnh1', 'vpnh2'];

let installed: ReturnType<typeof helperOnFakeHost>;

/** The helper as installed, with the fake's commands first on its PATH. */
function installHelper() {
  // The helper runs on this machine's file system: its switch claims go to a directory of the test's.
  installed = helperOnFakeHost(() => root, 'fakebsd-vnet-shims-', (text, dir) => text.split(VNET_CLAIM_DIR).join(path.join(dir, 'vnet-claims')));
  shims = installed.dir;
  helper = installed.helper;
  claims = path.join(shims, 'vnet-claims');
}

const run = (...args: string[]) => installed.run(...args);
const helperOk = (...args: string[]): string => installed.ok(...args);

/** The named nodes of the host's graph (ngctl's own socket left out). */
const nodes = () => ok('ngctl', 'list').split('\n').slice(1).filter((l) => l.includes('Name:') && !/Name: ngctl\d/.test(l)).map((l) => l.trim().split(/\s+/).slice(1, 4).filter((_, i) => i !== 1).join(' '));

/** The lab as examples/vnet-lab renders it, the helper at its test path, on the fake host. */
function prepareLab(backend = 'netgraph') {
  const stack = new VnetLabStack(Testing.app(), 'vnet-lab', { FREEBSD_HOST: '192.0.2.10', VNET_BACKEND: backend });
  write('/etc/jail.conf', stack.jails.map((j) => j.confText).join('\n').split(HOST_HELPER_PATH).join(helper));
  for (const j of LAB) {
    for (const d of ['dev', 'mnt', 'etc']) fs.mkdirSync(host(`/vm/${j}/${d}`), { recursive: true });
  }
  fs.mkdirSync(host('/var/cache/pkg'), { recursive: true });
  // The host's rulesets 10 (bpf) and 11 (tun), as the notebook's /etc/devfs.rules has them.
  ok('devfs', 'rule', '-s', '10', 'add', 'include', '4');
  ok('devfs', 'rule', '-s', '10', 'add', 'path', 'bpf*', 'unhide');
  ok('devfs', 'rule', '-s', '11', 'add', 'include', '4');
  ok('devfs', 'rule', '-s', '11', 'add', 'path', 'tun*', 'unhide');
  return stack;
}

beforeAll(() => installHelper());
afterAll(() => fs.rmSync(shims, { recursive: true, force: true }));
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-vnet-'));
  F.initHost(root, {});
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('the lab through jail(8) and the helper', () => {
  test('starting the five jails builds the notebook\'s topology; vnet-list -r prints its listing', () => {
    prepareLab();
    ok('jail', '-f', '/etc/jail.conf', '-c', ...LAB);
    expect(helperOk('vnet-list', '-r')).toBe(NOTEBOOK_LAB_LISTING);
    expect(helperOk('vnet-list')).toBe('vi1\nvi2\nvri1\nvri2\n');
    // Every interface went into its jail: the host sees none of them.
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
    expect(sh('ifconfig', ['-l'], { env: { FAKEBSD_JAIL: 'vpnr1' } }).stdout).toBe('vi1_vpnr1 vri1_vpnr1\n');
    // Inside the routers: default route and forwarding as the notebook's exec.start set them.
    const state = F.readState(root);
    expect(state.routes.vpnr1).toEqual({ 'inet default': '172.31.1.1' });
    expect(state.routes.r1).toBeUndefined();
    expect(state.sysctl['jail:r1:net.inet.ip.forwarding']).toBe('1');
    expect(state.sysctl['jail:vpnh1:net.inet.ip.forwarding']).toBeUndefined();
    // Each jail's rc found its network up: its addresses set and its default route there.
    const rcSaw = (name: string) => Object.values<any>(state.jails.running).find((j) => j.name === name).rcSaw;
    expect(rcSaw('r1')).toEqual({ ifaces: { vi1_r1: ['172.31.1.1/24'], vi2_r1: ['172.31.2.1/24'] }, routes: [] });
    expect(rcSaw('vpnr1')).toEqual({ ifaces: { vi1_vpnr1: ['172.31.1.11/24'], vri1_vpnr1: ['192.168.1.1/24'] }, routes: ['inet default 172.31.1.1'] });
    // Stable Ethernet addresses: what the configuration says.
    const mac = /vnet-add vi1 vi1_r1 (\S+) switch/.exec(fs.readFileSync(host('/etc/jail.conf'), 'utf8'))![1];
    expect(sh('ifconfig', ['vi1_r1', 'ether'], { env: { FAKEBSD_JAIL: 'r1' } }).stdout).toContain(`\tether ${mac}\n`);
  });

  test('one jail stopped takes only its interfaces; every jail stopped leaves nothing; starting again (a reboot) rebuilds the same', () => {
    prepareLab();
    const before = nodes();
    ok('jail', '-f', '/etc/jail.conf', '-c', ...LAB);
    expect(nodes().filter((n) => n.endsWith('bridge')).sort()).toEqual(['vi1br bridge', 'vi2br bridge', 'vri1br bridge', 'vri2br bridge']);
    ok('jail', '-f', '/etc/jail.conf', '-r', 'vpnh1');
    expect(helperOk('vnet-list', '-r')).toBe(NOTEBOOK_LAB_LISTING.replace('  vpnh1 vri1_vpnh1 192.168.1.11/24\n', ''));
    ok('jail', '-f', '/etc/jail.conf', '-r', 'vpnr1');
    expect(helperOk('vnet-list')).toBe('vi1\nvi2\nvri2\n');
    ok('jail', '-f', '/etc/jail.conf', '-r', 'r1', 'vpnr2', 'vpnh2');
    expect(nodes()).toEqual(before);
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
    expect(helperOk('vnet-list', '-r')).toBe('');
    ok('jail', '-f', '/etc/jail.conf', '-c', ...LAB);
    expect(helperOk('vnet-list', '-r')).toBe(NOTEBOOK_LAB_LISTING);
  });
});

test('a failing exec.start command inside a vnet jail fails its start, as jail(8) does: nothing stays behind', () => {
  fs.mkdirSync(host('/vm/v1'), { recursive: true });
  write('/etc/jail.conf', `v1 { path = "/vm/v1"; vnet; exec.start = "/sbin/ifconfig nosuch0 10.0.0.1/24"; }\n`);
  const r = sh('jail', ['-f', '/etc/jail.conf', '-c', 'v1']);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('jail: v1: /sbin/ifconfig nosuch0 10.0.0.1/24: failed');
  expect(sh('jls', ['-j', 'v1']).status).toBe(1);
});

describe('vnet-add and vnet-delete by hand', () => {
  const MAC = '02:00:00:00:00:01';

  test('vnet-add is idempotent: a second run changes nothing and says so', () => {
    helperOk('vnet-add', 'vi1', 'vi1_a', MAC, 'switch');
    const graph = nodes();
    const again = helperOk('vnet-add', 'vi1', 'vi1_a', MAC, 'switch');
    expect(again).not.toContain('==> switch');
    expect(nodes()).toEqual(graph);
    helperOk('vnet-add', 'vi1', 'vi1_b', '02:00:00:00:00:02', 'switch');
    expect(ok('ngctl', 'show', 'vi1br:')).toContain('Num hooks: 2');
    expect(helperOk('vnet-list', '-r')).toBe('vi1\n  - vi1_a\n  - vi1_b\n');
    helperOk('vnet-delete', 'vi1', 'vi1_a');
    helperOk('vnet-delete', 'vi1', 'vi1_a');
    expect(helperOk('vnet-list')).toBe('vi1\n');
    helperOk('vnet-delete', 'vi1', 'vi1_b');
    expect(helperOk('vnet-list')).toBe('');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
  });

  test('bridged: em0\'s ng_ether lower and upper on the bridge; the last jail gone, em0 is as it was', () => {
    helperOk('vnet-add', 'em0', 'em0_b1', MAC, 'bridged', 'em0');
    expect(ok('ngctl', 'show', 'em0:').split('\n').slice(3, 5).map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual([['upper', 'em0br'], ['lower', 'em0br']]);
    expect(ok('ngctl', 'msg', 'em0:', 'getpromisc')).toContain('Args:\t1');
    expect(ok('ngctl', 'show', 'em0br:')).toContain('link2           em0_b1');
    helperOk('vnet-delete', 'em0', 'em0_b1');
    expect(ok('ngctl', 'show', 'em0:')).toMatch(/Num hooks: 0\n$/);
    expect(ok('ngctl', 'msg', 'em0:', 'getpromisc')).toContain('Args:\t0');
    expect(sh('ngctl', ['info', 'em0br:']).status).toBe(71);
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
  });

  test('bridged on a VLAN: em0.100\'s ng_ether node is em0_100 (ng_ether.c), and the switch hangs off it', () => {
    F.updateState(root, (s: any) => { s.ifaces['em0.100'] = { inet: [], inet6: [], up: true, kind: 'vlan' }; });
    helperOk('vnet-add', 'vl', 'vl_b1', MAC, 'bridged', 'em0.100');
    expect(ok('ngctl', 'show', 'em0_100:').split('\n').slice(3, 5).map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual([['upper', 'vlbr'], ['lower', 'vlbr']]);
    helperOk('vnet-delete', 'vl', 'vl_b1');
    expect(ok('ngctl', 'show', 'em0_100:')).toMatch(/Num hooks: 0\n$/);
  });

  test('routed: the host interface vi0 holds the gateway addresses and goes with the last jail', () => {
    helperOk('vnet-add', 'vi0', 'vi0_v1', MAC, 'routed', '02:00:00:00:00:0a', '172.31.0.1/24', 'fd00:31::1/64');
    const vi0 = ok('ifconfig', 'vi0');
    expect(vi0).toContain('inet 172.31.0.1 netmask 0xffffff00');
    expect(vi0).toContain('inet6 fd00:31::1 prefixlen 64');
    expect(vi0).toContain('ether 02:00:00:00:00:0a');
    helperOk('vnet-add', 'vi0', 'vi0_v2', '02:00:00:00:00:02', 'routed', '02:00:00:00:00:0a', '172.31.0.1/24', 'fd00:31::1/64');
    expect(F.readState(root).ifaces.vi0.inet).toEqual(['172.31.0.1/24']);
    expect(helperOk('vnet-list', '-r')).toBe('vi0\n  - vi0 172.31.0.1/24 fd00:31::1/64\n  - vi0_v1\n  - vi0_v2\n');
    helperOk('vnet-delete', 'vi0', 'vi0_v1');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0 vi0 vi0_v2\n');
    helperOk('vnet-delete', 'vi0', 'vi0_v2');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
    expect(sh('ngctl', ['info', 'vi0br:']).status).toBe(71);
  });

  test('a switch left empty by a failed stop is removed by vnet-delete NET alone (the switch step\'s destroy)', () => {
    helperOk('vnet-add', 'vi0', 'vi0_v1', MAC, 'routed', '02:00:00:00:00:0a', '172.31.0.1/24');
    ok('ngctl', 'shutdown', 'vi0_v1:'); // the jail's interface went, the gateway stayed
    expect(ok('ifconfig', '-l')).toBe('lo0 em0 vi0\n');
    helperOk('vnet-delete', 'vi0');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
    expect(helperOk('vnet-delete', 'vi0')).toBe('');
  });

  test('refuses interfaces and nodes it did not make, and malformed calls', () => {
    ok('ifconfig', 'epair', 'create');
    let r = run('vnet-add', 'vi1', 'epair0a', MAC, 'switch');
    expect([r.status, r.stderr]).toEqual([1, 'helper-1: error: interface epair0a exists and was not made for switch vi1br; refusing to touch it\n']);
    r = run('vnet-add', 'vi0', 'vi0_v1', MAC, 'routed', '02:00:00:00:00:0a', '172.31.0.1/24');
    expect(r.status).toBe(0);
    // An interface of the same name on another switch.
    r = run('vnet-add', 'vi2', 'vi0_v1', MAC, 'switch');
    expect([r.status, r.stderr]).toEqual([1, 'helper-1: error: a netgraph node vi0_v1 exists and is not on vi2br; refusing to touch it\n']);
    r = run('vnet-add', 'lo', 'lo_x', MAC, 'bridged', 'lo0');
    expect([r.status, r.stderr]).toEqual([1, 'helper-1: error: interface lo0 has no ng_ether node (lo0): not an Ethernet interface?\n']);
    r = run('vnet-add', 'vi1', 'vi1_x', MAC, 'sideways');
    // A shape that is none of the usage's: refused with the usage, as too few arguments are.
    expect([r.status, r.stderr.split('\n')[0]]).toEqual([64, 'usage: helper-1 vnet-add NET IF MAC {switch | bridged ETHER | routed GWMAC ADDRESS...}']);
    expect(run('vnet-add', 'vi1', 'vi1_x', MAC).status).toBe(64);
    expect(run('vnet-list', '-x').status).toBe(64);
    expect(run('vnet-delete').status).toBe(64);
    // Nothing half-made: only the routed switch above exists.
    expect(helperOk('vnet-list')).toBe('vi0\n');
  });
});


describe('the fake ifconfig models if_bridge(4) and epair(4) as FreeBSD does', () => {
  const fails = (args: string[], stderr: string) => {
    const r = sh('ifconfig', args);
    expect([r.status, r.stderr]).toEqual([1, stderr]);
  };

  test('create prints the new name once, after a name parameter the final one; a renamed clone keeps its unit', () => {
    // ifclone.c / ifconfig.c printifname: printed when it differs from the name given, at the end.
    expect(ok('ifconfig', 'bridge', 'create', 'name', 'vi1br', 'up')).toBe('vi1br\n');
    expect(F.readState(root).ifaces.vi1br.up).toBe(true);
    expect(ok('ifconfig', 'bridge', 'create')).toBe('bridge1\n'); // unit 0 is vi1br's
    expect(ok('ifconfig', 'bridge7', 'create')).toBe('');
    fails(['bridge1', 'create'], 'ifconfig: SIOCIFCREATE2 (bridge1): File exists\n');
    expect(ok('ifconfig', 'epair', 'create')).toBe('epair0a\n');
    expect(ok('ifconfig', 'epair0a', 'name', 'vi1_xh')).toBe('vi1_xh\n');
    expect(ok('ifconfig', 'epair', 'create')).toBe('epair1a\n');
    expect(ok('ifconfig', 'lo', 'create')).toBe('lo1\n');
  });

  test('destroying either end of an epair, under any name, destroys both; lo0 and em0 are no clones', () => {
    ok('ifconfig', 'epair', 'create');
    ok('ifconfig', 'epair0a', 'name', 'vi1_xh');
    ok('ifconfig', 'epair0b', 'name', 'vi1_x');
    ok('ifconfig', 'vi1_x', 'destroy');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
    fails(['lo0', 'destroy'], 'ifconfig: SIOCIFDESTROY: Invalid argument\n');
    fails(['em0', 'destroy'], 'ifconfig: SIOCIFDESTROY: Invalid argument\n');
    fails(['vi1_x', 'destroy'], 'ifconfig: interface vi1_x does not exist\n');
  });

  test('addm and deletem as bridge_ioctl_add and _del: one bridge per member, Ethernet-like members only', () => {
    ok('ifconfig', 'bridge', 'create', 'name', 'vi1br');
    ok('ifconfig', 'bridge', 'create', 'name', 'vi2br');
    ok('ifconfig', 'epair', 'create');
    ok('ifconfig', 'vi1br', 'addm', 'epair0a');
    fails(['vi1br', 'addm', 'epair0a'], 'ifconfig: BRDGADD epair0a: File exists\n');
    fails(['vi2br', 'addm', 'epair0a'], 'ifconfig: BRDGADD epair0a: Device busy\n');
    fails(['vi2br', 'addm', 'lo0'], 'ifconfig: BRDGADD lo0: Invalid argument\n');
    fails(['vi2br', 'addm', 'vi1br'], 'ifconfig: BRDGADD vi1br: Invalid argument\n');
    fails(['vi2br', 'addm', 'nosuch0'], 'ifconfig: BRDGADD nosuch0: No such file or directory\n');
    fails(['em0', 'addm', 'epair0b'], 'ifconfig: BRDGADD epair0b: Invalid argument\n');
    fails(['vi2br', 'deletem', 'epair0a'], 'ifconfig: BRDGDEL epair0a: No such file or directory\n');
    // A member renamed is listed by its new name; destroyed, it leaves the bridge.
    ok('ifconfig', 'epair0a', 'name', 'vi1_xh');
    expect(ok('ifconfig', 'vi1br')).toContain('\tmember: vi1_xh flags=');
    ok('ifconfig', 'vi1_xh', 'destroy');
    expect(ok('ifconfig', 'vi1br')).not.toContain('member:');
    // The uplink joins one bridge; destroying the bridge leaves em0 itself.
    ok('ifconfig', 'vi1br', 'addm', 'em0');
    fails(['vi2br', 'addm', 'em0'], 'ifconfig: BRDGADD em0: Device busy\n');
    ok('ifconfig', 'vi1br', 'destroy');
    ok('ifconfig', 'vi2br', 'addm', 'em0');
    ok('ifconfig', 'vi2br', 'deletem', 'em0');
    expect(F.readState(root).ifaces.em0.inet).toEqual(['192.0.2.10/24']);
  });

  test('vnet moves to vnet jails only; a member moved leaves its bridge', () => {
    fs.mkdirSync(host('/vm/v1'), { recursive: true });
    fs.mkdirSync(host('/vm/p1'), { recursive: true });
    write('/etc/jail.conf', 'v1 { path = "/vm/v1"; vnet; persist; }\np1 { path = "/vm/p1"; persist; }\n');
    ok('jail', '-f', '/etc/jail.conf', '-c', 'v1', 'p1');
    ok('ifconfig', 'bridge', 'create', 'name', 'vi1br');
    ok('ifconfig', 'epair', 'create');
    ok('ifconfig', 'vi1br', 'addm', 'epair0b');
    fails(['epair0b', 'vnet', 'p1'], 'ifconfig: SIOCSIFVNET: File exists\n');
    ok('ifconfig', 'epair0b', 'vnet', 'v1');
    expect(ok('ifconfig', 'vi1br')).not.toContain('member:');
    expect(sh('ifconfig', ['-l'], { env: { FAKEBSD_JAIL: 'v1' } }).stdout).toBe('epair0b\n');
    // Destroying the host's end takes the jail's too.
    ok('ifconfig', 'epair0a', 'destroy');
    expect(sh('ifconfig', ['-l'], { env: { FAKEBSD_JAIL: 'v1' } }).stdout).toBe('\n');
  });
});

describe('the if_bridge backend (vnet-epair-add, vnet-epair-delete)', () => {
  const MAC = '02:00:00:00:00:01';
  const HMAC = '02:00:00:00:01:01';
  const bridges = () => Object.entries(F.readState(root).ifaces as Record<string, { cloner?: string }>).filter(([, i]) => i.cloner === 'bridge').map(([n]) => n).sort();

  test('the lab through jail(8): the notebook\'s listing, no netgraph node; every jail stopped leaves nothing; started again, the same', () => {
    prepareLab('if_bridge');
    const conf = fs.readFileSync(host('/etc/jail.conf'), 'utf8');
    expect(conf).not.toMatch(/vnet-add|vnet-delete /);
    ok('jail', '-f', '/etc/jail.conf', '-c', ...LAB);
    expect(helperOk('vnet-list', '-r')).toBe(NOTEBOOK_LAB_LISTING);
    expect(helperOk('vnet-list')).toBe('vi1\nvi2\nvri1\nvri2\n');
    expect(bridges()).toEqual(['vi1br', 'vi2br', 'vri1br', 'vri2br']);
    expect(nodes()).toEqual([]);
    // The host keeps each epair's host side, on its bridge; the jail has the other end.
    expect(ok('ifconfig', 'vi1br')).toMatch(/member: vi1_r1h [\s\S]*member: vi1_vpnr1h /);
    expect(sh('ifconfig', ['-l'], { env: { FAKEBSD_JAIL: 'vpnr1' } }).stdout).toBe('vi1_vpnr1 vri1_vpnr1\n');
    // Stable Ethernet addresses on both ends: what the configuration says.
    const [, mac, hmac] = /vnet-epair-add vi1 vi1_r1 (\S+) (\S+) switch/.exec(conf)!;
    expect(sh('ifconfig', ['vi1_r1', 'ether'], { env: { FAKEBSD_JAIL: 'r1' } }).stdout).toContain(`\tether ${mac}\n`);
    expect(ok('ifconfig', 'vi1_r1h', 'ether')).toContain(`\tether ${hmac}\n`);
    expect(mac).not.toBe(hmac);
    ok('jail', '-f', '/etc/jail.conf', '-r', 'vpnh1');
    expect(helperOk('vnet-list', '-r')).toBe(NOTEBOOK_LAB_LISTING.replace('  vpnh1 vri1_vpnh1 192.168.1.11/24\n', ''));
    ok('jail', '-f', '/etc/jail.conf', '-r', ...LAB.filter((j) => j !== 'vpnh1'));
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
    expect(helperOk('vnet-list', '-r')).toBe('');
    ok('jail', '-f', '/etc/jail.conf', '-c', ...LAB);
    expect(helperOk('vnet-list', '-r')).toBe(NOTEBOOK_LAB_LISTING);
  });

  test('vnet-epair-add is idempotent; vnet-epair-delete takes one interface, the last takes the bridge', () => {
    helperOk('vnet-epair-add', 'vi1', 'vi1_a', MAC, HMAC, 'switch');
    const state = () => JSON.stringify(F.readState(root).ifaces);
    const before = state();
    expect(helperOk('vnet-epair-add', 'vi1', 'vi1_a', MAC, HMAC, 'switch')).not.toContain('==> switch');
    expect(state()).toBe(before);
    helperOk('vnet-epair-add', 'vi1', 'vi1_b', '02:00:00:00:00:02', '02:00:00:00:01:02', 'switch');
    expect(helperOk('vnet-list', '-r')).toBe('vi1\n  - vi1_a\n  - vi1_b\n');
    helperOk('vnet-epair-delete', 'vi1', 'vi1_a');
    helperOk('vnet-epair-delete', 'vi1', 'vi1_a');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0 vi1br vi1_bh vi1_b\n');
    helperOk('vnet-epair-delete', 'vi1', 'vi1_b');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
  });

  test('bridged: em0 a member of the bridge; the last jail gone, em0 is as it was', () => {
    const em0 = JSON.stringify(F.readState(root).ifaces.em0);
    helperOk('vnet-epair-add', 'em0', 'em0_b1', MAC, HMAC, 'bridged', 'em0');
    const br = ok('ifconfig', 'em0br');
    expect(br).toContain('\tmember: em0 flags=');
    expect(br).toContain('\tmember: em0_b1h flags=');
    expect(helperOk('vnet-list', '-r')).toBe('em0\n  - em0_b1\n');
    helperOk('vnet-epair-delete', 'em0', 'em0_b1');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
    expect(JSON.stringify(F.readState(root).ifaces.em0)).toBe(em0);
  });

  test('routed: the epair vi0 / vi0h holds the gateway addresses on the host and goes with the last jail', () => {
    helperOk('vnet-epair-add', 'vi0', 'vi0_v1', MAC, HMAC, 'routed', '02:00:00:00:00:0a', '02:00:00:00:01:0a', '172.31.0.1/24', 'fd00:31::1/64');
    const vi0 = ok('ifconfig', 'vi0');
    expect(vi0).toContain('inet 172.31.0.1 netmask 0xffffff00');
    expect(vi0).toContain('inet6 fd00:31::1 prefixlen 64');
    expect(vi0).toContain('ether 02:00:00:00:00:0a');
    expect(ok('ifconfig', 'vi0h')).toContain('ether 02:00:00:00:01:0a');
    expect(helperOk('vnet-list', '-r')).toBe('vi0\n  - vi0 172.31.0.1/24 fd00:31::1/64\n  - vi0_v1\n');
    helperOk('vnet-epair-delete', 'vi0', 'vi0_v1');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
    // The switch step's destroy on a switch already gone: nothing to do.
    expect(helperOk('vnet-epair-delete', 'vi0')).toBe('');
  });

  test('an epair left half-made by a run that died is rebuilt; interfaces it did not make are refused', () => {
    // Died after renaming the host side, before the jail side and addm.
    helperOk('vnet-epair-add', 'vi1', 'vi1_a', MAC, HMAC, 'switch');
    ok('ifconfig', 'epair', 'create');
    ok('ifconfig', 'epair1a', 'name', 'vi1_bh');
    const out = helperOk('vnet-epair-add', 'vi1', 'vi1_b', '02:00:00:00:00:02', '02:00:00:00:01:02', 'switch');
    expect(out).toContain('removing the half-made epair vi1_bh');
    expect(helperOk('vnet-list', '-r')).toBe('vi1\n  - vi1_a\n  - vi1_b\n');
    expect(ok('ifconfig', '-l').split(' ')).not.toContain('epair1b');
    // Not ours: a plain interface, a bridge-named non-bridge, a host side on another bridge.
    ok('ifconfig', 'lo', 'create', 'name', 'vi3br');
    let r = run('vnet-epair-add', 'vi3', 'vi3_a', MAC, HMAC, 'switch');
    expect([r.status, r.stderr]).toEqual([1, 'helper-1: error: interface vi3br exists and is not a bridge; refusing to touch it\n']);
    const other = ok('ifconfig', 'epair', 'create').trim().replace(/a$/, 'b');
    r = run('vnet-epair-add', 'vi1', other, MAC, HMAC, 'switch');
    expect([r.status, r.stderr]).toEqual([1, `helper-1: error: interface ${other} exists and was not made for switch vi1br; refusing to touch it\n`]);
    r = run('vnet-epair-add', 'vi2', 'vi1_a', MAC, HMAC, 'switch');
    expect([r.status, r.stderr]).toEqual([1, 'helper-1: error: interface vi1_ah exists and was not made for switch vi2br; refusing to touch it\n']);
    helperOk('vnet-epair-delete', 'vi2', 'vi1_a'); // not vi2's: left alone
    expect(helperOk('vnet-list', '-r')).toBe('vi1\n  - vi1_a\n  - vi1_b\n');
    r = run('vnet-epair-add', 'vi4', 'vi4_a', MAC, HMAC, 'bridged', 'nosuch0');
    expect([r.status, r.stderr]).toEqual([1, 'helper-1: error: the uplink nosuch0 does not exist on this host\n']);
    expect(run('vnet-epair-add', 'vi1', 'vi1_x', MAC, HMAC).status).toBe(64);
    expect(run('vnet-epair-delete').status).toBe(64);
  });
});

describe('switch ownership (vnet-claim, vnet-release)', () => {
  const MAC = '02:00:00:00:00:01';
  const HMAC = '02:00:00:00:01:01';
  const claimFile = () => path.join(claims, 'vi1.owner');

  test('a switch name is claimed for one owner; another is refused and releases nothing of it; the owner\'s release removes it and the claim', () => {
    helperOk('vnet-claim', 'vi1', 'appa:stack/vi1');
    expect(helperOk('vnet-claim', 'vi1', 'appa:stack/vi1')).toBe('');
    helperOk('vnet-epair-add', 'vi1', 'vi1_a', MAC, HMAC, 'switch');
    let r = run('vnet-claim', 'vi1', 'appb:stack/vi1');
    expect([r.status, r.stderr]).toEqual([1, `helper-1: error: switch vi1 on this host belongs to appa:stack/vi1, not to appb:stack/vi1: give this switch another name, or destroy the other first; if nothing owns it any more, remove ${claimFile()}\n`]);
    // The other app's destroy leaves the switch and the claim alone.
    r = run('vnet-release', 'vi1', 'appb:stack/vi1', 'if_bridge');
    expect([r.status, r.stdout]).toEqual([0, '==> switch vi1 belongs to appa:stack/vi1: left as it is\n']);
    expect(helperOk('vnet-list', '-r')).toBe('vi1\n  - vi1_a\n');
    expect(fs.readFileSync(claimFile(), 'utf8')).toBe('appa:stack/vi1\n');
    // The owner's release: only an empty switch goes; the claim goes in any case.
    helperOk('vnet-release', 'vi1', 'appa:stack/vi1', 'if_bridge');
    expect(helperOk('vnet-list')).toBe('vi1\n');
    expect(fs.existsSync(claimFile())).toBe(false);
    helperOk('vnet-epair-delete', 'vi1', 'vi1_a');
    helperOk('vnet-claim', 'vi1', 'appa:stack/vi1');
    helperOk('vnet-release', 'vi1', 'appa:stack/vi1', 'netgraph');
    expect(fs.existsSync(claims)).toBe(false);
    expect(run('vnet-release', 'vi1', 'appa:stack/vi1', 'sideways').status).toBe(64);
    expect(run('vnet-claim', 'vi1').status).toBe(64);
  });
});

describe('MTU (if_bridge.c bridge_ioctl_add, if_epair.c, ng_eiface.h)', () => {
  const MAC = '02:00:00:00:00:01';
  const HMAC = '02:00:00:00:01:01';
  const mtuOf = (name: string, jail?: string) => Number(/ mtu (\d+)\n/.exec(sh('ifconfig', [name], { env: jail ? { FAKEBSD_JAIL: jail } : {} }).stdout)?.[1]);

  test('the fake: ifconfig sets and shows an MTU; the first member gives the bridge its MTU, a member of another MTU is refused', () => {
    expect(mtuOf('em0')).toBe(1500);
    expect(mtuOf('lo0')).toBe(16384);
    ok('ifconfig', 'em0', 'mtu', '9000');
    expect(mtuOf('em0')).toBe(9000);
    ok('ifconfig', 'bridge', 'create', 'name', 'b0');
    ok('ifconfig', 'b0', 'addm', 'em0');
    expect(mtuOf('b0')).toBe(9000);
    const a = ok('ifconfig', 'epair', 'create').trim();
    let r = sh('ifconfig', ['b0', 'addm', a]);
    expect([r.status, r.stderr]).toEqual([1, `ifconfig: BRDGADD ${a}: Invalid argument\n`]);
    // The bridge's own MTU: only to one all its members have (SIOCSIFMTU), never under 576; a
    // refused SIOCSIFMTU is a warning only (ifconfig.c setifmtu), so scripts must look again.
    r = sh('ifconfig', ['b0', 'mtu', '1500']);
    expect([r.status, r.stderr, mtuOf('b0')]).toEqual([0, 'ifconfig: SIOCSIFMTU: Invalid argument\n', 9000]);
    r = sh('ifconfig', ['em0', 'mtu', 'big']);
    expect([r.status, r.stderr]).toEqual([1, 'ifconfig: big: invalid mtu\n']);
    ok('ifconfig', a, 'mtu', '9000');
    ok('ifconfig', 'b0', 'addm', a);
    expect(ok('ifconfig', 'b0')).toContain(`\tmember: ${a} `);
  });

  test('a bridged switch on an uplink of MTU 9000: both ends of each epair, and each eiface, take it', () => {
    ok('ifconfig', 'em0', 'mtu', '9000');
    helperOk('vnet-epair-add', 'em0', 'em0_b1', MAC, HMAC, 'bridged', 'em0');
    expect([mtuOf('em0br'), mtuOf('em0_b1h'), mtuOf('em0_b1')]).toEqual([9000, 9000, 9000]);
    // A second run changes nothing.
    expect(helperOk('vnet-epair-add', 'em0', 'em0_b1', MAC, HMAC, 'bridged', 'em0')).toBe('');
    helperOk('vnet-epair-delete', 'em0', 'em0_b1');
    expect(mtuOf('em0')).toBe(9000);
    helperOk('vnet-add', 'em0', 'em0_b2', MAC, 'bridged', 'em0');
    expect(mtuOf('em0_b2')).toBe(9000);
    // A switch with no uplink keeps the default.
    helperOk('vnet-add', 'vi1', 'vi1_a', '02:00:00:00:00:02', 'switch');
    expect(mtuOf('vi1_a')).toBe(1500);
  });
});

describe('FreeBSD 15: no IP address on a bridge member (net.link.bridge.member_ifaddrs, if_bridge.c)', () => {
  const MAC = '02:00:00:00:00:01';
  const HMAC = '02:00:00:00:01:01';
  const on15 = () => { fs.rmSync(root, { recursive: true, force: true }); root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-vnet-')); F.initHost(root, { release: '15.1-RELEASE-p1' }); };

  test('the fake: 14.x has no such sysctl; on 15.x it is 0, a member with addresses is refused and a member takes none', () => {
    expect(sh('sysctl', ['-n', 'net.link.bridge.member_ifaddrs']).status).toBe(1);
    ok('ifconfig', 'bridge', 'create', 'name', 'b0');
    ok('ifconfig', 'b0', 'addm', 'em0');
    on15();
    expect(ok('sysctl', '-n', 'net.link.bridge.member_ifaddrs')).toBe('0\n');
    ok('ifconfig', 'bridge', 'create', 'name', 'b0');
    let r = sh('ifconfig', ['b0', 'addm', 'em0']);
    expect([r.status, r.stderr]).toEqual([1, 'ifconfig: BRDGADD em0: Invalid argument\n']);
    const a = ok('ifconfig', 'epair', 'create').trim();
    ok('ifconfig', 'b0', 'addm', a);
    r = sh('ifconfig', [a, 'inet', '10.0.0.1/24']);
    expect([r.status, r.stderr]).toEqual([1, 'ifconfig: ioctl (SIOCAIFADDR): Invalid argument\n']);
    ok('sysctl', 'net.link.bridge.member_ifaddrs=1');
    ok('ifconfig', 'b0', 'addm', 'em0');
  });

  test('the helper refuses an uplink with addresses on 15.x before touching anything, and says what to do', () => {
    on15();
    const before = JSON.stringify(F.readState(root).ifaces);
    const r = run('vnet-epair-add', 'em0', 'em0_b1', MAC, HMAC, 'bridged', 'em0');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error: the uplink em0 has IP addresses (inet 192.0.2.10), and this kernel keeps addresses off bridge members (net.link.bridge.member_ifaddrs=0');
    expect(r.stderr).toContain('VnetBackend.NETGRAPH');
    expect(JSON.stringify(F.readState(root).ifaces)).toBe(before);
    // An uplink with no address joins; so does one with addresses once the administrator allows it.
    ok('ifconfig', 'em0', 'inet', '192.0.2.10/24', '-alias');
    helperOk('vnet-epair-add', 'em0', 'em0_b1', MAC, HMAC, 'bridged', 'em0');
    helperOk('vnet-epair-delete', 'em0', 'em0_b1');
    ok('ifconfig', 'em0', 'inet', '192.0.2.10/24', 'alias');
    ok('sysctl', 'net.link.bridge.member_ifaddrs=1');
    helperOk('vnet-epair-add', 'em0', 'em0_b1', MAC, HMAC, 'bridged', 'em0');
    expect(ok('ifconfig', 'em0br')).toContain('\tmember: em0 ');
    // The netgraph backend has no such rule (ng_bridge hooks ng_ether, em0 is no bridge member).
    ok('sysctl', 'net.link.bridge.member_ifaddrs=0');
    helperOk('vnet-add', 'vi2', 'vi2_b1', '02:00:00:00:00:03', 'bridged', 'em0');
  });
});

test('the fake: capabilities as options=; if_bridge strips a member\'s LRO and gives it back (if_bridge.c BRIDGE_IFCAPS_STRIP)', () => {
  const options = () => /\toptions=(\w+)<([^>]*)>/.exec(ok('ifconfig', 'em0'))!.slice(1);
  expect(options()).toEqual(['6005bb', 'RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,JUMBO_MTU,VLAN_HWCSUM,TSO4,LRO,RXCSUM_IPV6,TXCSUM_IPV6']);
  ok('ifconfig', 'bridge', 'create', 'name', 'b0');
  ok('ifconfig', 'b0', 'addm', 'em0');
  expect(options()[1]).not.toContain('LRO');
  ok('ifconfig', 'b0', 'deletem', 'em0');
  expect(options()[1]).toContain(',LRO,');
  ok('ifconfig', 'em0', '-lro', '-tso', '-txcsum', '-txcsum6');
  expect(options()).toEqual(['2000b9', 'RXCSUM,VLAN_MTU,VLAN_HWTAGGING,JUMBO_MTU,VLAN_HWCSUM,RXCSUM_IPV6']);
  ok('ifconfig', 'em0', 'tso', 'lro');
  expect(options()[1]).toBe('RXCSUM,VLAN_MTU,VLAN_HWTAGGING,JUMBO_MTU,VLAN_HWCSUM,TSO4,LRO,RXCSUM_IPV6');
});
