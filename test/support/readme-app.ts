/**
 * The README's "Use it in your app" section, and running its commands as a user would: the
 * package tests (test/package) install the packed library into a fresh app by its lines.
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/** The README's "Use it in your app": its text and its code blocks by language, in order. */
export function readmeSection(): { text: string; sh: string[]; json: string[]; ts: string[] } {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Use it in your app\n');
  if (start < 0) throw new Error('README.md has no "## Use it in your app" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks: Record<string, string[]> = { sh: [], json: [], ts: [] };
  for (const m of section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)) blocks[m[1]]?.push(m[2]);
  return { text: section, sh: blocks.sh, json: blocks.json, ts: blocks.ts };
}

/**
 * The environment of the npm and cdktf children: without the npm_* variables of an enclosing
 * `npm test` (npm_config_local_prefix would point npm at this repository instead of the app).
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== 'INIT_CWD') env[k] = v;
  }
  return { ...env, CHECKPOINT_DISABLE: '1', ...extra };
}

/** Runs a command; throws with its output when it fails. Returns stdout. */
export function run(command: string, args: string[], options: SpawnSyncOptions): string {
  const r = spawnSync(command, args, { encoding: 'utf8', stdio: 'pipe', ...options });
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${options.cwd}) failed: ${r.error ?? `exit ${r.status}`}\n${r.stdout}\n${r.stderr}`);
  }
  return String(r.stdout);
}
