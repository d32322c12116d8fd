#!/usr/bin/env node
/**
 * Synthesis cost of the library against raw @cdktf/provider-null resources.
 *
 * For N = 10, 100, 1000 it synthesizes, each in a fresh Node process, a stack of N
 * ZfsTemplates (one step each, on one host) and a stack of N raw null_resources carrying a
 * script of the same size, and prints wall time and peak RSS of both and their ratio.
 * Needs the compiled library (`npm run bench` builds first). Prints figures; asserts nothing.
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

if (process.argv[2] === '--child') {
  runChild(process.argv[3], Number(process.argv[4]));
} else {
  main();
}

function main() {
  console.log(`synth benchmark: node ${process.version}, ${os.cpus().length} cores, best of ${REPEAT} runs\n`);
  const rows = [];
  for (const n of sizes) {
    const lib = best(() => measure('library', n));
    const raw = best(() => measure('raw', n));
    rows.push([n, lib.ms, raw.ms, lib.ms / raw.ms, lib.rssMiB, raw.rssMiB, lib.rssMiB / raw.rssMiB]);
  }
  const header = ['N', 'library ms', 'raw ms', 'time x', 'library MiB', 'raw MiB', 'RSS x'];
  const fmt = (v, i) => (i === 0 ? String(v) : i === 3 || i === 6 ? v.toFixed(2) : v.toFixed(0));
  const table = [header, ...rows.map((r) => r.map(fmt))];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));
  console.log('\ntime = synth of the stack inside the process (construct tree + JSON written), RSS = peak resident set of that process');
  console.log('targets: library at most 1.5x raw; 1000 steps under 5000 ms on 2 cores');
}

function best(fn) {
  let b;
  for (let i = 0; i < REPEAT; i++) {
    const r = fn();
    if (!b || r.ms < b.ms) b = { ...r, rssMiB: Math.min(b ? b.rssMiB : Infinity, r.rssMiB) };
  }
  return b;
}

function measure(kind, n) {
  const out = execFileSync(process.execPath, [__filename, '--child', kind, String(n)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

/** In a fresh process: build the stack, synthesize it to a temporary outdir, report. */
function runChild(kind, n) {
  const { App, TerraformStack } = require('cdktf');
  const { provider, resource } = require('@cdktf/provider-null');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-bench-'));
  const start = process.hrtime.bigint();
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'bench');
  if (kind === 'library') {
    const { FreeBsdHost, ZfsTemplate } = require('..');
    const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', privateKeyPath: '/keys/id' });
    for (let i = 0; i < n; i++) new ZfsTemplate(stack, `t${i}`, { host, name: `t${i}`, snapshotName: 'p3' });
  } else {
    new provider.NullProvider(stack, 'null', {});
    const script = sampleScript();
    for (let i = 0; i < n; i++) {
      const r = new resource.Resource(stack, `r${i}`, {
        triggers: { host: '192.0.2.10', port: '22', user: 'root', key_path: '/keys/id', destroy_script: script.destroy + i },
      });
      r.addOverride('connection', { type: 'ssh', host: '${self.triggers.host}', private_key: '${file(self.triggers.key_path)}' });
      r.addOverride('provisioner', [
        { 'remote-exec': { inline: script.create.map((l) => l + i) } },
        { 'remote-exec': { when: 'destroy', inline: ['${self.triggers.destroy_script}'] } },
      ]);
    }
  }
  app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  console.log(JSON.stringify({ ms, rssMiB: process.resourceUsage().maxRSS / 1024 }));
}

/** A template's scripts, so the raw baseline carries as many bytes as the library's steps. */
function sampleScript() {
  const { App, TerraformStack } = require('cdktf');
  const { FreeBsdHost, ZfsTemplate } = require('..');
  const stack = new TerraformStack(new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-bench-')) }), 's');
  const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10' });
  const t = new ZfsTemplate(stack, 't', { host, snapshotName: 'p3' });
  return { create: t.step.createScript.split('\n'), destroy: t.step.destroyScript };
}
