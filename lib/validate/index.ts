/**
 * Synth-time validation of every value that later reaches a host. Each check returns the
 * normalized value or throws a ValidationError; constructs add their path through
 * `validated()` so the message names the construct and the value.
 */
import { isIP } from 'net';

/** A bad input found at synth time. */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** Run a check for a construct: its errors are prefixed with the construct path. */
export function validated<T>(constructPath: string, what: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof ValidationError) {
      throw new ValidationError(`${constructPath}: invalid ${what}: ${e.message}`);
    }
    throw e;
  }
}

function fail(value: unknown, why: string): never {
  throw new ValidationError(`${JSON.stringify(value)} ${why}`);
}

const ZFS_COMPONENT = /^[A-Za-z0-9_.:-]+$/;

/** A ZFS dataset name like `zroot/vm/h1` (no snapshot part, no spaces). */
export function datasetName(value: string): string {
  if (value.length === 0 || value.length > 200) fail(value, 'must be 1 to 200 characters');
  const parts = value.split('/');
  if (!/^[A-Za-z][A-Za-z0-9_.:-]*$/.test(parts[0])) {
    fail(value, 'must start with a pool name (a letter, then letters, digits, _ . : -)');
  }
  for (const part of parts) {
    if (!ZFS_COMPONENT.test(part) || part === '.' || part === '..') {
      fail(value, 'must be components of letters, digits, _ . : - separated by single slashes');
    }
  }
  return value;
}

/** The short name of a snapshot (the part after `@`), like `p3`. */
export function snapshotShortName(value: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/.test(value)) {
    fail(value, 'must be 1 to 64 letters, digits, _ . : - (not starting with - . :)');
  }
  return value;
}

/** A full snapshot name `dataset@snap`. */
export function snapshotName(value: string): string {
  const at = value.indexOf('@');
  if (at < 0 || value.indexOf('@', at + 1) >= 0) fail(value, 'must be DATASET@SNAPSHOT');
  datasetName(value.slice(0, at));
  snapshotShortName(value.slice(at + 1));
  return value;
}

/** Releases this library can build templates for (distribution sets exist through 15.x). */
export const SUPPORTED_MAJOR_RELEASES = [13, 14, 15];

/** A FreeBSD release like `14.3` or `14.3-RELEASE`; returns `14.3-RELEASE`. */
export function release(value: string): string {
  const m = /^(\d+)\.(\d+)(-RELEASE)?$/.exec(value);
  if (!m) fail(value, 'must look like 14.3 or 14.3-RELEASE');
  const major = Number(m[1]);
  if (!SUPPORTED_MAJOR_RELEASES.includes(major)) {
    fail(value, `is not a supported release (majors ${SUPPORTED_MAJOR_RELEASES.join(', ')}; 16 has no distribution sets)`);
  }
  return `${m[1]}.${m[2]}-RELEASE`;
}

/** Major and minor numbers of a normalized release. */
export function releaseVersion(normalized: string): { major: number; minor: number } {
  const m = /^(\d+)\.(\d+)-RELEASE$/.exec(normalized);
  if (!m) throw new Error(`not a normalized release: ${normalized}`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

const PATH_CHARS = /^[A-Za-z0-9._+@%:,/-]+$/;

/** An absolute, normalized path of plain characters (no spaces, no `..`, no `//`). */
export function absolutePath(value: string): string {
  if (!value.startsWith('/')) fail(value, 'must be an absolute path');
  if (value === '/') fail(value, 'is the root directory, not a directory of its own');
  if (!PATH_CHARS.test(value)) fail(value, 'may only contain letters, digits and . _ + @ % : , / -');
  if (value.length > 1 && value.endsWith('/')) fail(value, 'must not end with /');
  if (value.split('/').some((c, i) => i > 0 && (c === '' || c === '.' || c === '..'))) {
    fail(value, 'must be normalized (no empty, . or .. components)');
  }
  if (value.length > 1000) fail(value, 'is too long');
  return value;
}

/** A host name or an IPv4/IPv6 address to connect to. */
export function hostAddress(value: string): string {
  if (isIP(value)) return value;
  if (value.length <= 253 && /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/.test(value)) {
    return value;
  }
  return fail(value, 'is neither an IP address nor a host name');
}

/** A TCP port. */
export function port(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) fail(value, 'must be an integer from 1 to 65535');
  return value;
}

/** A login name on the host. */
export function userName(value: string): string {
  if (!/^[a-z_][a-z0-9_.-]{0,31}$/.test(value)) fail(value, 'must be a login name ([a-z_][a-z0-9_.-], at most 32)');
  return value;
}

/** An SSH public host key with its type (`ssh-ed25519 AAAA...`). */
export function sshPublicKey(value: string): string {
  // The key type is required: Terraform writes the value into a known_hosts line.
  if (!/^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/]+={0,3}$/.test(value)) {
    fail(value, 'must be an SSH public key with its type, like "ssh-ed25519 AAAA...", without comment');
  }
  return value;
}

/** A SHA-256 digest in hex; returns it in lower case. */
export function sha256Hex(value: string): string {
  if (!/^[0-9A-Fa-f]{64}$/.test(value)) fail(value, 'must be 64 hexadecimal digits');
  return value.toLowerCase();
}

/** A download URL (http, https, ftp or file), with no trailing slash. */
export function mirrorUrl(value: string): string {
  if (!/^(https?|ftp|file):\/\/[A-Za-z0-9._~:/?#@!&+,;=%-]+$/.test(value)) {
    fail(value, 'must be an http(s), ftp or file URL of plain characters');
  }
  return value.replace(/\/+$/, '');
}

/** A variable name of rc.conf and other sh-sourced files. */
export function shellVariableName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) fail(value, 'must be a shell variable name ([A-Za-z_][A-Za-z0-9_]*)');
  return value;
}

/** A single line of text (no newline, no NUL, no other control character). */
export function singleLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) fail(value, 'must be a single line without control characters');
  return value;
}

/** Text that travels in a tab-separated line (`zfs list -H`, ownership marks): no tab, newline or other control character. */
export function fieldText(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) fail(value, 'must not contain tabs, newlines or other control characters (the host reads it back from tab-separated lines)');
  return value;
}

/**
 * An ownership scope: a file name on the host (its claim), a line of the helper's users file and
 * the first field of owner marks, so letters, digits and `_.@+-` only (no `:`, the mark's
 * separator), starting with a letter or digit, at most 64 characters.
 */
export function ownershipScope(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$/.test(value)) {
    fail(value, 'must be 1 to 64 letters, digits and _.@+- starting with a letter or digit (it names a file and the first field of ownership marks on the host)');
  }
  return value;
}

/** CPU architectures with release directories, mapped to their TARGET/TARGET_ARCH path. */
export const ARCH_PATHS: Record<string, string> = {
  amd64: 'amd64/amd64',
  arm64: 'arm64/aarch64',
  i386: 'i386/i386',
  riscv64: 'riscv/riscv64',
  powerpc64: 'powerpc/powerpc64',
  powerpc64le: 'powerpc/powerpc64le',
};

/** A machine architecture like `amd64` or `arm64`. */
export function arch(value: string): string {
  if (!(value in ARCH_PATHS)) fail(value, `must be one of ${Object.keys(ARCH_PATHS).join(', ')}`);
  return value;
}

/** A distribution set name besides base (e.g. lib32, src, ports, kernel). */
export function distributionSet(value: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(value)) fail(value, 'must be a set name like lib32 or src');
  if (value === 'base') fail(value, 'is always extracted; list only extra sets');
  return value;
}
