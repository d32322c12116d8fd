/**
 * Reads cdktf.out/stacks/NAME/cdk.tf.json into typed resources and refuses anything outside
 * the subset the library emits (null_resource, ssh connection, remote-exec and file provisioners).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ExprContext, ExpressionError, parseTemplate, referencedResources, TemplatePart } from './expressions';

export type Template = TemplatePart[];

export interface ConnectionConfig {
  /** Attribute name -> template; `agent` may also be a literal boolean. */
  readonly attrs: Record<string, Template>;
}

export type ProvisionerConfig =
  | { type: 'remote-exec'; when: 'create' | 'destroy'; onFailure: 'fail' | 'continue'; inline?: Template[]; scripts?: Template[]; connection?: ConnectionConfig }
  | { type: 'file'; when: 'create' | 'destroy'; onFailure: 'fail' | 'continue'; content?: Template; source?: Template; destination: Template; connection?: ConnectionConfig };

export interface ResourceConfig {
  /** `null_resource.NAME` */
  readonly address: string;
  readonly triggers: Record<string, Template>;
  /** Explicit depends_on plus references in triggers. */
  readonly dependsOn: string[];
  readonly connection?: ConnectionConfig;
  readonly provisioners: ProvisionerConfig[];
  /** Trigger keys under lifecycle.ignore_changes: their changes neither replace nor update the resource. */
  readonly ignoredTriggers: string[];
}

export interface StackConfig {
  readonly name: string;
  /** Stack directory: relative file() paths resolve here, as when cdktf runs terraform in it. */
  readonly dir: string;
  readonly resources: Map<string, ResourceConfig>;
}

export class ConfigError extends Error {}

const TOP_LEVEL_KEYS = new Set(['//', 'provider', 'terraform', 'resource']);
const RESOURCE_KEYS = new Set(['//', 'triggers', 'depends_on', 'connection', 'provisioner', 'lifecycle']);
const CONNECTION_KEYS = new Set([
  'type', 'host', 'port', 'user', 'private_key', 'agent', 'timeout', 'host_key', 'script_path',
  'bastion_host', 'bastion_port', 'bastion_user', 'bastion_private_key', 'bastion_host_key',
]);
const PROVISIONER_KEYS: Record<string, Set<string>> = {
  'remote-exec': new Set(['inline', 'script', 'scripts', 'when', 'on_failure', 'connection']),
  'file': new Set(['content', 'source', 'destination', 'when', 'on_failure', 'connection']),
};

function fail(where: string, msg: string): never {
  throw new ConfigError(`${where}: ${msg}`);
}

function checkKeys(obj: Record<string, unknown>, allowed: Set<string>, where: string): void {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) fail(where, `unsupported key "${k}"`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function template(v: unknown, where: string, context: ExprContext): Template {
  if (typeof v === 'number' || typeof v === 'boolean') v = String(v);
  if (typeof v !== 'string') fail(where, `expected a string, got ${JSON.stringify(v)}`);
  return parseTemplate(v, where, context);
}

function stringList(v: unknown, where: string, context: ExprContext): Template[] {
  if (!Array.isArray(v)) fail(where, 'expected a list of strings');
  return v.map((s, i) => template(s, `${where}[${i}]`, context));
}

/** cdktf sometimes emits a single block as an object and several as a list. */
function blocks(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function parseConnection(v: unknown, where: string): ConnectionConfig {
  const list = blocks(v);
  if (list.length !== 1 || !isObject(list[0])) fail(where, 'expected exactly one connection block');
  const obj = list[0];
  checkKeys(obj, CONNECTION_KEYS, where);
  const attrs: Record<string, Template> = {};
  for (const [k, val] of Object.entries(obj)) attrs[k] = template(val, `${where}.${k}`, 'connection');
  return { attrs };
}

function parseProvisioner(block: unknown, where: string): ProvisionerConfig[] {
  if (!isObject(block)) fail(where, 'expected a provisioner object');
  return Object.entries(block).map(([type, body]) => {
    const w = `${where}.${type}`;
    const allowed = PROVISIONER_KEYS[type];
    if (!allowed) fail(w, `unsupported provisioner type "${type}" (only remote-exec and file)`);
    if (!isObject(body)) fail(w, 'expected an object');
    checkKeys(body, allowed, w);
    const when = body.when ?? 'create';
    if (when !== 'create' && when !== 'destroy') fail(w, `unsupported when = ${JSON.stringify(when)}`);
    const onFailure = body.on_failure ?? 'fail';
    if (onFailure !== 'fail' && onFailure !== 'continue') fail(w, `unsupported on_failure = ${JSON.stringify(onFailure)}`);
    const connection = body.connection === undefined ? undefined : parseConnection(body.connection, `${w}.connection`);
    if (type === 'remote-exec') {
      const given = ['inline', 'script', 'scripts'].filter((k) => body[k] !== undefined);
      if (given.length !== 1) fail(w, 'needs exactly one of inline, script, scripts');
      const inline = body.inline === undefined ? undefined : stringList(body.inline, `${w}.inline`, 'provisioner');
      const scripts = body.script !== undefined
        ? [template(body.script, `${w}.script`, 'provisioner')]
        : body.scripts === undefined ? undefined : stringList(body.scripts, `${w}.scripts`, 'provisioner');
      return { type, when, onFailure, inline, scripts, connection };
    }
    if ((body.content === undefined) === (body.source === undefined)) fail(w, 'needs exactly one of content, source');
    if (body.destination === undefined) fail(w, 'needs destination');
    return {
      type: 'file' as const, when, onFailure, connection,
      content: body.content === undefined ? undefined : template(body.content, `${w}.content`, 'provisioner'),
      source: body.source === undefined ? undefined : template(body.source, `${w}.source`, 'provisioner'),
      destination: template(body.destination, `${w}.destination`, 'provisioner'),
    };
  });
}

function parseResource(name: string, body: unknown, stack: string): ResourceConfig {
  const address = `null_resource.${name}`;
  const where = `${stack}: ${address}`;
  if (!isObject(body)) fail(where, 'expected an object');
  checkKeys(body, RESOURCE_KEYS, where);
  const ignoredTriggers: string[] = [];
  if (body.lifecycle !== undefined) {
    // Only ignore_changes of single trigger keys; create_before_destroy etc. would change the
    // replacement order, and the library never sets them.
    if (!isObject(body.lifecycle)) fail(where, 'lifecycle must be an object');
    checkKeys(body.lifecycle, new Set(['ignore_changes']), `${where}.lifecycle`);
    const list = body.lifecycle.ignore_changes;
    if (list !== undefined) {
      if (!Array.isArray(list)) fail(`${where}.lifecycle.ignore_changes`, 'expected a list');
      for (const entry of list) {
        const m = typeof entry === 'string' ? /^triggers\["([A-Za-z0-9_]+)"\]$/.exec(entry) : null;
        if (!m) fail(`${where}.lifecycle.ignore_changes`, `unsupported entry ${JSON.stringify(entry)} (only triggers["KEY"])`);
        ignoredTriggers.push(m[1]);
      }
    }
  }
  const triggers: Record<string, Template> = {};
  if (body.triggers !== undefined) {
    if (!isObject(body.triggers)) fail(`${where}.triggers`, 'expected a map of strings');
    for (const [k, v] of Object.entries(body.triggers)) triggers[k] = template(v, `${where}.triggers.${k}`, 'triggers');
  }
  const deps = new Set<string>();
  if (body.depends_on !== undefined) {
    if (!Array.isArray(body.depends_on)) fail(`${where}.depends_on`, 'expected a list');
    for (const d of body.depends_on) {
      // In JSON syntax depends_on entries are bare references, optionally wrapped in ${}.
      const ref = typeof d === 'string' ? d.replace(/^\$\{(.*)\}$/, '$1') : '';
      if (!/^null_resource\.[A-Za-z_][A-Za-z0-9_-]*$/.test(ref)) fail(`${where}.depends_on`, `unsupported reference ${JSON.stringify(d)}`);
      deps.add(ref);
    }
  }
  for (const t of Object.values(triggers)) for (const r of referencedResources(t)) deps.add(r);
  const connection = body.connection === undefined ? undefined : parseConnection(body.connection, `${where}.connection`);
  const provisioners = body.provisioner === undefined ? [] : blocks(body.provisioner).flatMap((b, i) => parseProvisioner(b, `${where}.provisioner[${i}]`));
  return { address, triggers, dependsOn: [...deps], connection, provisioners, ignoredTriggers };
}

export function parseStack(name: string, dir: string, json: unknown): StackConfig {
  try {
    return parseStackUnchecked(name, dir, json);
  } catch (e) {
    // One error type for callers: expression errors are configuration errors too.
    if (e instanceof ExpressionError) throw new ConfigError(e.message);
    throw e;
  }
}

function parseStackUnchecked(name: string, dir: string, json: unknown): StackConfig {
  if (!isObject(json)) fail(name, 'cdk.tf.json is not an object');
  checkKeys(json, TOP_LEVEL_KEYS, name);
  const resources = new Map<string, ResourceConfig>();
  const byType = json.resource ?? {};
  if (!isObject(byType)) fail(name, 'resource is not an object');
  for (const [type, named] of Object.entries(byType)) {
    if (type !== 'null_resource') fail(name, `unsupported resource type ${type} (only null_resource)`);
    if (!isObject(named)) fail(name, `${type} is not an object`);
    for (const [rname, body] of Object.entries(named)) {
      const r = parseResource(rname, body, name);
      resources.set(r.address, r);
    }
  }
  for (const r of resources.values()) {
    for (const d of r.dependsOn) if (!resources.has(d)) fail(`${name}: ${r.address}`, `depends on ${d}, which is not in the configuration`);
  }
  return { name, dir, resources };
}

/** All stacks under OUTDIR/stacks, sorted by name (cdktf deploys them one at a time). */
export function loadStacks(outDir: string, only?: string[]): StackConfig[] {
  const stacksDir = path.join(outDir, 'stacks');
  if (!fs.existsSync(stacksDir)) throw new ConfigError(`${stacksDir} does not exist: run cdktf synth first`);
  const names = fs.readdirSync(stacksDir).filter((n) => fs.existsSync(path.join(stacksDir, n, 'cdk.tf.json'))).sort();
  const wanted = only ? names.filter((n) => only.includes(n)) : names;
  if (only) for (const n of only) if (!names.includes(n)) throw new ConfigError(`stack ${n} not found in ${stacksDir}`);
  return wanted.map((n) => {
    const dir = path.join(stacksDir, n);
    return parseStack(n, dir, JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')));
  });
}
