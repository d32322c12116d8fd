/**
 * The null provider test double: null_resource's rules on their own, the double over gRPC,
 * and real Terraform driving it (no provisioners, no host): ids, replacement by triggers and
 * by references to a replaced resource, ignore_changes, taint, destroy, and the RPCs
 * Terraform makes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { terraformBinary, terraformEnv } from '../support/terraform';
import { NullProvider, startNullProvider } from './provider/launch';
import { stackJson, tempDir } from './runner/fixtures';

/* eslint-disable @typescript-eslint/no-require-imports */
const nr = require('./provider/null-resource.js');
const { startServer } = require('./provider/server.js');
/* eslint-enable @typescript-eslint/no-require-imports */
const { UNKNOWN } = nr;

describe('null_resource rules', () => {
  test('create: the id is unknown in the plan and a random decimal int63 after apply', () => {
    const p = nr.plan(null, { id: null, triggers: { a: '1' } });
    expect(p).toEqual({ planned: { id: UNKNOWN, triggers: { a: '1' } }, requiresReplace: [] });
    const a = nr.apply(null, p.planned);
    const b = nr.apply(null, p.planned);
    expect(a.newState.id).toMatch(/^\d+$/);
    expect(BigInt(a.newState.id)).toBeLessThan(2n ** 63n);
    expect(a.newState.id).not.toBe(b.newState.id);
    expect(a.newState.triggers).toEqual({ a: '1' });
  });

  test('the same triggers keep the id; no replacement', () => {
    const prior = { id: '42', triggers: { a: '1' } };
    expect(nr.plan(prior, { id: '42', triggers: { a: '1' } })).toEqual({ planned: prior, requiresReplace: [] });
    expect(nr.apply(prior, prior).newState).toEqual(prior);
  });

  test.each([
    ['a changed value', { a: '2' }],
    ['an added key', { a: '1', b: '1' }],
    ['a removed key', {}],
    ['no triggers at all', null],
    ['an unknown value (a replaced resource\'s id)', { a: UNKNOWN }],
    ['an unknown map', UNKNOWN],
  ])('%s requires replacement and a new id', (_what, triggers) => {
    const p = nr.plan({ id: '42', triggers: { a: '1' } }, { id: '42', triggers });
    expect(p.requiresReplace).toEqual([['triggers']]);
    expect(p.planned.id).toBe(UNKNOWN);
    expect(p.planned.triggers).toEqual(triggers);
  });

  test('null and an empty map are different triggers (as in the real provider)', () => {
    expect(nr.plan({ id: '1', triggers: null }, { id: '1', triggers: {} }).requiresReplace).toEqual([['triggers']]);
  });

  test('destroy: a null plan and a null new state', () => {
    expect(nr.plan({ id: '1', triggers: null }, null)).toEqual({ planned: null, requiresReplace: [] });
    expect(nr.apply({ id: '1', triggers: null }, null)).toEqual({ newState: null, diagnostics: [] });
  });

  test('apply refuses triggers still unknown', () => {
    expect(nr.apply(null, { id: UNKNOWN, triggers: { a: UNKNOWN } }).diagnostics[0].summary).toMatch(/invalid plan/);
  });

  test('values travel as msgpack with unknown as extension type 0', () => {
    const bytes = nr.encodeValue({ triggers: { b: '2', a: UNKNOWN }, id: UNKNOWN });
    expect(bytes.includes(Buffer.from([0xc7, 0x00, 0x00]))).toBe(true); // ext 8, length 0, type 0
    expect(nr.decodeValue(bytes)).toEqual({ id: UNKNOWN, triggers: { a: UNKNOWN, b: '2' } });
    expect(nr.decodeValue(Buffer.from([0xd4, 0x00, 0x00]))).toBe(UNKNOWN); // fixext 1 (refinements) is unknown too
    expect(nr.decodeValue(Buffer.alloc(0))).toBeNull();
  });

  test('state upgrade from JSON and from the legacy flatmap', () => {
    expect(nr.upgrade(0, { json: Buffer.from('{"id":"7","triggers":{"a":"1"}}') }).state).toEqual({ id: '7', triggers: { a: '1' } });
    expect(nr.upgrade(0, { flatmap: { 'id': '7', 'triggers.%': '1', 'triggers.a': '1' } }).state).toEqual({ id: '7', triggers: { a: '1' } });
    expect(nr.upgrade(0, { flatmap: { id: '7' } }).state).toEqual({ id: '7', triggers: null });
    expect(nr.upgrade(1, {}).diagnostics[0].summary).toMatch(/version/);
  });

  test('validation: only id and triggers, id not settable, triggers a map of strings', () => {
    expect(nr.validate({ id: null, triggers: { a: 'x', b: UNKNOWN } })).toEqual([]);
    expect(nr.validate({ id: '1', triggers: null })[0].summary).toMatch(/Read-Only/);
    expect(nr.validate({ id: null, triggers: null, count: 2 })[0].summary).toMatch(/Unsupported/);
    expect(nr.validate({ id: null, triggers: { a: 1 } })[0].summary).toMatch(/type/);
    expect(nr.checkType('null_data_source')[0].summary).toMatch(/Unknown resource type/);
  });
});

describe('the double over gRPC', () => {
  let server: { port: number; close: () => Promise<void> };
  let client: grpc.Client & Record<string, (req: unknown, cb: (e: Error | null, r: any) => void) => void>;
  const call = (name: string, req: unknown) => new Promise<any>((resolve, reject) => client[name](req, (e, r) => (e ? reject(e) : resolve(r))));

  beforeAll(async () => {
    server = await startServer();
    const def = protoLoader.loadSync(path.join(__dirname, 'provider/tfplugin5-subset.proto'), { keepCase: true, longs: Number, enums: String, bytes: Buffer });
    const pkg = grpc.loadPackageDefinition(def) as any;
    client = new pkg.tfplugin5.Provider(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  test('GetSchema: an empty provider schema; null_resource with id computed and triggers an optional map(string)', async () => {
    const r = await call('GetSchema', {});
    expect(r.provider.block.attributes ?? []).toEqual([]);
    const attrs = Object.fromEntries(r.resource_schemas.null_resource.block.attributes.map((a: any) => [a.name, a]));
    expect(JSON.parse(attrs.id.type.toString())).toBe('string');
    expect([attrs.id.computed, !!attrs.id.optional, !!attrs.id.required]).toEqual([true, false, false]);
    expect(JSON.parse(attrs.triggers.type.toString())).toEqual(['map', 'string']);
    expect([attrs.triggers.optional, !!attrs.triggers.computed]).toEqual([true, false]);
  });

  test('PlanResourceChange then ApplyResourceChange over the wire', async () => {
    const config = { msgpack: nr.encodeValue({ id: null, triggers: { a: '1' } }) };
    const plan = await call('PlanResourceChange', { type_name: 'null_resource', prior_state: { msgpack: nr.encodeValue(null) }, proposed_new_state: config, config });
    expect(nr.decodeValue(plan.planned_state.msgpack)).toEqual({ id: UNKNOWN, triggers: { a: '1' } });
    const applied = await call('ApplyResourceChange', { type_name: 'null_resource', prior_state: { msgpack: nr.encodeValue(null) }, planned_state: plan.planned_state, config });
    const state = nr.decodeValue(applied.new_state.msgpack);
    expect(state.id).toMatch(/^\d+$/);
    const changed = { msgpack: nr.encodeValue({ id: state.id, triggers: { a: '2' } }) };
    const replan = await call('PlanResourceChange', { type_name: 'null_resource', prior_state: applied.new_state, proposed_new_state: changed, config: changed });
    expect(replan.requires_replace).toEqual([{ steps: [{ attribute_name: 'triggers' }] }]);
  });

  test('an unknown resource type is an error diagnostic, not a crash', async () => {
    const r = await call('ValidateResourceTypeConfig', { type_name: 'null_data_source', config: { msgpack: nr.encodeValue({}) } });
    expect(r.diagnostics[0]).toMatchObject({ severity: 'ERROR', summary: 'Unknown resource type null_data_source' });
  });
});

const tf = terraformBinary();
if (!tf.binary) console.log(`SKIPPED real Terraform against the null provider double: ${tf.reason}`);

(tf.binary ? describe : describe.skip)('real Terraform with the double (no provisioners)', () => {
  let provider: NullProvider;
  let dir: string;
  const run = (...args: string[]) => {
    const r = spawnSync(tf.binary!, [...args, '-no-color'], { cwd: dir, env: terraformEnv(provider.reattach), encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`terraform ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const write = (resources: Record<string, unknown>) => fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(stackJson(resources)));
  const state = (): Record<string, { id: string; triggers: Record<string, string> | null; tainted: boolean }> => {
    const show = JSON.parse(run('show', '-json'));
    return Object.fromEntries((show.values?.root_module?.resources ?? []).map((r: any) => [r.name, { ...r.values, tainted: !!r.tainted }]));
  };
  const planned = () => {
    const out = spawnSync(tf.binary!, ['plan', '-json', '-input=false', '-no-color'], { cwd: dir, env: terraformEnv(provider.reattach), encoding: 'utf8' }).stdout;
    return out.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((m) => m.type === 'planned_change').map((m) => [m.change.resource.addr, m.change.action]);
  };

  beforeAll(async () => {
    dir = tempDir('tf-double-');
    provider = await startNullProvider(path.join(dir, 'calls'));
  });
  afterAll(async () => {
    await provider?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('init takes the reattached double: no registry, no lock file', () => {
    write({ a: { triggers: { v: '1' } } });
    run('init', '-input=false');
    expect(fs.existsSync(path.join(dir, '.terraform.lock.hcl'))).toBe(false);
  });

  test('apply creates with random ids; a re-apply plans nothing and keeps them', () => {
    write({ a: { triggers: { v: '1' } }, b: { triggers: { a: '${null_resource.a.id}' } } });
    run('apply', '-auto-approve', '-input=false');
    const first = state();
    expect(first.a.id).toMatch(/^\d+$/);
    expect(first.b.triggers).toEqual({ a: first.a.id });
    expect(planned()).toEqual([]);
    run('apply', '-auto-approve', '-input=false');
    expect(state()).toEqual(first);
  });

  test('a changed trigger replaces the resource, and those whose triggers reference its id', () => {
    const before = state();
    write({ a: { triggers: { v: '2' } }, b: { triggers: { a: '${null_resource.a.id}' } } });
    expect(planned().sort()).toEqual([['null_resource.a', 'replace'], ['null_resource.b', 'replace']]);
    run('apply', '-auto-approve', '-input=false');
    const after = state();
    expect(after.a.id).not.toBe(before.a.id);
    expect(after.b.triggers).toEqual({ a: after.a.id });
  });

  test('lifecycle.ignore_changes on a trigger key: its change neither replaces nor updates', () => {
    write({ a: { triggers: { v: '2', note: 'old' }, lifecycle: { ignore_changes: ['triggers["note"]'] } }, b: { triggers: { a: '${null_resource.a.id}' } } });
    run('apply', '-auto-approve', '-input=false'); // note added: a replace (a new key is a change)
    const before = state();
    write({ a: { triggers: { v: '2', note: 'new' }, lifecycle: { ignore_changes: ['triggers["note"]'] } }, b: { triggers: { a: '${null_resource.a.id}' } } });
    expect(planned()).toEqual([]);
    run('apply', '-auto-approve', '-input=false');
    expect(state().a).toEqual(before.a);
  });

  test('a tainted resource is replaced; destroy removes everything', () => {
    const before = state();
    run('taint', 'null_resource.b');
    expect(state().b.tainted).toBe(true);
    run('apply', '-auto-approve', '-input=false');
    expect(state().b.id).not.toBe(before.b.id);
    expect(state().b.tainted).toBe(false);
    run('destroy', '-auto-approve', '-input=false');
    expect(state()).toEqual({});
  });

  test('the RPCs Terraform makes over these runs (each one the double implements)', () => {
    const calls = new Set(provider.calls());
    expect([...calls].sort()).toEqual([
      'ApplyResourceChange', 'ConfigureProvider', 'GetProviderSchema', 'PlanResourceChange', 'ReadResource',
      'UpgradeResourceState', 'ValidateProviderConfig', 'ValidateResourceTypeConfig',
    ]);
  });
});
