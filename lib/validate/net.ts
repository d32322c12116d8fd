/**
 * Synth-time checks of networking values: interface names, addresses and networks, ports,
 * pf anchor and macro names, devfs ruleset names and numbers, devfs path patterns. Each
 * returns the value (normalized where said) or throws a ValidationError naming it.
 */
import { isIPv4, isIPv6 } from 'net';
import { ValidationError } from './index';

function fail(value: unknown, why: string): never {
  throw new ValidationError(`${JSON.stringify(value)} ${why}`);
}

/** IFNAMSIZ is 16 on FreeBSD: 15 characters and the NUL. */
export const MAX_INTERFACE_NAME_LENGTH = 15;

/** A network interface name like `em0`, `lo1` or `vi1_r1` (ifconfig and pf both take these). */
export function interfaceName(value: string): string {
  if (value.length === 0 || value.length > MAX_INTERFACE_NAME_LENGTH) {
    fail(value, `must be 1 to ${MAX_INTERFACE_NAME_LENGTH} characters (IFNAMSIZ 16)`);
  }
  if (!/^[A-Za-z][A-Za-z0-9_.]*$/.test(value)) fail(value, 'must be a letter, then letters, digits, _ or .');
  return value;
}

/** Address families in pf's words. */
export type AddressFamily = 'inet' | 'inet6';

/** The family of a plain address, or undefined when it is none. */
export function addressFamily(value: string): AddressFamily | undefined {
  return isIPv4(value) ? 'inet' : isIPv6(value) && !value.includes('%') ? 'inet6' : undefined;
}

/** A plain IPv4 or IPv6 address (no prefix, no scope); `family` narrows it. */
export function ipAddress(value: string, family?: AddressFamily): string {
  const f = addressFamily(value);
  if (f === undefined) fail(value, 'is not an IPv4 or IPv6 address');
  if (family !== undefined && f !== family) fail(value, `is not an ${family === 'inet' ? 'IPv4' : 'IPv6'} address`);
  return value;
}

/** The address as a number and its bit width, for prefix arithmetic. */
function addressBits(address: string): { bits: bigint; width: number } {
  if (isIPv4(address)) {
    return { bits: address.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n), width: 32 };
  }
  const [head, tail = ''] = address.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  let h = groups(head);
  let t = groups(tail);
  // An embedded IPv4 tail (::ffff:192.0.2.1) counts as two groups.
  const v4 = (g: string[]) => g.flatMap((x) => (x.includes('.') ? [(addressBits(x).bits >> 16n).toString(16), (addressBits(x).bits & 0xffffn).toString(16)] : [x]));
  h = v4(h);
  t = v4(t);
  const all = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return { bits: all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n), width: 128 };
}

/** A network `address/prefix` whose host bits are zero, like `127.1.1.0/24` or `fd00:1:1:1::/64`. */
export function network(value: string, family?: AddressFamily): string {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!m) fail(value, 'must be a network ADDRESS/PREFIX');
  const f = addressFamily(m[1]);
  if (f === undefined) fail(value, 'must be a network ADDRESS/PREFIX with an IPv4 or IPv6 address');
  if (family !== undefined && f !== family) fail(value, `is not an ${family === 'inet' ? 'IPv4' : 'IPv6'} network`);
  const { bits, width } = addressBits(m[1]);
  const prefix = Number(m[2]);
  if (prefix > width) fail(value, `has a prefix longer than ${width}`);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((bits & hostMask) !== 0n) fail(value, 'has host bits set: give the network address');
  return value;
}

/** An address, or a network with a prefix; the family narrows it. */
export function addressOrNetwork(value: string, family?: AddressFamily): string {
  return value.includes('/') ? network(value, family) : ipAddress(value, family);
}

/** The family of an address or network (already validated). */
export function familyOf(value: string): AddressFamily {
  const f = addressFamily(value.split('/')[0]);
  if (f === undefined) throw new Error(`not an address: ${value}`);
  return f;
}

/** A TCP or UDP port, 1 to 65535. */
export function portNumber(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) fail(value, 'must be a port, an integer from 1 to 65535');
  return value;
}

/** A port range `from` to `to`, inclusive, from <= to. */
export function portRange(from: number, to: number): { from: number; to: number } {
  portNumber(from);
  portNumber(to);
  if (from > to) fail(`${from}:${to}`, 'is a port range whose start is after its end');
  return { from, to };
}

/** pf's anchor path limit (MAXPATHLEN 1024 with the NUL); a component is our own narrower charset. */
const MAX_ANCHOR_PATH = 1023;

/**
 * A pf anchor path like `cdktf-freebsd-jails/web`: components of letters, digits, _ - .,
 * separated by single slashes; pf reserves names beginning with `_` (parse.y).
 */
export function pfAnchorPath(value: string): string {
  if (value.length === 0 || value.length > MAX_ANCHOR_PATH) fail(value, `must be 1 to ${MAX_ANCHOR_PATH} characters`);
  for (const c of value.split('/')) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(c)) {
      fail(value, 'must be components of letters, digits, _ . - (not starting with _ . -) separated by single slashes');
    }
  }
  return value;
}

/** A pf macro name: parse.y expands `$` followed by letters, digits and `_`. */
export function pfMacroName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(value)) fail(value, 'must be a pf macro name ([A-Za-z_][A-Za-z0-9_]*, at most 64)');
  return value;
}

/** devfs ruleset numbers 1 to 5 are etc/defaults/devfs.rules' own. */
export const DEFAULT_DEVFS_RULESETS: Readonly<Record<number, string>> = {
  1: 'devfsrules_hide_all',
  2: 'devfsrules_unhide_basic',
  3: 'devfsrules_unhide_login',
  4: 'devfsrules_jail',
  5: 'devfsrules_jail_vnet',
};

/** The highest ruleset number (devfs_rsnum is 16 bits). */
export const MAX_DEVFS_RULESET = 65535;

/**
 * The number of a ruleset this library defines: 6 to 65535 (0 is "no ruleset", 1 to 5 are
 * FreeBSD's defaults). A reference to a ruleset the host has may be any number.
 */
export function ownDevfsRulesetNumber(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_DEVFS_RULESET) fail(value, `must be a devfs ruleset number from 6 to ${MAX_DEVFS_RULESET}`);
  const name = DEFAULT_DEVFS_RULESETS[value];
  if (name !== undefined) fail(value, `is FreeBSD's default ruleset ${name} (etc/defaults/devfs.rules); use 6 to ${MAX_DEVFS_RULESET}`);
  return value;
}

/**
 * A ruleset name for a `[name=N]` header. rc.subr turns it into a shell variable
 * (`eval $rulename=$rulenum`), so it must be a variable name; the defaults' names are taken.
 */
export function devfsRulesetName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(value)) fail(value, 'must be a devfs ruleset name ([A-Za-z_][A-Za-z0-9_]*, at most 64)');
  if (Object.values(DEFAULT_DEVFS_RULESETS).includes(value)) fail(value, "is the name of one of FreeBSD's default rulesets");
  return value;
}

/** devfs keeps path patterns of at most DEVFS_MAXPTRNLEN - 1 characters. */
const MAX_DEVFS_PATTERN = 199;

/**
 * A devfs path pattern (fnmatch(3) against names under /dev) like `bpf*`, `tun*`, `pts/*`:
 * relative, no `..`, no spaces or quotes (the rules file is read by sh's `read` and `eval`).
 */
export function devfsPathPattern(value: string): string {
  if (value.length === 0 || value.length > MAX_DEVFS_PATTERN) fail(value, `must be 1 to ${MAX_DEVFS_PATTERN} characters`);
  if (value.startsWith('/')) fail(value, 'must be relative to /dev (no leading /)');
  if (!/^[A-Za-z0-9_.*?[\]!+:@/-]+$/.test(value)) fail(value, 'may only contain letters, digits, _ . - + : @ / and the glob characters * ? [ ] !');
  if (value.split('/').some((c) => c === '' || c === '.' || c === '..')) fail(value, 'must not have empty, . or .. components');
  return value;
}

/** A file mode in octal, like `0660` or `660`; returns it with four digits. */
export function fileModeOctal(value: string): string {
  if (!/^[0-7]{3,4}$/.test(value)) fail(value, 'must be an octal mode of 3 or 4 digits, like 0660');
  return value.padStart(4, '0');
}

/**
 * A user or group name on the host (or a numeric id). `#`, quotes, blanks and `$` never get
 * in: rc.subr evals each devfs.rules line. An id is devfs's int (sbin/devfs/devfs.c eatoi).
 */
export function accountName(value: string): string {
  if (!/^([a-z_][a-z0-9_.-]{0,31}|\d{1,10})$/.test(value)) fail(value, 'must be a user or group name ([a-z_][a-z0-9_.-], at most 32) or a number');
  if (/^\d+$/.test(value) && Number(value) > 2147483647) fail(value, 'is an id beyond 2147483647: devfs reads ids as an int (sbin/devfs/devfs.c eatoi)');
  return value;
}

/** An interface address `ADDRESS/PREFIX` (host bits set, like `172.31.1.1/24`); `family` narrows it. */
export function interfaceAddress(value: string, family?: AddressFamily): string {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!m) fail(value, 'must be an interface address ADDRESS/PREFIX, like 172.31.1.1/24');
  ipAddress(m[1], family);
  const width = addressFamily(m[1]) === 'inet' ? 32 : 128;
  if (Number(m[2]) > width) fail(value, `has a prefix longer than ${width}`);
  return value;
}

/** The network of an address with a prefix (`172.31.1.1/24` -> bits of 172.31.1.0, 24). */
function prefixBits(cidr: string): { bits: bigint; width: number; prefix: number } {
  const [address, prefix] = cidr.split('/');
  const { bits, width } = addressBits(address);
  const p = prefix === undefined ? width : Number(prefix);
  const hostMask = (1n << BigInt(width - p)) - 1n;
  return { bits: bits & ~hostMask, width, prefix: p };
}

/** The network `ADDRESS/PREFIX` (host bits cleared) of an interface address or network, in canonical form. */
export function networkOf(cidr: string): string {
  const { bits, width, prefix } = prefixBits(cidr);
  if (width === 32) return `${[24n, 16n, 8n, 0n].map((s) => String((bits >> s) & 0xffn)).join('.')}/${prefix}`;
  const groups = [...Array(8).keys()].map((i) => ((bits >> BigInt(16 * (7 - i))) & 0xffffn).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes '::'.
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length) best = { at: i, length: j - i };
  }
  const text = best.at < 0 ? groups.join(':') : `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`;
  return `${text}/${prefix}`;
}

/** Whether an address (with or without a prefix) lies in a network (ADDRESS/PREFIX); families must match. */
export function inNetwork(address: string, net: string): boolean {
  const a = addressBits(address.split('/')[0]);
  const n = prefixBits(net);
  if (a.width !== n.width) return false;
  const hostMask = (1n << BigInt(n.width - n.prefix)) - 1n;
  return (a.bits & ~hostMask) === n.bits;
}

/** Whether two networks share an address (one holds the other); families must match. */
export function networksOverlap(a: string, b: string): boolean {
  const x = prefixBits(a);
  const y = prefixBits(b);
  if (x.width !== y.width) return false;
  const shorter = x.prefix <= y.prefix ? x : y;
  const hostMask = (1n << BigInt(shorter.width - shorter.prefix)) - 1n;
  return (x.bits & ~hostMask) === (y.bits & ~hostMask);
}

/** A unicast Ethernet address, six colon-separated pairs of hex digits; returned in lower case. */
export function macAddress(value: string): string {
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(value)) fail(value, 'must be an Ethernet address like 02:00:5e:10:00:01');
  if ((parseInt(value.slice(0, 2), 16) & 1) === 1) fail(value, 'is a multicast address (the first octet is odd)');
  return value.toLowerCase();
}
