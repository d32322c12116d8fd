import { createHash } from 'crypto';
import { readFileSync, rmSync, statSync } from 'fs';
import { join } from 'path';
import { provider, resource } from '@cdktf/provider-null';
import { Testing, TerraformStack } from 'cdktf';
import { spawnSync } from 'child_process';
import { FreeBsdHost, HOST_HELPER_ASSET, HostStep, Privilege, STEP_OUTLINES_FILE, stepScripts } from '../../lib';
import { HOST_HELPER_INSTALL_PROGRAM, HOST_HELPER_PROGRAM, HOST_HELPER_REVISION, ScriptBuilder, shellQuoteAlways as shellQuote } from '../../lib/shell';
import { allStrings, createScript, destroyScript, isHostHelperStep, nullResources, synthJson } from '../support/synth';

function stack() {
  return new TerraformStack(Testing.app(), 'test');
}

describe('FreeBsdHost', () => {
  test('adds exactly one null provider per stack, also with several hosts', () => {
    const s = stack();
    const a = new FreeBsdHost(s, 'a', { address: '192.0.2.1', privateKeyPath: '/keys/a' });
    const b = new FreeBsdHost(s, 'b', { address: '192.0.2.2' });
    new HostStep(s, 'sa', { host: a, description: 'a', create: ['true'] });
    new HostStep(s, 'sb', { host: b, description: 'b', create: ['true'] });
    expect(synthJson(s).provider.null).toHaveLength(1);
  });

  test('uses the app\'s own null provider (@cdktf/provider-null) instead of adding one', () => {
    const s = stack();
    new provider.NullProvider(s, 'mine', { alias: 'mine' });
    const host = new FreeBsdHost(s, 'a', { address: '192.0.2.1' });
    new HostStep(s, 'sa', { host, description: 'a', create: ['true'] });
    expect(synthJson(s).provider.null).toEqual([{ alias: 'mine' }]);
  });

  test.each([
    [{ address: 'bad host!' }, /test\/h: invalid address: "bad host!"/],
    [{ address: 'h', port: 0 }, /invalid port: 0/],
    [{ address: 'h', user: 'Bad User' }, /invalid user: "Bad User"/],
    [{ address: 'h', privateKeyPath: '-----BEGIN OPENSSH PRIVATE KEY-----' }, /never the key itself/],
    [{ address: 'h', hostKey: 'not a key' }, /invalid hostKey/],
    [{ address: 'h', release: '12.4' }, /invalid release: the string "12.4" must be a FreeBsdRelease, like FreeBsdRelease.of\("12.4"\)/],
    [{ address: 'h', jailRootDataset: 'zroot//vm' }, /invalid jailRootDataset/],
    [{ address: 'h', jailRootMountpoint: 'vm' }, /invalid jailRootMountpoint: "vm"/],
    [{ address: 'h', user: 'deploy', privilege: Privilege.ROOT }, /Privilege.ROOT needs user "root"/],
  ])('refuses bad input %j', (props, message) => {
    expect(() => new FreeBsdHost(stack(), 'h', props as any)).toThrow(message);
  });

  test('a non-root user defaults to sudo', () => {
    expect(new FreeBsdHost(stack(), 'h', { address: 'h', user: 'deploy' }).privilege).toBe(Privilege.SUDO);
  });
});

describe('HostStep', () => {
  function synthOne(hostProps: Record<string, unknown> = {}) {
    const s = stack();
    const host = new FreeBsdHost(s, 'host', { address: '192.0.2.10', privateKeyPath: '/home/op/.ssh/id_ed25519', ...hostProps });
    const first = new HostStep(s, 'first', { host, description: 'first', create: ['echo first'] });
    new HostStep(s, 'second', {
      host,
      description: 'second',
      create: ['echo "${HOME} %{x} $${y}"'],
      destroy: ['echo bye'],
      dependsOn: [first],
      replaceOn: { release: '14.3-RELEASE' },
    });
    return nullResources(s);
  }

  // Escaped as literal text, a token reached the host as `${null_resource.other.id}` (sh: bad substitution).
  test.each(['description', 'create', 'destroy', 'replaceOn'])('refuses a Terraform token in %s, naming the step', (field) => {
    const s = stack();
    const host = new FreeBsdHost(s, 'host', { address: '192.0.2.10' });
    const other = new resource.Resource(s, 'other');
    const props: any = { host, description: 'd', create: ['true'] };
    props[field] = field === 'replaceOn' ? { other: other.id } : field === 'description' ? `d ${other.id}` : [`echo ${other.id}`];
    expect(() => new HostStep(s, 'st', props)).toThrow(new RegExp(`^test/st: HostStep ${field} takes literal text.*a Terraform token`));
  });

  test('every resource has an SSH connection that reads only self.triggers', () => {
    for (const r of synthOne()) {
      expect(r.connection.type).toBe('ssh');
      for (const value of allStrings(r.connection)) {
        for (const expr of value.match(/\$\{[^}]*\}/g) ?? []) {
          expect(expr).toMatch(/^\$\{(file\()?self\.triggers\.[a-z_]+\)?\}$/);
        }
      }
      expect(r.connection.private_key).toBe('${file(self.triggers.key_path)}');
    }
  });

  test('create scripts start with #!/bin/sh then set -eu', () => {
    for (const r of synthOne()) {
      const lines = createScript(r).split('\n');
      expect(lines[0]).toBe('#!/bin/sh');
      expect(lines.slice(1).find((l) => !l.startsWith('#'))).toBe('set -eu');
    }
  });

  test('destroy provisioners run at destroy time and reference only self', () => {
    const second = synthOne().find((r) => r.name.startsWith('second'))!;
    const destroy = second.provisioner.find((p) => p['remote-exec']?.when === 'destroy')!['remote-exec'];
    expect(destroy.inline).toEqual(['${self.triggers.destroy_script}']);
    expect(destroyScript(second)).toMatch(/^#!\/bin\/sh\n(#.*\n)*set -eu\n[\s\S]*echo bye\n$/);
  });

  test('a step without destroy has no destroy provisioner', () => {
    const first = synthOne().find((r) => r.name.startsWith('first'))!;
    expect(first.provisioner).toHaveLength(1);
  });

  test('literal ${ and %{ in scripts are escaped for Terraform and survive unescaping', () => {
    const second = synthOne().find((r) => r.name.startsWith('second'))!;
    const raw = second.provisioner[0]['remote-exec'].inline.join('\n');
    expect(raw).toContain('echo "$${HOME} %%{x} $$${y}"');
    expect(createScript(second)).toContain('echo "${HOME} %{x} $${y}"');
  });

  test('dependencies are explicit depends_on', () => {
    const [first, second] = synthOne();
    // The host helper step comes first for every step of the host (hostHelperStep).
    expect(second.depends_on).toEqual([expect.stringMatching(/^null_resource\.host_helper_resource_/), `null_resource.${first.name}`]);
  });

  test('depends_on follows a logical id overridden after the dependent step was made, and keeps escape-hatch entries', () => {
    const s = stack();
    const host = new FreeBsdHost(s, 'host', { address: '192.0.2.10' });
    const first = new HostStep(s, 'first', { host, description: 'first', create: ['true'] });
    const second = new HostStep(s, 'second', { host, description: 'second', create: ['true'], dependsOn: [first] });
    first.nullResource.overrideLogicalId('renamed_first');
    second.nullResource.dependsOn = ['null_resource.by_hand'];
    const json = synthJson(s);
    expect(Object.keys(json.resource.null_resource)).toContain('renamed_first');
    const dependent = Object.entries<any>(json.resource.null_resource).find(([name]) => name.startsWith('second'))![1];
    expect(dependent.depends_on).toEqual([expect.stringMatching(/^null_resource\.host_helper_resource_/), 'null_resource.renamed_first', 'null_resource.by_hand']);
  });

  test('a dependency on a step in another stack is left to cdktf: the same depends_on as a hand-made dependsOn', () => {
    const app = Testing.app();
    const a = new TerraformStack(app, 'a');
    const b = new TerraformStack(app, 'b');
    const host = new FreeBsdHost(a, 'host', { address: '192.0.2.10' });
    const first = new HostStep(a, 'first', { host, description: 'first', create: ['true'] });
    new FreeBsdHost(b, 'other', { address: '192.0.2.11' });
    new HostStep(b, 'second', { host, description: 'second', create: ['true'], dependsOn: [first] });
    new resource.Resource(b, 'by_hand', { dependsOn: [host.node.findChild('helper').node.defaultChild as resource.Resource, first.nullResource] });
    app.synth();
    const json = JSON.parse(readFileSync(join(app.outdir, 'stacks', 'b', 'cdk.tf.json'), 'utf8'));
    const byName = (prefix: string) => Object.entries<any>(json.resource.null_resource).find(([name]) => name.startsWith(prefix))![1];
    expect(byName('second').depends_on).toEqual(byName('by_hand').depends_on);
  });

  // StepResource hands cdktf's preparing pass only the parts of a block that hold a token: a
  // token in a user's override must still become a cross-stack reference there.
  test('a token from another stack in an override of a step becomes the same cross-stack reference as on a hand-made resource', () => {
    const app = Testing.app();
    const a = new TerraformStack(app, 'a');
    const b = new TerraformStack(app, 'b');
    const source = new HostStep(a, 'source', { host: new FreeBsdHost(a, 'host', { address: '192.0.2.10' }), description: 'source', create: ['true'] });
    const step = new HostStep(b, 'step', { host: new FreeBsdHost(b, 'other', { address: '192.0.2.11' }), description: 'step', create: ['true'] });
    const idToken = source.nullResource.getStringAttribute('id');
    step.nullResource.addOverride('triggers.source_id', idToken);
    new resource.Resource(b, 'by_hand', { triggers: { source_id: idToken } });
    app.synth();
    const read = (name: string) => JSON.parse(readFileSync(join(app.outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
    const byName = (json: any, prefix: string) => Object.entries<any>(json.resource.null_resource).find(([name]) => name.startsWith(prefix))![1];
    const sourceId = byName(read('b'), 'by_hand').triggers.source_id;
    expect(sourceId).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-a\.outputs\.cross-stack-output-null_resource/);
    expect(byName(read('b'), 'step').triggers.source_id).toBe(sourceId);
    expect(Object.keys(read('a').output)).toEqual([expect.stringMatching(/^cross-stack-output-null_resourcesource_resource_[0-9A-F]+id$/)]);
  });

  test('an imported step keeps its block and gets the import block a hand-made resource gets', () => {
    const s = stack();
    const host = new FreeBsdHost(s, 'host', { address: '192.0.2.10' });
    const step = new HostStep(s, 'step', { host, description: 'step', create: ['true'] });
    const plain = nullResources(s).find((r) => r.name.startsWith('step'))!;
    step.nullResource.importFrom('1234');
    const byHand = new resource.Resource(s, 'by_hand', {});
    byHand.importFrom('5678');
    const json = synthJson(s);
    const name = (step.nullResource as resource.Resource).friendlyUniqueId;
    const { name: _, ...block } = plain as any;
    expect(json.resource.null_resource[name]).toMatchObject(block);
    expect(json.import).toEqual(expect.arrayContaining([
      { id: '1234', to: `null_resource.${name}` },
      { id: '5678', to: `null_resource.${byHand.friendlyUniqueId}` },
    ]));
  });

  test("a user's override goes over the step's own attributes, and only users' overrides are listed as overrides", () => {
    const app = Testing.app();
    const s = new TerraformStack(app, 'test');
    const host = new FreeBsdHost(s, 'host', { address: '192.0.2.10' });
    const plain = new HostStep(s, 'plain', { host, description: 'plain', create: ['true'] });
    const changed = new HostStep(s, 'changed', { host, description: 'changed', create: ['true'] });
    changed.nullResource.addOverride('connection.timeout', '9m');
    app.synth();
    const json = JSON.parse(readFileSync(join(app.outdir, 'stacks', 'test', 'cdk.tf.json'), 'utf8'));
    const block = (step: HostStep) => json.resource.null_resource[(step.nullResource as resource.Resource).friendlyUniqueId];
    expect(block(changed).connection).toEqual({ ...block(plain).connection, timeout: '9m' });
    expect(block(plain).connection.timeout).toBe('2m');
    expect(json['//'].metadata.overrides).toEqual({ null_resource: ['connection'] });
  });

  test('the host helper step, which depends on nothing, has no depends_on', () => {
    const s = stack();
    new HostStep(s, 'step', { host: new FreeBsdHost(s, 'host', { address: '192.0.2.10' }), description: 'step', create: ['true'] });
    const [helper] = nullResources(s, { withHostHelper: true }).filter((r) => r.name.startsWith('host_helper'));
    expect(helper).toBeDefined();
    expect('depends_on' in helper).toBe(false);
  });

  test("the helper travels as a file of the stack's synth folder: uploaded by the helper step, checked by its digest, installed; not script text", () => {
    const app = Testing.app();
    const s = new TerraformStack(app, 'test');
    const host = new FreeBsdHost(s, 'host', { address: '192.0.2.10' });
    new HostStep(s, 'step', { host, description: 'step', create: ['true'] });
    new HostStep(s, 'other', { host: new FreeBsdHost(s, 'other-host', { address: '192.0.2.11' }), description: 'other', create: ['true'] });
    app.synth();
    const dir = join(app.outdir, 'stacks', 'test');
    const file = join(dir, HOST_HELPER_ASSET);
    expect(readFileSync(file, 'utf8')).toBe(HOST_HELPER_PROGRAM);
    expect(statSync(file).mode & 0o111).toBe(0o111);
    const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
    const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
    const helpers = Object.values<any>(json.resource.null_resource).filter((r) => isHostHelperStep(r));
    expect(helpers).toHaveLength(2); // one per host, both from the one file
    for (const helper of helpers) {
      // The file provisioner runs first (Terraform runs a resource's provisioners in order).
      expect(helper.provisioner[0]).toEqual({ file: { source: HOST_HELPER_ASSET, destination: '/tmp/cdktf-freebsd-jails-helper-1.${self.id}' } });
      const create = createScript(helper);
      // The install program (test/shell/helpers.test.ts runs it) under the lock `release` holds,
      // given the upload, the path, the digest of this file, the revision and the host's scope.
      expect(create).toContain(`lockf -k -t 300 /var/run/cdktf-freebsd-jails.var_db_cdktf-freebsd-jails_helper-1.users.lock /bin/sh -c ${shellQuote(HOST_HELPER_INSTALL_PROGRAM)} sh `
        + `'/tmp/cdktf-freebsd-jails-helper-1.\${self.id}' '/usr/local/libexec/cdktf-freebsd-jails/helper-1' '${digest}' '${HOST_HELPER_REVISION}' `);
    }
    // Not a line of the helper in the configuration (its usage text names every action).
    expect(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')).not.toContain('jail-dataset-remove DATASET');
    // npm start's summary names the upload under the helper step.
    const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'summary.js'), app.outdir], { encoding: 'utf8' });
    expect(r.stdout).toContain(`uploads ${file} (${Buffer.byteLength(HOST_HELPER_PROGRAM)} bytes) to /tmp/cdktf-freebsd-jails-helper-1.\${self.id} first`);
    rmSync(app.outdir, { recursive: true, force: true });
  });

  test('triggers hold the key path, never a key, and the values destroy needs', () => {
    const second = synthOne().find((r) => r.name.startsWith('second'))!;
    expect(Object.keys(second.triggers).sort()).toEqual(
      ['content_hash', 'destroy_script', 'host', 'host_key', 'input_release', 'key_path', 'port', 'user'].sort(),
    );
    expect(second.triggers.key_path).toBe('/home/op/.ssh/id_ed25519');
    for (const value of Object.values(second.triggers)) expect(value).not.toMatch(/PRIVATE KEY/);
  });

  test('without a key path the SSH agent is used', () => {
    const [r] = synthOne({ privateKeyPath: undefined });
    expect(r.connection.agent).toBe(true);
    expect(r.connection.private_key).toBeUndefined();
  });

  test('a bastion travels through triggers too', () => {
    const [r] = synthOne({ bastion: { address: '198.51.100.1', user: 'jump', privateKeyPath: '/keys/jump' } });
    expect(r.connection.bastion_host).toBe('${self.triggers.bastion_host}');
    expect(r.connection.bastion_private_key).toBe('${file(self.triggers.bastion_key_path)}');
    expect(r.triggers.bastion_host).toBe('198.51.100.1');
    expect(r.triggers.bastion_user).toBe('jump');
  });

  test('with sudo the whole body runs in one elevated shell', () => {
    const [r] = synthOne({ user: 'deploy', privilege: Privilege.SUDO });
    const script = createScript(r);
    expect(script.match(/sudo/g)?.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    expect(script).toContain('exec sudo -n /bin/sh -c "$body" cdktf-freebsd-jails');
    expect(script.indexOf('echo first')).toBeLessThan(script.indexOf('exec sudo'));
  });

  test('the content hash changes with the script and with replaceOn', () => {
    const a = synthOne()[1].triggers.content_hash;
    const s = stack();
    const host = new FreeBsdHost(s, 'host', { address: '192.0.2.10', privateKeyPath: '/home/op/.ssh/id_ed25519' });
    new HostStep(s, 'second', { host, description: 'second', create: ['echo "${HOME} %{x} $${y}"'], destroy: ['echo bye'], replaceOn: { release: '15.0-RELEASE' } });
    expect(nullResources(s)[0].triggers.content_hash).not.toBe(a);
  });

  test('how the host is reached is no reason to replace: connection triggers are ignored changes, the hash covers the bodies', () => {
    const hashOf = (hostProps: Record<string, unknown>) => synthOne(hostProps)[1].triggers.content_hash;
    const base = hashOf({});
    expect(hashOf({ privateKeyPath: '/other/key' })).toBe(base);
    expect(hashOf({ user: 'deploy', privilege: Privilege.SUDO })).toBe(base);
    const [r] = synthOne();
    expect((r as any).lifecycle.ignore_changes.sort()).toEqual(
      ['destroy_script', 'host', 'host_key', 'key_path', 'port', 'user'].map((k) => `triggers["${k}"]`).sort(),
    );
  });

  test("the steps' titles and outlines are in the stack's outline file, keyed by address at synth, not in cdk.tf.json; summary.js prints them", () => {
    const app = Testing.app();
    const s = new TerraformStack(app, 'test');
    const host = new FreeBsdHost(s, 'host', { address: '192.0.2.10' });
    const create = new ScriptBuilder('').action('first action', 'true').action('second action', 'true');
    const destroy = new ScriptBuilder('').action('undoing it', 'true');
    const step = new HostStep(s, 'step', { host, description: 'a step', ...stepScripts(create, destroy) });
    step.nullResource.overrideLogicalId('renamed_step');
    app.synth();
    const dir = join(app.outdir, 'stacks', 'test');
    const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
    const outlines = JSON.parse(readFileSync(join(dir, STEP_OUTLINES_FILE), 'utf8'));
    expect(outlines.version).toBe(1);
    // Every null_resource of the stack has its entry, and only those.
    expect(Object.keys(outlines.steps).sort()).toEqual(Object.keys(json.resource.null_resource).map((n) => `null_resource.${n}`).sort());
    expect(outlines.steps['null_resource.renamed_step']).toEqual({
      path: 'test/step',
      title: 'a step [test/step]',
      outline: { create: ['first action', 'second action'], destroy: ['undoing it'] },
    });
    for (const block of Object.values<any>(json.resource.null_resource)) expect(Object.keys(block['//'])).toEqual(['metadata']);
    const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'summary.js'), app.outdir], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('. a step [test/step]\n       resource null_resource.renamed_step;');
    expect(r.stdout).toContain('         - first action\n         - second action\n       on destroy: undoing it\n');
    rmSync(app.outdir, { recursive: true, force: true });
  });
});
