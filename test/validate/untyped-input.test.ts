/**
 * Props as a user of an untyped language can pass them by mistake (Python without a type
 * checker, JavaScript): a required prop missing, a string where a list is expected, a number
 * where a string is, an object where a string is, an unknown enum value. Each is a
 * ValidationError (never a TypeError from deep inside) that names the construct path, the prop
 * as the user wrote it (with the index of a list item), what was given and what to write instead.
 */
import { Testing, TerraformStack } from 'cdktf';
import { DevfsRule, DevfsRuleset, FreeBsdHost, FreeBsdRelease, HostSettings, HostStep, JailAddress, JailAddressFamily, JailDataset, JailDevfsRuleset, JailFile, JailFromSnapshot, JailHost, JailNetwork, JailPackages, JailParameter, JailRcConf, JailService, JailSource, JailUpdate, JailVnetNetwork, PfNat, PfNatNetwork, PfPortForward, PfPortRange, VnetBridge, VnetBridgeMode, ZfsTemplate } from '../../lib';

function fixture() {
  const stack = new TerraformStack(Testing.app(), 'stack');
  const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', release: FreeBsdRelease.of('14.3'), insecureAcceptAnyHostKey: true });
  const template = new ZfsTemplate(stack, 'template', { host, snapshotName: 'p3', release: FreeBsdRelease.V14_3 });
  const jailHost = new JailHost(stack, 'jails', { host });
  const web = new JailFromSnapshot(stack, 'web', { jailHost, source: JailSource.template(template), addresses: [JailAddress.onInterface('lo1', '127.1.1.1/32')] });
  const vi1 = new VnetBridge(stack, 'vi1', { host, subnets: ['172.31.1.0/24'] });
  return { stack, host, template, jailHost, web, vi1 };
}
type Fixture = ReturnType<typeof fixture>;

/** [what, build, construct path, prop, what was given, a piece of what to write instead] */
const CASES: Array<[string, (f: Fixture) => unknown, string, string, string, string]> = [
  // FreeBsdHost
  ['FreeBsdHost without props', (f) => new FreeBsdHost(f.stack, 'h', undefined as any), 'stack/h', 'props', 'nothing (undefined)', 'with address'],
  ['FreeBsdHost without address', (f) => new FreeBsdHost(f.stack, 'h', {} as any), 'stack/h', 'address', 'missing', 'a string'],
  ['FreeBsdHost address a number', (f) => new FreeBsdHost(f.stack, 'h', { address: 42 } as any), 'stack/h', 'address', 'the number 42', 'like "192.0.2.10"'],
  ['FreeBsdHost port a string', (f) => new FreeBsdHost(f.stack, 'h', { address: '192.0.2.11', port: '2222' } as any), 'stack/h', 'port', 'the string "2222"', 'like 2222'],
  ['FreeBsdHost release a string', (f) => new FreeBsdHost(f.stack, 'h', { address: '192.0.2.11', release: '14.3' } as any), 'stack/h', 'release', 'the string "14.3"', 'FreeBsdRelease.of("14.3")'],
  ['FreeBsdHost privilege unknown', (f) => new FreeBsdHost(f.stack, 'h', { address: '192.0.2.11', user: 'op', privilege: 'sudoo' } as any), 'stack/h', 'privilege', 'the string "sudoo"', 'Privilege.SUDO'],
  ['FreeBsdHost bastion a string', (f) => new FreeBsdHost(f.stack, 'h', { address: '192.0.2.11', bastion: 'jump.example.org' } as any), 'stack/h', 'bastion', 'the string "jump.example.org"', '{ address:'],
  ['FreeBsdHost bastion without address', (f) => new FreeBsdHost(f.stack, 'h', { address: '192.0.2.11', bastion: { port: 22 } } as any), 'stack/h', 'bastion.address', 'missing', 'BastionProps requires it'],
  // JailHost
  ['JailHost without host', (f) => new JailHost(f.stack, 'jh', {} as any), 'stack/jh', 'host', 'missing', 'new FreeBsdHost('],
  ['JailHost host a string', (f) => new JailHost(f.stack, 'jh', { host: 'host' } as any), 'stack/jh', 'host', 'the string "host"', 'new FreeBsdHost('],
  ['JailHost cloneInterfaces a string', (f) => new JailHost(f.stack, 'jh', { host: f.host, cloneInterfaces: 'lo1' } as any), 'stack/jh', 'cloneInterfaces', 'the string "lo1"', '["lo1"]'],
  // ZfsTemplate
  ['ZfsTemplate without host', (f) => new ZfsTemplate(f.stack, 't', {} as any), 'stack/t', 'host', 'missing', 'new FreeBsdHost('],
  ['ZfsTemplate release a string', (f) => new ZfsTemplate(f.stack, 't', { host: f.host, release: '14.3' } as any), 'stack/t', 'release', 'the string "14.3"', 'FreeBsdRelease.of("14.3")'],
  ['ZfsTemplate extraSets a string', (f) => new ZfsTemplate(f.stack, 't', { host: f.host, release: FreeBsdRelease.V14_3, extraSets: 'lib32' } as any), 'stack/t', 'extraSets', 'the string "lib32"', '["lib32"]'],
  ['ZfsTemplate arch a number', (f) => new ZfsTemplate(f.stack, 't', { host: f.host, release: FreeBsdRelease.V14_3, arch: 64 } as any), 'stack/t', 'arch', 'the number 64', '"amd64"'],
  ['ZfsTemplate digests a string', (f) => new ZfsTemplate(f.stack, 't', { host: f.host, release: FreeBsdRelease.V14_3, digests: 'ab'.repeat(32) } as any), 'stack/t', 'digests', 'the string "abab', '{ base:'],
  ['ZfsTemplate rcConf value a number', (f) => new ZfsTemplate(f.stack, 't', { host: f.host, release: FreeBsdRelease.V14_3, rcConf: { sshd_enable: 1 } } as any), 'stack/t', 'rcConf.sshd_enable', 'the number 1', '"1"'],
  // JailFromSnapshot
  ['jail without jailHost', (f) => new JailFromSnapshot(f.stack, 'j', { source: JailSource.template(f.template) } as any), 'stack/j', 'jailHost', 'missing', 'new JailHost('],
  ['jail with a FreeBsdHost for jailHost', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.host, source: JailSource.template(f.template) } as any), 'stack/j', 'jailHost', 'the FreeBsdHost stack/host', 'new JailHost('],
  ['jail addresses a string', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.jailHost, source: JailSource.template(f.template), addresses: '127.1.1.2/32' } as any), 'stack/j', 'addresses', 'the string "127.1.1.2/32"', 'JailAddress.onInterface("lo1", "127.1.1.2/32")'],
  ['jail addresses of strings', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.jailHost, source: JailSource.template(f.template), addresses: ['127.1.1.2/32'] } as any), 'stack/j', 'addresses[0]', 'the string "127.1.1.2/32"', 'JailAddress.onInterface("lo1", "127.1.1.2/32")'],
  ['jail networks a single network', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.jailHost, source: JailSource.template(f.template), networks: new JailVnetNetwork({ interfaces: [{ bridge: f.vi1 }] }) } as any), 'stack/j', 'networks', 'a JailVnetNetwork', '(a list, even of one)'],
  ['jail template a string', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.jailHost, source: JailSource.template('template' as any) } as any), 'JailSource.template', 'template', 'the string "template"', 'new ZfsTemplate('],
  ['jail source a template', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.jailHost, source: f.template } as any), 'stack/j', 'source', 'the ZfsTemplate stack/template', 'JailSource.template(template)'],
  ['jail snapshot a number', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.jailHost, source: JailSource.snapshot(3 as any) } as any), 'JailSource.snapshot', 'snapshot', 'the number 3', 'zroot/vm/tmpl/14.5@p1'],
  // Factories of value classes check what they are given, before anything keeps it.
  ['PfPortRange.port a string', () => PfPortRange.port('80' as any), 'PfPortRange.port', 'port', 'the string "80"', 'like 80'],
  ['PfPortRange.range to a string', () => PfPortRange.range(8000, '8080' as any), 'PfPortRange.range', 'to', 'the string "8080"', 'like 8080'],
  ['PfNatNetwork.ipv4 a list', () => PfNatNetwork.ipv4(['172.31.0.0/24'] as any), 'PfNatNetwork.ipv4', 'cidr', 'the list ["172.31.0.0/24"]', '"172.31.0.0/24"'],
  ['VnetBridgeMode.bridged missing', () => VnetBridgeMode.bridged(undefined as any), 'VnetBridgeMode.bridged', 'uplink', 'missing', '"em0"'],
  ['JailParameter.set a number', () => JailParameter.set('securelevel', 3 as any), 'JailParameter.set', 'value', 'the number 3', '"www.example.org"'],
  ['JailParameter.list a string', () => JailParameter.list('ip4.addr', 'lo1|127.1.1.1' as any), 'JailParameter.list', 'values', 'the string "lo1|127.1.1.1"', '(a list, even of one)'],
  ['JailDevfsRuleset.fromNumber a string', () => JailDevfsRuleset.fromNumber('4' as any), 'JailDevfsRuleset.fromNumber', 'rulesetNumber', 'the string "4"', 'like 4'],
  ['DevfsRule.unhide a number', () => DevfsRule.unhide(3 as any), 'DevfsRule.unhide', 'path', 'the number 3', '"bpf*"'],
  ['JailNetwork.aliases a single address', () => JailNetwork.aliases(JailAddress.onInterface('lo1', '127.1.1.1/32') as any), 'JailNetwork.aliases', 'addresses', 'a JailAddress', '(a list, even of one)'],
  ['JailAddress.onInterface without an address', () => JailAddress.onInterface('lo1', undefined as any), 'JailAddress.onInterface', 'cidr', 'missing', '"127.1.1.1/32"'],
  ['FreeBsdRelease.of a number', () => FreeBsdRelease.of(14.5 as any), 'FreeBsdRelease.of', 'version', 'the number 14.5', '"14.5"'],
  ['jail method unknown', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.jailHost, source: JailSource.template(f.template), method: 'copy' } as any), 'stack/j', 'method', 'the string "copy"', 'JailCreationMethod.CLONE'],
  ['jail removalPolicy unknown', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.jailHost, source: JailSource.template(f.template), removalPolicy: 'delete' } as any), 'stack/j', 'removalPolicy', 'the string "delete"', 'JailRemovalPolicy.DESTROY'],
  ['jail depend a jail', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.jailHost, source: JailSource.template(f.template), depend: f.web } as any), 'stack/j', 'depend', 'the JailFromSnapshot stack/web', '(a list, even of one)'],
  ['jail name a number', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.jailHost, source: JailSource.template(f.template), name: 7 } as any), 'stack/j', 'name', 'the number 7', 'like "www"'],
  ['jail start a string', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.jailHost, source: JailSource.template(f.template), start: 'yes' } as any), 'stack/j', 'start', 'the string "yes"', 'true or false'],
  ['jail nullfsMounts item without jailPath', (f) => new JailFromSnapshot(f.stack, 'j', { jailHost: f.jailHost, source: JailSource.template(f.template), nullfsMounts: [{ hostPath: '/usr/ports' }] } as any), 'stack/j', 'nullfsMounts[0].jailPath', 'missing', 'JailNullfsMount requires it'],
  // JailPackages
  ['packages without jail', (f) => new JailPackages(f.stack, 'p', { packages: ['git-lite'] } as any), 'stack/p', 'jail', 'missing', 'new JailFromSnapshot('],
  ['packages without packages', (f) => new JailPackages(f.stack, 'p', { jail: f.web } as any), 'stack/p', 'packages', 'missing', '["git-lite", "vim-console"]'],
  ['packages a string', (f) => new JailPackages(f.stack, 'p', { jail: f.web, packages: 'git-lite' } as any), 'stack/p', 'packages', 'the string "git-lite"', '["git-lite"]'],
  ['packages of numbers', (f) => new JailPackages(f.stack, 'p', { jail: f.web, packages: ['git-lite', 7] } as any), 'stack/p', 'packages[1]', 'the number 7', 'like "git-lite"'],
  // JailUpdate
  ['update without jail', (f) => new JailUpdate(f.stack, 'u', {} as any), 'stack/u', 'jail', 'missing', 'new JailFromSnapshot('],
  ['update targetRelease a string', (f) => new JailUpdate(f.stack, 'u', { jail: f.web, targetRelease: '15.0' } as any), 'stack/u', 'targetRelease', 'the string "15.0"', 'FreeBsdRelease.of("15.0")'],
  ['update runId a number', (f) => new JailUpdate(f.stack, 'u', { jail: f.web, runId: 20250101 } as any), 'stack/u', 'runId', 'the number 20250101', '"20250101"'],
  // DevfsRuleset
  ['devfs without rulesetNumber', (f) => new DevfsRuleset(f.stack, 'd', { host: f.host, rulesetName: 'devfsrules_bpf' } as any), 'stack/d', 'rulesetNumber', 'missing', 'a number'],
  ['devfs rulesetNumber a string', (f) => new DevfsRuleset(f.stack, 'd', { host: f.host, rulesetName: 'devfsrules_bpf', rulesetNumber: '10' } as any), 'stack/d', 'rulesetNumber', 'the string "10"', 'like 10'],
  ['devfs unhide a string', (f) => new DevfsRuleset(f.stack, 'd', { host: f.host, rulesetName: 'devfsrules_bpf', rulesetNumber: 10, unhide: 'bpf*' } as any), 'stack/d', 'unhide', 'the string "bpf*"', '["bpf*"]'],
  // PfNat
  ['PfNat without host', (f) => new PfNat(f.stack, 'nat', { externalInterface: 'em0' } as any), 'stack/nat', 'host', 'missing', 'new FreeBsdHost('],
  ['PfNat without externalInterface', (f) => new PfNat(f.stack, 'nat', { host: f.host } as any), 'stack/nat', 'externalInterface', 'missing', '"em0"'],
  ['PfNat mode unknown', (f) => new PfNat(f.stack, 'nat', { host: f.host, externalInterface: 'em0', mode: 'whole' } as any), 'stack/nat', 'mode', 'the string "whole"', 'PfMode.WHOLE_FILE'],
  ['PfNat natNetworks a string', (f) => new PfNat(f.stack, 'nat', { host: f.host, externalInterface: 'em0', natNetworks: '127.1.1.0/24' } as any), 'stack/nat', 'natNetworks', 'the string "127.1.1.0/24"', 'PfNatNetwork.ipv4("127.1.1.0/24")'],
  ['PfNat portForwards a single forward', (f) => new PfNat(f.stack, 'nat', { host: f.host, externalInterface: 'em0', portForwards: PfPortForward.toJail(f.web, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(80) }) } as any), 'stack/nat', 'portForwards', 'a PfPortForward', '(a list, even of one)'],
  ['PfNat forward without jail', (f) => new PfNat(f.stack, 'nat', { host: f.host, externalInterface: 'em0', portForwards: [PfPortForward.toJail(undefined as any, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(80) })] }), 'stack/nat', 'portForwards[0].jail', 'missing', 'new JailFromSnapshot('],
  ['PfNat forward ports a number', (f) => new PfNat(f.stack, 'nat', { host: f.host, externalInterface: 'em0', portForwards: [PfPortForward.toJail(f.web, { family: JailAddressFamily.IPV4, ports: 80 } as any)] }), 'stack/nat', 'portForwards[0].options.ports', 'the number 80', 'PfPortRange.port(80)'],
  ['PfNat forward family unknown', (f) => new PfNat(f.stack, 'nat', { host: f.host, externalInterface: 'em0', portForwards: [PfPortForward.toJail(f.web, { family: 'inet', ports: PfPortRange.port(80) } as any)] }), 'stack/nat', 'portForwards[0].options.family', 'the string "inet"', 'JailAddressFamily.IPV4'],
  ['PfNat rollbackSeconds a string', (f) => new PfNat(f.stack, 'nat', { host: f.host, externalInterface: 'em0', rollbackSeconds: '120' } as any), 'stack/nat', 'rollbackSeconds', 'the string "120"', 'like 120'],
  // VnetBridge
  ['VnetBridge without host', (f) => new VnetBridge(f.stack, 'vi2', {} as any), 'stack/vi2', 'host', 'missing', 'new FreeBsdHost('],
  ['VnetBridge subnets a string', (f) => new VnetBridge(f.stack, 'vi2', { host: f.host, subnets: '172.31.2.0/24' } as any), 'stack/vi2', 'subnets', 'the string "172.31.2.0/24"', '["172.31.2.0/24"]'],
  ['VnetBridge backend unknown', (f) => new VnetBridge(f.stack, 'vi2', { host: f.host, backend: 'bridge' } as any), 'stack/vi2', 'backend', 'the string "bridge"', 'VnetBackend.IF_BRIDGE'],
  ['VnetBridge mode a string', (f) => new VnetBridge(f.stack, 'vi2', { host: f.host, mode: 'routed' } as any), 'stack/vi2', 'mode', 'the string "routed"', 'VnetBridgeMode.routed('],
  // HostStep
  ['HostStep create a string', (f) => new HostStep(f.stack, 'step', { host: f.host, description: 'd', create: 'echo hi' } as any), 'stack/step', 'create', 'the string "echo hi"', '["echo hi"]'],
  ['HostStep without description', (f) => new HostStep(f.stack, 'step', { host: f.host, create: ['true'] } as any), 'stack/step', 'description', 'missing', '"my step"'],
  ['HostStep replaceOn a number value', (f) => new HostStep(f.stack, 'step', { host: f.host, description: 'd', create: ['true'], replaceOn: { version: 2 } } as any), 'stack/step', 'replaceOn.version', 'the number 2', '"1.2"'],
  // HostSettings
  ['HostSettings without host', (f) => new HostSettings(f.stack, 's', { rcConf: { pf_enable: 'YES' } } as any), 'stack/s', 'host', 'missing', 'new FreeBsdHost('],
  ['HostSettings rcConf a string', (f) => new HostSettings(f.stack, 's', { host: f.host, rcConf: 'pf_enable=YES' } as any), 'stack/s', 'rcConf', 'the string "pf_enable=YES"', '{ pf_enable: "YES" }'],
  ['HostSettings rcConfWords value a string', (f) => new HostSettings(f.stack, 's', { host: f.host, rcConfWords: { cloned_interfaces: 'lo1' } } as any), 'stack/s', 'rcConfWords.cloned_interfaces', 'the string "lo1"', '["lo1"]'],
];

describe('props from untyped languages', () => {
  test.each(CASES)('%s', (_what, build, path, prop, given, instead) => {
    const f = fixture();
    let error: unknown;
    try {
      build(f);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    const e = error as Error;
    expect({ name: e.name, message: e.message }).toEqual({ name: 'ValidationError', message: expect.stringContaining(`${path}: invalid ${prop}: ${given}`) });
    expect(e.message).toContain(instead);
  });
});

describe('a VNET jail\'s address outside its switch\'s subnet', () => {
  test('is reported as the address, with the subnet, not as a wrong default router', () => {
    const f = fixture();
    const bad = () => new JailFromSnapshot(f.stack, 'r1', {
      jailHost: f.jailHost,
      source: JailSource.template(f.template),
      networks: [new JailVnetNetwork({ interfaces: [{ bridge: f.vi1, addresses: ['172.31.2.11/24'] }], defaultRouter: '172.31.1.1' })],
    });
    expect(bad).toThrow('stack/r1: invalid interfaces[0].addresses[0]: 172.31.2.11/24 on vi1_r1 is outside the subnets of switch stack/vi1 (172.31.1.0/24)');
  });
});

test('PfNatNetwork and the other value classes still pass', () => {
  const f = fixture();
  expect(() => new PfNat(f.stack, 'nat', { host: f.host, externalInterface: 'em0', natNetworks: [PfNatNetwork.ipv4('127.1.1.0/24')] })).not.toThrow();
});

/**
 * Every prop of every construct is checked: its props interface, read from the jsii assembly
 * (what every language's binding has), against the construct's check. Each prop in turn gets a
 * value no check accepts (a symbol) on top of valid props, and must be refused by name, so a
 * prop added to an interface and not to its construct's check table fails here.
 */
describe('every prop of every construct is checked', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const assembly = JSON.parse(require('fs').readFileSync(require('path').join(__dirname, '..', '..', '.jsii'), 'utf8'));
  const propsOf = (struct: string): string[] => (assembly.types[`cdktf-freebsd-jails.${struct}`].properties ?? []).map((p: { name: string }) => p.name);
  const BUILDERS: Record<string, [string, (f: Fixture, props: any) => unknown, (f: Fixture) => Record<string, unknown>]> = {
    FreeBsdHost: ['FreeBsdHostProps', (f, props) => new FreeBsdHost(f.stack, 'c', props), () => ({ address: '192.0.2.20' })],
    ZfsTemplate: ['ZfsTemplateProps', (f, props) => new ZfsTemplate(f.stack, 'c', props), (f) => ({ host: f.host, release: FreeBsdRelease.V14_3, name: 'c' })],
    JailHost: ['JailHostProps', (f, props) => new JailHost(f.stack, 'c', props), (f) => ({ host: f.host })],
    JailFromSnapshot: ['JailFromSnapshotProps', (f, props) => new JailFromSnapshot(f.stack, 'c', props), (f) => ({ jailHost: f.jailHost, source: JailSource.template(f.template) })],
    JailPackages: ['JailPackagesProps', (f, props) => new JailPackages(f.stack, 'c', props), (f) => ({ jail: f.web, packages: ['git-lite'] })],
    JailUpdate: ['JailUpdateProps', (f, props) => new JailUpdate(f.stack, 'c', props), (f) => ({ jail: f.web })],
    PfNat: ['PfNatProps', (f, props) => new PfNat(f.stack, 'c', props), (f) => ({ host: f.host, externalInterface: 'em0' })],
    VnetBridge: ['VnetBridgeProps', (f, props) => new VnetBridge(f.stack, 'c', props), (f) => ({ host: f.host })],
    DevfsRuleset: ['DevfsRulesetProps', (f, props) => new DevfsRuleset(f.stack, 'c', props), (f) => ({ host: f.host, rulesetName: 'devfsrules_c', rulesetNumber: 40, unhide: ['bpf*'] })],
    HostSettings: ['HostSettingsProps', (f, props) => new HostSettings(f.stack, 'c', props), (f) => ({ host: f.host, rcConf: { sshd_enable: 'YES' } })],
    HostStep: ['HostStepProps', (f, props) => new HostStep(f.stack, 'c', props), (f) => ({ host: f.host, description: 'd', create: ['true'] })],
    JailDataset: ['JailDatasetProps', (f, props) => new JailDataset(f.stack, 'c', props), (f) => ({ host: f.host, name: 'c' })],
    JailFile: ['JailFileProps', (f, props) => new JailFile(f.stack, 'c', props), (f) => ({ jail: f.web, path: '/usr/local/etc/app.conf', content: 'x\n' })],
    JailRcConf: ['JailRcConfProps', (f, props) => new JailRcConf(f.stack, 'c', props), (f) => ({ jail: f.web, variables: { app_flags: '-v' } })],
    JailService: ['JailServiceProps', (f, props) => new JailService(f.stack, 'c', props), (f) => ({ jail: f.web, name: 'nginx' })],
  };

  test('the constructs listed are every construct of the assembly that takes props', () => {
    const constructs = Object.values<any>(assembly.types)
      .filter((t) => t.kind === 'class' && t.initializer?.parameters?.length === 3 && t.initializer.parameters[2].type?.fqn?.endsWith('Props'))
      .map((t) => t.name).sort();
    expect(constructs).toEqual(Object.keys(BUILDERS).sort());
  });

  test.each(Object.keys(BUILDERS))('%s', (name) => {
    const [struct, build, valid] = BUILDERS[name];
    expect(() => build(fixture(), valid(fixture()))).not.toThrow();
    const unchecked: string[] = [];
    for (const prop of propsOf(struct)) {
      const f = fixture();
      try {
        build(f, { ...valid(f), [prop]: Symbol('not a value') });
        unchecked.push(`${prop}: accepted`);
      } catch (e) {
        if (!(e instanceof Error) || e.name !== 'ValidationError' || !e.message.includes(`stack/c: invalid ${prop}: the symbol`)) unchecked.push(`${prop}: ${String(e)}`);
      }
    }
    expect(unchecked).toEqual([]);
  });
});

