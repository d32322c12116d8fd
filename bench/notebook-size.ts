/**
 * Size of the notebook example's generated scripts (every create and destroy script, as
 * Terraform uploads them) and of its cdk.tf.json, in all and per top-level construct. Prints
 * figures; asserts nothing.
 *
 * The "before" figures were measured when the notebook had neither PF nor devfs
 * rulesets, so the notebook's constructs of those kinds (PfNat, DevfsRuleset) are also left out
 * of a "before-shaped" total: the same workload as then, measured today.
 *
 *   npx tsx bench/notebook-size.ts   (prints one JSON line)
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Testing } from 'cdktf';
import { NotebookStack } from '../examples/notebook/main';
import { DevfsRuleset, HostStep, PfNat } from '../lib';
import { HOST_HELPER_PROGRAM } from '../lib/shell';

/** Constructs of kinds the notebook did not have when the "before" figures were measured. */
const NOT_BEFORE = [PfNat, DevfsRuleset];

const ENV = { FREEBSD_HOST: '192.0.2.10', FREEBSD_KEY_PATH: '/home/operator/.ssh/id_ed25519' };
const unescape = (s: string) => s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

interface NullResource {
  provisioner: Array<Record<string, { inline: string[]; when?: string }>>;
  triggers: Record<string, string>;
}

const stack = new NotebookStack(new App({ outdir: mkdtempSync(join(tmpdir(), 'nb-')) }), 'notebook', ENV);
const json = Testing.synth(stack);
const tf = JSON.parse(json);
const resources = tf.resource.null_resource as Record<string, NullResource>;

/** Lines and bytes of a resource's create and destroy scripts as uploaded. */
function scriptSize(r: NullResource): { lines: number; bytes: number } {
  const create = r.provisioner.find((p) => p['remote-exec'] && !p['remote-exec'].when)!['remote-exec'].inline.map(unescape).join('\n') + '\n';
  const scripts = [create, ...(r.triggers.destroy_script ? [unescape(r.triggers.destroy_script)] : [])];
  return {
    lines: scripts.reduce((sum, s) => sum + s.split('\n').length - 1, 0),
    bytes: scripts.reduce((sum, s) => sum + Buffer.byteLength(s), 0),
  };
}

// Each resource belongs to the stack's child its step is under (Testing.synth drops the
// resources' "//" comments, so the steps name their resources).
const topOf = new Map(stack.node.findAll().filter((c): c is HostStep => c instanceof HostStep)
  .map((s) => [s.nullResource.friendlyUniqueId, s.node.scopes[2].node.id]));
const constructs = stack.node.children.filter((c) => c.node.children.length > 0).map((c) => ({
  id: c.node.id,
  type: c.constructor.name,
  before: !NOT_BEFORE.some((k) => c instanceof k),
  steps: 0,
  lines: 0,
  bytes: 0,
  resources: [] as string[],
}));
for (const [name, r] of Object.entries(resources)) {
  const c = constructs.find((x) => x.id === topOf.get(name));
  if (!c) throw new Error(`no top-level construct for the resource ${name}`);
  const size = scriptSize(r);
  c.steps++;
  c.lines += size.lines;
  c.bytes += size.bytes;
  c.resources.push(name);
}
const sum = (cs: typeof constructs) => ({
  steps: cs.reduce((s, c) => s + c.steps, 0),
  lines: cs.reduce((s, c) => s + c.lines, 0),
  bytes: cs.reduce((s, c) => s + c.bytes, 0),
});
const prettyBytes = (t: unknown) => Buffer.byteLength(JSON.stringify(t, null, 2));

// The cdk.tf.json of the before-shaped notebook: the same JSON without the resources of the
// constructs it did not have.
const beforeShapedTf = JSON.parse(json);
for (const c of constructs.filter((x) => !x.before)) for (const name of c.resources) delete beforeShapedTf.resource.null_resource[name];

const all = sum(constructs);
console.log(JSON.stringify({
  steps: all.steps,
  scriptLines: all.lines,
  scriptBytes: all.bytes,
  helperLines: HOST_HELPER_PROGRAM.split('\n').length - 1,
  helperBytes: Buffer.byteLength(HOST_HELPER_PROGRAM),
  tfJsonBytes: prettyBytes(tf),
  constructs: constructs.map(({ resources: _, ...c }) => c),
  beforeShaped: { ...sum(constructs.filter((c) => c.before)), tfJsonBytes: prettyBytes(beforeShapedTf) },
}));
