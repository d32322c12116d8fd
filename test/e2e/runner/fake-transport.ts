/**
 * An in-memory SSH layer for unit tests: records every connect/upload/exec with the
 * resource's script, and lets a test decide each script's exit status.
 */
import { Connection, ConnectionSpec, ExecResult, Transport, TransportCounters } from './transport';

export interface FakeEvent {
  readonly kind: 'connect' | 'upload' | 'exec' | 'close';
  readonly host: string;
  readonly path?: string;
  readonly command?: string;
  readonly content?: string;
}

export interface FakeTransportOptions {
  /** Decides the result of running an uploaded script (default: exit 0). */
  readonly onScript?: (script: string, spec: ConnectionSpec) => Partial<ExecResult> | Promise<Partial<ExecResult>>;
  /** Refuse connections to these hosts. */
  readonly unreachable?: string[];
}

export class FakeTransport implements Transport {
  readonly counters: TransportCounters = { connections: 0, sessions: 0 };
  readonly events: FakeEvent[] = [];
  /** Scripts in the order they started running. */
  readonly scripts: string[] = [];
  /** Remote files written by uploads (latest content per path). */
  readonly files = new Map<string, string>();
  private running = 0;
  maxConcurrentScripts = 0;

  constructor(private readonly opts: FakeTransportOptions = {}) {}

  async connect(spec: ConnectionSpec): Promise<Connection> {
    if (this.opts.unreachable?.includes(spec.host)) throw new Error(`cannot connect to ${spec.host}: unreachable`);
    this.counters.connections++;
    this.events.push({ kind: 'connect', host: spec.host });
    const self = this;
    return {
      async upload(remotePath: string, content: Buffer) {
        self.counters.sessions++;
        self.files.set(remotePath, content.toString());
        self.events.push({ kind: 'upload', host: spec.host, path: remotePath, content: content.toString() });
      },
      async exec(command: string): Promise<ExecResult> {
        self.counters.sessions++;
        self.events.push({ kind: 'exec', host: spec.host, command });
        if (command.startsWith('chmod ')) return { code: 0, stdout: '', stderr: '' };
        const script = self.files.get(command);
        if (script === undefined) return { code: 127, stdout: '', stderr: `${command}: not found` };
        self.scripts.push(script);
        self.running++;
        self.maxConcurrentScripts = Math.max(self.maxConcurrentScripts, self.running);
        try {
          const r = self.opts.onScript ? await self.opts.onScript(script, spec) : {};
          return { code: r.code ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
        } finally {
          self.running--;
        }
      },
      async close() {
        self.events.push({ kind: 'close', host: spec.host });
      },
    };
  }
}
