/**
 * The README's "Use it in your app", run as written: the library as `npm pack` makes it,
 * installed with its peers into a fresh app outside the repository by the section's `npm`
 * lines, its main.ts type-checked against the packed declarations and synthesized by
 * `cdktf synth` with its cdktf.json (on Node 24, where the CLI does not start, by cdktf.json's
 * app command, as the README says). A file the library needs at synth that package.json
 * "files" leaves out fails here.
 *
 * Needs the compiled lib/ (`npm test` compiles first) and npm with the registry reachable
 * (installs prefer npm's cache, which `npm ci` filled with the peers' tarballs). Stands in for
 * two things of the section: the packed tarball for the registry's `cdktf-freebsd-jails`, and
 * the repository's cdktf CLI (the same version range) for the app's own `cdktf-cli`, whose
 * install alone would take longer than the rest of the test.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HOST_HELPER_ASSET } from '../../lib/host/helper-asset';
import { HOST_HELPER_PROGRAM } from '../../lib/shell/helper';
import { childEnv, readmeSection, run } from '../support/readme-app';
import { tempDir } from '../support/sh';

const ROOT = path.join(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/**
 * Whether cdktf-cli 0.21 starts on this Node: its terminal module
 * (@cdktf/node-pty-prebuilt-multiarch 0.10.2) has prebuilt binaries up to Node 22 (ABI 127),
 * and npm 11 runs no install script that would build one.
 */
const CLI_STARTS = Number(process.versions.node.split('.')[0]) <= 22;

/** A synthesized null_resource, as much of it as the test reads. */
interface NullResource {
  readonly triggers: Record<string, string>;
  readonly provisioner: Record<string, { readonly inline?: string[]; readonly source?: string; readonly when?: string }>[];
}

describe('the README\'s "Use it in your app", on the packed library', () => {
  const section = readmeSection();
  let work: string;
  let app: string;
  let packed: { filename: string; files: { path: string }[] };
  let stackDir: string;
  let cliFailure: SpawnSyncReturns<string> | undefined;

  beforeAll(() => {
    // npm pack packs what is there: lib/ must be compiled (`npm test` compiles first).
    for (const f of ['lib/index.js', 'lib/index.d.ts', '.jsii']) {
      if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run compile\` (npm test does) first`);
    }
    work = tempDir('cdktf-jails-app-');
    packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, env: childEnv() }))[0];
    const tarball = path.join(work, packed.filename);

    // The section's npm lines, run in a fresh directory outside the repository.
    app = path.join(work, 'my-jails');
    fs.mkdirSync(app);
    const cliRange = PKG.devDependencies['cdktf-cli'];
    const npmLines = section.sh[0].split('\n').filter((l) => l.startsWith('npm '));
    for (const line of npmLines) {
      const words = line.split(/\s+/).filter((w) => w !== '' && w !== `cdktf-cli@${cliRange}`)
        .map((w) => (w === 'cdktf-freebsd-jails' ? tarball : w));
      if (words[1] === 'install') words.push('--no-audit', '--no-fund', '--prefer-offline');
      run('npm', words.slice(1), { cwd: app, env: childEnv() });
    }
    fs.writeFileSync(path.join(app, 'cdktf.json'), section.json[0]);
    fs.writeFileSync(path.join(app, 'main.ts'), section.ts[0]);

    // Synthesized by the node that runs this test (the CI runs these tests under each supported
    // Node), first in PATH for the app command's npx, in the app's directory: with the
    // repository's cdktf CLI where it starts, else with what it runs (cdktf.json's app command
    // with CDKTF_OUTDIR its output), as the README says.
    const env = childEnv({ PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` });
    const cli = require.resolve('cdktf-cli/bundle/bin/cdktf', { paths: [ROOT] });
    if (CLI_STARTS) {
      run(process.execPath, [cli, 'synth'], { cwd: app, env });
    } else {
      cliFailure = spawnSync(process.execPath, [cli, 'synth'], { cwd: app, env, encoding: 'utf8' });
      const config = JSON.parse(section.json[0]);
      run('/bin/sh', ['-c', config.app], { cwd: app, env: { ...env, CDKTF_OUTDIR: config.output } });
    }
    stackDir = path.join(app, 'cdktf.out', 'stacks', 'jails');
  }, 240000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('the section installs the peer dependencies package.json names, at its ranges', () => {
    const install = section.sh[0];
    for (const [name, range] of Object.entries<string>(PKG.peerDependencies)) {
      expect(install).toContain(` ${name}@${range}`);
    }
    expect(install).toContain(` cdktf-cli@${PKG.devDependencies['cdktf-cli']}`);
    const appPkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
    expect(Object.keys(appPkg.dependencies).sort()).toEqual(['cdktf', 'cdktf-freebsd-jails', 'constructs']);
    expect(Object.keys(appPkg.devDependencies)).toEqual(['tsx']);
  });

  test('the package holds the compiled library and its declarations, not the sources or tests', () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'API.md', '.jsii', 'lib/index.js', 'lib/index.d.ts', 'lib/host/step.js']));
    expect(files.filter((f) => /^(test|examples|bench|scripts)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  });

  test('the app uses the installed package, whose declarations type-check main.ts', () => {
    const resolved = run(process.execPath, ['-p', 'require.resolve("cdktf-freebsd-jails")'], { cwd: app, env: childEnv() }).trim();
    expect(resolved).toBe(path.join(fs.realpathSync(app), 'node_modules', 'cdktf-freebsd-jails', 'lib', 'index.js'));
    const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', 'main.ts'], { cwd: app, env: childEnv() });
  });

  test('the synthesized stack has the steps of the host, template, jail settings and jail, with their scripts', () => {
    const tf = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(tf.resource)).toEqual(['null_resource']);
    expect(Object.keys(tf.provider)).toEqual(['null']);
    const resources = tf.resource.null_resource as Record<string, NullResource>;
    // The first line each create script prints, per resource (their names end in a hash).
    const titles: Record<string, string> = {};
    for (const [name, r] of Object.entries(resources)) {
      expect(r.triggers.host).toBe('jailhost.example.org'); // the connection's, through triggers
      const create = r.provisioner.map((p) => p['remote-exec']).find((p) => p !== undefined && p.when === undefined);
      expect(create?.inline).toHaveLength(1);
      expect(create!.inline![0]).toMatch(/^#!\/bin\/sh\nset -eu\n/);
      titles[name.replace(/_[0-9A-F]{8}$/, '')] = /^echo '==> ([^']*)'/m.exec(create!.inline![0])?.[1] ?? '';
    }
    expect(Object.keys(titles).sort()).toEqual([
      'host_helper_resource', 'host_prune_resource', 'jail-host_settings_resource',
      'template_build_resource', 'www_config_resource', 'www_dataset_resource',
    ]);
    expect(titles.template_build_resource).toMatch(/^ZFS template zroot\/vm\/tmpl\/14\.5@t[0-9a-f]{8}\b/);
    expect(titles.www_dataset_resource).toMatch(/^jail dataset zroot\/vm\/www from zroot\/vm\/tmpl\/14\.5@t[0-9a-f]{8}\b/);
    expect(titles.www_config_resource).toMatch(/^jail www: \/etc\/jail\.conf\.d\/www\.conf\b/);
  });

  (CLI_STARTS ? test.skip : test)('on Node 24 the cdktf CLI does not start, as the README says: no node-pty binary', () => {
    expect(cliFailure?.status).not.toBe(0);
    expect(cliFailure?.stderr).toMatch(/Cannot find module '[^']*pty\.node'/);
    expect(section.text).toContain('On Node 24 the cdktf CLI 0.21 does not start');
    expect(section.text).toContain(`(\`${JSON.parse(section.json[0]).app}\`, which`);
  });

  test('the host helper the first step uploads is written beside cdk.tf.json', () => {
    const tf = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    const helperStep = Object.entries<NullResource>(tf.resource.null_resource).find(([n]) => n.startsWith('host_helper_resource'))![1];
    const upload = helperStep.provisioner.map((p) => p.file).find((p) => p !== undefined);
    expect(upload?.source).toBe(HOST_HELPER_ASSET);
    const asset = path.join(stackDir, HOST_HELPER_ASSET);
    expect(fs.readFileSync(asset, 'utf8')).toBe(HOST_HELPER_PROGRAM);
    expect(fs.statSync(asset).mode & 0o111).not.toBe(0);
  });
});
