/** A jail's IP address, as jail(8)'s ip4.addr / ip6.addr take it: `[IFACE|]ADDR[/PREFIX]`. */
import { isIPv4, isIPv6 } from 'net';
import { ValidationError } from '../validate';
import * as p from '../validate/props';

/** Interface names are at most 15 characters (IFNAMSIZ 16). */
export const MAX_INTERFACE_NAME_LENGTH = 15;

/** Address family of a jail address. */
export enum JailAddressFamily {
  /** An IPv4 address (ip4.addr). */
  IPV4 = 'ipv4',
  /** An IPv6 address (ip6.addr). */
  IPV6 = 'ipv6',
}

/**
 * An address of a jail, checked when a network binds it to a jail (so that errors name the
 * jail's construct path). With an interface, jail(8) adds the address as an alias to that
 * interface before start and removes it after stop (the notebook: `lo1|127.1.1.1/32`).
 */
export class JailAddress {
  /** An address that jail(8) adds to `iface` on start, e.g. `onInterface('lo1', '127.1.1.1/32')`. */
  public static onInterface(iface: string, cidr: string): JailAddress {
    p.checkArgs('JailAddress.onInterface', [['iface', iface, p.required(p.str('"lo1"'))], ['cidr', cidr, p.required(p.str('"127.1.1.1/32"'))]]);
    return new JailAddress(iface, cidr);
  }

  /** An address already configured on the host (jail(8) adds no alias). */
  public static existing(cidr: string): JailAddress {
    p.checkArgs('JailAddress.existing', [['cidr', cidr, p.required(p.str('"192.0.2.20"'))]]);
    return new JailAddress(undefined, cidr);
  }

  /** The interface, if jail(8) manages the alias. */
  public readonly iface?: string;
  /** The address without prefix, as given (e.g. `fd00:1:1:1::1`). */
  public readonly ip: string;
  /** The prefix length (the default, /32 or /128, when none was given). */
  public readonly prefixLength: number;
  /** IPv4 or IPv6. */
  public readonly family: JailAddressFamily;
  /** Whether the prefix was written (it is rendered only then, as the user wrote it). */
  private readonly prefixGiven: boolean;
  /** What is wrong with the address, reported by _check when a network binds it. */
  private readonly problem?: string;
  /** canonicalIp, computed on first use (clash checks read it several times per address). */
  private canonical?: string;

  private constructor(iface: string | undefined, cidr: string) {
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(cidr);
    const ip = m?.[1] ?? '';
    const family = isIPv4(ip) ? JailAddressFamily.IPV4 : isIPv6(ip) && !ip.includes('%') ? JailAddressFamily.IPV6 : undefined;
    const max = family === JailAddressFamily.IPV6 ? 128 : 32;
    const prefix = m?.[2] === undefined ? max : Number(m[2]);
    if (iface !== undefined && !/^[a-z][a-z0-9_.]*$/.test(iface)) {
      this.problem = `interface ${JSON.stringify(iface)} must be letters, digits, _ and . starting with a letter`;
    } else if (iface !== undefined && iface.length > MAX_INTERFACE_NAME_LENGTH) {
      this.problem = `interface ${JSON.stringify(iface)} is longer than ${MAX_INTERFACE_NAME_LENGTH} characters`;
    } else if (!m || family === undefined) {
      this.problem = `${JSON.stringify(cidr)} is not an address like 127.1.1.1/32 or fd00:1:1:1::1/64`;
    } else if (prefix > max || (m[2] !== undefined && m[2] !== String(prefix))) {
      this.problem = `${JSON.stringify(cidr)} has a prefix length outside 0..${max}`;
    }
    this.iface = iface;
    this.ip = ip;
    this.prefixLength = prefix;
    this.family = family ?? JailAddressFamily.IPV4;
    this.prefixGiven = m?.[2] !== undefined;
  }

  /**
   * Throws what is wrong with the address: every network calls it in bind(), inside
   * `validated(jail path, 'addresses', ...)`.
   * @internal
   */
  public _check(): void {
    if (this.problem) throw new ValidationError(this.problem);
  }

  /** The value of ip4.addr / ip6.addr, like `lo1|127.1.1.1/32`. */
  public get parameterValue(): string {
    const addr = this.prefixGiven ? `${this.ip}/${this.prefixLength}` : this.ip;
    return this.iface ? `${this.iface}|${addr}` : addr;
  }

  /** A canonical form of the address for clash checks (IPv6 fully expanded, lower case). */
  public get canonicalIp(): string {
    this.canonical ??= this.family === JailAddressFamily.IPV4 ? this.ip : expandIpv6(this.ip);
    return this.canonical;
  }
}

/** `fd00:1::1` -> `fd00:0001:0000:...:0001`; an embedded IPv4 tail becomes two groups. */
export function expandIpv6(ip: string): string {
  let text = ip.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}
