/**
 * What the fake host's sshd logged (LogLevel VERBOSE, written to SSHD_LOG inside the host):
 * every accepted connection and every session started on it, keyed by the client's port.
 * OpenSSH's own lines (auth2.c "Accepted publickey for USER from ADDR port PORT",
 * session.c "Starting session: command[ on pts/N] for USER from ADDR port PORT id N").
 */

export const SSHD_LOG = '/var/log/fakehost-sshd.log';

export interface SshConnection {
  readonly port: number;
  readonly user: string;
  /** The sessions in start order; `tty` is the PTY ("pts/3"), or undefined without one. */
  readonly sessions: { readonly tty?: string }[];
}

const ACCEPTED = /^Accepted publickey for (\S+) from \S+ port (\d+) /;
const SESSION = /^Starting session: \S+(?: on (\S+))? for (\S+) from \S+ port (\d+) id \d+/;

/** The connections in the order sshd accepted them; lines are sshd's, `from` is a line index (a mark). */
export function parseSshdLog(lines: string[], from = 0): SshConnection[] {
  const byPort = new Map<number, { port: number; user: string; sessions: { tty?: string }[] }>();
  const order: { port: number; user: string; sessions: { tty?: string }[] }[] = [];
  for (const line of lines.slice(from)) {
    const a = ACCEPTED.exec(line);
    if (a) {
      const c = { port: Number(a[2]), user: a[1], sessions: [] };
      byPort.set(c.port, c);
      order.push(c);
      continue;
    }
    const s = SESSION.exec(line);
    if (s) byPort.get(Number(s[3]))?.sessions.push({ tty: s[1] });
  }
  return order;
}
