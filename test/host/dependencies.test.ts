/**
 * Ordering between constructs the cdktf way (issue 21): a user's dependency between two of the
 * library's constructs, or between one of them and the user's own resource, becomes Terraform
 * depends_on on every null_resource of the dependent construct, and Terraform accepts it.
 *
 * Before: `node.addDependency()` wrote nothing (cdktf reads no construct dependencies), a
 * resource in a step's `dependsOn` overflowed the call stack at synth (cdktf resolved the
 * construct object as data, through its whole tree), and a resource's `fqn` there was written
 * as a template (`${null_resource.x}`), which Terraform refuses in depends_on.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { resource } from '@cdktf/provider-null';
import { Testing, TerraformResource, TerraformStack } from 'cdktf';
import { DependencyGroup, IConstruct } from 'constructs';
import { FreeBsdHost, FreeBsdRelease, HostStep, JailFromSnapshot, JailHost, JailPackages, JailSource, PfNat, PfNatNetwork, ZfsTemplate } from '../../lib';
import { nullProvider } from '../e2e/provider/launch';
import { terraformBinary, terraformEnv } from '../support/terraform';

/** A stack with one of each: host, template, jail host, jail, packages, PF NAT, a user's HostStep and a user's null_resource. */
function lab() {
  const stack = new TerraformStack(Testing.app(), 'stack');
  const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', release: FreeBsdRelease.of('14.3'), insecureAcceptAnyHostKey: true });
  const template = new ZfsTemplate(stack, 'template', { host, snapshotName: 'p3', release: FreeBsdRelease.of('14.3') });
  const jailHost = new JailHost(stack, 'jails', { host });
  const jail = new JailFromSnapshot(stack, 'h1', { jailHost, source: JailSource.template(template) });
  const packages = new JailPackages(stack, 'packages', { jail, packages: ['git-lite'] });
  const pf = new PfNat(stack, 'pf', { host, externalInterface: 'em0', natNetworks: [PfNatNetwork.ipv4('127.1.1.0/24')] });
  const step = new HostStep(stack, 'mystep', { host, description: 'a step of the user', create: ['true'] });
  // The user's own resource, made as any cdktf app makes one (no connection, no provisioner).
  const mine = new resource.Resource(stack, 'mine', { triggers: { purpose: 'a resource of the user' } });
  return { stack, host, template, jailHost, jail, packages, pf, step, mine };
}

type Blocks = Record<string, { depends_on?: string[] }>;

function nullResourceBlocks(stack: TerraformStack): Blocks {
  return JSON.parse(Testing.synth(stack)).resource.null_resource;
}

/** The resource addresses a construct synthesizes (after a synth: the host's prune step is made then). */
function addressesOf(stack: TerraformStack, construct: IConstruct): string[] {
  Testing.synth(stack);
  return construct.node.findAll().filter(TerraformResource.isTerraformResource).map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`);
}

/** The depends_on lists of a construct's null_resources, by address. */
function dependsOnOf(stack: TerraformStack, construct: IConstruct): Record<string, string[]> {
  const blocks = nullResourceBlocks(stack);
  return Object.fromEntries(addressesOf(stack, construct).map((a) => [a, blocks[a.slice('null_resource.'.length)].depends_on ?? []]));
}

/** Every null_resource of the dependent lists every address of the dependency. */
function expectOrdered(stack: TerraformStack, dependent: IConstruct, dependencies: string[]): void {
  const lists = dependsOnOf(stack, dependent);
  expect(Object.keys(lists).length).toBeGreaterThan(0);
  expect(dependencies.length).toBeGreaterThan(0);
  for (const list of Object.values(lists)) expect(list).toEqual(expect.arrayContaining(dependencies));
}

describe('node.addDependency becomes depends_on', () => {
  test('JailPackages after a PfNat: every step of the packages waits for every step of the NAT', () => {
    const l = lab();
    l.packages.node.addDependency(l.pf);
    const pfAddresses = addressesOf(l.stack, l.pf);
    // The NAT's settings step and its claim, load and confirm steps.
    expect(pfAddresses).toHaveLength(4);
    expectOrdered(l.stack, l.packages, pfAddresses);
  });

  test('JailPackages after a user\'s HostStep and a user\'s own resource', () => {
    const l = lab();
    l.packages.node.addDependency(l.step, l.mine);
    expectOrdered(l.stack, l.packages, [...addressesOf(l.stack, l.step), 'null_resource.mine']);
  });

  test('a construct with several steps (PfNat) after a JailPackages: each of its steps waits', () => {
    const l = lab();
    l.pf.node.addDependency(l.packages);
    expectOrdered(l.stack, l.pf, addressesOf(l.stack, l.packages));
  });

  test('the step\'s own resource or HostStep as the dependent, and a dependency group', () => {
    const l = lab();
    l.step.node.addDependency(l.template);
    l.packages.step.nullResource.node.addDependency(new DependencyGroup(l.mine, l.pf.claimStep));
    expectOrdered(l.stack, l.step, addressesOf(l.stack, l.template));
    expectOrdered(l.stack, l.packages, ['null_resource.mine', ...addressesOf(l.stack, l.pf.claimStep)]);
  });

  test('the library\'s own order stays, each address once, and the dependent does not list itself', () => {
    const l = lab();
    const before = dependsOnOf(l.stack, l.packages);
    const m = lab();
    m.packages.node.addDependency(m.jail, m.pf);
    const after = dependsOnOf(m.stack, m.packages);
    for (const [address, list] of Object.entries(after)) {
      // The steps' own dependencies first, in their order, then the added ones.
      expect(list.slice(0, before[address].length)).toEqual(before[address]);
      expect(new Set(list).size).toBe(list.length);
      expect(list).not.toContain(address);
    }
  });

  test('an overrideLogicalId of the dependency counts (addresses are taken at synth)', () => {
    const l = lab();
    l.packages.node.addDependency(l.mine);
    l.mine.overrideLogicalId('renamed');
    expectOrdered(l.stack, l.packages, ['null_resource.renamed']);
  });

  test('depending on a construct that contains the dependent is refused, by name', () => {
    const l = lab();
    l.packages.step.node.addDependency(l.packages);
    expect(() => Testing.synth(l.stack)).toThrow(/stack\/packages\/install depends on stack\/packages, which contains stack\/packages\/install\/resource/);
  });

  test('without any dependency the blocks are as before (no depends_on added)', () => {
    const l = lab();
    expect(dependsOnOf(l.stack, l.step)).toEqual({ [addressesOf(l.stack, l.step)[0]]: ['null_resource.host_helper_resource_E25F261F'] });
  });
});

test('the other way round, the user\'s resource after one of ours: cdktf\'s config dependsOn with the step\'s resource (the README\'s way)', () => {
  const l = lab();
  new resource.Resource(l.stack, 'after', { dependsOn: [l.packages.step.nullResource] });
  expect(nullResourceBlocks(l.stack).after.depends_on).toEqual(addressesOf(l.stack, l.packages));
});

describe('dependsOn on a step\'s null_resource', () => {
  test('a resource there (not a string, though the type says string) no longer overflows the call stack', () => {
    const l = lab();
    // What a user writes from JavaScript, or past the type with a cast.
    l.packages.step.nullResource.dependsOn = [l.pf.loadStep.nullResource as unknown as string, l.mine as unknown as string];
    expectOrdered(l.stack, l.packages, [addressesOf(l.stack, l.pf.loadStep)[0], 'null_resource.mine']);
  });

  test('an fqn there is written as a static reference, not as a template', () => {
    const l = lab();
    l.packages.step.nullResource.dependsOn = [l.mine.fqn, l.pf.confirmStep.nullResource.fqn];
    const lists = Object.values(dependsOnOf(l.stack, l.packages));
    expect(lists[0]).toEqual(expect.arrayContaining(['null_resource.mine', addressesOf(l.stack, l.pf.confirmStep)[0]]));
    expect(lists[0].filter((e) => e.includes('${'))).toEqual([]);
  });

  test('a plain address there stays; a template-looking one is unwrapped', () => {
    const l = lab();
    l.packages.step.nullResource.dependsOn = ['null_resource.mine', '${null_resource.other}'];
    expect(Object.values(dependsOnOf(l.stack, l.packages))[0].slice(-2)).toEqual(['null_resource.mine', 'null_resource.other']);
  });

  test('anything else there is refused, by name', () => {
    const l = lab();
    l.packages.step.nullResource.dependsOn = [42 as unknown as string];
    expect(() => Testing.synth(l.stack)).toThrow(/stack\/packages\/install\/resource: dependsOn takes addresses/);
  });
});

/**
 * `terraform validate` (init with the e2e suite's null provider double, reattached: no registry)
 * on the synthesized stack: depends_on must hold static references to declared resources, and
 * the graph no cycle. About two seconds per stack.
 */
const terraform = terraformBinary();
if (!terraform.binary) console.warn(`SKIPPED: terraform validate of dependencies: ${terraform.reason}`);
(terraform.binary ? describe : describe.skip)('Terraform accepts the synthesized dependencies', () => {
  let reattach: string;
  beforeAll(async () => {
    reattach = (await nullProvider()).reattach;
  });

  /** terraform init and validate in the stack's synth folder: its error summaries, empty when valid. */
  function validate(stack: TerraformStack): string[] {
    const dir = path.join(Testing.fullSynth(stack), 'stacks', stack.node.id);
    const env = terraformEnv(reattach);
    const init = spawnSync(terraform.binary!, ['init', '-no-color', '-backend=false'], { cwd: dir, env, encoding: 'utf8' });
    // init reads the configuration first: an invalid one fails there, with the same errors.
    if (init.status !== 0) return [...init.stderr.matchAll(/^Error: (.+)$/gm)].map((m) => m[1]).filter((e) => !e.startsWith('Terraform encountered problems'));
    const run = spawnSync(terraform.binary!, ['validate', '-json', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    const out = JSON.parse(run.stdout) as { valid: boolean; diagnostics: { severity: string; summary: string }[] };
    return out.diagnostics.filter((d) => d.severity === 'error').map((d) => d.summary);
  }

  test('every way of ordering at once validates: addDependency both ways between ours, after a user\'s resource, fqn and resource in dependsOn, a user\'s resource after ours', () => {
    const l = lab();
    l.packages.node.addDependency(l.pf, l.step, l.mine);
    l.step.node.addDependency(l.template);
    l.pf.node.addDependency(l.jail);
    l.jail.configStep.nullResource.dependsOn = [l.mine.fqn, l.template.step.nullResource as unknown as string];
    new resource.Resource(l.stack, 'after', { dependsOn: [l.packages.step.nullResource] });
    expect(validate(l.stack)).toEqual([]);
  }, 60_000);

  test('the check has teeth: a template in depends_on and a cycle are both refused', () => {
    const l = lab();
    l.packages.step.nullResource.addOverride('depends_on', ['${null_resource.mine}']);
    expect(validate(l.stack)).toEqual(expect.arrayContaining([expect.stringMatching(/Invalid expression/)]));
    const c = lab();
    c.packages.node.addDependency(c.pf);
    c.pf.node.addDependency(c.packages);
    expect(validate(c.stack)).toEqual(expect.arrayContaining([expect.stringMatching(/Cycle/)]));
  }, 60_000);
});
