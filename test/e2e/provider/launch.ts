/**
 * Starts the null provider test double (server.js) as its own process and gives the
 * TF_REATTACH_PROVIDERS value that hands it to Terraform. One double serves every Terraform
 * run of a test process: it keeps no state of its own (Terraform's state holds everything).
 *
 *   const provider = await nullProvider();
 *   spawn('terraform', ['apply'], { env: { ...process.env, TF_REATTACH_PROVIDERS: provider.reattach } });
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const SERVER = path.join(__dirname, 'server.js');
const SETPRIV = '/usr/bin/setpriv';

export interface NullProvider {
  /** JSON for TF_REATTACH_PROVIDERS. */
  readonly reattach: string;
  readonly pid: number;
  readonly address: string;
  /** The RPCs Terraform made so far, in order (when started with a calls file). */
  calls(): string[];
  stop(): Promise<void>;
}

let shared: Promise<NullProvider> | undefined;

/** The test process's double, started on first use and stopped when the process exits. */
export function nullProvider(): Promise<NullProvider> {
  shared ??= startNullProvider();
  return shared;
}

/** A double of its own (tests of the double); `callsFile` records every RPC. */
export async function startNullProvider(callsFile?: string): Promise<NullProvider> {
  const args = [SERVER, ...(callsFile ? ['--calls', callsFile] : [])];
  // --pdeathsig: the double dies with the test process, however that ends.
  const child: ChildProcess = fs.existsSync(SETPRIV)
    ? spawn(SETPRIV, ['--pdeathsig', 'KILL', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8192); });
  const first = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`the null provider double exited (${code}) before listening: ${stderr.trim()}`)));
  });
  const hello = JSON.parse(first) as { addr: string; pid: number; reattach: unknown };
  const onExit = () => { try { child.kill('SIGKILL'); } catch { /* gone */ } };
  process.on('exit', onExit);
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  return {
    reattach: JSON.stringify(hello.reattach),
    pid: hello.pid,
    address: hello.addr,
    calls: () => (callsFile && fs.existsSync(callsFile) ? fs.readFileSync(callsFile, 'utf8').split('\n').filter(Boolean) : []),
    stop: async () => {
      process.off('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
