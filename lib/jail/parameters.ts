/**
 * The jail(8) parameters this library knows (FREEBSD.md, "jail(8) parameters"), and the
 * escape hatch for those without a typed property.
 */
import { JailConfStatement, jailConfParameterName, jailConfReferences } from '../render/jailconf';
import { ValidationError } from '../validate';
import * as p from '../validate/props';

/** Parameters the kernel knows (settable with jail -c / jail.conf). */
export const KERNEL_JAIL_PARAMETERS: readonly string[] = [
  'name', 'path', 'securelevel', 'osreldate', 'osrelease', 'enforce_statfs', 'devfs_ruleset', 'persist', 'vnet',
  'children.max', 'host', 'host.hostname', 'host.domainname', 'host.hostuuid', 'host.hostid', 'ip4', 'ip6',
  'ip4.addr', 'ip6.addr', 'ip4.saddrsel', 'ip6.saddrsel', 'allow.set_hostname', 'allow.sysvipc',
  'allow.raw_sockets', 'allow.chflags', 'allow.quotas', 'allow.socket_af', 'allow.mlock', 'allow.reserved_ports',
  'allow.read_msgbuf', 'allow.unprivileged_proc_debug', 'allow.mount', 'allow.mount.devfs', 'allow.mount.fdescfs',
  'allow.mount.fusefs', 'allow.mount.nullfs', 'allow.mount.procfs', 'allow.mount.linprocfs', 'allow.mount.linsysfs',
  'allow.mount.tmpfs', 'allow.mount.zfs', 'allow.nfsd', 'allow.suser', 'allow.routing', 'allow.vmm', 'linux',
  'linux.osname', 'linux.osrelease', 'sysvmsg', 'sysvsem', 'sysvshm', 'meta', 'env',
];

/** Pseudo-parameters that jail(8) itself handles. */
export const PSEUDO_JAIL_PARAMETERS: readonly string[] = [
  'exec.prepare', 'exec.prestart', 'exec.created', 'exec.start', 'exec.poststart', 'exec.prestop', 'exec.stop',
  'exec.poststop', 'exec.release', 'exec.clean', 'exec.consolelog', 'exec.fib', 'exec.jail_user',
  'exec.system_jail_user', 'exec.system_user', 'exec.timeout', 'command', 'depend', 'interface', 'ip_hostname',
  'mount', 'mount.devfs', 'mount.fdescfs', 'mount.procfs', 'mount.fstab', 'stop.timeout', 'vnet.interface',
  'zfs.dataset',
];

const KNOWN = new Set([...KERNEL_JAIL_PARAMETERS, ...PSEUDO_JAIL_PARAMETERS]);

/** Whether jail(8) knows a parameter (booleans also in their `no` form, like `allow.nomount`). */
export function isKnownJailParameter(name: string): boolean {
  if (KNOWN.has(name)) return true;
  const dot = name.lastIndexOf('.');
  const last = name.slice(dot + 1);
  return last.startsWith('no') && KNOWN.has(name.slice(0, dot + 1) + last.slice(2));
}

/** Throw unless `name` is a known parameter. */
export function knownJailParameter(name: string): string {
  jailConfParameterName(name);
  if (!isKnownJailParameter(name)) {
    throw new ValidationError(`${JSON.stringify(name)} is not a jail(8) parameter this library knows (see KERNEL_JAIL_PARAMETERS and PSEUDO_JAIL_PARAMETERS)`);
  }
  return name;
}

/** Throw unless every `$name` in an expression refers to a known parameter (no user variables here). */
export function checkReferences(text: string): string {
  for (const ref of jailConfReferences(text)) {
    if (!KNOWN.has(ref)) {
      throw new ValidationError(`${JSON.stringify(text)} refers to $${ref}, which is no jail parameter (write \\$ for a literal dollar)`);
    }
  }
  return text;
}

/**
 * Any other jail(8) parameter: the escape hatch. The name must be one jail(8) knows (an
 * unknown name is a synth error). Values are jail.conf expressions: `$name` and `${name}`
 * refer to jail parameters (e.g. `$path`), `\$` is a literal dollar, all else is literal.
 */
export class JailParameter {
  /** `name;` (true) or the `no` form (false), e.g. `JailParameter.flag('persist', true)`. */
  public static flag(name: string, value: boolean): JailParameter {
    p.checkArgs('JailParameter.flag', [['name', name, p.required(p.str('"persist"'))], ['value', value, p.required(p.bool)]]);
    return new JailParameter(name, undefined, false, value);
  }

  /** `name = "value";`, e.g. `JailParameter.set('securelevel', '3')`. */
  public static set(name: string, value: string): JailParameter {
    p.checkArgs('JailParameter.set', [['name', name, p.required(p.str('"host.hostname"'))], ['value', value, p.required(p.str('"www.example.org"'))]]);
    return new JailParameter(name, [value], false, true);
  }

  /** `name = "a", "b";` (a list parameter). */
  public static list(name: string, values: string[]): JailParameter {
    p.checkArgs('JailParameter.list', [['name', name, p.required(p.str('"ip4.addr"'))], ['values', values, p.required(p.list(p.str('"lo1|127.1.1.1/32"'), 'strings'))]]);
    return new JailParameter(name, [...values], false, true);
  }

  /** `name += "value";` (append to a list, e.g. one more exec.start command). */
  public static append(name: string, value: string): JailParameter {
    p.checkArgs('JailParameter.append', [['name', name, p.required(p.str('"exec.prestart"'))], ['value', value, p.required(p.str('"logger starting"'))]]);
    return new JailParameter(name, [value], true, true);
  }

  private constructor(
    /** The parameter name. */
    public readonly name: string,
    private readonly values: string[] | undefined,
    private readonly appendValue: boolean,
    private readonly flagValue: boolean,
  ) {}

  /** The checked statement. @internal */
  public _statement(): JailConfStatement {
    knownJailParameter(this.name);
    if (this.values === undefined) return { name: this.name, flag: this.flagValue };
    if (this.values.length === 0) throw new ValidationError(`${this.name} needs at least one value`);
    return {
      name: this.name,
      append: this.appendValue,
      values: this.values.map((v) => ({ text: checkReferences(v), expression: true })),
    };
  }
}
