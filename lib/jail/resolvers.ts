/**
 * A jail's /etc/resolv.conf: the host's copied in at start (the notebook's way, the default),
 * resolvers the user gives, or the jail's own file left alone. What resolv.conf may hold follows
 * lib/libc/resolv/res_init.c (the `nameserver`, `search` and `options` lines, MAXNS and
 * MAXDNSRCH of include/resolv.h); words the resolver ignores are refused here instead.
 */
import { shellQuote } from '../shell/quote';
import { ValidationError } from '../validate';
import { addressFamily } from '../validate/net';
import * as p from '../validate/props';

/** Options of given resolvers. */
export interface JailResolversOptions {
  /**
   * Domains searched for names without enough dots (`search` line), at most 6 (MAXDNSRCH).
   * @default - none
   */
  readonly search?: string[];
  /**
   * resolver options (`options` line) as res_init.c reads them: `ndots:N`, `timeout:N`,
   * `attempts:N`, `rotate`, `edns0`, `inet6`, `no-tld-query`, `no-check-names`, `insecure1`,
   * `insecure2`, `debug`.
   * @default - none
   */
  readonly options?: string[];
}

/** Where a jail's resolvers come from (`resolv.conf` inside the jail). */
export class JailResolvers {
  /**
   * The host's /etc/resolv.conf copied into the jail before each start (exec.prestart) and
   * removed after it stops (exec.poststop): the notebook's way. A VNET jail is refused at apply
   * when the host's file names a loopback nameserver (127.0.0.0/8, ::1: a host running
   * local_unbound), which in the jail would be its own loopback.
   */
  public static host(): JailResolvers {
    return new JailResolvers('host', [], {});
  }

  /**
   * These nameservers (at most 3, MAXNS) written as the jail's /etc/resolv.conf before each
   * start and removed after it stops, like `nameservers(['192.0.2.53'], { search: ['example.org'] })`.
   */
  public static nameservers(addresses: string[], options: JailResolversOptions = {}): JailResolvers {
    p.checkArgs('JailResolvers.nameservers', [
      ['addresses', addresses, p.required(p.list(p.str('"192.0.2.53"'), 'addresses'))],
      ['options', options, p.struct('JailResolversOptions', { search: p.list(p.str('"example.org"'), 'domains'), options: p.list(p.str('"edns0"'), 'resolver options') }, '{ search: ["example.org"] }')],
    ]);
    return new JailResolvers('given', [...addresses], options);
  }

  /** Nothing written or removed: the jail's own /etc/resolv.conf (or none) is what it uses. */
  public static none(): JailResolvers {
    return new JailResolvers('none', [], {});
  }

  /** `host`, `given` or `none`. */
  public readonly source: string;
  /** The nameservers given (none for `host` and `none`). */
  public readonly addresses: string[];
  /** The search domains given. */
  public readonly search: string[];
  /** The resolver options given. */
  public readonly options: string[];

  private constructor(source: string, addresses: string[], options: JailResolversOptions) {
    this.source = source;
    this.addresses = addresses;
    this.search = [...(options.search ?? [])];
    this.options = [...(options.options ?? [])];
  }
}

/** include/resolv.h. */
const MAXNS = 3;
const MAXDNSRCH = 6;
/** res_init.c copies the search line into defdname, 256 bytes with its NUL. */
const MAX_SEARCH_TEXT = 255;
/** The options res_setoptions knows in libc (others are ignored without a word). */
const RESOLVER_OPTIONS = /^(ndots:\d{1,2}|timeout:\d{1,2}|attempts:\d|rotate|edns0|inet6|no-tld-query|no_tld_query|no-check-names|insecure1|insecure2|debug)$/;
const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** The lines of the resolv.conf of given resolvers, checked; errors name the prop (`resolvers.addresses[1]`). */
export function resolvConfLines(at: string, r: JailResolvers): string[] {
  const bad = (what: string, why: string) => new ValidationError(`${at}: invalid resolvers.${what}: ${why}`);
  if (r.addresses.length === 0) throw bad('addresses', 'give at least one nameserver address, or JailResolvers.none() for none');
  if (r.addresses.length > MAXNS) throw bad('addresses', `${r.addresses.length} nameservers given: the resolver reads the first ${MAXNS} (MAXNS, include/resolv.h) and ignores the rest`);
  r.addresses.forEach((a, i) => {
    if (typeof a !== 'string' || addressFamily(a) === undefined) throw bad(`addresses[${i}]`, `${JSON.stringify(a)} is not an IPv4 or IPv6 address like 192.0.2.53 or 2001:db8::53`);
  });
  if (r.search.length > MAXDNSRCH) throw bad('search', `${r.search.length} domains given: the resolver searches at most ${MAXDNSRCH} (MAXDNSRCH, include/resolv.h)`);
  r.search.forEach((d, i) => {
    if (typeof d !== 'string' || !DOMAIN.test(d)) throw bad(`search[${i}]`, `${JSON.stringify(d)} is not a domain name like example.org`);
  });
  if (r.search.join(' ').length > MAX_SEARCH_TEXT) throw bad('search', `the search line is longer than ${MAX_SEARCH_TEXT} characters, which the resolver cuts`);
  r.options.forEach((o, i) => {
    if (typeof o !== 'string' || !RESOLVER_OPTIONS.test(o)) {
      throw bad(`options[${i}]`, `${JSON.stringify(o)} is not a resolver option (ndots:N, timeout:N, attempts:N, rotate, edns0, inet6, no-tld-query, no-check-names, insecure1, insecure2, debug; resolv.conf(5))`);
    }
  });
  return [
    ...r.addresses.map((a) => `nameserver ${a}`),
    ...(r.search.length > 0 ? [`search ${r.search.join(' ')}`] : []),
    ...(r.options.length > 0 ? [`options ${r.options.join(' ')}`] : []),
  ];
}

/**
 * The guard every resolv.conf hook starts with. The hooks run as root on the host (jail(8) runs
 * them through /bin/sh -c), in a tree the jail's root user controls: a symlink planted at
 * $path/etc or $path/etc/resolv.conf would make them write or remove host files. No jail
 * process runs at prestart or poststop, so checking for symlinks first is sound.
 */
const SYMLINK_GUARD = 'if [ -L $path/etc ] || [ -L $path/etc/resolv.conf ]; then echo "jail $name: $path/etc or $path/etc/resolv.conf is a symbolic link; refusing to write resolv.conf" >&2; exit 1; fi';

/**
 * exec.prestart of given resolvers: the lines written with echo (validated words only: addresses,
 * domains, option names), no backslash for jail.conf's lexer to read.
 * @internal
 */
export function resolvConfWriteHook(lines: string[]): string {
  return `${SYMLINK_GUARD}; { ${lines.map((l) => `echo ${l};`).join(' ')} } > $path/etc/resolv.conf`;
}

/** What a jail's resolvers add to its jail.conf block. @internal */
export interface ResolvHooks {
  readonly prestart?: string;
  readonly poststop?: string;
  /** The host's file is copied in. */
  readonly copiesHost: boolean;
}

/**
 * The resolv.conf hooks of a jail: `resolvers` if given, else the JailHost's `copyResolvConf`
 * (a copy, or nothing).
 * @internal
 */
export function resolvHooks(at: string, resolvers: JailResolvers | undefined, copyByDefault: boolean, prestartCopy: string, poststop: string): ResolvHooks {
  const r = resolvers ?? (copyByDefault ? JailResolvers.host() : JailResolvers.none());
  if (!['host', 'given', 'none'].includes(r.source)) throw new ValidationError(`${at}: invalid resolvers: use JailResolvers.host(), JailResolvers.nameservers([...]) or JailResolvers.none()`);
  if (r.source === 'none') return { copiesHost: false };
  if (r.source === 'host') return { prestart: prestartCopy, poststop, copiesHost: true };
  return { prestart: resolvConfWriteHook(resolvConfLines(at, r)), poststop, copiesHost: false };
}

/**
 * sh lines of the configuration step that refuse, before anything of the jail is written, a copy
 * of `file` into a VNET jail when it names a loopback nameserver (or is missing): in the jail's
 * own network stack 127.0.0.1 is the jail's loopback, where no resolver listens.
 * @internal
 */
export function loopbackResolverCheck(jailPath: string, jailName: string, file = '/etc/resolv.conf'): string[] {
  const q = shellQuote;
  const fix = `give the jail its resolvers: resolvers: JailResolvers.nameservers([...]) (an address the jail reaches, like the host's gateway address on its switch where a resolver listens there), or JailResolvers.none() to keep the jail's own /etc/resolv.conf`;
  return [
    `if [ ! -f ${q(file)} ]; then echo ${q(`error: jail ${jailName} (${jailPath}): the host has no ${file} to copy into the jail; ${fix}`)} >&2; exit 1; fi`,
    `loopback=$(awk '$1 == "nameserver" && ($2 ~ /^127\\./ || $2 == "::1") { print $2; exit }' ${q(file)})`,
    `if [ -n "$loopback" ]; then echo ${q(`error: jail ${jailName} (${jailPath}) is a VNET jail and the host's ${file} names nameserver `)}"$loopback"${q(` (a resolver on the host's loopback, like local_unbound): copied into the jail it would be the jail's own loopback, where nothing answers. ${fix}`)} >&2; exit 1; fi`,
  ];
}
