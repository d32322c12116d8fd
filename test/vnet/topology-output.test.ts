/**
 * The VNET topology the library shows at synth: a Terraform output per host with switches
 * (the listing `vnet-list -r` prints on the host) and a Mermaid file per such host in the
 * stack's synth folder. Read from the synthesized JSON and the written files.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Manifest, Testing, TerraformStack } from 'cdktf';
import { VnetLabStack } from '../../examples/vnet-lab/main';
import { FreeBsdHost, FreeBsdRelease, JailVnetNetwork, STEP_OUTLINES_FILE, VnetBridge, VnetBridgeMode } from '../../lib';
import { jailStack, synthValidated } from '../jail/fixtures';
import { NOTEBOOK_LAB_LISTING } from './notebook-lab';

const ENV = { FREEBSD_HOST: '192.0.2.10', FREEBSD_KEY_PATH: '/home/operator/.ssh/id_ed25519' };

/** The stack directories' files after a full synth (validations included), by stack. */
function synthFiles(stack: TerraformStack): { dir: string; files: string[] } {
  const out = Testing.fullSynth(stack);
  const dir = path.join(out, 'stacks', stack.node.id);
  return { dir, files: fs.readdirSync(dir).sort() };
}

describe('the listing as a Terraform output', () => {
  test('examples/vnet-lab: one output, vnet_topology_host, with exactly the notebook\'s vnet list -r', () => {
    const stack = new VnetLabStack(Testing.app(), 'vnet-lab', ENV);
    const outputs = JSON.parse(synthValidated(stack)).output;
    expect(Object.keys(outputs)).toEqual(['vnet_topology_host']);
    expect(outputs.vnet_topology_host.value).toBe(NOTEBOOK_LAB_LISTING);
    expect(outputs.vnet_topology_host.description).toBe(
      'VNET switches of root@192.0.2.10:22 as "/usr/local/libexec/cdktf-freebsd-jails/helper-1 vnet-list -r" prints them on the host: each network, then its jail, interface and addresses');
    expect(VnetBridge.topologyNames(stack.host)).toEqual({ outputName: 'vnet_topology_host', mermaidFileName: 'vnet-topology-host.mmd' });
  });

  test('jails bound after the switches are in it (the value is read at synth)', () => {
    const { stack, host, jail } = jailStack();
    const vi0 = new VnetBridge(stack, 'vi0', { host, mode: VnetBridgeMode.routed({ gateways: ['172.31.0.1/24'] }) });
    // The output was made with the switch, before the jail existed.
    jail('v1', { networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi0, addresses: ['172.31.0.11/24'] }], defaultRouter: '172.31.0.1' })] });
    expect(JSON.parse(synthValidated(stack)).output.vnet_topology_host.value).toBe('vi0\n  - vi0 172.31.0.1/24\n  v1 vi0_v1 172.31.0.11/24\n');
  });

  test('one output per host with switches, each with its own host\'s switches; none for a host without', () => {
    const stack = new TerraformStack(Testing.app(), 'two');
    const a = new FreeBsdHost(stack, 'alpha', { address: '192.0.2.10', release: FreeBsdRelease.of('14.3') });
    const b = new FreeBsdHost(stack, 'beta.lab', { address: '192.0.2.11', release: FreeBsdRelease.of('14.3') });
    new FreeBsdHost(stack, 'plain', { address: '192.0.2.12', release: FreeBsdRelease.of('14.3') });
    new VnetBridge(stack, 'vi1', { host: a, mode: VnetBridgeMode.routed({ gateways: ['172.31.1.1/24'] }) });
    new VnetBridge(stack, 'vi2', { host: a, mode: VnetBridgeMode.routed({ gateways: ['172.31.2.1/24'] }) });
    new VnetBridge(stack, 'vb', { host: b, mode: VnetBridgeMode.routed({ gateways: ['172.31.1.1/24'] }) });
    const outputs = JSON.parse(synthValidated(stack)).output;
    // `.` is not a Terraform name character: the host part is beta_lab.
    expect(Object.keys(outputs).sort()).toEqual(['vnet_topology_alpha', 'vnet_topology_beta_lab']);
    expect(outputs.vnet_topology_alpha.value).toBe('vi1\n  - vi1 172.31.1.1/24\nvi2\n  - vi2 172.31.2.1/24\n');
    expect(outputs.vnet_topology_beta_lab.value).toBe('vb\n  - vb 172.31.1.1/24\n');
    expect(outputs.vnet_topology_beta_lab.description).toContain('root@192.0.2.11:22');
  });

  test('a stack without VNET has no output and no topology file', () => {
    const { stack } = jailStack();
    expect(JSON.parse(synthValidated(stack)).output).toBeUndefined();
    expect(synthFiles(stack).files).toEqual(['assets', 'cdk.tf.json', STEP_OUTLINES_FILE]);
  });
});

describe('the Mermaid diagram written at synth', () => {
  test('a full synth writes vnet-topology-host.mmd beside cdk.tf.json: the host\'s diagram', () => {
    const stack = new VnetLabStack(Testing.app(), 'vnet-lab', ENV);
    const { dir, files } = synthFiles(stack);
    expect(files).toEqual(['assets', 'cdk.tf.json', STEP_OUTLINES_FILE, 'vnet-topology-host.mmd']);
    const text = fs.readFileSync(path.join(dir, 'vnet-topology-host.mmd'), 'utf8');
    expect(text).toBe(VnetBridge.mermaid(stack.host));
    // Every interface of the notebook's listing is an edge jail -> switch.
    expect(text.split('\n')[0]).toBe('flowchart LR');
    for (const line of NOTEBOOK_LAB_LISTING.split('\n').filter((l) => l.startsWith('  '))) {
      const [jail, ifn, address] = line.trim().split(' ');
      expect(text).toContain(`  jail_${jail} ---|"${ifn} ${address}"| sw_${ifn.split('_')[0]}`);
    }
  });

  test('app.synth() (what cdktf synth runs, and examples/vnet-lab\'s main) writes it into the app\'s outdir', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'vnet-lab-'));
    const app = new App({ outdir });
    const stack = new VnetLabStack(app, 'vnet-lab', ENV);
    app.synth();
    expect(fs.readFileSync(path.join(outdir, 'stacks', 'vnet-lab', 'vnet-topology-host.mmd'), 'utf8')).toBe(VnetBridge.mermaid(stack.host));
    fs.rmSync(outdir, { recursive: true });
  });

  test('a stack that fails validation writes no diagram', () => {
    const { stack, host } = jailStack();
    new VnetBridge(stack, 'vi1', { host });
    new VnetBridge(stack, 'again', { host, name: 'vi1' });
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'vnet-bad-'));
    expect(() => stack.synthesizer.synthesize({ outdir, manifest: new Manifest('stubbed', outdir, false) })).toThrow(/invalid name: "vi1" is already the switch stack\/vi1/);
    expect(fs.existsSync(path.join(outdir, 'stacks', 'stack', 'vnet-topology-host.mmd'))).toBe(false);
    fs.rmSync(outdir, { recursive: true });
  });
});

test('scripts/summary.js (npm start) prints the listing output and the diagram of a synthesized stack', () => {
  const stack = new VnetLabStack(Testing.app(), 'vnet-lab', ENV);
  const out = Testing.fullSynth(stack);
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'summary.js'), out], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  const indented = (text: string) => text.replace(/\n$/, '').replace(/^/gm, '    ');
  expect(r.stdout).toContain(`\n  output vnet_topology_host (VNET switches of root@192.0.2.10:22 as`);
  expect(r.stdout).toContain(`addresses):\n${indented(NOTEBOOK_LAB_LISTING)}\n`);
  expect(r.stdout).toContain(`\n  Mermaid diagram ${path.join(out, 'stacks', 'vnet-lab', 'vnet-topology-host.mmd')}:\n${indented(VnetBridge.mermaid(stack.host))}\n`);
  fs.rmSync(out, { recursive: true });
});
