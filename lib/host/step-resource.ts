/**
 * The null_resource a HostStep writes (its JSON, made cheaply for large apps) and the SSH
 * connection its provisioners use. lib/host/step.ts decides what goes in it.
 */
import { dependable, IResolvable, IResolveContext, ITerraformDependable, TerraformDataSource, TerraformModule, TerraformResource, TerraformStack, Token, Tokenization } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { FreeBsdHost } from './host';
import { NullResource, NullResourceConfig } from './null-provider';
/**
 * The null_resource of a step. cdktf's generic path costs every step of a large app twice
 * over; StepResource keeps the output and the escape hatches, without those costs:
 * - depends_on on other steps is written as plain addresses, computed when the stack is
 *   synthesized (so a later overrideLogicalId still counts). cdktf's own dependsOn makes two
 *   tokens per dependency, each capturing a full stack trace, and resolves them in every pass.
 *   A step in another stack still goes through cdktf's token, which records the cross-stack
 *   dependency. Then the resources of every construct this one or a construct above it was
 *   made to depend on with `node.addDependency` (cdktf itself writes nothing for those), then
 *   the entries a user sets on `dependsOn` (the escape hatch), each made a static reference
 *   (see userDependencyEntries); each address once.
 * - The step's own connection, lifecycle and provisioners (cdktf's types have no `when` on
 *   remote-exec) are written at once where addOverride writes, not through it: the stack's
 *   "//" metadata then lists as overrides only those a user made through `addOverride`.
 *   (Listed for each step, they were four entries per step, 12,000 at 3,000 steps, merged by
 *   copying the list once per step.) The step's title and outline are not in its block at all
 *   but in the stack's STEP_OUTLINES_FILE (in every block they were a quarter of the values
 *   cdktf resolves, twice, and 1.3 MB of cdk.tf.json at 3,000 steps).
 * - cdktf resolves every element three times: once "preparing" (to find cross-stack
 *   references; the result is thrown away), then the element, then the whole stack. The block
 *   reaches the preparing pass with only its parts that hold a token (see tokenBearingParts):
 *   a step's scripts and connection are plain text, so there is nothing in them to
 *   prepare. The block written, and every token in it, is the same.
 */
export class StepResource extends NullResource {
  private readonly stepDependencies: (TerraformResource | string)[];
  /** The first path component of every addOverride a user made. */
  private readonly userOverrides = new Set<string>();

  constructor(scope: Construct, id: string, config: NullResourceConfig, dependencies: TerraformResource[]) {
    super(scope, id, config);
    this.stepDependencies = dependencies.map((d) => this.dependencyEntry(d));
  }

  /** One more step this one depends on (HostStep._dependOn). */
  public _addStepDependency(d: TerraformResource): void {
    const entry = this.dependencyEntry(d);
    if (!this.stepDependencies.includes(entry)) this.stepDependencies.push(entry);
  }

  /** A step of this stack by address; one in another stack through cdktf's token (it records the cross-stack dependency). */
  private dependencyEntry(d: TerraformResource): TerraformResource | string {
    return TerraformStack.of(d) === TerraformStack.of(this) ? d : dependable(d);
  }

  /**
   * The depends_on entries of construct dependencies: `node.addDependency` on this resource or
   * on any construct above it, up to its stack (the stack's own dependencies are cdktf's, between
   * stacks). Each names every resource, data source and module of the dependency's tree.
   */
  private nodeDependencyEntries(): string[] {
    const stack = TerraformStack.of(this);
    const entries: string[] = [];
    for (let c: IConstruct | undefined = this; c && c !== stack; c = c.node.scope) {
      for (const root of c.node.dependencies) entries.push(...this.treeEntries(root, c.node.path));
    }
    return entries;
  }

  /** The address of every Terraform element (resource, data source, module) in a construct's tree. */
  private treeEntries(root: IConstruct, declaredOn: string): string[] {
    for (let c: IConstruct | undefined = this; c; c = c.node.scope) {
      // It would depend on itself: Terraform refuses the cycle, so say where it comes from.
      if (c === root) throw new Error(`${declaredOn} depends on ${root.node.path}, which contains ${this.node.path}: a construct cannot wait for itself`);
    }
    const entries: string[] = [];
    for (const c of root.node.findAll()) {
      if (TerraformResource.isTerraformResource(c)) {
        // This stack's resources by address, like the steps'; another stack's through cdktf's token.
        entries.push(TerraformStack.of(c) === TerraformStack.of(this) ? `${c.terraformResourceType}.${c.friendlyUniqueId}` : dependable(c));
      } else if (TerraformDataSource.isTerraformDataSource(c) || c instanceof TerraformModule) {
        entries.push(dependable(c));
      }
    }
    return entries;
  }

  /**
   * A user's `dependsOn` entries as depends_on takes them: a static reference, never a template.
   * `fqn`, the documented way, is a token that resolves to `${null_resource.x}` (a template);
   * through `dependable` (what cdktf does with a resource config's dependsOn) it resolves to
   * `null_resource.x`. A resource or any other construct (not a string, though the property's
   * type says string) stands for its tree, as with node.addDependency: left as it is, cdktf
   * would resolve the construct object as data and recurse through the tree until the call
   * stack overflows.
   */
  private userDependencyEntries(values: unknown[]): string[] {
    return values.flatMap((value): string[] => {
      if (typeof value === 'string') {
        if (Token.isUnresolved(value)) return [dependable({ fqn: value })];
        return [/^\$\{([^{}]+)\}$/.exec(value)?.[1] ?? value];
      }
      if (Construct.isConstruct(value)) return this.treeEntries(value, this.node.path);
      if (value !== null && typeof value === 'object' && typeof (value as ITerraformDependable).fqn === 'string') return [dependable(value as ITerraformDependable)];
      throw new Error(`${this.node.path}: dependsOn takes addresses (like "null_resource.x", or a resource's fqn) or constructs, not ${JSON.stringify(value)}`);
    });
  }

  /** The step's own top-level attributes, under the overrides a user adds later. */
  public setStepAttributes(attributes: { [key: string]: unknown }): void {
    Object.assign(this.rawOverrides, attributes);
  }

  public addOverride(path: string, value: any): void {
    this.userOverrides.add(path.split('.')[0]);
    super.addOverride(path, value);
  }

  public toMetadata(): any {
    const metadata = super.toMetadata();
    const overrides = [...this.userOverrides];
    return { ...metadata, overrides: overrides.length ? { [this.terraformResourceType]: overrides } : undefined };
  }

  public toTerraform(): any {
    const out = super.toTerraform();
    const blocks = out.resource?.[this.terraformResourceType];
    if (blocks?.[this.friendlyUniqueId]) blocks[this.friendlyUniqueId] = new PlainPartsSkippedWhenPreparing(blocks[this.friendlyUniqueId]);
    return out;
  }

  public get terraformMetaArguments(): { [name: string]: any } {
    const args = super.terraformMetaArguments;
    const steps = this.stepDependencies.map((d) => (typeof d === 'string' ? d : `${d.terraformResourceType}.${d.friendlyUniqueId}`));
    const dependsOn: string[] = [];
    for (const entry of [...steps, ...this.nodeDependencyEntries(), ...this.userDependencyEntries(args.dependsOn ?? [])]) {
      if (!dependsOn.includes(entry)) dependsOn.push(entry);
    }
    // None (the host's helper step): no depends_on at all rather than an empty one.
    return { ...args, dependsOn: dependsOn.length ? dependsOn : undefined };
  }
}

/**
 * A value that resolves to itself, except in cdktf's preparing pass, where it resolves to only
 * its parts that hold a token (that pass exists for what tokens do when resolved; plain text
 * does nothing there).
 */
class PlainPartsSkippedWhenPreparing implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly value: unknown) {}

  public resolve(context: IResolveContext): unknown {
    return context.preparing ? tokenBearingParts(this.value) : this.value;
  }

  public toString(): string {
    return 'a step resource block';
  }
}

/**
 * The parts of a value that hold a token, as cdktf's resolve finds them (a string token, a
 * list or map token, a number token or one concatenated into a string, an IResolvable);
 * undefined when there are none. Arrays and objects whose keys hold a token are kept whole.
 */
function tokenBearingParts(value: unknown): unknown {
  if (typeof value === 'string') return mayHoldToken(value) ? value : undefined;
  if (typeof value === 'number') return Token.isUnresolved(value) ? value : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (Tokenization.isResolvable(value)) return value;
  if (Array.isArray(value)) return value.some((v) => tokenBearingParts(v) !== undefined) ? value : undefined;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.some(mayHoldToken)) return value;
  let parts: Record<string, unknown> | undefined;
  for (const key of keys) {
    const part = tokenBearingParts(record[key]);
    if (part !== undefined) (parts ??= {})[key] = part;
  }
  return parts;
}

/**
 * cdktf's pattern of numbers in a string, each a possible number token; an encoded token
 * number always prints with an exponent `e+` (its top bits make it about -1.9e+289).
 */
const NUMBER_IN_STRING = /[-|\d|.\+]+(e[-|\d|.|e|E|\+]+)/g;

/** Whether a string holds a token: a token marker (string, list, map) or a token number. */
function mayHoldToken(text: string): boolean {
  if (text.includes('TfToken[')) return true;
  if (!text.includes('e+')) return false;
  for (const match of text.matchAll(NUMBER_IN_STRING)) if (Token.isUnresolved(parseFloat(match[0]))) return true;
  return false;
}

/** Triggers that say how to reach the host (and the wrapped destroy script), not what the step does. */
export const CONNECTION_TRIGGERS = new Set([
  'host', 'port', 'user', 'key_path', 'host_key', 'destroy_script',
  'bastion_host', 'bastion_port', 'bastion_user', 'bastion_key_path', 'bastion_host_key',
]);

/** An SSH connection that reads only `self.triggers`, as destroy-time provisioners require. */
export function connectionFromSelf(host: FreeBsdHost): Record<string, unknown> {
  const c: Record<string, unknown> = {
    type: 'ssh',
    host: '${self.triggers.host}',
    port: '${self.triggers.port}',
    user: '${self.triggers.user}',
    timeout: host.connectionTimeout,
  };
  if (host.privateKeyPath) c.private_key = '${file(self.triggers.key_path)}';
  else c.agent = true;
  if (host.hostKey) c.host_key = '${self.triggers.host_key}';
  if (host.bastion) {
    c.bastion_host = '${self.triggers.bastion_host}';
    c.bastion_port = '${self.triggers.bastion_port}';
    c.bastion_user = '${self.triggers.bastion_user}';
    if (host.bastion.privateKeyPath) c.bastion_private_key = '${file(self.triggers.bastion_key_path)}';
    if (host.bastion.hostKey) c.bastion_host_key = '${self.triggers.bastion_host_key}';
  }
  return c;
}
