/**
 * Size of the notebook example's generated scripts (every create and destroy script, as
 * Terraform uploads them) and of its cdk.tf.json. Prints figures; asserts nothing.
 *
 *   npx tsx bench/notebook-size.ts   (prints one JSON line)
 */
import { App, Testing } from 'cdktf';
import { NotebookStack } from '../examples/notebook/main';
import { HOST_HELPER_PROGRAM } from '../lib/shell';

const ENV = { FREEBSD_HOST: '192.0.2.10', FREEBSD_KEY_PATH: '/home/operator/.ssh/id_ed25519' };
const unescape = (s: string) => s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

const stack = new NotebookStack(new App({ outdir: require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'nb-')) }), 'notebook', ENV);
const json = Testing.synth(stack);
const resources = JSON.parse(json).resource.null_resource as Record<string, { provisioner: Array<Record<string, { inline: string[]; when?: string }>>; triggers: Record<string, string> }>;
let lines = 0;
let bytes = 0;
for (const r of Object.values(resources)) {
  const create = r.provisioner.find((p) => p['remote-exec'] && !p['remote-exec'].when)!['remote-exec'].inline.map(unescape).join('\n') + '\n';
  const scripts = [create, ...(r.triggers.destroy_script ? [unescape(r.triggers.destroy_script)] : [])];
  for (const s of scripts) {
    lines += s.split('\n').length - 1;
    bytes += Buffer.byteLength(s);
  }
}
console.log(JSON.stringify({
  steps: Object.keys(resources).length,
  scriptLines: lines,
  scriptBytes: bytes,
  helperLines: HOST_HELPER_PROGRAM.split('\n').length - 1,
  helperBytes: Buffer.byteLength(HOST_HELPER_PROGRAM),
  tfJsonBytes: Buffer.byteLength(JSON.stringify(JSON.parse(json), null, 2)) }));
