/** Pulling every script (and every program embedded in one) out of a synthesized stack. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TerraformStack } from 'cdktf';
import { haveCommand, tempDir } from './sh';
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

/**
 * Tests (in the calling describe) that the stack's scripts whose names match `names` are at
 * least `atLeast`, and that each passes `sh -n` and all of them `shellcheck -s sh`.
 */
export function testScriptsLint(stack: TerraformStack, names: RegExp, atLeast: number): void {
  const dir = tempDir();
  const files = allScripts(stack).filter((s) => names.test(s.name)).map((s, i) => {
    const file = path.join(dir, `s${i}.sh`);
    fs.writeFileSync(file, s.text);
    return { ...s, file };
  });

  test('the steps are there', () => {
    expect(files.length).toBeGreaterThanOrEqual(atLeast);
  });

  test.each(files.map((f) => [f.name, f.file]))('%s: sh -n', (_n, file) => {
    expect(spawnSync('/bin/sh', ['-n', file], { encoding: 'utf8' }).status).toBe(0);
  });

  (haveCommand('shellcheck') ? test : test.skip)('shellcheck -s sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', '-f', 'gcc', ...files.map((f) => f.file)], { encoding: 'utf8' });
    expect(r.stdout.split('\n').filter(Boolean).map((l) => files.reduce((acc, f) => acc.replace(f.file, f.name), l))).toEqual([]);
  });
}
