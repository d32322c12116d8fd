/**
 * One source, two packages: scripts/build-flavour.sh cdktn builds the cdktn flavour from this
 * tree, and every example app, run as `cdktf synth` runs it (its main.ts, CDKTF_OUTDIR set),
 * synthesizes the same stacks with either flavour: the cdktf app against this tree's lib/ and
 * cdktf 0.21, and the same app with its imports changed (`'cdktf'` to `'cdktn'`) against the
 * flavour's lib/ and cdktn. Two things in cdk.tf.json must differ, and nothing else may: the
 * framework's version in the stack's metadata, and how each framework lays out an empty
 * object (cdktf 0.21 writes `{` and `}` on two lines, cdktn `{}`).
 *
 * Builds the flavour itself (npm ci in flavours/cdktn/.build, jsii): needs the npm registry or
 * npm's cache.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../support/sh';

const ROOT = path.join(__dirname, '..', '..');
const FLAVOUR = path.join(ROOT, 'flavours', 'cdktn');
const PACKAGE = path.join(FLAVOUR, '.build', 'package');
const TSX = require.resolve('tsx/cli', { paths: [ROOT] });
const CDKTF_VERSION = JSON.parse(fs.readFileSync(require.resolve('cdktf/package.json', { paths: [ROOT] }), 'utf8')).version;
const EXAMPLES = ['notebook', 'vnet-lab', 'bridged', 'routed'];
/** A host for the examples, its key pinned (a key made for the tests, never a host's). */
const HOST_ENV = {
  FREEBSD_HOST: '192.0.2.10',
  FREEBSD_KEY_PATH: '/home/operator/.ssh/id_ed25519',
  FREEBSD_HOST_KEY: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH7QczaWmx3S4dfVpQ6Ulsjz19BHZP3sMgf/01qktbyG',
};

/** Runs an example's main.ts with tsx, from the repository's root, into `outdir`. */
function synth(mainTs: string, outdir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...HOST_ENV, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' };
    for (const k of Object.keys(env)) if (/^(FREEBSD_|VNET_BACKEND$)/.test(k) && !(k in HOST_ENV)) delete env[k];
    const child = spawn(process.execPath, [TSX, mainTs], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tsx ${mainTs}: exit ${code}\n${output}`))));
  });
}

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** cdk.tf.json's text with the two things that must differ made the same. */
function normalised(text: string, version: string): string {
  expect(JSON.parse(text)['//'].metadata.version).toBe(version);
  // The stack's "//" block comes first: the first "version" is the framework's.
  const replaced = text.replace(`"version": "${version}"`, '"version": "FRAMEWORK"').replace(/\{\n\s*\}/g, '{}');
  expect(JSON.parse(replaced)['//'].metadata.version).toBe('FRAMEWORK');
  return replaced;
}

describe('the cdktn flavour, built from this tree', () => {
  let out: string;
  let cdktnVersion: string;

  beforeAll(() => {
    const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'build-flavour.sh'), 'cdktn'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`scripts/build-flavour.sh cdktn failed: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    cdktnVersion = JSON.parse(fs.readFileSync(path.join(FLAVOUR, '.build', 'node_modules', 'cdktn', 'package.json'), 'utf8')).version;
    out = tempDir('cdktf-jails-flavours-');
  }, 300_000);
  afterAll(() => {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  test('is the package cdktn-freebsd-jails: cdktn and constructs its peers, its own jsii targets', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE, 'package.json'), 'utf8'));
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('cdktn-freebsd-jails');
    expect(pkg.version).toBe(root.version);
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdktn', 'constructs']);
    const assembly = JSON.parse(fs.readFileSync(path.join(PACKAGE, '.jsii'), 'utf8'));
    expect(Object.keys(assembly.dependencies).sort()).toEqual(['cdktn', 'constructs']);
    expect(assembly.targets.python).toEqual({ distName: 'cdktn-freebsd-jails', module: 'cdktn_freebsd_jails' });
    expect(assembly.targets.java.maven.artifactId).toBe('cdktn-freebsd-jails');
    expect(assembly.targets.dotnet.packageId).toBe('CdktnFreebsdJails');
    expect(assembly.targets.go.moduleName).toMatch(/\/cdktn-freebsd-jails-go$/);
    // The same API: every type of the cdktf package, by the same name, and no other.
    const rootAssembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8'));
    const names = (a: { types: Record<string, unknown> }) => Object.keys(a.types).map((t) => t.replace(/^[^.]+\./, '')).sort();
    expect(names(assembly)).toEqual(names(rootAssembly));
  });

  test('its compiled library loads cdktn, never cdktf', () => {
    const js = files(path.join(PACKAGE, 'lib')).filter((f) => f.endsWith('.js'));
    expect(js).toContain('host/null-provider.js');
    const loads = js.flatMap((f) => [...fs.readFileSync(path.join(PACKAGE, 'lib', f), 'utf8').matchAll(/require\("(cdkt[fn])(\/[^"]*)?"\)/g)].map((m) => m[1]));
    expect(new Set(loads)).toEqual(new Set(['cdktn']));
  });

  test.each(EXAMPLES)('examples/%s synthesizes the same stacks with either flavour', async (example) => {
    const cdktfOut = path.join(out, example, 'cdktf');
    const cdktnOut = path.join(out, example, 'cdktn');
    fs.mkdirSync(path.join(out, example));
    await Promise.all([
      synth(path.join(ROOT, 'examples', example, 'main.ts'), cdktfOut),
      synth(path.join(PACKAGE, 'examples', example, 'main.ts'), cdktnOut),
    ]);
    const stacks = (dir: string) => path.join(dir, 'stacks');
    const written = files(stacks(cdktfOut));
    expect(written).toEqual(files(stacks(cdktnOut)));
    expect(written).toContain(`${example}/cdk.tf.json`);
    for (const f of written) {
      const a = fs.readFileSync(path.join(stacks(cdktfOut), f), 'utf8');
      const b = fs.readFileSync(path.join(stacks(cdktnOut), f), 'utf8');
      if (path.basename(f) === 'cdk.tf.json') {
        expect(normalised(b, cdktnVersion)).toBe(normalised(a, CDKTF_VERSION));
        expect(JSON.parse(b).resource.null_resource).toEqual(JSON.parse(a).resource.null_resource);
      } else {
        expect([f, b]).toEqual([f, a]);
      }
    }
  }, 120_000);
});
