/**
 * Constructs take each other by interface: an IJail, IJailHost or IZfsTemplate that is not the
 * library's class works wherever the class does, and the source of a jail is a JailSource.
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { FreeBsdHost, FreeBsdRelease, HostStep, IJail, IZfsTemplate, JailAddress, JailFromSnapshot, JailPackages, JailSource, JailUpdate } from '../../lib';
import { jailStack, synthValidated } from './fixtures';

/** The resources of a synthesized stack, by construct path. */
function resourcesByPath(stack: TerraformStack): Map<string, any> {
  const json = JSON.parse(synthValidated(stack));
  const found = new Map<string, any>();
  for (const [key, r] of Object.entries<any>(json.resource.null_resource)) found.set(r['//']?.metadata?.path ?? key, { key, ...r });
  return found;
}

/** A jail this app did not make with JailFromSnapshot: another construct that has what an IJail has. */
class AdoptedJail extends Construct implements IJail {
  public readonly name: string;
  public readonly host: FreeBsdHost;
  public readonly path: string;
  public readonly datasetName: string;
  public readonly addresses: JailAddress[] = [];
  public readonly release?: FreeBsdRelease;
  public readonly datasetStep: HostStep;
  public readonly configStep: HostStep;
  constructor(scope: Construct, id: string, host: FreeBsdHost) {
    super(scope, id);
    this.name = 'adopted';
    this.host = host;
    this.path = '/vm/adopted';
    this.datasetName = 'zroot/vm/adopted';
    this.datasetStep = new HostStep(this, 'dataset', { host, description: 'adopted dataset', create: ['zfs list -H zroot/vm/adopted'] });
    this.configStep = new HostStep(this, 'config', { host, description: 'adopted jail', create: ['jls -j adopted'], dependsOn: [this.datasetStep] });
  }
}

describe('constructs accept interfaces', () => {
  test('JailPackages and JailUpdate take an IJail that is not a JailFromSnapshot, and order their steps after it and each other', () => {
    const { stack, host } = jailStack();
    const adopted = new AdoptedJail(stack, 'adopted', host);
    const pkgs = new JailPackages(stack, 'pkgs', { jail: adopted, packages: ['git-lite'] });
    const update = new JailUpdate(stack, 'update', { jail: adopted });
    const byPath = resourcesByPath(stack);
    const dependsOn = (construct: Construct) => [...byPath.values()].find((r) => r.key.includes(construct.node.id))?.depends_on ?? [];
    const pkgsDeps: string[] = dependsOn(pkgs);
    expect(pkgsDeps.some((d) => d.includes('adopted_config'))).toBe(true);
    // Packages go after the jail's update, whichever was made first.
    expect(pkgsDeps.some((d) => d.includes('update'))).toBe(true);
    expect(dependsOn(update).some((d: string) => d.includes('pkgs'))).toBe(false);
  });

  test('a jail may depend on an IJail of another kind', () => {
    const { stack, host, jail } = jailStack({ release: FreeBsdRelease.of('13.5') });
    const adopted = new AdoptedJail(stack, 'adopted', host);
    const app = jail('app', { depend: [adopted] });
    expect(app.confText).toMatch(/depend = "adopted";/);
  });

  test('JailSource.template takes an IZfsTemplate; the jail is made from its snapshot and knows its release', () => {
    const { stack, host, jailHost } = jailStack();
    const step = new HostStep(stack, 'made-elsewhere', { host, description: 'a template made by other means', create: ['true'] });
    const template: IZfsTemplate = Object.assign(new Construct(stack, 'other-template'), {
      host, release: FreeBsdRelease.V14_3, datasetName: 'zroot/vm/tmpl/other', snapshot: 'zroot/vm/tmpl/other@s1', step,
    });
    const j = new JailFromSnapshot(stack, 'j', { jailHost, source: JailSource.template(template) });
    expect(j.sourceSnapshot).toBe('zroot/vm/tmpl/other@s1');
    expect(j.release).toBe(FreeBsdRelease.V14_3);
  });

  test('JailSource.snapshot: the jail is made from that snapshot, its release unknown', () => {
    const { jail } = jailStack();
    const j = jail('s', { source: JailSource.snapshot('zroot/vm/tmpl/14.5@p1') });
    expect(j.sourceSnapshot).toBe('zroot/vm/tmpl/14.5@p1');
    expect(j.release).toBeUndefined();
  });

  test('a template on another host is refused, naming the source', () => {
    const { stack, jail } = jailStack();
    const other = new FreeBsdHost(stack, 'other', { address: '192.0.2.99', release: FreeBsdRelease.V14_3 });
    const step = new HostStep(stack, 'o-step', { host: other, description: 'x', create: ['true'] });
    const template: IZfsTemplate = Object.assign(new Construct(stack, 'o-template'), { host: other, release: FreeBsdRelease.V14_3, datasetName: 'zroot/vm/tmpl/o', snapshot: 'zroot/vm/tmpl/o@s', step });
    expect(() => jail('j', { source: JailSource.template(template) })).toThrow('stack/j: invalid source: the template stack/o-template is on host stack/other, the jail on stack/host');
  });

  test('an object without what an IJail has is refused naming the prop', () => {
    const { stack } = jailStack();
    expect(() => new JailPackages(stack, 'p', { jail: { name: 'h1' } as any, packages: ['git-lite'] })).toThrow(/stack\/p: invalid jail: .* must be an IJail, like new JailFromSnapshot\(/);
  });
});
