/**
 * The fake FreeBSD host: OpenSSH sshd on 127.0.0.1:<free port>, in a private mount and pid
 * namespace, chrooted into an overlay of this machine's / whose writes land in tmpfs.
 * Root logs in with tcsh, `deploy` has passwordless sudo, the fakebsd shims sit at FreeBSD's
 * paths. Needs root on Linux: check fakeHostSkipReason() first.
 *
 *   const host = await startFakeHost();
 *   await host.ssh('echo $shell');          // through sshd, as root
 *   host.readFile('/etc/rc.conf');          // straight from the overlay
 *   await host.stop();                      // namespace and mounts gone
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { configureAccounts, SSHD_CONFIG } from './accounts';
import { diffDigests, DigestOptions, HostDigest, stateDigest } from './digest';
import { mountNamespaceInUse, Namespace, startNamespace } from './namespace';
import { BINARIES, fakeHostSkipReason } from './preconditions';
import { resolveHostPath } from './resolve';
import { parseSshdLog, SshConnection, SSHD_LOG } from './sshd-log';
import { fakebsdIndex, installShims, loadFakebsd, ShimInstall } from './shims';
import { PfGate, startPfGate, Verdict } from './pfgate';

export { fakeHostSkipReason } from './preconditions';
export { diffDigests, DEFAULT_DIGEST_PATHS, DEFAULT_DIGEST_IGNORE, HostDigest, DigestOptions } from './digest';
export { mountNamespaceInUse } from './namespace';
export { parseSshdLog, SshConnection, SSHD_LOG } from './sshd-log';
export { armDrop, disarmDrop } from './drop';
export { OPERATOR_ADDRESS, PfRefusal } from './pfgate';

/** The repository root, bind-mounted read-only into the fake host so the shims' code is there. */
export const REPO_DIR = path.resolve(__dirname, '../../..');

/** FreeBSD-like PATH for commands run on the fake host from outside. */
const HOST_PATH = '/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin';

export interface FakeHostOptions {
  /** Login shell of root (default /usr/bin/tcsh, as FreeBSD before 14.0). */
  readonly rootShell?: string;
  /** The user with passwordless sudo (default "deploy"). */
  readonly sudoUser?: string;
  /** Install the fakebsd shims when test/e2e/fakebsd/index.js exists (default true). */
  readonly shims?: boolean;
  /**
   * Options for fakebsd's initHost (pool zroot, release, mirror: true for the test base.txz
   * mirror), run inside the fake host; false to skip. Default {} when the shims exist.
   */
  readonly fakebsd?: Record<string, unknown> | false;
  /** Runs after accounts and shims, before sshd starts: seed files, base mirror, ... */
  readonly seed?: (host: FakeHost) => void | Promise<void>;
  /**
   * Start as a copy of another host at the moment of its snapshot(): its files and the shims'
   * state, its client and host keys (so a Terraform state made against it stays valid but for
   * the port); fakebsd's initHost is not run again.
   */
  readonly clone?: FakeHostSnapshot;
}

/** What a fake host was, to start copies of it (FakeHost.snapshot). */
export interface FakeHostSnapshot {
  /** The host's writes (its overlay's upper layer). */
  readonly upperDir: string;
  /** The client key every copy accepts (the same path: Terraform's key_path trigger). */
  readonly keyPath: string;
  readonly hostPrivateKeyPath: string;
  /** The port of the host the snapshot was taken of. */
  readonly port: number;
  /** Removes the snapshot (after its last copy stopped). */
  remove(): void;
}

export interface ExecResult { code: number; stdout: string; stderr: string }

export interface FakeHost {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Private key for root and the sudo user (outside the overlay, removed by stop()). */
  readonly keyPath: string;
  /** The host's public key, "ssh-ed25519 AAAA..." (terraform's host_key). */
  readonly hostKey: string;
  /** known_hosts file with the host key for [127.0.0.1]:port. */
  readonly knownHostsPath: string;
  readonly sudoUser: string;
  /** The fake host's / as seen from this process (/proc/PID/root). */
  readonly root: string;
  /** Pid of the namespace's first process (sshd). */
  readonly pid: number;
  readonly mountNamespace: string;
  readonly shims: ShimInstall;
  /** Where a fake host path is, seen from this process. */
  path(hostPath: string): string;
  readFile(hostPath: string): string;
  writeFile(hostPath: string, content: string | Buffer, mode?: number): void;
  exists(hostPath: string): boolean;
  /** Runs /bin/sh -c CMD as root inside the fake host (not over SSH: no session counted). */
  hostExec(cmd: string, input?: string): Promise<ExecResult>;
  /** Runs CMD over SSH as `user` (default root), through the login shell, like terraform does. */
  ssh(cmd: string, user?: string): Promise<ExecResult>;
  /** ssh options for this host (key, port, strict host key checking against the rig's key). */
  sshArgs(user?: string): string[];
  /** Environment for the library's examples: FREEBSD_HOST, FREEBSD_PORT, FREEBSD_USER, FREEBSD_KEY_PATH, FREEBSD_HOST_KEY. */
  env(user?: string): Record<string, string>;
  stateDigest(opts?: DigestOptions): HostDigest;
  /** Parsed lines of /var/db/fakebsd/commands.log (empty when there is none). */
  commandsLog(): Record<string, unknown>[];
  /** New SSH connections the pf gate refused (the loaded rules would block the operator), oldest first. */
  pfRefusals(): import('./pfgate').PfRefusal[];
  /** The last lines sshd wrote. */
  sshdOutput(): string;
  /** sshd's log lines so far (a length is a mark for sshConnections). */
  sshdLog(): string[];
  /** The SSH connections (and their sessions) sshd accepted since line `mark` of its log. */
  sshConnections(mark?: number): SshConnection[];
  isRunning(): boolean;
  /** A copy of the host as it is now, to start others from (FakeHostOptions.clone); it has its own keys' copy. */
  snapshot(): Promise<FakeHostSnapshot>;
  /** Kills sshd; the namespace and its mounts go with it. Idempotent. */
  stop(): Promise<void>;
}

type PfVerdictFn = (root: string, c: { from: string; to: string; port: number; iface: string }) => { blocked: boolean; reason: string };

export class FakeHostUnavailable extends Error {}

/**
 * A free port held by a listener of ours until release(): while it is held no other process's
 * listen(0) or outgoing connection gets it (a port found free and closed at once was taken by
 * another worker's connections in the seconds before sshd started, and sshd or the gate failed
 * with EADDRINUSE).
 */
function reservePort(): Promise<{ port: number; release(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      resolve({ port, release: () => new Promise<void>((done) => srv.close(() => done())) });
    });
  });
}

function keyPair(dir: string, name: string): { privatePath: string; publicKey: string } {
  const privatePath = path.join(dir, name);
  const r = spawnSync(BINARIES.sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', `fakehost-${name}`, '-f', privatePath], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  return { privatePath, publicKey: fs.readFileSync(`${privatePath}.pub`, 'utf8').trim() };
}

/** A key pair made earlier (a snapshot's), used where it is. */
function existingKey(privatePath: string): { privatePath: string; publicKey: string } {
  return { privatePath, publicKey: fs.readFileSync(`${privatePath}.pub`, 'utf8').trim() };
}

function run(cmd: string, args: string[], input?: string, env?: NodeJS.ProcessEnv): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
    if (child.stdin) {
      child.stdin.on('error', () => { /* the command did not read its input: its status tells */ });
      child.stdin.end(input);
    }
  });
}

/** fakebsd's initHost runs INSIDE the fake host, so its writes follow the host's own symlinks. */
async function initFakebsd(host: FakeHost, options: Record<string, unknown>): Promise<void> {
  const script = `require(${JSON.stringify(fakebsdIndex(REPO_DIR))}).initHost('/', ${JSON.stringify(options)})`;
  const r = await host.hostExec(`exec ${BINARIES.node}`, script); // node reads the program from stdin
  if (r.code !== 0) throw new Error(`fakebsd initHost failed: ${r.stderr.trim()}`);
}

async function waitForPort(port: number, ns: Namespace, timeoutMs: number, log: () => string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!ns.isRunning()) throw new Error(`sshd exited during start: ${ns.output().trim()} ${log().join('\n')}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port} within ${timeoutMs} ms: ${ns.output().trim()} ${log().join('\n')}`);
}

export async function startFakeHost(opts: FakeHostOptions = {}): Promise<FakeHost> {
  const skip = fakeHostSkipReason();
  if (skip) throw new FakeHostUnavailable(skip);
  const sudoUser = opts.sudoUser ?? 'deploy';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fakehost-'));
  const nsDir = path.join(dir, 'ns');
  fs.mkdirSync(nsDir);
  let ns: Namespace | undefined;
  let gate: PfGate | undefined;
  let sshdReservation: { port: number; release(): Promise<void> } | undefined;
  try {
    const client = opts.clone ? existingKey(opts.clone.keyPath) : keyPair(dir, 'id_ed25519');
    const hostKeys = opts.clone ? existingKey(opts.clone.hostPrivateKeyPath) : keyPair(dir, 'host_ed25519');
    const hostKey = hostKeys.publicKey.split(' ').slice(0, 2).join(' ');
    // Clients reach sshd through the pf gate (./pfgate.ts) on `port`; sshd itself listens on
    // sshdPort, held by us until sshd starts. The gate listens from now on (its verdict is
    // fakebsd's once the host is made); nothing connects before this function returns.
    sshdReservation = await reservePort();
    const sshdPort = sshdReservation.port;
    let verdict: Verdict | undefined;
    gate = await startPfGate(0, sshdPort, (c) => (verdict ? verdict(c) : { blocked: false, reason: 'no fakebsd' }));
    const port = gate.port;
    const knownHostsPath = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHostsPath, `[127.0.0.1]:${port} ${hostKey}\n`);

    ns = await startNamespace(nsDir, REPO_DIR, [BINARIES.sshd, '-D', '-E', SSHD_LOG, '-f', SSHD_CONFIG], undefined, opts.clone?.upperDir);
    const root = ns.root;
    configureAccounts(root, {
      port: sshdPort, clientPublicKey: client.publicKey, hostPrivateKey: fs.readFileSync(hostKeys.privatePath, 'utf8'),
      hostPublicKey: hostKeys.publicKey, rootShell: opts.rootShell ?? BINARIES.tcsh, sudoUser,
    });
    const shims = opts.shims === false
      ? { installed: false, commands: {}, reason: 'disabled by the test' }
      : await installShims(root, REPO_DIR);

    const namespace = ns;
    const sshdLog = (): string[] => {
      const log = resolveHostPath(root, SSHD_LOG);
      return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    };
    const hostPathOf = (p: string) => resolveHostPath(root, p);
    const sshArgs = (user = 'root') => ['-F', '/dev/null', '-i', client.privatePath, '-p', String(port), '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHostsPath}`,
      '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10', '-l', user];
    let stopped = false;
    const fake: FakeHost = {
      host: '127.0.0.1', port, keyPath: client.privatePath, hostKey, knownHostsPath, sudoUser, root,
      pid: ns.pid, mountNamespace: ns.mountNamespace, shims,
      path: hostPathOf,
      readFile: (p) => fs.readFileSync(hostPathOf(p), 'utf8'),
      writeFile: (p, content, mode) => {
        fs.mkdirSync(path.dirname(hostPathOf(p)), { recursive: true });
        fs.writeFileSync(hostPathOf(p), content, mode === undefined ? undefined : { mode });
        if (mode !== undefined) fs.chmodSync(hostPathOf(p), mode);
      },
      exists: (p) => fs.existsSync(hostPathOf(p)),
      // The host's PID namespace too: a shim records its pid in the state lock, and one run from
      // outside it recorded a pid the shims inside cannot see (their lock breaker took it for dead).
      hostExec: (cmd, input) => run(BINARIES.nsenter, ['-t', String(namespace.pid), '-m', '-p', '-r', '-w', '/bin/sh', '-c', cmd], input,
        { PATH: HOST_PATH, HOME: '/root', USER: 'root', LOGNAME: 'root', SHELL: '/bin/sh', LANG: 'C' }),
      ssh: (cmd, user) => run(BINARIES.ssh, [...sshArgs(user), '127.0.0.1', cmd]),
      sshArgs,
      env: (user = 'root') => ({
        FREEBSD_HOST: '127.0.0.1', FREEBSD_PORT: String(port), FREEBSD_USER: user, FREEBSD_KEY_PATH: client.privatePath, FREEBSD_HOST_KEY: hostKey,
        ...(user === 'root' ? {} : { FREEBSD_PRIVILEGE: 'sudo' }),
      }),
      stateDigest: (o) => stateDigest(root, o),
      commandsLog: () => {
        const log = hostPathOf('/var/db/fakebsd/commands.log');
        if (!fs.existsSync(log)) return [];
        return fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      },
      pfRefusals: () => gate?.refusals.slice() ?? [],
      sshdOutput: () => `${namespace.output()}${sshdLog().slice(-40).join('\n')}`,
      sshdLog,
      sshConnections: (mark = 0) => parseSshdLog(sshdLog(), mark),
      isRunning: () => namespace.isRunning(),
      snapshot: async () => {
        const snap = fs.mkdtempSync(path.join(os.tmpdir(), 'fakehost-snapshot-'));
        const upperDir = path.join(snap, 'upper');
        fs.mkdirSync(upperDir);
        await namespace.copyUpper(upperDir);
        fs.copyFileSync(client.privatePath, path.join(snap, 'id_ed25519'));
        fs.copyFileSync(`${client.privatePath}.pub`, path.join(snap, 'id_ed25519.pub'));
        fs.copyFileSync(hostKeys.privatePath, path.join(snap, 'host_ed25519'));
        fs.copyFileSync(`${hostKeys.privatePath}.pub`, path.join(snap, 'host_ed25519.pub'));
        fs.chmodSync(path.join(snap, 'id_ed25519'), 0o600);
        return {
          upperDir, keyPath: path.join(snap, 'id_ed25519'), hostPrivateKeyPath: path.join(snap, 'host_ed25519'), port,
          remove: () => fs.rmSync(snap, { recursive: true, force: true }),
        };
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await gate?.close();
        await namespace.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
    if (shims.installed && opts.fakebsd !== false && !opts.clone) await initFakebsd(fake, opts.fakebsd ?? {});
    if (opts.seed) await opts.seed(fake);
    await sshdReservation.release();
    ns.release();
    await waitForPort(sshdPort, ns, 15_000, sshdLog);
    const fakebsd = shims.installed ? loadFakebsd(REPO_DIR) : undefined;
    if (fakebsd) verdict = (c) => (fakebsd.pfVerdict as PfVerdictFn)(root, c);
    return fake;
  } catch (e) {
    await sshdReservation?.release().catch(() => undefined);
    await gate?.close();
    if (ns) await ns.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export { diffDigests as diff, stateDigest };
