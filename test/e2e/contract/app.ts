/**
 * The helper contract's app (issue 19): one of each kind of thing the helper's actions make, so
 * that the scripts a library build synthesizes for it call every destroy and prune action. A
 * build's scripts are captured once (scripts/capture-helper-contract.sh, into
 * test/fixtures/helper-contract/r<REVISION>/) and run against every later helper revision
 * (scenarios-concurrency.test.ts). Uses only API that every captured build has: keep it so.
 *
 * `full`: jails h1 (offline packages) and h2 (retained when removed), devfs ruleset 10, a pf
 * anchor, switch vi1 with the VNET jail v1. `pruned`: h1 alone, so the host prune step removes
 * the rest.
 */
import { App, TerraformStack } from 'cdktf';
import { notebookHostProps } from '../../../examples/notebook/main';
import { DevfsRuleset, FreeBsdHost, FreeBsdRelease, JailAddress, JailDevfsRuleset, JailFromSnapshot, JailHost, JailPackages, JailRemovalPolicy, JailSource, JailVnetNetwork, PfNat, PfNatNetwork, VnetBridge, ZfsTemplate } from '../../../lib';

/** The stack's name, and so the ownership scope of the captured app. */
export const CONTRACT_STACK = 'legacy';
export type ContractVariant = 'full' | 'pruned';

export function contractApp(app: App, env: Record<string, string>, variant: ContractVariant): void {
  const stack = new TerraformStack(app, CONTRACT_STACK);
  const host = new FreeBsdHost(stack, 'host', notebookHostProps(env));
  const template = new ZfsTemplate(stack, 'template', { host, release: FreeBsdRelease.V14_3, snapshotName: 'p3', name: '14.3legacy' });
  const jailHost = new JailHost(stack, 'jails', { host });
  const jail = (n: number, removalPolicy: JailRemovalPolicy) => new JailFromSnapshot(stack, `h${n}`, {
    jailHost, source: JailSource.template(template), removalPolicy,
    addresses: [JailAddress.onInterface('lo1', `127.1.1.${n}/32`)],
  });
  const h1 = jail(1, JailRemovalPolicy.DESTROY);
  if (variant === 'pruned') return;
  new JailPackages(stack, 'h1-packages', { jail: h1, packages: ['expat'], offline: true });
  jail(2, JailRemovalPolicy.RETAIN);
  new DevfsRuleset(stack, 'bpf', { host, rulesetName: 'devfsrules_bpfjail', rulesetNumber: 10, includes: [JailDevfsRuleset.DEVFSRULES_JAIL], unhide: ['bpf*'] });
  new PfNat(stack, 'nat', { host, externalInterface: 'em0', anchorName: 'legacy', natNetworks: [PfNatNetwork.ipv4('127.1.1.0/24')] });
  const vi1 = new VnetBridge(stack, 'vi1', { host });
  new JailFromSnapshot(stack, 'v1', {
    jailHost, source: JailSource.template(template), removalPolicy: JailRemovalPolicy.DESTROY,
    networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi1, addresses: ['10.9.0.1/24'] }] })],
  });
}

/**
 * The connection values a captured app is synthesized with, put in place of the fake host's own
 * when it is loaded: the host key is a key made for the fixture, never a host's.
 */
export const CONTRACT_PLACEHOLDERS = {
  FREEBSD_HOST: '127.0.0.1',
  FREEBSD_PORT: '65123',
  FREEBSD_USER: 'root',
  FREEBSD_KEY_PATH: '/fixture/id_ed25519',
  FREEBSD_HOST_KEY: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH7QczaWmx3S4dfVpQ6Ulsjz19BHZP3sMgf/01qktbyG',
};
