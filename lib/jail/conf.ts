/** The typed jail parameters and how they become jail.conf statements. */
import { JailConfStatement, JailConfValue } from '../render/jailconf';

/** The notebook's defaults for every jail; each can be overridden. */
export interface JailDefaults {
  /**
   * exec.start: the command that starts the jail's system.
   * @default "/bin/sh /etc/rc"
   */
  readonly execStart?: string;
  /**
   * exec.stop: the command that stops it.
   * @default "/bin/sh /etc/rc.shutdown"
   */
  readonly execStop?: string;
  /**
   * exec.clean: run commands in a clean environment (PATH=/bin:/usr/bin).
   * @default true
   */
  readonly execClean?: boolean;
  /**
   * mount.devfs: mount devfs in the jail (with devfs_ruleset, or ruleset 4).
   * @default true
   */
  readonly mountDevfs?: boolean;
  /**
   * host.hostname = $name.
   * @default true
   */
  readonly hostnameFromName?: boolean;
  /**
   * exec.consolelog, a jail.conf expression (`$name` is the jail's name).
   * @default "/var/log/jail_${name}_console.log"
   */
  readonly consoleLog?: string;
  /**
   * Copy the host's /etc/resolv.conf into the jail in exec.prestart and remove it in
   * exec.poststop, as the notebook does, for jails that do not give `resolvers` (false: those
   * jails keep their own /etc/resolv.conf, `JailResolvers.none()`).
   * @default true
   */
  readonly copyResolvConf?: boolean;
}

/** The System V IPC modes of sysvmsg, sysvsem and sysvshm. */
export enum SysvIpc {
  /** The jail gets its own IPC namespace. */
  NEW = 'new',
  /** The jail sees the host's IPC objects. */
  INHERIT = 'inherit',
  /** No System V IPC in the jail. */
  DISABLE = 'disable',
}

/** allow.* permissions; an unset member is not written (jail(8)'s default applies). */
export interface JailAllow {
  /** allow.set_hostname. @default - not set */
  readonly setHostname?: boolean;
  /** allow.sysvipc (prefer sysvmsg/sysvsem/sysvshm). @default - not set */
  readonly sysvipc?: boolean;
  /** allow.raw_sockets (ping, traceroute). @default - not set */
  readonly rawSockets?: boolean;
  /** allow.chflags (system file flags). @default - not set */
  readonly chflags?: boolean;
  /** allow.quotas. @default - not set */
  readonly quotas?: boolean;
  /** allow.socket_af (socket families besides IP and local). @default - not set */
  readonly socketAf?: boolean;
  /** allow.mlock. @default - not set */
  readonly mlock?: boolean;
  /** allow.reserved_ports. @default - not set */
  readonly reservedPorts?: boolean;
  /** allow.read_msgbuf. @default - not set */
  readonly readMsgbuf?: boolean;
  /** allow.unprivileged_proc_debug. @default - not set */
  readonly unprivilegedProcDebug?: boolean;
  /** allow.mount (has no effect unless enforce_statfs < 2). @default - not set */
  readonly mount?: boolean;
  /** allow.mount.devfs. @default - not set */
  readonly mountDevfs?: boolean;
  /** allow.mount.fdescfs. @default - not set */
  readonly mountFdescfs?: boolean;
  /** allow.mount.fusefs. @default - not set */
  readonly mountFusefs?: boolean;
  /** allow.mount.nullfs. @default - not set */
  readonly mountNullfs?: boolean;
  /** allow.mount.procfs. @default - not set */
  readonly mountProcfs?: boolean;
  /** allow.mount.linprocfs. @default - not set */
  readonly mountLinprocfs?: boolean;
  /** allow.mount.linsysfs. @default - not set */
  readonly mountLinsysfs?: boolean;
  /** allow.mount.tmpfs. @default - not set */
  readonly mountTmpfs?: boolean;
  /** allow.mount.zfs. @default - not set */
  readonly mountZfs?: boolean;
  /** allow.nfsd. @default - not set */
  readonly nfsd?: boolean;
  /** allow.suser. @default - not set */
  readonly suser?: boolean;
  /** allow.routing. @default - not set */
  readonly routing?: boolean;
  /** allow.vmm. @default - not set */
  readonly vmm?: boolean;
}

/** JailAllow members and their parameter names, in rendering order. */
export const ALLOW_PARAMETERS: ReadonlyArray<[keyof JailAllow, string]> = [
  ['setHostname', 'allow.set_hostname'], ['sysvipc', 'allow.sysvipc'], ['rawSockets', 'allow.raw_sockets'],
  ['chflags', 'allow.chflags'], ['quotas', 'allow.quotas'], ['socketAf', 'allow.socket_af'], ['mlock', 'allow.mlock'],
  ['reservedPorts', 'allow.reserved_ports'], ['readMsgbuf', 'allow.read_msgbuf'],
  ['unprivilegedProcDebug', 'allow.unprivileged_proc_debug'], ['mount', 'allow.mount'],
  ['mountDevfs', 'allow.mount.devfs'], ['mountFdescfs', 'allow.mount.fdescfs'], ['mountFusefs', 'allow.mount.fusefs'],
  ['mountNullfs', 'allow.mount.nullfs'], ['mountProcfs', 'allow.mount.procfs'],
  ['mountLinprocfs', 'allow.mount.linprocfs'], ['mountLinsysfs', 'allow.mount.linsysfs'],
  ['mountTmpfs', 'allow.mount.tmpfs'], ['mountZfs', 'allow.mount.zfs'], ['nfsd', 'allow.nfsd'],
  ['suser', 'allow.suser'], ['routing', 'allow.routing'], ['vmm', 'allow.vmm'],
];

/** Commands added with `+=` to the jail's exec.* hooks (jail.conf expressions: `$name`, `$path`). */
export interface JailExecHooks {
  /** exec.prepare (host, before anything). @default - none */
  readonly prepare?: string[];
  /** exec.prestart (host, before the jail is created). @default - none */
  readonly prestart?: string[];
  /** exec.created (host, after creation, before exec.start). @default - none */
  readonly created?: string[];
  /** exec.start (in the jail). @default - none */
  readonly start?: string[];
  /** exec.poststart (host). @default - none */
  readonly poststart?: string[];
  /** exec.prestop (host). @default - none */
  readonly prestop?: string[];
  /** exec.stop (in the jail). @default - none */
  readonly stop?: string[];
  /** exec.poststop (host, after the jail is removed). @default - none */
  readonly poststop?: string[];
  /** exec.release (host, after everything). @default - none */
  readonly release?: string[];
}

/** JailExecHooks members in jail(8)'s start order. */
export const EXEC_HOOKS: ReadonlyArray<keyof JailExecHooks> = [
  'prepare', 'prestart', 'created', 'start', 'poststart', 'prestop', 'stop', 'poststop', 'release',
];

/** Parameters with a typed property; the escape hatch refuses them. */
export const TYPED_PARAMETERS: readonly string[] = [
  'name', 'path', 'ip4.addr', 'ip6.addr', 'sysvmsg', 'sysvsem', 'sysvshm', 'mount.fstab', 'mount', 'mount.devfs',
  'mount.fdescfs', 'mount.procfs', 'devfs_ruleset', 'depend', ...ALLOW_PARAMETERS.map(([, p]) => p),
];

/**
 * Parameters that change what typed addresses mean, by the address parameter they contradict:
 * `ip4`/`ip6` (inherit, disable, new), `interface` (the interface of addresses without one) and
 * `ip_hostname` (addresses from the host name), per jail(8).
 */
export const ADDRESS_PARAMETERS: { readonly [name: string]: readonly string[] } = {
  'ip4': ['ip4.addr'],
  'ip6': ['ip6.addr'],
  'interface': ['ip4.addr', 'ip6.addr'],
  'ip_hostname': ['ip4.addr', 'ip6.addr'],
};

const literal = (text: string): JailConfValue => ({ text });
const expression = (text: string): JailConfValue => ({ text, expression: true });
export const set = (name: string, ...values: JailConfValue[]): JailConfStatement => ({ name, values });
export const flag = (name: string, value = true): JailConfStatement => ({ name, flag: value });
export { literal, expression };

/**
 * The resolv.conf hooks run as root on the host (jail(8) runs them through /bin/sh -c), in a
 * tree the jail's root user controls: a symlink planted at $path/etc or $path/etc/resolv.conf
 * would make them write or remove host files. No jail process runs at prestart or poststop,
 * so checking for symlinks first is sound. exec.clean leaves PATH=/bin:/usr/bin: absolute
 * commands. The poststop never fails (a stop must not fail on it); rm -f of a symlinked
 * resolv.conf removes the link only.
 * @internal
 */
export const RESOLV_CONF_PRESTART =
  'if [ -L $path/etc ] || [ -L $path/etc/resolv.conf ]; then echo "jail $name: $path/etc or $path/etc/resolv.conf is a symbolic link; refusing to copy resolv.conf" >&2; exit 1; fi; /bin/cp /etc/resolv.conf $path/etc/resolv.conf';
/** @internal */
export const RESOLV_CONF_POSTSTOP = 'if [ ! -L $path/etc ]; then /bin/rm -f $path/etc/resolv.conf; fi; exit 0';

/**
 * The host defaults as the first statements of a jail's block; `resolv` the jail's resolv.conf
 * hooks (see resolvers.ts), else the defaults' `copyResolvConf`.
 */
export function defaultStatements(d: JailDefaults, path: string, mountDevfs: boolean | undefined, resolv?: { prestart?: string; poststop?: string }): JailConfStatement[] {
  const out: JailConfStatement[] = [
    set('exec.start', expression(d.execStart ?? '/bin/sh /etc/rc')),
    set('exec.stop', expression(d.execStop ?? '/bin/sh /etc/rc.shutdown')),
  ];
  if (d.execClean ?? true) out.push(flag('exec.clean'));
  const devfs = mountDevfs ?? d.mountDevfs ?? true;
  out.push(flag('mount.devfs', devfs));
  if (d.hostnameFromName ?? true) out.push(set('host.hostname', expression('$name')));
  out.push(set('path', literal(path)));
  out.push(set('exec.consolelog', expression(d.consoleLog ?? '/var/log/jail_${name}_console.log')));
  const hooks = resolv ?? ((d.copyResolvConf ?? true) ? { prestart: RESOLV_CONF_PRESTART, poststop: RESOLV_CONF_POSTSTOP } : {});
  if (hooks.prestart) out.push(set('exec.prestart', expression(hooks.prestart)));
  if (hooks.poststop) out.push(set('exec.poststop', expression(hooks.poststop)));
  return out;
}
