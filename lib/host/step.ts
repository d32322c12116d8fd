import * as crypto from 'crypto';
import { Aspects, dependable, IAspect, IResolvable, IResolveContext, ITerraformDependable, TerraformDataSource, TerraformModule, TerraformResource, TerraformStack, Token, Tokenization } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { HOST_HELPER_INSTALL_PROGRAM, HOST_HELPER_PATH, HOST_HELPER_PROGRAM, HOST_HELPER_REVISION, HOST_HELPER_SHA256, HOST_HELPER_UPLOAD_PREFIX, HOST_HELPER_USERS_FILE, HOST_HELPER_VERSION, LIBRARY_NAME, renderScript, ScriptBuilder, shellQuote, underLock } from '../shell';
import { FreeBsdHost } from './host';
import { NullResource, NullResourceConfig } from './null-provider';
import { HOST_PRUNE_STEP_ID, hostPrunePlan } from './prune';
import { writeAtSynth } from './synth-hook';

/** One change on a host: a create script, an optional destroy script, and its order. */
export interface HostStepProps {
  /** The host the scripts run on. */
  readonly host: FreeBsdHost;
  /** What the step does, one line: echoed first by each script, and the step's title in the outline `npm start` prints. */
  readonly description: string;
  /**
   * The create script body: POSIX sh lines that run as root after `set -eu` and an explicit
   * PATH. They must converge from any partial state an earlier failed run left. Literal text:
   * a Terraform token (a value known only at apply) is refused at synth, since it could not
   * be validated and quoted before reaching the shell.
   */
  readonly create: string[];
  /**
   * The destroy script body, run when the step is destroyed or replaced. It must remove what
   * create made and nothing else, and succeed when that is gone already.
   * @default - nothing runs on destroy
   */
  readonly destroy?: string[];
  /**
   * Steps that must be applied before this one (and destroyed after it), other constructs and
   * resources through `node.addDependency` on the step.
   * @default - none
   */
  readonly dependsOn?: HostStep[];
  /**
   * Further values whose change replaces the step (destroy, then create). Plaintext in
   * state and plans: never a secret. Literal values only, like the scripts: a token (another
   * resource's attribute) is refused at synth.
   * @default - only the scripts and the connection
   */
  readonly replaceOn?: { [key: string]: string };
  /**
   * The titles of the create script's actions (ScriptBuilder.outline), recorded for summaries
   * (`npm start`) in the stack's STEP_OUTLINES_FILE.
   * @default - no outline
   */
  readonly createOutline?: string[];
  /**
   * The titles of the destroy script's actions.
   * @default - no outline
   */
  readonly destroyOutline?: string[];
}

/** HostStepProps' scripts and outlines from builders (the usual way to make a step). */
export interface StepScripts {
  /** The create body. */
  readonly create: string[];
  /** The create script's action titles. */
  readonly createOutline: string[];
  /**
   * The destroy body.
   * @default - nothing runs on destroy
   */
  readonly destroy?: string[];
  /**
   * The destroy script's action titles.
   * @default - no outline
   */
  readonly destroyOutline?: string[];
}

/** The script props of a step from its create (and destroy) builder. */
export function stepScripts(create: ScriptBuilder, destroy?: ScriptBuilder): StepScripts {
  return destroy
    ? { create: create.body(), createOutline: create.outline, destroy: destroy.body(), destroyOutline: destroy.outline }
    : { create: create.body(), createOutline: create.outline };
}

/** Id of the helper step under each FreeBsdHost. */
export const HOST_HELPER_STEP_ID = 'helper';

/**
 * In a step's script, stands for the id of the host's helper step, the claim of the host's
 * ownership scope by this Terraform state (a random number per state, see hostHelperStep):
 * Terraform substitutes it (`self.id` in the helper step itself, the helper resource's id in
 * other create scripts). Used quoted, as a word: `'@@...@@'`.
 * @internal
 */
export const SCOPE_CLAIM_ID = '@@cdktf-freebsd-jails:scope-claim-id@@';

/**
 * Escape text for a Terraform JSON string: there, `${` and `%{` start template expressions;
 * `$${` and `%%{` are their literal forms.
 */
export function escapeTerraformTemplate(text: string): string {
  // Most scripts hold neither: two plain searches are cheaper than two regex passes.
  if (!text.includes('${') && !text.includes('%{')) return text;
  // A function replacement: in a replacement string "$$" would itself mean a single "$".
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/**
 * The one maker of `null_resource`s in this library. A construct describes what should be true
 * on the host; the step decides how it travels: triggers that carry the content hash and
 * exactly what the destroy path needs (destroy provisioners may only use `self`), a
 * connection that reads nothing but `self.triggers`, one create and one destroy remote-exec.
 *
 * Connection triggers are under `lifecycle.ignore_changes`: destroy uses the values stored at
 * creation, and changing how the host is reached (a key path, a pinned key, sudo) replaces
 * nothing.
 *
 * The create script travels as one `inline` element: Terraform joins inline elements with
 * newlines anyway, and one string per step instead of one per line makes synthesis of large
 * apps about a third faster (cdktf resolves every string for tokens).
 *
 * Order with other constructs the constructs way: after `node.addDependency(other)` on the
 * step, or on any construct above it (a JailPackages, a PfNat, a construct of the app), the
 * step's null_resource lists in `depends_on` every resource, data source and module in the
 * tree of `other`, be it one of this library's constructs or a resource of the app. A
 * dependency on a construct that contains the step is refused at synth. On `nullResource`,
 * `dependsOn` takes addresses (`null_resource.x`) and `fqn`s, both written as the static
 * references Terraform requires.
 */
export class HostStep extends Construct {
  /** The underlying null_resource (an escape hatch). */
  public readonly nullResource: TerraformResource;
  /** The host the step runs on. */
  public readonly host: FreeBsdHost;
  /** The rendered create script, as uploaded. */
  public readonly createScript: string;
  /** The rendered destroy script, as uploaded (empty when the step has none). */
  public readonly destroyScript: string;
  /** A digest of everything whose change replaces the step. */
  public readonly contentHash: string;

  constructor(scope: Construct, id: string, props: HostStepProps) {
    super(scope, id);
    const host = props.host;
    this.host = host;
    refuseTokens(this.node.path, props);
    const title = `${props.description} [${this.node.path}]`;
    this.createScript = renderScript(title, props.create, host._elevation);
    this.destroyScript = props.destroy ? renderScript(`destroy: ${title}`, props.destroy, host._elevation) : '';
    const replaceOn = props.replaceOn ?? {};
    // What the step does, not how it reaches the host: the bodies (without the sudo/doas
    // wrapper) and replaceOn. Changing the key path, host key, user or privilege must not
    // replace, and so destroy and recreate, every jail.
    this.contentHash = sha256Hex(JSON.stringify([props.create, props.destroy ?? null, Object.entries(replaceOn).sort()]));

    const triggers: Record<string, string> = {
      content_hash: this.contentHash,
      host: host.address,
      port: String(host.port),
      user: host.user,
      key_path: host.privateKeyPath ?? '',
      host_key: host.hostKey ?? '',
      destroy_script: this.destroyScript,
    };
    if (host.bastion) {
      triggers.bastion_host = host.bastion.address;
      triggers.bastion_port = String(host.bastion.port);
      triggers.bastion_user = host.bastion.user ?? host.user;
      triggers.bastion_key_path = host.bastion.privateKeyPath ?? '';
      triggers.bastion_host_key = host.bastion.hostKey ?? '';
    }
    for (const [k, val] of Object.entries(replaceOn)) triggers[`input_${k}`] = val;

    // Every step needs the host helper, except the step that installs it.
    const isHelperStep = scope === host && id === HOST_HELPER_STEP_ID;
    const dependsOn = [...(isHelperStep ? [] : [hostHelperStep(host)]), ...(props.dependsOn ?? [])];
    const stepResource = new StepResource(this, 'resource', {
      triggers: Object.fromEntries(Object.entries(triggers).map(([k, val]) => [k, escapeTerraformTemplate(val)])),
    }, dependsOn.map((s) => s.nullResource));
    this.nullResource = stepResource;
    this.node.defaultChild = this.nullResource;
    // The claim id is no trigger: a new claim (the helper step replaced) must not replace every step.
    let create = escapeTerraformTemplate(this.createScript);
    if (create.includes(SCOPE_CLAIM_ID)) create = create.split(SCOPE_CLAIM_ID).join(isHelperStep ? '${self.id}' : hostHelperStep(host).nullResource.getStringAttribute('id'));
    const provisioners: unknown[] = [{ 'remote-exec': { inline: [create] } }];
    if (isHelperStep) {
      // The helper travels as a file of the stack's synth folder, not as script text: one
      // upload per host, and no 70 KB of it in every plan and in state.
      HostHelperAsset.of(TerraformStack.of(this));
      provisioners.unshift({ file: { source: HOST_HELPER_ASSET, destination: `${HOST_HELPER_UPLOAD_PREFIX}\${self.id}` } });
    }
    if (props.destroy) {
      // Destroy-time provisioners may reference only self: only the helper step's own id is there.
      if (!isHelperStep && this.destroyScript.includes(SCOPE_CLAIM_ID)) throw new Error(`${this.node.path}: a destroy script can read only its own step's id, not the scope claim`);
      const destroyInline = this.destroyScript.includes(SCOPE_CLAIM_ID)
        ? `\${replace(self.triggers.destroy_script, "${SCOPE_CLAIM_ID}", self.id)}`
        : '${self.triggers.destroy_script}';
      // cdktf's provisioner types have no `when`; destroy-time provisioners may reference only self.
      provisioners.push({ 'remote-exec': { when: 'destroy', inline: [destroyInline] } });
    }
    // The title and outline travel to summaries, not to plans (on the host the script's first
    // banner says the same): one file per stack, not a comment in every resource's block.
    StepOutlines.of(TerraformStack.of(stepResource)).add(stepResource, { title, outline: { create: props.createOutline ?? [], destroy: props.destroyOutline ?? [] } });
    stepResource.setStepAttributes({
      connection: connectionFromSelf(host),
      // Connection values and the rendered destroy script (its wrapper follows the privilege) are
      // kept as they were at creation: a change of them alone is no reason to replace the step,
      // and a real change of the destroy body changes content_hash, which does replace it.
      lifecycle: {
        ignore_changes: Object.keys(triggers).filter((k) => CONNECTION_TRIGGERS.has(k)).map((k) => `triggers["${k}"]`),
      },
      provisioner: provisioners,
    });
  }

  /**
   * This step also runs after `step`, a step made later (the host prune step, made once the tree
   * is complete). Before synthesis only. @internal
   */
  public _dependOn(step: HostStep): void {
    (this.nullResource as StepResource)._addStepDependency(step.nullResource);
  }
}

/**
 * A token's value is known only when Terraform applies: it could not be validated and quoted
 * before reaching the host's shell, and the escaping that keeps scripts literal would turn it
 * into text (`${null_resource.x.id}` on the host). Refused by name instead.
 */
function refuseTokens(path: string, props: HostStepProps): void {
  const fields: [string, string[]][] = [
    ['description', [props.description]],
    ['create', props.create],
    ['destroy', props.destroy ?? []],
    ['replaceOn', Object.entries(props.replaceOn ?? {}).flat()],
  ];
  for (const [field, values] of fields) {
    const bad = values.find((v) => Token.isUnresolved(v));
    if (bad === undefined) continue;
    throw new Error(`${path}: HostStep ${field} takes literal text, known at synth; it holds a Terraform token (${JSON.stringify(bad)}), a value known only at apply, which cannot be validated before it reaches the host's shell`);
  }
}

/**
 * The file in each stack's synth folder (cdktf.out/stacks/STACK/) that lists the stack's steps:
 * for each null_resource address, the step's construct path, title and action outline
 * (`{ "version": 1, "steps": { "null_resource.NAME": { "path", "title", "outline": { "create",
 * "destroy" } } } }`, in the order the steps were made). Summaries read it (`npm start`);
 * Terraform reads only `*.tf.json` there.
 */
export const STEP_OUTLINES_FILE = 'cdktf-freebsd-jails-steps.json';

/** A step's entry in STEP_OUTLINES_FILE. */
interface StepOutline {
  readonly title: string;
  readonly outline: { readonly create: string[]; readonly destroy: string[] };
}

/**
 * The steps of a stack and their outlines, written to STEP_OUTLINES_FILE when the stack is
 * synthesized (after validation; the addresses then, so a later overrideLogicalId counts).
 * One per stack, made by its first step.
 */
class StepOutlines extends Construct {
  /** The construct id under the stack. */
  private static readonly ID = 'cdktf-freebsd-jails-step-outlines';

  public static of(stack: TerraformStack): StepOutlines {
    const existing = stack.node.tryFindChild(StepOutlines.ID);
    return existing instanceof StepOutlines ? existing : new StepOutlines(stack);
  }

  private readonly entries: [TerraformResource, StepOutline][] = [];

  private constructor(stack: TerraformStack) {
    super(stack, StepOutlines.ID);
    writeAtSynth(this, stack, STEP_OUTLINES_FILE, () => {
      const steps: Record<string, unknown> = {};
      for (const [r, o] of this.entries) steps[`${r.terraformResourceType}.${r.friendlyUniqueId}`] = { path: r.node.scope!.node.path, ...o };
      return JSON.stringify({ version: 1, steps }, null, 2) + '\n';
    });
  }

  public add(stepResource: TerraformResource, outline: StepOutline): void {
    this.entries.push([stepResource, outline]);
  }
}

/**
 * The host helper program (HOST_HELPER_PROGRAM) as a file of each stack's synth folder
 * (cdktf.out/stacks/STACK/), relative to it: Terraform runs there, and the helper step's file
 * provisioner uploads it to the host (HOST_HELPER_UPLOAD_PREFIX and the step's id), where the
 * step checks its SHA-256 and installs it. A stack run elsewhere must take the folder along,
 * as with any cdktf asset.
 */
export const HOST_HELPER_ASSET = `assets/${LIBRARY_NAME}/helper-${HOST_HELPER_VERSION}`;

/** Writes HOST_HELPER_ASSET when the stack is synthesized. One per stack, made by its first host's helper step. */
class HostHelperAsset extends Construct {
  private static readonly ID = 'cdktf-freebsd-jails-host-helper';

  public static of(stack: TerraformStack): HostHelperAsset {
    const existing = stack.node.tryFindChild(HostHelperAsset.ID);
    return existing instanceof HostHelperAsset ? existing : new HostHelperAsset(stack);
  }

  private constructor(stack: TerraformStack) {
    super(stack, HostHelperAsset.ID);
    writeAtSynth(this, stack, HOST_HELPER_ASSET, () => HOST_HELPER_PROGRAM, 0o755);
  }
}

/**
 * The SHA-256 of text (as UTF-8), in hex. crypto.hash (Node 20.12 and later) digests in one
 * call without a Hash object, several times cheaper for the thousands of small step texts of a
 * large app; older Node gets the same digest from createHash.
 */
const sha256Hex: (text: string) => string = typeof crypto.hash === 'function'
  ? (text) => crypto.hash('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * The first step of a host, which every other step of the host depends on: installs the host
 * helper (HOST_HELPER_PATH, see lib/shell/helper.ts; uploaded from HOST_HELPER_ASSET by the
 * step's file provisioner, checked by its SHA-256), records the host's ownership scope as one
 * of its users, and claims the scope for this Terraform state with the step's own id (random per
 * state). A second state claiming the same scope fails here, before any other step runs; the
 * claim is the last command, so a failure before it leaves nothing claimed, and a refused step
 * (tainted) runs no destroy. Destroy, after every other step of the host, gives the claim up
 * and releases the helper, which goes when no scope on the host needs it any more. Made on
 * first use, once per host.
 */
export function hostHelperStep(host: FreeBsdHost): HostStep {
  const existing = host.node.tryFindChild(HOST_HELPER_STEP_ID);
  if (existing instanceof HostStep) return existing;
  const scope = shellQuote(host.ownershipScope);
  const create = new ScriptBuilder('')
    .action(`installing the host helper ${HOST_HELPER_PATH} (interface ${HOST_HELPER_VERSION}, revision ${HOST_HELPER_REVISION}) unless a newer revision is installed`,
      // Uploaded just before by the step's file provisioner (HOST_HELPER_ASSET).
      ...underLock(HOST_HELPER_USERS_FILE, HOST_HELPER_INSTALL_PROGRAM,
        [HOST_HELPER_UPLOAD_PREFIX + SCOPE_CLAIM_ID, HOST_HELPER_PATH, HOST_HELPER_SHA256, String(HOST_HELPER_REVISION), host.ownershipScope]))
    .action(`claiming the ownership scope ${host.ownershipScope} on this host for this Terraform state`,
      `${HOST_HELPER_PATH} claim ${scope} '${SCOPE_CLAIM_ID}'`);
  // Called by path, not through the preamble: an absent helper has nothing left to release.
  const destroy = new ScriptBuilder('').action(`giving up the ownership scope ${host.ownershipScope}; releasing the host helper`,
    `if [ -x ${HOST_HELPER_PATH} ]; then ${HOST_HELPER_PATH} unclaim ${scope} '${SCOPE_CLAIM_ID}'; ${HOST_HELPER_PATH} release ${scope}; fi`);
  const step = new HostStep(host, HOST_HELPER_STEP_ID, {
    host,
    description: `host helper ${HOST_HELPER_PATH}`,
    ...stepScripts(create, destroy),
  });
  // Every host with a step gets the prune step of its claims (lib/host/prune.ts), made at synth.
  Aspects.of(host).add(new AddHostPruneStep());
  return step;
}

/**
 * The host's prune step (lib/host/prune.ts says what it does and why it is one per host), made
 * once, when the tree is complete: its keep-lists are final then. @internal
 */
export function hostPruneStep(host: FreeBsdHost): HostStep {
  // Found like the helper step: the aspect may visit a host more than once (every synth).
  const existing = host.node.tryFindChild(HOST_PRUNE_STEP_ID);
  if (existing instanceof HostStep) return existing;
  const plan = hostPrunePlan(host, SCOPE_CLAIM_ID);
  const step = new HostStep(host, HOST_PRUNE_STEP_ID, {
    host,
    description: plan.description,
    ...stepScripts(plan.create),
  });
  plan.made(step);
  return step;
}

class AddHostPruneStep implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof FreeBsdHost) hostPruneStep(node);
  }
}

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
class StepResource extends NullResource {
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
const CONNECTION_TRIGGERS = new Set([
  'host', 'port', 'user', 'key_path', 'host_key', 'destroy_script',
  'bastion_host', 'bastion_port', 'bastion_user', 'bastion_key_path', 'bastion_host_key',
]);

/** An SSH connection that reads only `self.triggers`, as destroy-time provisioners require. */
function connectionFromSelf(host: FreeBsdHost): Record<string, unknown> {
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
