/**
 * One source, two packages: scripts/build-flavour.sh cdktn builds the cdktn flavour from this
 * tree, and every example app, run as `cdktf synth` runs it (its main.ts, CDKTF_OUTDIR set),
 * synthesizes the same stacks with either flavour: the cdktf app against this tree's lib/ and
 * cdktf 0.21, and the same app with its imports changed (`'cdktf'` to `'cdktn'`) against the
 * flavour's lib/ and cdktn. Two things in cdk.tf.json must differ, and nothing else may: the
 * framework's version in the stack's metadata, and how each framework lays out an empty
 * object (cdktf 0.21 writes `{` and `}` on two lines, cdktn `{}`).
 *
 * Then the packed flavour goes where a user's app has it: installed by the README's cdktn
 * `npm` lines into a fresh app outside the repository, with the README's main.ts, its imports
 * changed as the README says, type-checked against the packed declarations and synthesized.
 *
 * Builds the flavour itself (npm ci in flavours/cdktn/.build, jsii): needs the npm registry or
 * npm's cache.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HOST_HELPER_ASSET } from '../../lib/host/helper-asset';
import { HOST_HELPER_PROGRAM } from '../../lib/shell/helper';
import { childEnv, readmeSection, run } from '../support/readme-app';
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

  test('packed and installed by the README\'s cdktn lines, it runs the README\'s app with two names changed', () => {
    const section = readmeSection();
    const install = section.sh.find((b) => b.includes('cdktn-freebsd-jails'))!;
    const imports = section.ts.find((b) => b.includes("from 'cdktn'"))!;
    const mainTs = section.ts[0];
    // The README's claim: the cdktn app's imports are the cdktf app's with cdktf made cdktn.
    const cdktfImports = mainTs.split('\n').filter((l) => l.startsWith('import '));
    expect(cdktfImports.map((l) => l.replace(/'cdktf/g, "'cdktn")).join('\n')).toBe(imports.trim());

    const app = path.join(out, 'my-jails');
    fs.mkdirSync(app);
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out], { cwd: PACKAGE, env: childEnv() }))[0];
    expect(packed.name).toBe('cdktn-freebsd-jails');
    run('npm', ['init', '-y'], { cwd: app, env: childEnv() });
    for (const line of install.split('\n').filter((l) => l.startsWith('npm '))) {
      // The packed tarball stands in for the registry's package; the CLI is not installed (the
      // app command below is what `cdktn synth` runs).
      const words = line.split(/\s+/).filter((w) => w !== '' && !w.startsWith('cdktn-cli@'))
        .map((w) => (w === 'cdktn-freebsd-jails' ? path.join(out, packed.filename) : w));
      run('npm', [...words.slice(1), '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, env: childEnv() });
    }
    const appPkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
    expect(Object.keys(appPkg.dependencies).sort()).toEqual(['cdktn', 'cdktn-freebsd-jails', 'constructs']);
    fs.writeFileSync(path.join(app, 'cdktf.json'), section.json[0]);
    fs.writeFileSync(path.join(app, 'main.ts'), mainTs.split('\n').filter((l) => !l.startsWith('import ')).join('\n').replace(/^/, `${imports.trim()}\n`));

    const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', 'main.ts'], { cwd: app, env: childEnv() });
    const config = JSON.parse(section.json[0]);
    const env = childEnv({ PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`, CDKTF_OUTDIR: config.output });
    run('/bin/sh', ['-c', config.app], { cwd: app, env });

    const stackDir = path.join(app, config.output, 'stacks', 'jails');
    const tf = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    expect(tf['//'].metadata.version).toBe(cdktnVersion);
    expect(Object.keys(tf.resource.null_resource).map((n) => n.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual([
      'host_helper_resource', 'host_prune_resource', 'jail-host_settings_resource',
      'template_build_resource', 'www_config_resource', 'www_dataset_resource',
    ]);
    expect(fs.readFileSync(path.join(stackDir, HOST_HELPER_ASSET), 'utf8')).toBe(HOST_HELPER_PROGRAM);
    const resolved = run(process.execPath, ['-p', 'require.resolve("cdktn-freebsd-jails")'], { cwd: app, env: childEnv() }).trim();
    expect(resolved).toBe(path.join(fs.realpathSync(app), 'node_modules', 'cdktn-freebsd-jails', 'lib', 'index.js'));
  }, 240_000);
});
