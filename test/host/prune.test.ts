/**
 * The host prune step at synth (lib/host/prune.ts): one per host, fed by every kind that claims
 * things there; its keep-lists as the helper receives them (parsed back from the script with sh),
 * its place in the order (after the jail prune, before every claim step of those kinds), and its
 * triggers, which change only when a keep-list does. The helper's side:
 * test/shell/host-prune.test.ts; on the fake host: test/e2e/scenarios-prune.test.ts.
 */
import { spawnSync } from 'child_process';
import { TerraformStack, Testing } from 'cdktf';
import { DevfsRuleset, FreeBsdHost, FreeBsdRelease, HostSettings, JailDevfsRuleset, JailFromSnapshot, JailHost, JailPackages, JailSource, JailVnetNetwork, PfMode, PfNat, PfNatNetwork, VnetBridge, ZfsTemplate } from '../../lib';
import { createScript, isHostPruneStep, nullResources, SynthResource } from '../support/synth';

interface Parts { pf?: boolean; whole?: boolean; devfs?: boolean; vnet?: boolean; packages?: boolean; settings?: boolean; odd?: boolean }

function build(parts: Parts) {
  const stack = new TerraformStack(Testing.app(), 'lab');
  const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', release: FreeBsdRelease.of('14.3') });
  const template = new ZfsTemplate(stack, 'template', { host, snapshotName: 'p3', release: FreeBsdRelease.V14_3 });
  const jailHost = new JailHost(stack, 'jails', { host });
  const h1 = new JailFromSnapshot(stack, 'h1', { jailHost, source: JailSource.template(template) });
  if (parts.pf) new PfNat(stack, parts.odd ? "nat 'x' $y" : 'nat', { host, externalInterface: 'em0', natNetworks: [PfNatNetwork.ipv4('127.1.1.0/24')], mode: parts.whole ? PfMode.WHOLE_FILE : undefined });
  if (parts.devfs) new DevfsRuleset(stack, 'bpf', { host, rulesetName: 'devfsrules_bpfjail', rulesetNumber: 10, includes: [JailDevfsRuleset.DEVFSRULES_JAIL], unhide: ['bpf*'] });
  if (parts.vnet) {
    const vi1 = new VnetBridge(stack, 'vi1', { host });
    new JailFromSnapshot(stack, 'v1', { jailHost, source: JailSource.template(template), networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi1, addresses: ['10.9.0.1/24'] }] })] });
  }
  if (parts.packages) new JailPackages(stack, 'pkgs', { jail: h1, packages: ['git-lite'], offline: true });
  if (parts.settings) new HostSettings(stack, 'mine', { host, sysctl: { 'net.inet.ip.forwarding': '1' } });
  const all = nullResources(stack, { withHostPrune: true });
  const prune = all.find(isHostPruneStep)!;
  return { stack, all, prune, byName: (prefix: string) => all.find((r) => r.name.startsWith(prefix))! };
}

/** The words of each helper call of the prune script, as sh splits them (quotes removed). */
function helperCalls(r: SynthResource): Record<string, string[]> {
  const calls = createScript(r).split('\n').filter((l) => l.startsWith('"$cfj" '));
  const out: Record<string, string[]> = {};
  for (const line of calls) {
    const words = spawnSync('/bin/sh', ['-c', `cfj=x; set -- ${line.replace(/^"\$cfj" /, '')}; for w in "$@"; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' }).stdout.split('\0').slice(0, -1);
    out[words[0]] = words.slice(1);
  }
  return out;
}

const ref = (r: SynthResource) => `null_resource.${r.name}`;

/** A dependency cycle among the resources (Terraform refuses one), as the addresses on it; [] for none. */
function cycle(resources: SynthResource[]): string[] {
  const deps = new Map(resources.map((r) => [ref(r), r.depends_on ?? []]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] => {
    if (state.get(n) === 'done') return [];
    if (state.get(n) === 'open') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'open');
    path.push(n);
    for (const d of deps.get(n) ?? []) {
      const found = visit(d);
      if (found.length) return found;
    }
    path.pop();
    state.set(n, 'done');
    return [];
  };
  for (const n of deps.keys()) {
    const found = visit(n);
    if (found.length) return found;
  }
  return [];
}

describe('the host prune step', () => {
  test('one per host, with every kind\'s keep-list: owner marks for pf and switches, ruleset numbers, settings state files', () => {
    const { all, prune } = build({ pf: true, devfs: true, vnet: true, packages: true, settings: true });
    expect(all.filter(isHostPruneStep)).toHaveLength(1);
    const calls = helperCalls(prune);
    expect(calls['claim-check']).toEqual(['lab', expect.stringMatching(/^\$\{null_resource\.host_helper_resource_\w+\.id\}$/)]);
    expect(calls['jail-prune']).toEqual(['lab', 'zroot/vm', '/vm', '/etc/jail.conf.d', 'lab:lab/h1', 'lab:lab/v1']);
    expect(calls['pf-prune']).toEqual(['lab', 'lab:lab/nat']);
    expect(calls['devfs-ruleset-prune']).toEqual(['lab', '10']);
    expect(calls['vnet-prune']).toEqual(['lab', 'lab:lab/vi1']);
    // The JailHost's, the PfNat's pf_enable, the offline packages', this HostSettings': each one file, sorted.
    expect(calls['settings-prune'][0]).toBe('lab');
    const states = calls['settings-prune'].slice(1);
    expect(states).toHaveLength(4);
    expect([...states].sort()).toEqual(states);
    for (const s of states) expect(s).toMatch(/^\/var\/db\/cdktf-freebsd-jails\/settings\/[0-9a-f]{16}\.state$/);
  });

  test('with none of those constructs left, it still runs every prune, with empty keep-lists (the last one removed is pruned)', () => {
    const calls = helperCalls(build({}).prune);
    expect(calls['jail-prune']).toEqual(['lab', 'zroot/vm', '/vm', '/etc/jail.conf.d', 'lab:lab/h1']);
    expect(calls['pf-prune']).toEqual(['lab']);
    expect(calls['devfs-ruleset-prune']).toEqual(['lab']);
    expect(calls['vnet-prune']).toEqual(['lab']);
    // The JailHost's settings are still there.
    expect(calls['settings-prune']).toEqual(['lab', expect.stringMatching(/\.state$/)]);
  });

  test('order: jails pruned first in the script; every jail dataset step and every claim step of pf, devfs and switches after it; no cycle', () => {
    const { prune, byName, all } = build({ pf: true, devfs: true, vnet: true });
    // No JailHost prune step any more: the host's prune is the one that prunes jails.
    expect(all.filter((r) => r.name.startsWith('jails_prune'))).toEqual([]);
    expect(prune.depends_on).toEqual([expect.stringMatching(/^null_resource\.host_helper/)]);
    const script = createScript(prune);
    expect(script.indexOf('jail-prune')).toBeGreaterThan(script.indexOf('claim-check'));
    expect(script.indexOf('jail-prune')).toBeLessThan(script.indexOf('vnet-prune'));
    for (const step of ['nat_claim', 'bpf_rules', 'vi1_switch', 'h1_dataset', 'v1_dataset']) expect(byName(step).depends_on).toContain(ref(prune));
    expect(cycle(build({ pf: true, devfs: true, vnet: true, packages: true, settings: true }).all)).toEqual([]);
  });

  test('triggers change only when a keep-list changes: the same app gives the same step, a construct taken out another', () => {
    const hash = (p: Parts) => build(p).prune.triggers.content_hash;
    const full = hash({ pf: true, devfs: true, vnet: true });
    expect(hash({ pf: true, devfs: true, vnet: true })).toBe(full);
    for (const less of [{ devfs: true, vnet: true }, { pf: true, vnet: true }, { pf: true, devfs: true }]) expect(hash(less)).not.toBe(full);
    // A mode change keeps the owner: nothing to prune (the claim step's own replacement undoes the old mode).
    expect(hash({ pf: true, whole: true, devfs: true, vnet: true })).toBe(full);
  });

  test('an owner mark with quotes, $ and spaces reaches the helper as one exact word', () => {
    expect(helperCalls(build({ pf: true, odd: true }).prune)['pf-prune']).toEqual(['lab', "lab:lab/nat 'x' $y"]);
  });
});
