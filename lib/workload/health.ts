import * as v from '../validate';

/** How often and how long a health check is tried. */
export interface JailHealthCheckOptions {
  /**
   * Seconds one try may take before it counts as failed.
   * @default 5
   */
  readonly timeoutSeconds?: number;
  /**
   * Seconds between two tries.
   * @default 2
   */
  readonly intervalSeconds?: number;
  /**
   * Tries after the first before the check fails (so `retries + 1` tries at most).
   * @default 10
   */
  readonly retries?: number;
}

/** A check over the network, from the host to the jail. */
export interface JailNetworkCheckOptions extends JailHealthCheckOptions {
  /**
   * The address to reach the jail at, from the host (an IPv4 or IPv6 address).
   * @default - the jail's first address (a VNET jail has none on the host: give it)
   */
  readonly address?: string;
}

/** An HTTP check. */
export interface JailHttpCheckOptions extends JailNetworkCheckOptions {
  /**
   * The path requested, absolute.
   * @default "/"
   */
  readonly path?: string;
}

/** The kind of a health check. */
export enum JailHealthCheckKind {
  /** A command run in the jail (jexec): healthy when it exits 0. */
  COMMAND = 'command',
  /** A TCP connect from the host (nc -z). */
  TCP = 'tcp',
  /** An HTTP GET from the host (fetch): healthy on a 2xx status. */
  HTTP = 'http',
}

/**
 * What tells that a JailService is healthy, checked after the service is (re)started: the
 * step waits for it, trying `retries + 1` times `intervalSeconds` apart, each try bounded by
 * `timeoutSeconds`; when no try passes the step fails naming the jail, the service, the check
 * and the last try's output.
 *
 * ```ts
 * JailHealthCheck.command(['pg_isready', '-h', '127.0.0.1'])
 * JailHealthCheck.tcp(5432)
 * JailHealthCheck.http(80, { path: '/index.html', retries: 20 })
 * ```
 */
export class JailHealthCheck {
  /** A command run inside the jail (`jexec -l JAIL COMMAND...`): healthy when it exits 0. */
  public static command(command: string[], options: JailHealthCheckOptions = {}): JailHealthCheck {
    return new JailHealthCheck(JailHealthCheckKind.COMMAND, options, { command: [...command] });
  }

  /** A TCP connect from the host to the jail's address and `port` (`nc -z`). */
  public static tcp(port: number, options: JailNetworkCheckOptions = {}): JailHealthCheck {
    return new JailHealthCheck(JailHealthCheckKind.TCP, options, { port, address: options.address });
  }

  /** An HTTP GET from the host of `http://ADDRESS:PORT/PATH` (`fetch`): healthy on a 2xx status. */
  public static http(port: number, options: JailHttpCheckOptions = {}): JailHealthCheck {
    return new JailHealthCheck(JailHealthCheckKind.HTTP, options, { port, address: options.address, path: options.path ?? '/' });
  }

  /** The kind of check. */
  public readonly kind: JailHealthCheckKind;
  /** The command (COMMAND checks), else empty. */
  public readonly commandWords: string[];
  /**
   * The port (TCP and HTTP checks).
   * @default - none (a COMMAND check)
   */
  public readonly port?: number;
  /**
   * The address given (TCP and HTTP checks).
   * @default - the jail's first address
   */
  public readonly address?: string;
  /**
   * The path (HTTP checks).
   * @default - none (not an HTTP check)
   */
  public readonly path?: string;
  /** Seconds one try may take. */
  public readonly timeoutSeconds: number;
  /** Seconds between tries. */
  public readonly intervalSeconds: number;
  /** Tries after the first. */
  public readonly retries: number;

  private constructor(kind: JailHealthCheckKind, options: JailHealthCheckOptions, what: { command?: string[]; port?: number; address?: string; path?: string }) {
    this.kind = kind;
    this.commandWords = what.command ?? [];
    this.port = what.port;
    this.address = what.address;
    this.path = what.path;
    this.timeoutSeconds = options.timeoutSeconds ?? 5;
    this.intervalSeconds = options.intervalSeconds ?? 2;
    this.retries = options.retries ?? 10;
  }

  /** One line naming the check, for logs and errors. */
  public describe(): string {
    switch (this.kind) {
      case JailHealthCheckKind.COMMAND: return `command ${this.commandWords.join(' ')}`;
      case JailHealthCheckKind.TCP: return `tcp port ${this.port}`;
      default: return `http port ${this.port} path ${this.path}`;
    }
  }

  /** Check the values (a ValidationError names the bad one). @internal */
  public _check(): void {
    const count = (what: string, n: number, min: number, max: number) => {
      if (!Number.isInteger(n) || n < min || n > max) throw new v.ValidationError(`${what} ${JSON.stringify(n)} must be an integer from ${min} to ${max}`);
    };
    count('timeoutSeconds', this.timeoutSeconds, 1, 3600);
    count('intervalSeconds', this.intervalSeconds, 0, 3600);
    count('retries', this.retries, 0, 1000);
    if (this.kind === JailHealthCheckKind.COMMAND) {
      if (this.commandWords.length === 0) throw new v.ValidationError('command [] must name a program, like ["pg_isready"]');
      for (const w of this.commandWords) {
        if (typeof w !== 'string' || w.length === 0) throw new v.ValidationError(`command word ${JSON.stringify(w)} must be a non-empty string`);
        v.singleLine(w);
      }
      return;
    }
    v.port(this.port!);
    if (this.address !== undefined && !/^[0-9a-fA-F.:]+$/.test(this.address)) throw new v.ValidationError(`address ${JSON.stringify(this.address)} must be an IP address`);
    if (this.address !== undefined) v.hostAddress(this.address);
    if (this.path !== undefined && !/^\/[A-Za-z0-9._~\/?=&%+-]*$/.test(this.path)) {
      throw new v.ValidationError(`path ${JSON.stringify(this.path)} must be an absolute URL path of plain characters, like "/health"`);
    }
  }
}
