/**
 * Transport through the OpenSSH client: one master connection per resource apply
 * (ControlMaster in a private temp dir), every scp/ssh after it a multiplexed session.
 * Only ever connects where the plan says; tests point it at 127.0.0.1.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Connection, ConnectionSpec, ExecResult, Transport, TransportCounters } from './transport';

/** Keep at most this much of a command's output (scripts can be chatty). */
const OUTPUT_LIMIT = 256 * 1024;
/** Per-attempt connect timeout; attempts repeat until the connection's timeout. */
const CONNECT_ATTEMPT_SECONDS = 10;
const POLL_MS = 20;

function run(cmd: string, args: string[]): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout = (stdout + d.toString()).slice(-OUTPUT_LIMIT); });
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-OUTPUT_LIMIT); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Options every ssh/scp invocation shares: no user config, batch mode, host key policy like terraform. */
function baseOptions(dir: string, name: string, target: { privateKey?: string; hostKey?: string }, agent: boolean): string[] {
  const opts = ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', '-o', `ConnectTimeout=${CONNECT_ATTEMPT_SECONDS}`];
  if (target.hostKey) {
    // HostKeyAlias makes the known_hosts line independent of host:port formatting.
    fs.writeFileSync(path.join(dir, `${name}.known_hosts`), `${name} ${target.hostKey.trim()}\n`);
    opts.push('-o', `HostKeyAlias=${name}`, '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${path.join(dir, `${name}.known_hosts`)}`);
  } else {
    // Terraform accepts any host key when host_key is not set.
    opts.push('-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null');
  }
  if (target.privateKey !== undefined) {
    const keyFile = path.join(dir, `${name}.key`);
    fs.writeFileSync(keyFile, target.privateKey.endsWith('\n') ? target.privateKey : target.privateKey + '\n', { mode: 0o600 });
    opts.push('-i', keyFile, '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none');
  } else if (!agent) {
    throw new Error('connection has neither private_key nor agent');
  }
  return opts;
}

class OpenSshConnection implements Connection {
  private uploads = 0;
  constructor(
    private readonly dir: string,
    private readonly spec: ConnectionSpec,
    private readonly common: string[],
    private readonly master: ChildProcess,
    private readonly counters: TransportCounters,
  ) {}

  private get control(): string[] {
    return ['-o', `ControlPath=${path.join(this.dir, 'ctl')}`, '-o', 'ControlMaster=no'];
  }

  async upload(remotePath: string, content: Buffer): Promise<void> {
    const local = path.join(this.dir, `upload-${this.uploads++}`);
    fs.writeFileSync(local, content, { mode: 0o644 });
    fs.chmodSync(local, 0o644); // scp -O sends the local mode; terraform uploads 0644
    this.counters.sessions++;
    const r = await run('scp', ['-O', '-q', ...this.common, ...this.control, '-P', String(this.spec.port),
      local, `${this.spec.user}@${this.spec.host}:${remotePath}`]);
    fs.rmSync(local, { force: true });
    if (r.code !== 0) throw new Error(`upload to ${remotePath} failed (scp exit ${r.code}): ${r.stderr.trim()}`);
  }

  async exec(command: string): Promise<ExecResult> {
    this.counters.sessions++;
    return run('ssh', [...this.common, ...this.control, '-p', String(this.spec.port), '-l', this.spec.user, this.spec.host, command]);
  }

  async close(): Promise<void> {
    if (this.master.exitCode === null && this.master.signalCode === null) {
      const exited = new Promise((r) => this.master.once('exit', r));
      this.master.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (this.master.exitCode === null && this.master.signalCode === null) this.master.kill('SIGKILL');
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export class OpenSshTransport implements Transport {
  readonly counters: TransportCounters = { connections: 0, sessions: 0 };

  async connect(spec: ConnectionSpec): Promise<Connection> {
    // Short path: unix socket paths are limited to about 100 bytes.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfr-'));
    try {
      const common = baseOptions(dir, 'target', spec, spec.agent);
      if (spec.bastion) common.push('-o', `ProxyCommand=${this.proxyCommand(dir, spec)}`);
      const deadline = Date.now() + spec.timeoutMs;
      let lastError = '';
      // Bounded: each attempt ends within CONNECT_ATTEMPT_SECONDS, attempts stop at the deadline.
      for (let attempt = 0; attempt === 0 || Date.now() < deadline; attempt++) {
        const master = await this.startMaster(dir, spec, common);
        if ('error' in master) {
          lastError = master.error;
          await sleep(Math.min(1000 * 2 ** Math.min(attempt, 3), Math.max(0, deadline - Date.now())));
          continue;
        }
        this.counters.connections++;
        return new OpenSshConnection(dir, spec, common, master.child, this.counters);
      }
      throw new Error(`cannot connect to ${spec.user}@${spec.host}:${spec.port} within ${spec.timeoutMs} ms: ${lastError.trim()}`);
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  private proxyCommand(dir: string, spec: ConnectionSpec): string {
    const b = spec.bastion!;
    const opts = baseOptions(dir, 'bastion', b, b.privateKey === undefined);
    return ['ssh', ...opts, '-p', String(b.port), '-l', b.user, '-W', '%h:%p', b.host].join(' ');
  }

  /** Starts `ssh -M -N` in the foreground (we own its pid) and waits for its control socket. */
  private async startMaster(dir: string, spec: ConnectionSpec, common: string[]):
  Promise<{ child: ChildProcess } | { error: string }> {
    const ctl = path.join(dir, 'ctl');
    const child = spawn('ssh', [...common, '-M', '-N', '-o', `ControlPath=${ctl}`, '-o', 'ServerAliveInterval=15',
      '-p', String(spec.port), '-l', spec.user, spec.host], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4096); });
    // ssh itself gives up after ConnectTimeout; this only guards against a hung handshake.
    const attemptEnd = Date.now() + (CONNECT_ATTEMPT_SECONDS + 20) * 1000;
    while (Date.now() < attemptEnd) {
      if (child.exitCode !== null || child.signalCode !== null) return { error: stderr || `ssh exited ${child.exitCode}` };
      if (fs.existsSync(ctl)) return { child };
      await sleep(POLL_MS);
    }
    child.kill('SIGKILL');
    return { error: 'timed out waiting for the SSH master connection' };
  }
}
