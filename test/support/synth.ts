/** Synthesizing stacks in tests and reading their null_resources back. */
import { Testing, TerraformStack } from 'cdktf';

export interface SynthResource {
  readonly name: string;
  readonly triggers: Record<string, string>;
  readonly connection: Record<string, unknown>;
  readonly provisioner: Array<Record<string, { inline: string[]; when?: string }>>;
  readonly depends_on?: string[];
}

/** Undo Terraform's template escapes the way Terraform reads a literal string. */
export function unescapeTerraform(text: string): string {
  return text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/** The synthesized JSON of a stack. */
export function synthJson(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

/**
 * The null_resources of a stack by name. The host helper step (one per FreeBsdHost, which every
 * other step depends on; lib/host/step.ts) is left out unless `withHostHelper`, the host prune
 * step (one per FreeBsdHost with a step; lib/host/prune.ts) unless `withHostPrune`: most tests
 * look at the constructs' own steps.
 */
export function nullResources(stack: TerraformStack, options: { withHostHelper?: boolean; withHostPrune?: boolean } = {}): SynthResource[] {
  const json = synthJson(stack);
  const all = Object.entries(json.resource?.null_resource ?? {}).map(([name, r]) => ({ name, ...(r as object) }) as SynthResource);
  return all.filter((r) => (options.withHostHelper || !isHostHelperStep(r)) && (options.withHostPrune || !isHostPruneStep(r)));
}

/** Whether a resource is the host's prune step of claims (lib/host/prune.ts). */
export function isHostPruneStep(r: SynthResource): boolean {
  return /^echo '==> prune (.*, )?jails, (.*, )?claimed pf anchors, .* and host settings no longer in the app /m.test(createScript(r));
}

/** Whether a resource is the step that installs the host helper. */
export function isHostHelperStep(r: SynthResource): boolean {
  // Its script's first banner is its title (Testing.synth drops the "//" comment that carries it too).
  return /^echo '==> host helper /m.test(createScript(r));
}

/** The create script of a resource as Terraform would upload it. */
export function createScript(r: SynthResource): string {
  return createInline(r).map(unescapeTerraform).join('\n') + '\n';
}

/** The inline text of a resource's creation-time remote-exec, as the JSON has it. */
function createInline(r: SynthResource): string[] {
  return r.provisioner.find((p) => p['remote-exec'] && !p['remote-exec'].when)!['remote-exec'].inline;
}

/**
 * The create script as the host receives it: Terraform's references to resource ids (the scope
 * claim: `${self.id}`, `${null_resource.NAME.id}`) replaced by `id`, then its escapes undone.
 */
export function createScriptAsUploaded(r: SynthResource, id = '1234567890'): string {
  // An escaped `$${` is literal text, never a reference.
  return createInline(r).map((t) => unescapeTerraform(t.replace(/(?<!\$)\$\{(?:self|null_resource\.[A-Za-z0-9_-]+)\.id\}/g, id))).join('\n') + '\n';
}

/** The destroy script of a resource as Terraform would evaluate it from the triggers. */
export function destroyScript(r: SynthResource): string {
  return unescapeTerraform(r.triggers.destroy_script);
}

/** Every string inside a JSON value. */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(allStrings);
  return [];
}
