/**
 * Runs a resource's provisioners as terraform does: remote-exec inline lines joined with
 * "\n" plus a trailing newline, uploaded with scp to script_path (default
 * /tmp/terraform_%RAND%.sh), `chmod 0777 PATH` in its own session, then PATH as a session
 * command (the login shell starts it, the #! line takes over); the exit status decides.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConnectionConfig, ProvisionerConfig, ResourceConfig, Template } from './config';
import { evaluateTemplate, EvalScope, ExpressionError, UNKNOWN } from './expressions';
import { Connection, ConnectionSpec, parseDuration, scriptPathFor, Transport } from './transport';

export interface ResourceSelf {
  readonly triggers: Record<string, string>;
  readonly id: string;
}

export interface ProvisionContext {
  readonly transport: Transport;
  /** The stack directory: relative file() and source paths resolve here. */
  readonly baseDir: string;
  readonly log?: (line: string) => void;
  /** Caps the connection timeout (tests that expect an unreachable host need not wait 5 minutes). */
  readonly maxConnectTimeoutMs?: number;
}

export interface ProvisionTally {
  /** Provisioner blocks executed. */
  runs: number;
  connections: number;
  sessions: number;
  /** Failures ignored because of on_failure = "continue". */
  continued: string[];
}

export class ProvisionError extends Error {
  constructor(message: string, readonly output = '') {
    super(message);
  }
}

function evaluate(t: Template, where: string, scope: EvalScope): string {
  const v = evaluateTemplate(t, where, scope);
  if (v === UNKNOWN) throw new ProvisionError(`${where}: value not known`); // cannot happen outside triggers
  return v;
}

function connectionSpec(conn: ConnectionConfig, where: string, scope: EvalScope, ctx: ProvisionContext): ConnectionSpec {
  const attr = (k: string): string | undefined => {
    const t = conn.attrs[k];
    return t === undefined ? undefined : evaluate(t, `${where}.${k}`, scope);
  };
  const type = attr('type') ?? 'ssh';
  if (type !== 'ssh') throw new ProvisionError(`${where}: connection type ${type} is not supported`);
  const host = attr('host');
  if (!host) throw new ProvisionError(`${where}: connection host is empty`);
  const privateKey = attr('private_key') || undefined;
  const agentAttr = attr('agent');
  const bastionHost = attr('bastion_host');
  let timeoutMs = parseDuration(attr('timeout') ?? '5m');
  if (ctx.maxConnectTimeoutMs !== undefined) timeoutMs = Math.min(timeoutMs, ctx.maxConnectTimeoutMs);
  return {
    host,
    port: Number(attr('port') || 22),
    user: attr('user') || 'root',
    privateKey,
    agent: agentAttr === 'true' || (agentAttr === undefined && privateKey === undefined),
    hostKey: attr('host_key') || undefined,
    timeoutMs,
    scriptPath: attr('script_path') || '/tmp/terraform_%RAND%.sh',
    bastion: bastionHost ? {
      host: bastionHost,
      port: Number(attr('bastion_port') || attr('port') || 22),
      user: attr('bastion_user') || attr('user') || 'root',
      privateKey: attr('bastion_private_key') || privateKey,
      hostKey: attr('bastion_host_key') || undefined,
    } : undefined,
  };
}

/** One connection per distinct connection spec for the duration of one resource's apply. */
class ConnectionPool {
  private readonly open = new Map<string, Promise<Connection>>();
  constructor(private readonly ctx: ProvisionContext, private readonly tally: ProvisionTally) {}

  get(spec: ConnectionSpec): Promise<Connection> {
    const key = JSON.stringify(spec);
    let c = this.open.get(key);
    if (!c) {
      c = this.ctx.transport.connect(spec);
      this.open.set(key, c);
      c.then(() => { this.tally.connections++; }, () => this.open.delete(key));
    }
    return c;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((p) => p.then((c) => c.close(), () => undefined)));
  }
}

async function runScript(conn: Connection, spec: ConnectionSpec, script: string, where: string, tally: ProvisionTally, ctx: ProvisionContext): Promise<void> {
  const remotePath = scriptPathFor(spec.scriptPath);
  tally.sessions++;
  await conn.upload(remotePath, Buffer.from(script));
  tally.sessions++;
  const chmod = await conn.exec(`chmod 0777 ${remotePath}`);
  if (chmod.code !== 0) throw new ProvisionError(`${where}: chmod 0777 ${remotePath} exited ${chmod.code}`, chmod.stderr);
  tally.sessions++;
  const r = await conn.exec(remotePath);
  const output = r.stdout + r.stderr;
  if (ctx.log && output) ctx.log(`${where}: ${output.trimEnd()}`);
  if (r.code !== 0) throw new ProvisionError(`${where}: error executing "${remotePath}": Process exited with status ${r.code}`, output);
}

async function runOne(p: ProvisionerConfig, where: string, scope: EvalScope, spec: ConnectionSpec, pool: ConnectionPool, tally: ProvisionTally, ctx: ProvisionContext): Promise<void> {
  const local = (t: Template, w: string) => fs.readFileSync(path.resolve(ctx.baseDir, evaluate(t, w, scope)));
  if (p.type === 'remote-exec') {
    const scripts = p.inline
      ? [p.inline.map((l, i) => evaluate(l, `${where}.inline[${i}]`, scope)).join('\n') + '\n']
      : p.scripts!.map((s, i) => local(s, `${where}.scripts[${i}]`).toString());
    const conn = await pool.get(spec);
    for (const script of scripts) await runScript(conn, spec, script, where, tally, ctx);
    return;
  }
  const destination = evaluate(p.destination, `${where}.destination`, scope);
  const content = p.content ? Buffer.from(evaluate(p.content, `${where}.content`, scope)) : local(p.source!, `${where}.source`);
  const conn = await pool.get(spec);
  tally.sessions++;
  await conn.upload(destination, content);
}

/** Runs the resource's provisioners for one phase; throws ProvisionError on the first failure that is not "continue". */
export async function runProvisioners(res: ResourceConfig, when: 'create' | 'destroy', self: ResourceSelf, ctx: ProvisionContext, tally: ProvisionTally): Promise<void> {
  const scope: EvalScope = { self, baseDir: ctx.baseDir };
  const pool = new ConnectionPool(ctx, tally);
  try {
    for (const [i, p] of res.provisioners.entries()) {
      if (p.when !== when) continue;
      const where = `${res.address}.provisioner[${i}].${p.type}`;
      const conn = p.connection ?? res.connection;
      if (!conn) throw new ProvisionError(`${where}: no connection block`);
      tally.runs++;
      try {
        const spec = connectionSpec(conn, `${where}.connection`, scope, ctx);
        await runOne(p, where, scope, spec, pool, tally, ctx);
      } catch (e) {
        if (e instanceof ExpressionError) throw e; // a broken plan is never "continue"
        const err = e instanceof ProvisionError ? e : new ProvisionError(`${where}: ${(e as Error).message}`);
        if (p.onFailure !== 'continue') throw err;
        tally.continued.push(err.message);
      }
    }
  } finally {
    await pool.closeAll();
  }
}
