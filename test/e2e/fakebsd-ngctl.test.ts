// ngctl: the netgraph graph that jng and the notebook's vnet helper build, and FreeBSD's refusals.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { F, shimsAt } from './fakebsd-support';

let root: string;
const { sh, ok, host, write } = shimsAt(() => root);

/** ngctl's own socket node is named after its pid. */
const nopid = (s: string) => s.replace(/ngctl\d+( *)/g, (m) => 'ngctlPID'.padEnd(m.length));
const fails = (args: string[], status: number, stderr: string, input?: string) => {
  const r = sh('ngctl', args, input === undefined ? {} : { input });
  expect([r.status, r.stderr]).toEqual([status, stderr]);
};

/** `vnet add -4 172.31.0.1/24 vi0 vi0_v1` done by hand, jng style: host eiface vi0, bridge vi0br, jail eiface vi0_v1. */
function routedTopology() {
  ok('kldload', '-n', 'ng_ether');
  expect(sh('ngctl', ['info', 'vi0br:']).status).toBe(71); // not there yet
  ok('ngctl', 'mkpeer', 'eiface', 'ether', 'ether');
  ok('ngctl', 'mkpeer', 'ngeth0:', 'bridge', 'ether', 'link0');
  ok('ngctl', 'name', 'ngeth0:ether', 'vi0br');
  expect(ok('ifconfig', 'ngeth0', 'name', 'vi0')).toBe('vi0\n');
  ok('ifconfig', 'vi0', 'inet', '172.31.0.1/24', 'up');
  // The first free link, as jng finds it.
  let num = 0;
  while (sh('ngctl', ['msg', 'vi0br:', 'getstats', String(num)]).status === 0) num++;
  expect(num).toBe(1);
  ok('ngctl', 'mkpeer', 'vi0br:', 'eiface', `link${num}`, 'ether');
  const created = ok('ngctl', 'show', '-n', `vi0br:link${num}`).trim().split(/\s+/)[1];
  expect(created).toBe('ngeth1');
  ok('ngctl', 'name', `vi0br:link${num}`, 'vi0_v1');
  ok('ifconfig', created, 'name', 'vi0_v1');
  ok('ifconfig', 'vi0_v1', 'up');
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-ngctl-'));
  F.initHost(root, {});
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('ngctl', () => {
  test('routed topology: bridge vi0br joins host eiface vi0 and jail eiface vi0_v1', () => {
    routedTopology();
    expect(nopid(ok('ngctl', 'list'))).toBe(`There are 5 total nodes:
  Name: em0             Type: ether           ID: 00000001   Num hooks: 0
  Name: ngeth0          Type: eiface          ID: 00000004   Num hooks: 1
  Name: vi0br           Type: bridge          ID: 00000006   Num hooks: 2
  Name: vi0_v1          Type: eiface          ID: 0000000b   Num hooks: 1
  Name: ngctlPID        Type: socket          ID: 0000000e   Num hooks: 0
`);
    // Hooks newest first, as the kernel lists them.
    expect(ok('ngctl', 'show', 'vi0br:')).toBe(`  Name: vi0br           Type: bridge          ID: 00000006   Num hooks: 2
  Local hook      Peer name       Peer type    Peer ID         Peer hook      
  ----------      ---------       ---------    -------         ---------      
  link1           vi0_v1          eiface       0000000b        ether          
  link0           ngeth0          eiface       00000004        ether          
`);
    expect(ok('ngctl', 'ls', '-n')).toContain('There are 5 total named nodes:');
    expect(ok('ngctl', 'info', '[6]:')).toContain('Name: vi0br ');
    expect(ok('ngctl', 'show', '-n', 'vi0br:link0')).toMatch(/^ {2}Name: ngeth0 +Type: eiface/);
    expect(ok('ngctl', 'msg', 'ngeth0:', 'getifname')).toBe('Rec\'d response "getifname" (1) from "[4]:":\nArgs:\t"vi0"\n');
    expect(ok('ngctl', 'msg', 'vi0br:', 'getstats', '1')).toBe('Rec\'d response "getstats" (4) from "[6]:":\nArgs:\t{}\n');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0 vi0 vi0_v1\n');
    expect(ok('ifconfig', 'vi0')).toContain('inet 172.31.0.1 netmask 0xffffff00');
    expect(ok('ifconfig', 'vi0_v1', 'ether')).toMatch(/^vi0_v1: .*\n\tether 58:9c:fc:[0-9a-f:]+\n$/);

    // The jail takes vi0_v1; its netgraph node stays in the host's graph.
    fs.mkdirSync(host('/vm/v1'), { recursive: true });
    write('/etc/jail.conf', 'v1 { path = "/vm/v1"; vnet; vnet.interface = "vi0_v1"; }\n');
    ok('jail', '-f', '/etc/jail.conf', '-c', 'v1');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0 vi0\n');
    const inJail = { env: { FAKEBSD_JAIL: 'v1' } };
    expect(sh('ifconfig', ['-l'], inJail).stdout).toBe('vi0_v1\n');
    expect(nopid(sh('ngctl', ['list'], inJail).stdout)).toMatch(/^There are 1 total nodes:\n {2}Name: ngctlPID +Type: socket/);
    expect(ok('ngctl', 'msg', 'vi0_v1:', 'getifname')).toContain('Args:\t"vi0_v1"');

    // vnet delete: the jail's eiface goes (its interface with it, inside the jail), then the host side.
    ok('ngctl', 'shutdown', 'vi0_v1:');
    expect(sh('ifconfig', ['-l'], inJail).stdout).toBe('\n');
    expect(ok('ngctl', 'show', 'vi0br:')).toContain('Num hooks: 1');
    ok('ngctl', 'shutdown', 'ngeth0:');
    // The bridge went away with its last hook; ng_ether's node is persistent.
    expect(nopid(ok('ngctl', 'list'))).toBe(`There are 2 total nodes:
  Name: em0             Type: ether           ID: 00000001   Num hooks: 0
  Name: ngctlPID        Type: socket          ID: 0000001a   Num hooks: 0
`);
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
    fails(['msg', 'vi0br:', 'getstats', '0'], 71, 'ngctl: send msg: No such file or directory\n');
    ok('jail', '-f', '/etc/jail.conf', '-r', 'v1');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
  });

  test('bridged topology on em0 (jng bridge): promiscuous ether node, lower and upper hooks', () => {
    fails(['msg', 'em0:', 'setpromisc', '1'], 71, 'ngctl: send msg: No such file or directory\n'); // ng_ether not loaded
    ok('kldload', 'ng_ether');
    ok('ngctl', 'msg', 'em0:', 'setpromisc', '1');
    ok('ngctl', 'msg', 'em0:', 'setautosrc', '0');
    ok('ngctl', 'mkpeer', 'em0:', 'bridge', 'lower', 'link0');
    ok('ngctl', 'connect', 'em0:', 'em0:lower', 'upper', 'link1');
    ok('ngctl', 'name', 'em0:lower', 'em0bridge');
    ok('ngctl', 'mkpeer', 'em0bridge:', 'eiface', 'link2', 'ether');
    ok('ngctl', 'name', 'em0bridge:link2', 'ng0_b1');
    ok('ifconfig', 'ngeth0', 'name', 'ng0_b1');
    expect(ok('ngctl', 'msg', 'em0:', 'getpromisc')).toBe('Rec\'d response "getpromisc" (5) from "[2]:":\nArgs:\t1\n');
    expect(ok('ngctl', 'msg', 'em0:', 'getautosrc')).toContain('Args:\t0\n');
    expect(ok('ngctl', 'show', 'em0:').split('\n').slice(3, 5)).toEqual([
      '  upper           em0bridge       bridge       00000006        link1          ',
      '  lower           em0bridge       bridge       00000006        link0          ',
    ]);
    // jng's stats: the eiface's bridge link.
    expect(ok('ngctl', 'msg', 'em0bridge:', 'getstats', '2')).toContain('Args:\t{}');
    // jng shutdown b1 leaves the bridge on em0; shutting the bridge down frees em0's hooks.
    ok('ngctl', 'shutdown', 'ng0_b1:');
    ok('ngctl', 'shutdown', 'em0bridge:');
    expect(ok('ngctl', 'show', 'em0:')).toMatch(/Num hooks: 0\n$/);
    expect(ok('ngctl', 'msg', 'em0:', 'getpromisc')).toContain('Args:\t0\n');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
  });

  test('-f - reads commands from stdin in one session: a bridge made from the socket lives while it does', () => {
    // Alone, a bridge hanging off ngctl's socket dies with the socket.
    ok('ngctl', 'mkpeer', '.', 'bridge', 'b', 'link0');
    expect(nopid(ok('ngctl', 'list'))).toMatch(/^There are 1 total nodes:/);
    const script = '# routed net in one go\nmkpeer . bridge b link0\nname b net1br\nmkpeer net1br: eiface link1 ether\n\nmkpeer net1br: eiface link2 ether\nrmhook . b\n';
    const r = sh('ngctl', ['-f', '-'], { input: script });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(ok('ngctl', 'show', 'net1br:')).toContain('Num hooks: 2');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0 ngeth0 ngeth1\n');
    // The first failing line stops the file.
    fails(['-f', '-'], 71, 'ngctl: send msg: Address already in use\nngctl: line 2: error in file\n', 'list\nname ngeth0: net1br\nshutdown net1br:\n');
    expect(sh('ngctl', ['info', 'net1br:']).status).toBe(0);
    write('/tmp/teardown.ng', 'shutdown ngeth0:\nshutdown ngeth1:\n');
    ok('ngctl', '-f', '/tmp/teardown.ng');
    expect(sh('ngctl', ['info', 'net1br:']).status).toBe(71);
    expect(ok('ifconfig', '-l')).toBe('lo0 em0\n');
    fails(['-f', '/tmp/nope'], 66, 'ngctl: /tmp/nope: No such file or directory\n');
  });

  test('refuses what FreeBSD refuses, with ngctl\'s messages and statuses', () => {
    routedTopology();
    const before = F.readState(root).ng;
    const same = () => expect(Object.keys(F.readState(root).ng.nodes)).toEqual(Object.keys(before.nodes));
    fails([], 64, 'ngctl: no command specified\nngctl: usage: ngctl [-d] [-f file] [-n name] [command ...]\n');
    fails(['-x', 'list'], 64, 'ngctl: illegal option -- x\nngctl: usage: ngctl [-d] [-f file] [-n name] [command ...]\n');
    fails(['frob'], 71, 'ngctl: "frob": unknown command\n');
    fails(['s', 'vi0br:'], 71, 'ngctl: "s": ambiguous command\n');
    fails(['list', '-x'], 64, 'ngctl: illegal option -- x\nngctl: usage: list [-ln]\n');
    fails(['show'], 64, 'ngctl: usage: show [-n] <path>\n');
    fails(['mkpeer', 'eiface'], 64, 'ngctl: usage: mkpeer [path] <type> <hook> <peerhook>\n');
    fails(['show', 'nosuch:'], 71, 'ngctl: send msg: No such file or directory\n');
    fails(['show', 'vi0br:link9'], 71, 'ngctl: send msg: No such file or directory\n');
    fails(['show', 'a:b:c'], 71, 'ngctl: send msg: Invalid argument\n');
    fails(['shutdown', 'nosuch:'], 71, 'ngctl: shutdown: No such file or directory\n');
    // Names: in use (even by the node itself), malformed.
    fails(['name', 'vi0br:link1', 'vi0br'], 71, 'ngctl: send msg: Address already in use\n');
    fails(['name', 'vi0br:', 'vi0br'], 71, 'ngctl: send msg: Address already in use\n');
    fails(['name', 'vi0br:', 'a.b'], 71, 'ngctl: send msg: Invalid argument\n');
    fails(['name', 'vi0br:', '[1f]'], 71, 'ngctl: send msg: Invalid argument\n');
    // Hooks: in use, not a bridge link, not the eiface's "ether"; ether nodes are not made by hand.
    fails(['mkpeer', 'vi0br:', 'eiface', 'link1', 'ether'], 71, 'ngctl: send msg: File exists\n');
    fails(['mkpeer', 'vi0br:', 'eiface', 'port3', 'ether'], 71, 'ngctl: send msg: Invalid argument\n');
    fails(['mkpeer', 'vi0br:', 'eiface', 'link3', 'eth'], 71, 'ngctl: send msg: Protocol family not supported\n');
    fails(['connect', 'vi0:', 'vi0br:', 'ether', 'link4'], 71, 'ngctl: send msg: No such file or directory\n'); // vi0 is the interface, the node is ngeth0
    fails(['connect', 'ngeth0:', 'vi0br:', 'ether', 'link4'], 71, 'ngctl: send msg: File exists\n');
    fails(['mkpeer', 'em0:', 'ether', 'lower', 'x'], 71, 'ngctl: send msg: Invalid argument\n');
    fails(['mkpeer', 'em0:', 'bridge', 'sideways', 'link0'], 71, 'ngctl: send msg: Invalid argument\n');
    // Unknown node type: no ng_TYPE module to load.
    fails(['mkpeer', 'vi0br:', 'nosuchtype', 'link5', 'x'], 71, 'ngctl: send msg: No such file or directory\n');
    // Messages: unknown to the type, bad argument, a link that is not connected.
    fails(['msg', 'vi0br:', 'setpromisc', '1'], 71, 'ngctl: send msg: Function not implemented\n');
    fails(['msg', 'em0:', 'setpromisc'], 71, 'ngctl: send msg: Invalid argument\n');
    fails(['msg', 'vi0br:', 'getstats', '7'], 71, 'ngctl: send msg: Socket is not connected\n');
    fails(['msg', 'vi0br:'], 64, 'ngctl: usage: msg path command [args ... ]\n');
    // Nothing half-made was left behind: no node, no ngeth interface.
    same();
    expect(ok('ifconfig', '-l')).toBe('lo0 em0 vi0 vi0_v1\n');
    // ifconfig: names are at most 15 characters and must be free.
    let r = sh('ifconfig', ['vi0_v1', 'name', 'averyverylongname']);
    expect([r.status, r.stderr]).toEqual([1, 'ifconfig: averyverylongname: name too long\n']);
    r = sh('ifconfig', ['vi0_v1', 'name', 'vi0']);
    expect([r.status, r.stderr]).toEqual([1, 'ifconfig: ioctl SIOCSIFNAME (set name): File exists\n']);
    r = sh('ifconfig', ['vi0_v1', 'destroy']);
    expect([r.status, r.stderr]).toEqual([1, 'ifconfig: SIOCIFDESTROY: Invalid argument\n']);
    // What the fake does not model says so.
    fails(['dot'], 70, 'fakebsd: ngctl: dot is not modelled by the fake\n');
    fails(['mkpeer', 'vi0br:', 'iface', 'link5', 'inet'], 70, 'fakebsd: ngctl: node type iface is not modelled by the fake\n');
    same();
  });

  test('ether nodes follow their interface into a vnet jail and back; a jail without vnet has no netgraph', () => {
    ok('ifconfig', 'epair', 'create');
    ok('kldload', 'ng_ether');
    const names = (env = {}) => sh('ngctl', ['ls'], { env }).stdout.split('\n').slice(1).map((l: string) => l.split(/\s+/)[2]).filter((n: string) => n && !/^ngctl/.test(n));
    expect(names()).toEqual(['em0', 'epair0a', 'epair0b']);
    ok('ngctl', 'mkpeer', 'epair0b:', 'bridge', 'lower', 'link0');
    ok('ngctl', 'connect', 'epair0b:', 'epair0b:lower', 'upper', 'link1');
    fs.mkdirSync(host('/vm/j'), { recursive: true });
    write('/etc/jail.conf', 'j { path = "/vm/j"; vnet; vnet.interface = "epair0b"; }\nk { path = "/vm/j"; }\n');
    ok('jail', '-f', '/etc/jail.conf', '-c', 'j', 'k');
    // The move detaches the node: its links (and so the bridge) are gone.
    expect(names()).toEqual(['em0', 'epair0a']);
    expect(names({ FAKEBSD_JAIL: 'j' })).toEqual(['epair0b']);
    const r = sh('ngctl', ['ls'], { env: { FAKEBSD_JAIL: 'k' } });
    expect([r.status, r.stderr]).toEqual([71, "ngctl: can't create node: Operation not permitted\n"]);
    ok('jail', '-f', '/etc/jail.conf', '-r', 'j');
    expect(names()).toEqual(['em0', 'epair0a', 'epair0b']);
  });

  test('the eiface unit stays taken after its interface is renamed; names follow ngctl name', () => {
    ok('ngctl', 'mkpeer', 'eiface', 'ether', 'ether');
    ok('ifconfig', 'ngeth0', 'name', 'wan0');
    ok('ngctl', 'mkpeer', 'eiface', 'ether', 'ether');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0 wan0 ngeth1\n');
    expect(ok('ngctl', 'msg', 'ngeth1:', 'getifname')).toContain('"ngeth1"');
    ok('ngctl', 'name', 'ngeth0:', 'wan0');
    expect(ok('ngctl', 'msg', 'wan0:', 'getifname')).toContain('"wan0"');
    ok('ngctl', 'shutdown', 'wan0:');
    ok('ngctl', 'mkpeer', 'eiface', 'ether', 'ether');
    expect(ok('ifconfig', '-l')).toBe('lo0 em0 ngeth1 ngeth0\n');
    // jng sets a derived MAC address on each new interface.
    ok('ifconfig', 'ngeth0', 'ether', '2a:0:11:22:33:44');
    expect(ok('ifconfig', 'ngeth0', 'ether')).toMatch(/\n\tether 2a:00:11:22:33:44\n$/);
    const r = sh('ifconfig', ['lo0', 'ether', '2a:00:11:22:33:44']);
    expect([r.status, r.stderr]).toEqual([1, 'ifconfig: ioctl (SIOCSIFLLADDR): Invalid argument\n']);
    expect(F.readState(root).kld).toEqual(expect.arrayContaining(['netgraph', 'ng_socket', 'ng_eiface']));
  });
});
