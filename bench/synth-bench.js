#!/usr/bin/env node
/**
 * Synthesis cost of the library against raw @cdktf/provider-null resources, and the size of
 * the scripts it generates. Prints figures; asserts nothing.
 *
 * Two shapes, each for N = 10, 100, 1000, each synthesized in a fresh Node process:
 * - templates: N ZfsTemplates on one host (one step each);
 * - jails (the realistic shape): one host, one template, N jails with two addresses, a nullfs
 *   mount and packages each (three steps per jail, plus the host's helper, settings and prune).
 * Beside each, a stack of raw null_resources, as many as the library made, carrying create and
 * destroy scripts of the same sizes. Then the notebook example's script text (lines, bytes)
 * and its cdk.tf.json size.
 * Needs the compiled library (`npm run bench` builds first).
 *
 *   node bench/synth-bench.js [N...]
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const SIZES = process.argv.slice(2).map(Number).filter(Boolean);
const sizes = SIZES.length ? SIZES : [10, 100, 1000];
const REPEAT = 3;
/** The measurement of the notebook before the host helper (issue 7). */
const NOTEBOOK_BEFORE = { lines: 1315, bytes: 66991, tfJson: 90713 };

if (process.argv[2] === '--child') {
  runChild(process.argv[3], process.argv[4], Number(process.argv[5]));
} else {
  main();
}

function main() {
  console.log(`synth benchmark: node ${process.version}, ${os.cpus().length} cores, ${REPEAT} runs of each side, interleaved (so load hits both alike)\n`);
  const range = (xs) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
  for (const shape of ['templates', 'jails']) {
    console.log(`shape: ${shape}`);
    const rows = [];
    for (const n of sizes) {
      const runs = { library: [], raw: [], same: [] };
      for (let i = 0; i < REPEAT; i++) for (const kind of Object.keys(runs)) runs[kind].push(measure(shape, kind, n));
      const min = (kind, key) => Math.min(...runs[kind].map((r) => r[key]));
      const ms = (kind) => runs[kind].map((r) => r.ms);
      rows.push([
        String(n), String(runs.library[0].resources),
        range(ms('library')), range(ms('raw')), (min('library', 'ms') / min('raw', 'ms')).toFixed(2),
        (min('library', 'cpuMs') / min('raw', 'cpuMs')).toFixed(2),
        range(ms('same')), (min('library', 'ms') / min('same', 'ms')).toFixed(2),
        min('library', 'rssMiB').toFixed(0), min('raw', 'rssMiB').toFixed(0), (min('library', 'rssMiB') / min('raw', 'rssMiB')).toFixed(2),
        (runs.library[0].scriptBytes / n).toFixed(0),
      ]);
    }
    const header = ['N', 'resources', 'library ms', 'raw ms', 'time x', 'cpu x', 'same-JSON ms', 'x same', 'library MiB', 'raw MiB', 'RSS x', shape === 'jails' ? 'script bytes/jail' : 'script bytes/template'];
    const table = [header, ...rows];
    const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
    for (const r of table) console.log('  ' + r.map((c, i) => c.padStart(widths[i])).join('  '));
    console.log('');
  }
  console.log('time = synth of the stack inside the process (construct tree + JSON written), as min-max of the runs;');
  console.log('  time x, cpu x, x same, RSS x = ratios of the minima (cpu = user+system CPU time of that window); RSS = peak resident set');
  console.log('raw = as many null_resources as the library made, with create/destroy scripts of the same sizes');
  console.log('same-JSON = raw null_resources written by hand to give the library\'s cdk.tf.json (its triggers, connection,');
  console.log('  lifecycle, comments and depends_on through cdktf\'s dependsOn): what the same output costs without the library');
  console.log('targets: library at most 1.2x raw time and memory at N = 1000, under 5000 ms on 2 cores\n');
  notebookFigures();
}

function notebookFigures() {
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const out = JSON.parse(execFileSync(tsx, [path.join(__dirname, 'notebook-size.ts')], { encoding: 'utf8' }).trim().split('\n').pop());
  const pct = (now, before) => `${(100 * (1 - now / before)).toFixed(1)}% smaller`;
  console.log('notebook example (every create and destroy script as uploaded):');
  console.log(`  steps ${out.steps}; script text ${out.scriptLines} lines, ${out.scriptBytes} bytes; of it the host helper program ${out.helperLines} lines, ${out.helperBytes} bytes (once per host)`);
  console.log(`  before (issue 7): ${NOTEBOOK_BEFORE.lines} lines, ${NOTEBOOK_BEFORE.bytes} bytes: now ${pct(out.scriptLines, NOTEBOOK_BEFORE.lines)} in lines, ${pct(out.scriptBytes, NOTEBOOK_BEFORE.bytes)} in bytes`);
  console.log(`  cdk.tf.json ${out.tfJsonBytes} bytes (before ${NOTEBOOK_BEFORE.tfJson}: ${pct(out.tfJsonBytes, NOTEBOOK_BEFORE.tfJson)})`);
  console.log('  target: script text at least 30% smaller');
}

function measure(shape, kind, n) {
  const out = execFileSync(process.execPath, [__filename, '--child', shape, kind, String(n)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop());
}

/** The library's stack of a shape. */
function buildLibrary(stack, shape, n) {
  const { DEFAULT_TEMPLATE_RELEASE, FreeBsdHost, JailAddress, JailFromSnapshot, JailHost, JailPackages, ZfsTemplate } = require('..');
  // The host runs the release the templates default to (a template may not be newer than its host).
  const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', privateKeyPath: '/keys/id', release: DEFAULT_TEMPLATE_RELEASE.name });
  if (shape === 'templates') {
    for (let i = 0; i < n; i++) new ZfsTemplate(stack, `t${i}`, { host, name: `t${i}`, snapshotName: 'p3' });
    return;
  }
  const template = new ZfsTemplate(stack, 'template', { host, snapshotName: 'p3' });
  const jailHost = new JailHost(stack, 'jails', { host });
  for (let i = 0; i < n; i++) {
    const a = Math.floor(i / 250);
    const b = (i % 250) + 1;
    const jail = new JailFromSnapshot(stack, `j${i}`, {
      jailHost,
      template,
      addresses: [JailAddress.onInterface('lo1', `127.1.${a}.${b}/32`), JailAddress.onInterface('lo1', `fd00:1:1:${a}::${b}/64`)],
      nullfsMounts: [{ hostPath: '/usr/ports', jailPath: '/usr/ports' }],
    });
    new JailPackages(stack, `p${i}`, { jail, packages: ['git-lite', 'vim-console'] });
  }
}

/** In a fresh process: build the stack, synthesize it to a temporary outdir, report. */
function runChild(shape, kind, n) {
  const { App, TerraformStack } = require('cdktf');
  const { provider, resource } = require('@cdktf/provider-null');
  // The raw stack's scripts: the sizes of the library's, measured before the clock starts.
  const samples = kind === 'raw' ? sampleScripts(shape, n) : kind === 'same' ? sampleResources(shape, n) : undefined;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-bench-'));
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'bench');
  if (kind === 'library') {
    buildLibrary(stack, shape, n);
  } else if (kind === 'same') {
    new provider.NullProvider(stack, 'null', {});
    const made = [];
    for (const s of samples) {
      const r = new resource.Resource(stack, s.name, { triggers: s.triggers, dependsOn: s.dependsOn.map((i) => made[i]) });
      r.addOverride('//', s.comment);
      r.addOverride('connection', s.connection);
      r.addOverride('lifecycle', s.lifecycle);
      r.addOverride('provisioner', s.provisioner);
      made.push(r);
    }
  } else {
    new provider.NullProvider(stack, 'null', {});
    samples.forEach((s, i) => {
      const r = new resource.Resource(stack, `r${i}`, {
        triggers: { host: '192.0.2.10', port: '22', user: 'root', key_path: '/keys/id', content_hash: String(i), destroy_script: s.destroy },
      });
      r.addOverride('connection', { type: 'ssh', host: '${self.triggers.host}', private_key: '${file(self.triggers.key_path)}' });
      r.addOverride('provisioner', [
        { 'remote-exec': { inline: [s.create] } },
        ...(s.destroy ? [{ 'remote-exec': { when: 'destroy', inline: ['${self.triggers.destroy_script}'] } }] : []),
      ]);
    });
  }
  app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'bench', 'cdk.tf.json'), 'utf8'));
  const resources = Object.values(json.resource.null_resource);
  const scriptBytes = resources.reduce((sum, r) => sum + r.provisioner[0]['remote-exec'].inline.join('\n').length + (r.triggers.destroy_script || '').length, 0);
  fs.rmSync(outdir, { recursive: true, force: true });
  console.log(JSON.stringify({ ms, cpuMs, rssMiB: process.resourceUsage().maxRSS / 1024, resources: resources.length, scriptBytes }));
}

/** Create/destroy scripts of the library's stack of this shape, one per resource, made unique. */
function sampleScripts(shape, n) {
  const { App, TerraformStack } = require('cdktf');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-bench-'));
  const stack = new TerraformStack(new App({ outdir }), 's');
  buildLibrary(stack, shape, n);
  const { HostStep } = require('..');
  const steps = stack.node.findAll().filter((c) => c instanceof HostStep);
  const out = steps.map((s, i) => ({ create: `${s.createScript}#${i}`, destroy: s.destroyScript ? `${s.destroyScript}#${i}` : '' }));
  fs.rmSync(outdir, { recursive: true, force: true });
  return out;
}

/**
 * The null_resources of the library's stack of this shape as its cdk.tf.json has them (in
 * dependency order), for the same-JSON side: depends_on as indices of earlier resources.
 */
function sampleResources(shape, n) {
  const { App, TerraformStack } = require('cdktf');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-bench-'));
  const app = new App({ outdir });
  buildLibrary(new TerraformStack(app, 'bench'), shape, n);
  app.synth();
  const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'bench', 'cdk.tf.json'), 'utf8'));
  fs.rmSync(outdir, { recursive: true, force: true });
  const entries = Object.entries(json.resource.null_resource);
  const byAddress = new Map(entries.map((e) => [`null_resource.${e[0]}`, e]));
  const index = new Map();
  const ordered = [];
  const visit = ([name, r]) => {
    if (index.has(name)) return;
    for (const d of r.depends_on ?? []) visit(byAddress.get(d));
    index.set(name, ordered.length);
    ordered.push([name, r]);
  };
  entries.forEach(visit);
  return ordered.map(([name, r]) => {
    const { metadata, ...comment } = r['//'];
    return {
      name, triggers: r.triggers, comment, connection: r.connection, lifecycle: r.lifecycle, provisioner: r.provisioner,
      dependsOn: (r.depends_on ?? []).map((d) => index.get(d.slice('null_resource.'.length))),
    };
  });
}
