/** hosts(5) lines: an address, then its names, separated by spaces. */
import { isIP } from 'net';
import { ValidationError } from '../validate';

/** One /etc/hosts entry. */
export interface HostsEntry {
  readonly address: string;
  readonly names: readonly string[];
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?)*$/;

/** The lines of the given entries (no trailing newline). */
export function renderHostsLines(entries: readonly HostsEntry[]): string {
  return entries
    .map((e) => {
      if (!isIP(e.address)) throw new ValidationError(`${JSON.stringify(e.address)} is not an IP address for /etc/hosts`);
      if (e.names.length === 0) throw new ValidationError(`/etc/hosts entry for ${e.address} has no name`);
      for (const n of e.names) {
        if (n.length > 253 || !HOST_NAME.test(n)) throw new ValidationError(`${JSON.stringify(n)} is not a host name for /etc/hosts`);
      }
      return [e.address, ...e.names].join(' ');
    })
    .join('\n');
}
