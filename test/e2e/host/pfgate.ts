/**
 * The pf gate: a TCP proxy in front of the fake host's sshd. For each new connection it asks
 * fakebsd's pfVerdict whether the rules loaded on the host would let the operator in (a new
 * TCP connection from OPERATOR_ADDRESS to the host's em0 address, port 22, arriving on em0);
 * when they would block or redirect it, the connection is closed before sshd sees it, as a
 * real host behind such rules does. Established connections are left alone, as pf keeps their
 * state. So a rule set that locks the operator out really does, here too.
 */
import * as net from 'net';

/** Where the operator's SSH connections come from, as pf would see them (TEST-NET-2). */
export const OPERATOR_ADDRESS = '198.51.100.7';
/** The host's external address (fakebsd's em0). */
export const HOST_ADDRESS = '192.0.2.10';

export interface PfRefusal {
  readonly at: string;
  /** The rule that decided, from pfVerdict. */
  readonly reason: string;
}

export interface PfGate {
  /** The port it listens on (the one asked for, or the one the kernel gave for 0). */
  readonly port: number;
  readonly refusals: PfRefusal[];
  close(): Promise<void>;
}

export type Verdict = (connection: { from: string; to: string; port: number; iface: string }) => { blocked: boolean; reason: string };

/** Listens on 127.0.0.1:port (0: a free one) and forwards what the verdict lets through to 127.0.0.1:target. */
export function startPfGate(port: number, target: number, verdict?: Verdict): Promise<PfGate> {
  const refusals: PfRefusal[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => { /* the client went away */ });
    const v = verdict ? verdict({ from: OPERATOR_ADDRESS, to: HOST_ADDRESS, port: 22, iface: 'em0' }) : { blocked: false, reason: 'no fakebsd' };
    if (v.blocked) {
      refusals.push({ at: new Date().toISOString(), reason: v.reason });
      client.destroy();
      return;
    }
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => { sockets.delete(upstream); client.destroy(); });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({
      port: (server.address() as net.AddressInfo).port,
      refusals,
      close: () => new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
    }));
  });
}
