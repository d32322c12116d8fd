#!/usr/bin/env node
/**
 * Print a readable summary of a synthesized app: per stack and host, the steps in order with
 * what each one does and what it waits for. The title and outline of a step (the list of its
 * actions as its ScriptBuilder kept them) are in the stack's cdktf-freebsd-jails-steps.json,
 * which HostStep writes beside cdk.tf.json (STEP_OUTLINES_FILE), so no script text is parsed here.
 *
 *   node scripts/summary.js [cdktf.out]
 */
'use strict';
const fs = require('fs');
const path = require('path');

const outDir = process.argv[2] || 'cdktf.out';
const stacksDir = path.join(outDir, 'stacks');
if (!fs.existsSync(stacksDir)) {
  console.error(`no synthesized stacks in ${stacksDir}: run "npm run synth" first`);
  process.exit(1);
}

/** Terraform reads `$${` and `%%{` in JSON strings as literal `${` and `%{`. */
const unescape = (s) => s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

/** Resources in dependency order (a resource after everything it depends on). */
function ordered(resources) {
  const done = new Set();
  const out = [];
  const visit = (name, seen = new Set()) => {
    if (done.has(name) || seen.has(name)) return;
    seen.add(name);
    for (const dep of resources[name].depends_on || []) visit(dep.replace(/^null_resource\./, ''), seen);
    done.add(name);
    out.push(name);
  };
  Object.keys(resources).sort().forEach((n) => visit(n));
  return out;
}

for (const stack of fs.readdirSync(stacksDir).sort()) {
  const file = path.join(stacksDir, stack, 'cdk.tf.json');
  if (!fs.existsSync(file)) continue;
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const resources = (json.resource && json.resource.null_resource) || {};
  const outlinesFile = path.join(stacksDir, stack, 'cdktf-freebsd-jails-steps.json');
  const steps = fs.existsSync(outlinesFile) ? JSON.parse(fs.readFileSync(outlinesFile, 'utf8')).steps : {};
  const byHost = new Map();
  for (const name of ordered(resources)) {
    const t = resources[name].triggers || {};
    const key = `${t.user}@${t.host}:${t.port}`;
    if (!byHost.has(key)) byHost.set(key, []);
    byHost.get(key).push(name);
  }
  console.log(`stack ${stack}: ${Object.keys(resources).length} steps on ${byHost.size} host(s)`);
  for (const [host, names] of byHost) {
    console.log(`\n  host ${host}`);
    names.forEach((name, i) => {
      const r = resources[name];
      const create = r.provisioner.find((p) => p['remote-exec'] && !p['remote-exec'].when)['remote-exec'].inline.map(unescape).join('\n').split('\n');
      const step = steps[`null_resource.${name}`];
      const title = (step && step.title) || name;
      const hasDestroy = r.provisioner.some((p) => p['remote-exec'] && p['remote-exec'].when === 'destroy');
      console.log(`  ${String(i + 1).padStart(3)}. ${title}`);
      const deps = (r.depends_on || []).map((d) => d.replace(/^null_resource\./, ''));
      console.log(`       resource null_resource.${name}; ${create.length} script lines; destroy step: ${hasDestroy ? 'yes' : 'no'}`);
      if (deps.length) console.log(`       after: ${deps.join(', ')}`);
      // Files Terraform's file provisioner uploads before the script (the host helper).
      for (const p of r.provisioner.filter((x) => x.file)) {
        const source = path.join(stacksDir, stack, p.file.source);
        const size = fs.existsSync(source) ? `${fs.statSync(source).size} bytes` : 'missing';
        console.log(`       uploads ${source} (${size}) to ${unescape(p.file.destination)} first`);
      }
      const outline = (step && step.outline) || { create: [], destroy: [] };
      for (const action of outline.create) console.log(`         - ${action}`);
      if (outline.destroy.length) console.log(`       on destroy: ${outline.destroy.join('; ')}`);
    });
  }
  // The stack's Terraform outputs (the VNET topology listing: `terraform output -raw NAME` after
  // apply) and the Mermaid diagrams the library writes beside cdk.tf.json at synth.
  for (const [name, o] of Object.entries(json.output || {})) {
    const value = typeof o.value === 'string' ? o.value : JSON.stringify(o.value);
    console.log(`\n  output ${name}${o.description ? ` (${o.description})` : ''}:\n${value.replace(/\n$/, '').replace(/^/gm, '    ')}`);
  }
  for (const f of fs.readdirSync(path.join(stacksDir, stack)).filter((n) => n.endsWith('.mmd')).sort()) {
    const p = path.join(stacksDir, stack, f);
    console.log(`\n  Mermaid diagram ${p}:\n${fs.readFileSync(p, 'utf8').replace(/\n$/, '').replace(/^/gm, '    ')}`);
  }
  console.log('');
}
console.log(`Terraform JSON: ${stacksDir}/<stack>/cdk.tf.json (deploy with "cdktf deploy" where terraform is installed)`);
