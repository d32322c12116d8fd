/**
 * The SSH layer the runner talks to. The real one is the OpenSSH client (openssh.ts);
 * unit tests inject a fake (fake-transport.ts) to test ordering, taint and replacement
 * without an sshd.
 */

export interface BastionSpec {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Key content (terraform's bastion_private_key), or undefined to use the agent. */
  readonly privateKey?: string;
  readonly hostKey?: string;
}

export interface ConnectionSpec {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Key content, as terraform's private_key (usually file(path)). */
  readonly privateKey?: string;
  /** Use the SSH agent (SSH_AUTH_SOCK) instead of a key. */
  readonly agent: boolean;
  /** Public host key ("ssh-ed25519 AAAA..."); when empty terraform accepts any host key. */
  readonly hostKey?: string;
  /** How long to keep retrying the connection (terraform's timeout, default 5m). */
  readonly timeoutMs: number;
  /** Remote path of uploaded scripts, with %RAND% (default /tmp/terraform_%RAND%.sh). */
  readonly scriptPath: string;
  readonly bastion?: BastionSpec;
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One SSH connection; every upload and exec is one session on it. */
export interface Connection {
  /** Legacy scp of content to remotePath with mode 0644 (as terraform's communicator). */
  upload(remotePath: string, content: Buffer): Promise<void>;
  /** Run a command as the session command (the user's login shell starts it). */
  exec(command: string): Promise<ExecResult>;
  close(): Promise<void>;
}

export interface TransportCounters {
  connections: number;
  sessions: number;
}

export interface Transport {
  readonly counters: TransportCounters;
  connect(spec: ConnectionSpec): Promise<Connection>;
}

/** Go's time.ParseDuration for the units terraform users write: "2m", "1m30s", "500ms", "1h". */
export function parseDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += parseFloat(m[1]) * units[m[2]];
    consumed = re.lastIndex;
  }
  if (s === '' || consumed !== s.length) throw new Error(`invalid duration ${JSON.stringify(s)}`);
  return total;
}

/** What terraform puts in place of %RAND%: a random non-negative int31 in decimal. */
export function scriptPathFor(template: string): string {
  return template.replace(/%RAND%/g, () => String(Math.floor(Math.random() * 0x7fffffff)));
}
