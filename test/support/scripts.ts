/** Pulling every script (and every program embedded in one) out of a synthesized stack. */
import { TerraformStack } from 'cdktf';
import { createScriptAsUploaded, destroyScript, nullResources } from './synth';

export interface NamedScript {
  readonly name: string;
  readonly text: string;
}

/**
 * Programs embedded in a script: the fixed texts given to `/bin/sh -c '...'` (lockf
 * sections) and the elevated body of sudo/doas scripts. Checkers cannot see into those
 * strings from the outer script, so they are checked on their own.
 */
export function embeddedPrograms(script: string): string[] {
  const programs: string[] = [];
  for (const m of script.matchAll(/\/bin\/sh -c '((?:[^']|'\\'')*)'/g)) programs.push(m[1].replace(/'\\''/g, "'"));
  const body = /body=\$\(cat <<'([A-Z_]+)'\n([\s\S]*?)\n\1\n\)/.exec(script);
  if (body) programs.push(body[2]);
  return programs;
}

/** Every create and destroy script of a stack (the host's helper and prune steps too), and the programs inside them. */
export function allScripts(stack: TerraformStack): NamedScript[] {
  const out: NamedScript[] = [];
  for (const r of nullResources(stack, { withHostHelper: true, withHostPrune: true })) {
    const scripts = [{ name: `${r.name} create`, text: createScriptAsUploaded(r) }];
    if (r.triggers.destroy_script) scripts.push({ name: `${r.name} destroy`, text: destroyScript(r) });
    for (const s of scripts) {
      out.push(s);
      embeddedPrograms(s.text).forEach((p, i) => out.push({ name: `${s.name} program ${i + 1}`, text: `#!/bin/sh\n${p}\n` }));
    }
  }
  return out;
}
