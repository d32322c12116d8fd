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
 * destroy scripts of the same sizes. The raw sides read their scripts from a file written
 * beforehand by another process: the process that is timed holds nothing of the library (its
 * peak RSS and its JIT start as a user's raw app would). Then the notebook example's script
 * text (lines, bytes) and its cdk.tf.json size.
 * Needs the compiled library (`npm run bench` builds first).
 *
 *   node bench/synth-bench.js [--runs R] [--shape templates|jails] [N...]
 *   (BENCH_KEEP_JSON=PREFIX keeps each side's cdk.tf.json as PREFIX.KIND.json, for a look at what each side wrote)
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const KINDS = ['library', 'raw', 'same'];
/**
 * The issue's figures of the notebook before the host helper (issue 7), measured when the
 * notebook had no PF and no devfs rulesets (template, jail host, h1..h4, h1's packages).
 */
const NOTEBOOK_BEFORE = { lines: 1315, bytes: 66991, tfJson: 90713 };


if (process.argv[2] === '--child') {
  runChild(process.argv[3], process.argv[4], Number(process.argv[5]), process.argv[6]);
} else if (process.argv[2] === '--samples') {
  writeSamples(process.argv[3], Number(process.argv[4]), process.argv[5]);
} else {
  main();
}

function main() {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const repeat = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
  const shapeAt = args.indexOf('--shape');
  const shapes = shapeAt >= 0 ? [args.splice(shapeAt, 2)[1]] : ['templates', 'jails'];
  const given = args.map(Number).filter(Boolean);
  const sizes = given.length ? given : [10, 100, 1000];
  console.log(`synth benchmark: node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${repeat} runs of each side, interleaved (so load hits all sides alike)\n`);
  const sampleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-bench-samples-'));
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const f0 = (x) => x.toFixed(0);
  for (const shape of shapes) {
    console.log(`shape: ${shape}`);
    const rows = [];
    const splits = [];
    for (const n of sizes) {
      const samples = path.join(sampleDir, `${shape}-${n}`);
      execFileSync(process.execPath, [__filename, '--samples', shape, String(n), samples], { stdio: 'inherit' });
      const runs = Object.fromEntries(KINDS.map((k) => [k, []]));
      for (let i = 0; i < repeat; i++) for (const kind of KINDS) runs[kind].push(measure(shape, kind, n, samples));
      const min = (kind, key) => Math.min(...runs[kind].map((r) => r[key]));
      const med = (kind, key) => median(runs[kind].map((r) => r[key]));
      const both = (kind, key) => `${f0(min(kind, key))}/${f0(med(kind, key))}`;
      const ratio = (a, b, key) => (med(a, key) / med(b, key)).toFixed(2);
      splits.push({ n, ...Object.fromEntries(KINDS.map((k) => [k, { build: med(k, 'buildMs'), synth: median(runs[k].map((r) => r.ms - r.buildMs)) }])) });
      rows.push([
        String(n), String(runs.library[0].resources),
        both('library', 'ms'), both('raw', 'ms'), ratio('library', 'raw', 'ms'), ratio('library', 'raw', 'cpuMs'),
        both('same', 'ms'), ratio('library', 'same', 'ms'),
        both('library', 'rssMiB'), both('raw', 'rssMiB'), ratio('library', 'raw', 'rssMiB'),
        f0(runs.library[0].scriptBytes / n),
        KINDS.map((k) => (runs[k][0].jsonBytes / 1e6).toFixed(2)).join('/'),
      ]);
      // The raw sides must carry what the library made: as many resources, the same script text.
      for (const k of KINDS.slice(1)) {
        if (runs[k][0].resources !== runs.library[0].resources || runs[k][0].scriptBytes !== runs.library[0].scriptBytes) {
          console.log(`  warning: N = ${n}: the ${k} side has ${runs[k][0].resources} resources, ${runs[k][0].scriptBytes} script bytes; the library ${runs.library[0].resources}, ${runs.library[0].scriptBytes}`);
        }
      }
    }
    const header = ['N', 'resources', 'library ms', 'raw ms', 'time x', 'cpu x', 'same-JSON ms', 'x same', 'library MiB', 'raw MiB', 'RSS x', shape === 'jails' ? 'script bytes/jail' : 'script bytes/template', 'JSON MB lib/raw/same'];
    const table = [header, ...rows];
    const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
    for (const r of table) console.log('  ' + r.map((c, i) => c.padStart(widths[i])).join('  '));
    console.log('  where the time goes (medians, ms: construct tree built / app.synth):');
    for (const split of splits) console.log(`    N = ${split.n}: ${KINDS.map((k) => `${k} ${f0(split[k].build)} / ${f0(split[k].synth)}`).join('; ')}`);
    console.log('');
  }
  fs.rmSync(sampleDir, { recursive: true, force: true });
  console.log('ms = synth of the stack inside the process (construct tree + JSON written; for the library also loading it),');
  console.log('  MiB = peak resident set of the process; each as min/median of the runs');
  console.log('time x, cpu x, x same, RSS x = ratios of the medians (cpu = user+system CPU time of the timed window)');
  console.log('raw = what a user writes by hand for the same Terraform behaviour: as many null_resources as the library made,');
  console.log('  its create/destroy scripts (read from a file written by another process before the clock starts), the same');
  console.log('  triggers (content hash computed in the process), connection, lifecycle and depends_on (as addresses, as the');
  console.log('  library writes them: cheaper than cdktf dependsOn), no comments');
  console.log('same-JSON = raw null_resources written by hand to give the library\'s cdk.tf.json (its triggers, connection,');
  console.log('  lifecycle, comments and depends_on through cdktf\'s dependsOn): what the same output costs without the library');
  console.log('library: HostStep hands cdktf\'s preparing resolve pass (which only looks for cross-stack references) just');
  console.log('  the parts of its blocks that hold a token, for every user of the library; the JSON written is the same');
  console.log('targets: library at most 1.2x raw time and memory at N = 1000, under 5000 ms on 2 cores\n');
  notebookFigures();
}

function notebookFigures() {
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const out = JSON.parse(execFileSync(tsx, [path.join(__dirname, 'notebook-size.ts')], { encoding: 'utf8' }).trim().split('\n').pop());
  const change = (now, before) => `${(100 * Math.abs(1 - now / before)).toFixed(1)}% ${now <= before ? 'smaller' : 'larger'}`;
  const vsBefore = (lines, bytes) => `${lines} lines, ${bytes} bytes (${change(lines, NOTEBOOK_BEFORE.lines)} in lines, ${change(bytes, NOTEBOOK_BEFORE.bytes)} in bytes than before)`;
  const helper = { lines: out.helperLines, bytes: out.helperBytes };
  console.log('notebook example (every create and destroy script as uploaded, which plans and state carry; cdk.tf.json as Testing.synth writes it):');
  console.log(`  the host helper program: ${helper.lines} lines, ${helper.bytes} bytes, no script text: a file of each stack's synth folder`);
  console.log("  that the host's helper step uploads (Terraform's file provisioner) and installs, once per host");
  console.log('  (it carries the actions of every construct: jails, datasets, settings, PF, devfs, VNET)');
  console.log(`  per construct:`);
  const rows = [['construct', 'kind', 'steps', 'lines', 'bytes'], ...out.constructs.map((c) => [c.id + (c.before ? '' : ' *'), c.type, String(c.steps), String(c.lines), String(c.bytes)])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log('    ' + r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  console.log('    (* = a kind the notebook did not have when the before figures were measured)');
  const b = out.beforeShaped;
  console.log(`  before (issue 7), no PF, no devfs rulesets, no helper: ${NOTEBOOK_BEFORE.lines} lines, ${NOTEBOOK_BEFORE.bytes} bytes; cdk.tf.json ${NOTEBOOK_BEFORE.tfJson} bytes`);
  console.log(`  the same constructs now (${b.steps} steps, without the * ones):`);
  console.log(`    their scripts: ${vsBefore(b.lines, b.bytes)}`);
  console.log(`    cdk.tf.json ${b.tfJsonBytes} bytes (${change(b.tfJsonBytes, NOTEBOOK_BEFORE.tfJson)} than before)`);
  // The helper is counted whole, once per host: every host gets all of it (owners on one host share
  // it, and destroy scripts in state call its actions by name long after, so it cannot carry only
  // the actions of the app that installed it).
  console.log(`    their scripts and the whole helper file, what reaches the host: ${vsBefore(b.lines + helper.lines, b.bytes + helper.bytes)}`);
  console.log(`  the whole notebook now (${out.steps} steps): scripts ${out.scriptLines} lines, ${out.scriptBytes} bytes; cdk.tf.json ${out.tfJsonBytes} bytes`);
  console.log('  target: script text (what plans and state carry) at least 30% smaller');
}

function measure(shape, kind, n, samples) {
  const out = execFileSync(process.execPath, [__filename, '--child', shape, kind, String(n), samples], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop());
}

/** The library's stack of a shape. */
function buildLibrary(stack, shape, n) {
  const { DEFAULT_TEMPLATE_RELEASE, FreeBsdHost, JailAddress, JailFromSnapshot, JailHost, JailPackages, JailSource, ZfsTemplate } = require('..');
  // The host runs the release the templates default to (a template may not be newer than its host).
  const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', privateKeyPath: '/keys/id', release: DEFAULT_TEMPLATE_RELEASE });
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
      source: JailSource.template(template),
      addresses: [JailAddress.onInterface('lo1', `127.1.${a}.${b}/32`), JailAddress.onInterface('lo1', `fd00:1:1:${a}::${b}/64`)],
      nullfsMounts: [{ hostPath: '/usr/ports', jailPath: '/usr/ports' }],
    });
    new JailPackages(stack, `p${i}`, { jail, packages: ['git-lite', 'vim-console'] });
  }
}

/** A null_resource's creation-time remote-exec (after the helper step's file provisioner). */
function createExec(r) {
  return r.provisioner.find((p) => p['remote-exec'] && !p['remote-exec'].when)['remote-exec'];
}

/** Its destroy-time remote-exec, if any. */
function destroyExec(r) {
  const p = r.provisioner.find((x) => x['remote-exec'] && x['remote-exec'].when === 'destroy');
  return p && p['remote-exec'];
}

/** In a fresh process: build the stack, synthesize it to a temporary outdir, report. */
function runChild(shape, kind, n, samplesFile) {
  const { App, TerraformStack } = require('cdktf');
  const { provider, resource } = require('@cdktf/provider-null');
  // The raw stacks' scripts and resources (see writeSamples), read before the clock starts.
  const samples = kind === 'library' ? undefined : JSON.parse(fs.readFileSync(`${samplesFile}.${kind}.json`, 'utf8'));
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
    // What a user writes by hand for the same Terraform behaviour: the same triggers (a content
    // hash of the scripts, the connection values the destroy provisioner reads from self, the
    // inputs that replace a step), connection, lifecycle and provisioners; depends_on as the
    // addresses of the resources it names (cdktf's dependsOn makes two tokens per entry, each
    // capturing a stack trace: the same-JSON side pays that, this one does not, as the library
    // does not); no comments (those are the library's, for `npm start`'s outline).
    const crypto = require('crypto');
    new provider.NullProvider(stack, 'null', {});
    const made = [];
    for (const s of samples) {
      const r = new resource.Resource(stack, s.name, {
        triggers: {
          content_hash: crypto.createHash('sha256').update(JSON.stringify([s.create, s.destroy, s.inputs])).digest('hex'),
          host: '192.0.2.10', port: '22', user: 'root', key_path: '/keys/id', host_key: '', destroy_script: s.destroy, ...s.inputs,
        },
        lifecycle: { ignoreChanges: ['triggers["host"]', 'triggers["port"]', 'triggers["user"]', 'triggers["key_path"]', 'triggers["host_key"]', 'triggers["destroy_script"]'] },
      });
      if (s.dependsOn.length) r.addOverride('depends_on', s.dependsOn.map((i) => `null_resource.${made[i].friendlyUniqueId}`));
      r.addOverride('connection', { type: 'ssh', host: '${self.triggers.host}', port: '${self.triggers.port}', user: '${self.triggers.user}', timeout: '2m', private_key: '${file(self.triggers.key_path)}' });
      r.addOverride('provisioner', [
        ...s.uploads.map((file) => ({ file })),
        { 'remote-exec': { inline: [s.create] } },
        ...(s.destroyInline ? [{ 'remote-exec': { when: 'destroy', inline: [s.destroyInline] } }] : []),
      ]);
      made.push(r);
    }
  }
  const buildMs = Number(process.hrtime.bigint() - start) / 1e6;
  app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const text = fs.readFileSync(path.join(outdir, 'stacks', 'bench', 'cdk.tf.json'), 'utf8');
  const json = JSON.parse(text);
  const resources = Object.values(json.resource.null_resource);
  const scriptBytes = resources.reduce((sum, r) => sum + createExec(r).inline.join('\n').length + (r.triggers.destroy_script || '').length, 0);
  if (process.env.BENCH_KEEP_JSON) fs.copyFileSync(path.join(outdir, "stacks", "bench", "cdk.tf.json"), `${process.env.BENCH_KEEP_JSON}.${kind}.json`);
  fs.rmSync(outdir, { recursive: true, force: true });
  console.log(JSON.stringify({ ms, buildMs, cpuMs, rssMiB: process.resourceUsage().maxRSS / 1024, resources: resources.length, scriptBytes, jsonBytes: Buffer.byteLength(text) }));
}

/**
 * In a process of its own (so that no process that is timed ever built the library): the
 * library's stack of this shape, written as what each raw side needs, each in a file of its
 * own (a side holds only its own data), both in dependency order: PREFIX.raw.json the scripts,
 * replacing inputs and dependencies of each step; PREFIX.same.json the null_resources of its
 * cdk.tf.json.
 */
function writeSamples(shape, n, prefix) {
  const resources = sampleResources(shape, n);
  fs.writeFileSync(`${prefix}.raw.json`, JSON.stringify(resources.map((r) => ({
    name: r.name,
    // The scripts as the JSON carries them (already escaped for Terraform's templates).
    create: createExec(r).inline[0],
    destroy: r.triggers.destroy_script,
    destroyInline: destroyExec(r) ? destroyExec(r).inline[0] : undefined,
    // The helper step's upload of the host helper (Terraform's file provisioner).
    uploads: r.provisioner.filter((p) => p.file).map((p) => p.file),
    inputs: Object.fromEntries(Object.entries(r.triggers).filter(([k]) => k.startsWith('input_'))),
    dependsOn: r.dependsOn,
  }))));
  fs.writeFileSync(`${prefix}.same.json`, JSON.stringify(resources));
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
