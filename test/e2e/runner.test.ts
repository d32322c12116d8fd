/**
 * The plan runner against hand-written cdk.tf.json and a fake SSH layer: ordering, the
 * parallelism limit, taint, replacement, removal from the configuration, destroy order,
 * escapes and the refusal of expressions outside the supported subset.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, destroyAll, plan, planAndApply } from './runner';
import { FakeTransport } from './runner/fake-transport';
import { FixtureResource, nullResource, stackJson, tempDir, writeResources, writeStack } from './runner/fixtures';
import { loadState } from './runner/state';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let work: string;
let keyPath: string;
let out: string;
let stateFile: string;
const host = () => ({ host: '127.0.0.1', port: 2222, user: 'root', keyPath });

beforeEach(() => {
  work = tempDir('runner-test-');
  keyPath = path.join(work, 'id_test');
  fs.writeFileSync(keyPath, 'FAKE KEY\n');
  out = path.join(work, 'cdktf.out');
  stateFile = path.join(work, 'state.json');
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const write = (resources: FixtureResource[]) => writeResources(out, host(), resources);
/** The marker word each fixture script echoes, in the order the scripts ran. */
const ran = (t: FakeTransport) => t.scripts.map((s) => s.match(/echo (\S+)/)?.[1]);

const abc: FixtureResource[] = [
  { name: 'a', create: ['echo create-a'], destroy: 'echo destroy-a' },
  { name: 'b', create: ['echo create-b'], destroy: 'echo destroy-b', dependsOn: ['a'] },
  { name: 'c', create: ['echo create-c'], destroy: 'echo destroy-c', triggers: { a_id: '${null_resource.a.id}' } },
];

describe('apply', () => {
  test('creates in dependency order, from depends_on and from references', async () => {
    write(abc);
    const t = new FakeTransport();
    const r = await planAndApply(out, stateFile, { transport: t });
    expect(r.ok).toBe(true);
    expect(r.created.sort()).toEqual(['null_resource.a', 'null_resource.b', 'null_resource.c']);
    expect(ran(t)[0]).toBe('create-a');
    const state = loadState(stateFile).stacks.test.resources;
    expect(state['null_resource.c'].triggers.a_id).toBe(state['null_resource.a'].id);
    expect(state['null_resource.c'].dependencies).toEqual(['null_resource.a']);
  });

  test('a remote-exec is scp to /tmp/terraform_N.sh, chmod 0777, then the path as the session command', async () => {
    write([{ name: 'a', create: ['echo one', 'echo two'] }]);
    const t = new FakeTransport();
    const r = await planAndApply(out, stateFile, { transport: t });
    const [connect, upload, chmod, exec, close] = t.events;
    expect(connect.kind).toBe('connect');
    expect(upload.path).toMatch(/^\/tmp\/terraform_\d+\.sh$/);
    expect(upload.content).toBe('#!/bin/sh\nset -eu\necho one\necho two\n');
    expect(chmod.command).toBe(`chmod 0777 ${upload.path}`);
    expect(exec.command).toBe(upload.path);
    expect(close.kind).toBe('close');
    expect(r.sshSessions).toBe(3);
    expect(r.sshConnections).toBe(1);
    expect(r.sessionsByResource).toEqual({ 'null_resource.a': 3 });
  });

  test('the private key is read with file(self.triggers.key_path)', async () => {
    write([{ name: 'a', create: ['echo a'] }]);
    const keys: (string | undefined)[] = [];
    await planAndApply(out, stateFile, { transport: new FakeTransport({ onScript: (_s, spec) => { keys.push(spec.privateKey); return {}; } }) });
    expect(keys).toEqual(['FAKE KEY\n']);
  });

  test('$${ and %%{ are unescaped', async () => {
    write([{ name: 'a', create: ['echo "$${HOME}" "%%{x}" "$$" "%"'] }]);
    const t = new FakeTransport();
    await planAndApply(out, stateFile, { transport: t });
    expect(t.scripts[0]).toContain('echo "${HOME}" "%{x}" "$$" "%"\n');
  });

  test('a second apply with nothing changed runs zero provisioners', async () => {
    write(abc);
    await planAndApply(out, stateFile, { transport: new FakeTransport() });
    const t = new FakeTransport();
    const r = await planAndApply(out, stateFile, { transport: t });
    expect(r.provisionerRuns).toBe(0);
    expect(r.sshSessions).toBe(0);
    expect(t.events).toEqual([]);
    expect(r.unchanged).toHaveLength(3);
  });

  test('at most 10 resources run at once', async () => {
    write(Array.from({ length: 25 }, (_, i) => ({ name: `r${i}`, create: [`echo r${i}`] })));
    const t = new FakeTransport({ onScript: async () => { await sleep(20); return {}; } });
    const r = await planAndApply(out, stateFile, { transport: t });
    expect(r.created).toHaveLength(25);
    expect(t.maxConcurrentScripts).toBe(10);
    expect(r.maxConcurrent).toBe(10);
  });

  test('a dependency cycle is an error', async () => {
    write([{ name: 'a', create: ['echo a'], dependsOn: ['b'] }, { name: 'b', create: ['echo b'], dependsOn: ['a'] }]);
    await expect(planAndApply(out, stateFile, { transport: new FakeTransport() })).rejects.toThrow(/cycle/);
  });
});

describe('replacement', () => {
  test('changed triggers: destroy with the OLD self, then create; others untouched', async () => {
    write(abc);
    await planAndApply(out, stateFile, { transport: new FakeTransport() });
    const oldId = loadState(stateFile).stacks.test.resources['null_resource.b'].id;
    write(abc.map((r) => (r.name === 'b' ? { ...r, create: ['echo create-b2'], destroy: 'echo destroy-b2', triggers: { v: '2' } } : r)));
    const t = new FakeTransport();
    const r = await planAndApply(out, stateFile, { transport: t });
    expect(ran(t)).toEqual(['destroy-b', 'create-b2']);
    expect(r.replaced).toEqual(['null_resource.b']);
    expect(r.unchanged.sort()).toEqual(['null_resource.a', 'null_resource.c']);
    expect(loadState(stateFile).stacks.test.resources['null_resource.b'].id).not.toBe(oldId);
  });

  test('lifecycle.ignore_changes of trigger keys: their changes neither replace nor update; others still replace', async () => {
    const r0: FixtureResource = { name: 'a', create: ['echo create-a'], destroy: 'echo destroy-a', triggers: { v: '1', key_path_note: 'old' }, ignoreTriggers: ['key_path_note', 'destroy_script'] };
    write([r0]);
    await planAndApply(out, stateFile, { transport: new FakeTransport() });
    write([{ ...r0, destroy: 'echo destroy-a2', triggers: { v: '1', key_path_note: 'new' } }]);
    const t = new FakeTransport();
    const r = await planAndApply(out, stateFile, { transport: t });
    expect(ran(t)).toEqual([]);
    expect(r.unchanged).toEqual(['null_resource.a']);
    expect(loadState(stateFile).stacks.test.resources['null_resource.a'].triggers.key_path_note).toBe('old');
    write([{ ...r0, triggers: { v: '2', key_path_note: 'new' } }]);
    const t2 = new FakeTransport();
    await planAndApply(out, stateFile, { transport: t2 });
    expect(ran(t2)).toEqual(['destroy-a', 'create-a']);
    expect(() => plan(out, stateFile)).not.toThrow();
  });

  test('other lifecycle settings are refused', () => {
    writeStack(out, stackJson({ a: { ...nullResource({ name: 'a', create: ['true'] }, host()), lifecycle: { create_before_destroy: true } } }));
    expect(() => plan(out, stateFile)).toThrow(ConfigError);
  });

  test('replacing a dependency replaces resources that reference its id: destroys dependents first', async () => {
    write(abc);
    await planAndApply(out, stateFile, { transport: new FakeTransport() });
    write(abc.map((r) => (r.name === 'a' ? { ...r, triggers: { v: '2' } } : r)));
    expect(plan(out, stateFile).test.map((c) => [c.address, c.action])).toEqual([
      ['null_resource.a', 'replace'], ['null_resource.b', 'no-op'], ['null_resource.c', 'replace'],
    ]);
    const t = new FakeTransport();
    await planAndApply(out, stateFile, { transport: t });
    expect(ran(t)).toEqual(['destroy-c', 'destroy-a', 'create-a', 'create-c']);
  });

  test('self.id in a destroy provisioner is the old id', async () => {
    const res = nullResource({ name: 'a', create: ['echo a'] }, host());
    (res.provisioner as unknown[]).push({ 'remote-exec': { when: 'destroy', inline: ['echo old-id-${self.id}'] } });
    writeStack(out, stackJson({ a: res }));
    await planAndApply(out, stateFile, { transport: new FakeTransport() });
    const id = loadState(stateFile).stacks.test.resources['null_resource.a'].id;
    const t = new FakeTransport();
    await destroyAll(out, stateFile, { transport: t });
    expect(t.scripts).toEqual([`echo old-id-${id}\n`]);
  });
});

describe('failure and taint', () => {
  test('a failed create taints, fails the apply, lets in-flight work finish and starts nothing new', async () => {
    write([
      { name: 'bad', create: ['echo bad'], destroy: 'echo destroy-bad' },
      { name: 'slow', create: ['echo slow'] },
      { name: 'after', create: ['echo after'], dependsOn: ['slow'] },
    ]);
    const t = new FakeTransport({
      onScript: async (s) => (s.includes('echo bad') ? { code: 3, stderr: 'boom' } : (await sleep(50), {})),
    });
    const r = await planAndApply(out, stateFile, { transport: t });
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual([expect.objectContaining({ address: 'null_resource.bad', phase: 'create', output: 'boom' })]);
    expect(r.failures[0].message).toMatch(/Process exited with status 3/);
    expect(r.created).toEqual(['null_resource.slow']);
    expect(r.notStarted).toEqual(['create:null_resource.after']);
    expect(r.tainted).toEqual(['null_resource.bad']);
    expect(loadState(stateFile).stacks.test.resources['null_resource.bad'].tainted).toBe(true);

    const t2 = new FakeTransport();
    const r2 = await planAndApply(out, stateFile, { transport: t2 });
    expect(r2.ok).toBe(true);
    expect(ran(t2).sort()).toEqual(['after', 'bad']); // no destroy-bad: tainted objects skip destroy provisioners
    expect(r2.replaced).toEqual(['null_resource.bad']);
    expect(r2.tainted).toEqual([]);
  });

  test('on_failure = "continue" ignores the failure', async () => {
    write([{ name: 'a', create: ['echo a'], onFailure: 'continue' }]);
    const r = await planAndApply(out, stateFile, { transport: new FakeTransport({ onScript: () => ({ code: 1 }) }) });
    expect(r.ok).toBe(true);
    expect(r.continuedFailures).toHaveLength(1);
    expect(r.tainted).toEqual([]);
  });

  test('a failed destroy provisioner keeps the resource in the state, and the next apply retries it', async () => {
    write(abc);
    await planAndApply(out, stateFile, { transport: new FakeTransport() });
    write(abc.map((r) => (r.name === 'b' ? { ...r, triggers: { v: '2' } } : r)));
    const r = await planAndApply(out, stateFile, { transport: new FakeTransport({ onScript: (s) => ({ code: s.includes('destroy-b') ? 1 : 0 }) }) });
    expect(r.ok).toBe(false);
    expect(r.failures[0].phase).toBe('destroy');
    const t = new FakeTransport();
    await planAndApply(out, stateFile, { transport: t });
    expect(ran(t)).toEqual(['destroy-b', 'create-b']);
  });

  test('an unreachable host fails the create and taints', async () => {
    write([{ name: 'a', create: ['echo a'] }]);
    const r = await planAndApply(out, stateFile, { transport: new FakeTransport({ unreachable: ['127.0.0.1'] }) });
    expect(r.ok).toBe(false);
    expect(r.tainted).toEqual(['null_resource.a']);
  });
});

describe('removal and destroy', () => {
  test('a resource removed from the configuration leaves the state without its destroy provisioners', async () => {
    write(abc);
    await planAndApply(out, stateFile, { transport: new FakeTransport() });
    write(abc.filter((r) => r.name !== 'b'));
    const t = new FakeTransport();
    const r = await planAndApply(out, stateFile, { transport: t });
    expect(t.scripts).toEqual([]);
    expect(r.removedWithoutProvisioners).toEqual(['null_resource.b']);
    expect(loadState(stateFile).stacks.test.resources['null_resource.b']).toBeUndefined();
  });

  test('destroy runs destroy provisioners in reverse dependency order, skipping tainted ones', async () => {
    write([...abc, { name: 'd', create: ['echo d'], destroy: 'echo destroy-d', dependsOn: ['b'] }]);
    await planAndApply(out, stateFile, { transport: new FakeTransport({ onScript: (s) => ({ code: s.includes('echo d') ? 1 : 0 }) }) });
    const t = new FakeTransport();
    const r = await destroyAll(out, stateFile, { transport: t, parallelism: 1 });
    const order = ran(t);
    expect(order.indexOf('destroy-b')).toBeLessThan(order.indexOf('destroy-a'));
    expect(order.indexOf('destroy-c')).toBeLessThan(order.indexOf('destroy-a'));
    expect(order).not.toContain('destroy-d');
    expect(r.removedWithoutProvisioners).toEqual(['null_resource.d']);
    expect(r.destroyed.sort()).toEqual(['null_resource.a', 'null_resource.b', 'null_resource.c']);
    expect(loadState(stateFile).stacks.test.resources).toEqual({});
  });
});

describe('refuses what it does not support, naming the resource and expression', () => {
  const withLine = (line: string) => writeResources(out, host(), [{ name: 'x', create: [line] }]);
  const withResource = (patch: (r: Record<string, any>) => void) => {
    const r = nullResource({ name: 'x', create: ['echo x'] }, host());
    patch(r);
    writeStack(out, stackJson({ x: r }));
  };
  const refuses = async (pattern: RegExp) => {
    const err = await planAndApply(out, stateFile, { transport: new FakeTransport() }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/null_resource\.x/);
    expect(err.message).toMatch(pattern);
  };

  test.each([
    ['echo ${var.name}', /\$\{var\.name\}/],
    ['echo ${upper("a")}', /upper/],
    ['echo ${self.triggers.host}-${local.x}', /local\.x/],
    ['%{ if true }x%{ endif }', /directive/],
    ['echo ${null_resource.y.id}', /null_resource\.y\.id/],
    ['echo ${self.triggers["host"]', /unterminated/],
  ])('inline %s', async (line, pattern) => {
    withLine(line);
    await refuses(pattern);
  });

  test('self inside triggers', async () => {
    withResource((r) => { r.triggers.bad = '${self.id}'; });
    await refuses(/self\.id/);
  });

  test('an unknown provisioner type', async () => {
    withResource((r) => { r.provisioner.push({ 'local-exec': { command: 'rm -rf /' } }); });
    await refuses(/local-exec/);
  });

  test('an unknown connection attribute', async () => {
    withResource((r) => { r.connection.password = 'x'; });
    await refuses(/password/);
  });

  test('an unknown resource attribute', async () => {
    withResource((r) => { r.count = 2; });
    await refuses(/count/);
  });

  test('a reference to a resource that does not exist', async () => {
    withResource((r) => { r.depends_on = ['null_resource.ghost']; });
    await refuses(/ghost/);
  });

  test('other resource types', async () => {
    writeStack(out, { resource: { local_file: { x: {} } } });
    await expect(planAndApply(out, stateFile, { transport: new FakeTransport() })).rejects.toThrow(/local_file/);
  });
});
