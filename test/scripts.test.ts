/**
 * Every script the notebook example generates (as root and through sudo; the host helper and
 * prune steps too, with their id references as Terraform fills them in), and every program
 * embedded in one, passes `sh -n` and `shellcheck -s sh`.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { NotebookStack } from '../examples/notebook/main';
import { allScripts, NamedScript } from './support/scripts';
import { haveCommand, tempDir } from './support/sh';

const ENVS: Record<string, NodeJS.ProcessEnv> = {
  root: { FREEBSD_HOST: '192.0.2.10', FREEBSD_KEY_PATH: '/keys/id_ed25519' },
  sudo: { FREEBSD_HOST: '192.0.2.10', FREEBSD_USER: 'deploy', FREEBSD_PRIVILEGE: 'sudo' },
};

const scripts: NamedScript[] = Object.entries(ENVS).flatMap(([flavour, env]) =>
  allScripts(new NotebookStack(Testing.app(), 'notebook', env)).map((s) => ({ name: `${flavour}: ${s.name}`, text: s.text })),
);

describe('generated scripts', () => {
  const dir = tempDir();
  const files = scripts.map((s, i) => {
    const file = path.join(dir, `script-${i}.sh`);
    fs.writeFileSync(file, s.text);
    return { ...s, file };
  });

  test('there are scripts to check, with embedded programs', () => {
    expect(scripts.length).toBeGreaterThan(4);
    expect(scripts.some((s) => s.name.includes('program'))).toBe(true);
  });

  test.each(files.map((f) => [f.name, f.file]))('%s passes sh -n', (_name, file) => {
    const r = spawnSync('/bin/sh', ['-n', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  const shellcheck = haveCommand('shellcheck');
  if (!shellcheck) {
    // CI installs shellcheck (.ci/run); say clearly when a local run cannot check.
    console.warn('SKIPPED: shellcheck is not installed; run `apt-get install -y shellcheck` to check generated scripts');
  }
  (shellcheck ? test : test.skip)('all pass shellcheck -s sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', '-f', 'gcc', ...files.map((f) => f.file)], { encoding: 'utf8' });
    const report = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const f = files.find((x) => line.startsWith(x.file));
        return f ? line.replace(f.file, f.name) : line;
      });
    expect(report).toEqual([]);
    expect(r.status).toBe(0);
    expect(execFileSync('shellcheck', ['--version'], { encoding: 'utf8' })).toMatch(/version/);
  });
});
