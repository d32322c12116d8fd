import * as crypto from 'crypto';
import { Aspects, IAspect, TerraformResource, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { HOST_HELPER_INSTALL_PROGRAM, HOST_HELPER_PATH, HOST_HELPER_REVISION, HOST_HELPER_SHA256, HOST_HELPER_UPLOAD_PREFIX, HOST_HELPER_USERS_FILE, HOST_HELPER_VERSION, renderScript, ScriptBuilder, shellQuote, underLock } from '../shell';
import * as p from '../validate/props';
import { HOST_HELPER_ASSET, HostHelperAsset } from './helper-asset';
import { FreeBsdHost } from './host';
import { HOST_PRUNE_STEP_ID, hostPrunePlan } from './prune';
import { StepOutlines } from './step-outlines';
import { CONNECTION_TRIGGERS, connectionFromSelf, StepResource } from './step-resource';

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
   * Files of the operator's machine uploaded to the host before the create script runs (a
   * `file` provisioner each, as the SSH user), for content that must not travel as script text
   * (a secret, a large file): the script reads each at its `destination` and removes it. The
   * file's change replaces the step: its `filesha256()` is a trigger, so plans and state hold
   * only the digest, never the content.
   * @default - none
   */
  readonly uploads?: HostStepUpload[];
  /**
   * Further files of the operator's machine whose change replaces the step (a step that
   * depends on what another step uploads: a service restarted when its secret file changes),
   * by their `filesha256()` as for `uploads`. Absolute paths.
   * @default - none
   */
  readonly watchFiles?: string[];
  /**
   * The titles of the create script's actions (ScriptBuilder.outline), recorded for summaries
   * (`npm start`) in the stack's synth folder (cdktf-freebsd-jails-steps.json).
   * @default - no outline
   */
  readonly createOutline?: string[];
  /**
   * The titles of the destroy script's actions.
   * @default - no outline
   */
  readonly destroyOutline?: string[];
}

/** A file of the operator's machine uploaded to the host for a step's create script. */
export interface HostStepUpload {
  /** Its absolute path on the operator's machine (where Terraform runs). */
  readonly source: string;
  /** Its absolute path on the host, where the script reads it. */
  readonly destination: string;
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
  /** A digest of everything whose change replaces the step (known at synth: not the watched files' content). */
  public readonly contentHash: string;
  /** The files of the operator's machine whose content replaces the step (uploads and watchFiles). */
  public readonly watchedFiles: string[];

  constructor(scope: Construct, id: string, props: HostStepProps) {
    super(scope, id);
    p.checkProps(this.node.path, 'HostStep', props, {
      host: p.required(p.instanceOf(FreeBsdHost, 'new FreeBsdHost(scope, "host", { address: "192.0.2.10" })')),
      description: p.required(p.str('"my step"')),
      create: p.required(p.list(p.str('"echo hello"'), 'strings')),
      destroy: p.list(p.str('"echo bye"'), 'strings'),
      dependsOn: p.list(p.instanceOf(HostStep, 'otherStep'), 'HostSteps'),
      replaceOn: p.map(p.str('"1.2"'), '{ version: "1.2" }'),
      uploads: p.list(p.struct('HostStepUpload', {
        source: p.required(p.str('"/home/me/secret.key"')),
        destination: p.required(p.str('"/tmp/secret.key"')),
      }, '{ source: "/home/me/secret.key", destination: "/tmp/secret.key" }'), 'HostStepUpload structs'),
      watchFiles: p.list(p.str('"/home/me/secret.key"'), 'strings'),
      createOutline: p.list(p.str('"what the step does"'), 'strings'),
      destroyOutline: p.list(p.str('"what its destroy does"'), 'strings'),
    });
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
    const uploads = props.uploads ?? [];
    this.watchedFiles = [...new Set([...uploads.map((u) => u.source), ...(props.watchFiles ?? [])])].sort();
    for (const f of [...this.watchedFiles, ...uploads.map((u) => u.destination)]) {
      if (Token.isUnresolved(f) || !/^\/[A-Za-z0-9._+@%:,\/-]*$/.test(f)) throw new Error(`${this.node.path}: HostStep uploads and watchFiles take absolute paths of plain characters, known at synth; got ${JSON.stringify(f)}`);
    }
    const extra = uploads.length > 0 || this.watchedFiles.length > 0 ? [uploads.map((u) => [u.source, u.destination]), this.watchedFiles] : [];
    this.contentHash = sha256Hex(JSON.stringify([props.create, props.destroy ?? null, Object.entries(replaceOn).sort(), ...extra]));

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
    const escaped = Object.fromEntries(Object.entries(triggers).map(([k, val]) => [k, escapeTerraformTemplate(val)]));
    // Terraform reads each watched file at plan time: only its digest is in the plan and in state.
    this.watchedFiles.forEach((f, i) => { escaped[`file_sha256_${i}`] = `\${filesha256(${JSON.stringify(f)})}`; });
    const stepResource = new StepResource(this, 'resource', {
      triggers: escaped,
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
    for (const u of uploads) provisioners.unshift({ file: { source: u.source, destination: u.destination } });
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

