/**
 * Resource limits of a jail: rctl(8) rules on the subject `jail:NAME` and a cpuset(1) CPU list.
 *
 * They live in two data files of the library's jail state directory (`NAME.rctl`, one rule a
 * line, and `NAME.cpuset`, the CPU list), written by the jail's limits step, and
 * jail(8)'s own hooks in the jail's conf apply them: exec.prestart adds the rules (a rule on
 * jail:NAME may name a jail that does not exist yet, sys/kern/kern_rctl.c prison_racct_find),
 * exec.poststart sets the cpuset (`cpuset -j` needs the jail, usr.bin/cpuset/cpuset.c), and
 * exec.poststop removes the rules (they outlive the jail otherwise). So `service jail start`
 * at boot brings them back with no library present. The hooks' text names only the files:
 * a change of the limits rewrites the files and applies them to the running jail, and leaves
 * the conf, and so the jail, alone. A jail whose app sets no limits any more has no limits step
 * left to remove them (Terraform runs no destroy for a step that left the configuration): prune
 * clears the rules and files of such a jail (LIMITS_KIND).
 */
import { defineHostKind } from '../host/prune';
import { expression, set } from './conf';
import { JailConfStatement } from '../render/jailconf';
import { helperCall, JAIL_STATE_DIR, ScriptBuilder, shellQuote } from '../shell';
import { ValidationError } from '../validate';
import { jailRunning } from './scripts';

/** The limits of jails (their rules and limit files), kept by the jails that have limits. */
export const LIMITS_KIND = defineHostKind({
  name: 'jail-limits',
  claims: 'resource limits of jails',
  how: 'rctl -r jail:NAME, the limit files removed',
  title: 'jail limits',
  pruneAction: 'jail-limits-prune',
  pruneArguments: (host) => [host.jailRootDataset],
  pruneOrder: 11,
  helperModule: 'resources.sh',
  constructs: ['JailFromSnapshot'],
});

/** The resources rctl(8) knows (resourcenames[] of sys/kern/kern_racct.c). */
export enum RctlResource {
  /** CPU time, in seconds. */
  CPUTIME = 'cputime',
  /** Data size, in bytes. */
  DATASIZE = 'datasize',
  /** Stack size, in bytes. */
  STACKSIZE = 'stacksize',
  /** Core dump size, in bytes. */
  COREDUMPSIZE = 'coredumpsize',
  /** Resident set size, in bytes. */
  MEMORYUSE = 'memoryuse',
  /** Locked memory, in bytes. */
  MEMORYLOCKED = 'memorylocked',
  /** Number of processes. */
  MAXPROC = 'maxproc',
  /** File descriptor table size. */
  OPENFILES = 'openfiles',
  /** Address space limit, in bytes. */
  VMEMORYUSE = 'vmemoryuse',
  /** Number of PTYs. */
  PSEUDOTERMINALS = 'pseudoterminals',
  /** Swap space that may be reserved or used, in bytes. */
  SWAPUSE = 'swapuse',
  /** Number of threads. */
  NTHR = 'nthr',
  /** Number of queued SysV messages. */
  MSGQQUEUED = 'msgqqueued',
  /** SysV message queue size, in bytes. */
  MSGQSIZE = 'msgqsize',
  /** Number of SysV message queues. */
  NMSGQ = 'nmsgq',
  /** Number of SysV semaphores. */
  NSEM = 'nsem',
  /** Number of SysV semaphores modified in a single semop(2) call. */
  NSEMOP = 'nsemop',
  /** Number of SysV shared memory segments. */
  NSHM = 'nshm',
  /** SysV shared memory size, in bytes. */
  SHMSIZE = 'shmsize',
  /** Wallclock time, in seconds. */
  WALLCLOCK = 'wallclock',
  /** %CPU, in percents of a single CPU core. */
  PCPU = 'pcpu',
  /** Filesystem reads, in bytes per second. */
  READBPS = 'readbps',
  /** Filesystem writes, in bytes per second. */
  WRITEBPS = 'writebps',
  /** Filesystem reads, in operations per second. */
  READIOPS = 'readiops',
  /** Filesystem writes, in operations per second. */
  WRITEIOPS = 'writeiops',
}

/** The signals an rctl rule may send (sigxxx actions of rctl(8)). */
export enum RctlSignal {
  /** SIGHUP. */
  SIGHUP = 'sighup',
  /** SIGINT. */
  SIGINT = 'sigint',
  /** SIGQUIT. */
  SIGQUIT = 'sigquit',
  /** SIGABRT. */
  SIGABRT = 'sigabrt',
  /** SIGKILL. */
  SIGKILL = 'sigkill',
  /** SIGTERM. */
  SIGTERM = 'sigterm',
  /** SIGSTOP. */
  SIGSTOP = 'sigstop',
  /** SIGXCPU. */
  SIGXCPU = 'sigxcpu',
  /** SIGXFSZ. */
  SIGXFSZ = 'sigxfsz',
  /** SIGUSR1. */
  SIGUSR1 = 'sigusr1',
  /** SIGUSR2. */
  SIGUSR2 = 'sigusr2',
}

/**
 * racct_types[] of sys/kern/kern_racct.c: D deniable, Y decaying (a rate), M kept in millionths
 * (so an amount at most (2^63-1)/10^6).
 */
const RESOURCE_FLAGS: Record<string, string> = {
  cputime: 'M', datasize: 'D', stacksize: 'D', coredumpsize: 'D', memoryuse: '', memorylocked: 'D',
  maxproc: 'D', openfiles: 'D', vmemoryuse: 'D', pseudoterminals: 'D', swapuse: 'D', nthr: 'D',
  msgqqueued: 'D', msgqsize: 'D', nmsgq: 'D', nsem: 'D', nsemop: 'D', nshm: 'D', shmsize: 'D',
  wallclock: 'M', pcpu: 'YDM', readbps: 'Y', writebps: 'Y', readiops: 'Y', writeiops: 'Y',
};

const INT64_MAX = 2n ** 63n - 1n;

/**
 * The amount of a rule as rctl(8) reads it: expand_number(3) digits with an optional k, m, g,
 * t, p or e (powers of 1024), in the range kern_rctl.c accepts. pcpu is a percentage of one
 * CPU, digits only.
 */
export function rctlAmount(resource: string, amount: string): bigint {
  if (resource === 'pcpu') {
    if (!/^[0-9]+$/.test(amount)) {
      throw new ValidationError(`${JSON.stringify(amount)} is no pcpu amount: a percentage of one CPU in digits (100 is one whole CPU, 250 two and a half), like "50", without a % sign or unit`);
    }
  } else if (!/^[0-9]+[kmgtpeKMGTPE]?$/.test(amount)) {
    throw new ValidationError(`${JSON.stringify(amount)} is no ${resource} amount as rctl reads it: digits with an optional unit k, m, g, t, p or e (powers of 1024), like "512m" or "2g"`);
  }
  const unit = amount.slice(-1).toLowerCase();
  const shift = BigInt(Math.max(0, ' kmgtpe'.indexOf(unit)) * 10);
  const digits = /[0-9]$/.test(amount) ? amount : amount.slice(0, -1);
  const value = BigInt(digits) << shift;
  const max = RESOURCE_FLAGS[resource].includes('M') ? INT64_MAX / 1000000n : INT64_MAX;
  if (value > max) throw new ValidationError(`${JSON.stringify(amount)} is more than rctl takes for ${resource} (at most ${max})`);
  return value;
}

/**
 * One rctl(8) rule of a jail: a resource, an action and an amount. The action must be one the
 * kernel allows for the resource (sys/kern/kern_rctl.c rctl_rule_add): deny only for resources
 * it can deny (not cputime, wallclock or the i/o rates), throttle only for the i/o rates.
 */
export class RctlRule {
  /** Refuse the allocation over the amount. */
  public static deny(resource: RctlResource, amount: string): RctlRule {
    return new RctlRule(resource, 'deny', amount);
  }

  /** Log a warning to the console over the amount. */
  public static log(resource: RctlResource, amount: string): RctlRule {
    return new RctlRule(resource, 'log', amount);
  }

  /** Send a devctl(4) notification to devd(8) over the amount. */
  public static devctl(resource: RctlResource, amount: string): RctlRule {
    return new RctlRule(resource, 'devctl', amount);
  }

  /** Slow the process down over the amount (i/o rates only). */
  public static throttle(resource: RctlResource, amount: string): RctlRule {
    return new RctlRule(resource, 'throttle', amount);
  }

  /** Send a signal to the offending process over the amount. */
  public static signal(resource: RctlResource, amount: string, signal: RctlSignal): RctlRule {
    return new RctlRule(resource, signal, amount);
  }

  private constructor(
    /** The resource. */
    public readonly resource: RctlResource,
    /** The action: deny, log, devctl, throttle or a signal name like sigterm. */
    public readonly action: string,
    /** The amount, as given. */
    public readonly amount: string,
  ) {}

  /** `resource:action=amount`, checked (the rule without its subject). @internal */
  public _text(): string {
    const resource = String(this.resource);
    if (!(resource in RESOURCE_FLAGS)) {
      throw new ValidationError(`${JSON.stringify(resource)} is no rctl resource (RctlResource lists them)`);
    }
    if (typeof this.amount !== 'string') throw new ValidationError(`the amount of ${resource} must be a string, like "512m"`);
    const flags = RESOURCE_FLAGS[resource];
    const text = `${resource}:${this.action}=${this.amount}`;
    if (this.action === 'deny' && !flags.includes('D') && resource !== 'memoryuse') {
      throw new ValidationError(`${JSON.stringify(text)}: the kernel cannot deny ${resource} (kern_rctl.c refuses it: Operation not supported); use log, devctl or a signal${flags.includes('Y') ? ', or throttle' : ''}`);
    }
    if (this.action === 'throttle' && (!flags.includes('Y') || resource === 'pcpu')) {
      throw new ValidationError(`${JSON.stringify(text)}: only the i/o rates (readbps, writebps, readiops, writeiops) can be throttled (kern_rctl.c refuses it: Operation not supported)`);
    }
    rctlAmount(resource, this.amount);
    return text;
  }
}

/** The resource limits of a jail. */
export interface JailResourceLimits {
  /**
   * rctl(8) rules on the jail, like `RctlRule.deny(RctlResource.MEMORYUSE, '2g')`. The host must
   * run with `kern.racct.enable=1` (a loader tunable, see HostSettings' `loaderTunables`).
   * @default - none
   */
  readonly rules?: RctlRule[];
  /**
   * The CPUs the jail may run on, a cpuset(1) list like `"0-3"` or `"0,2,4-5"`.
   * @default - every CPU
   */
  readonly cpus?: string;
}

/** The checked limits of a jail: its rules (`resource:action=amount`) and its CPU list. */
export interface CheckedLimits {
  readonly rules: string[];
  readonly cpus?: string;
  /** The highest CPU the list names. */
  readonly maxCpu?: number;
}

/**
 * Where a jail's limits live on its host: in the library's jail state directory, which exists
 * before the jail's dataset does (its network teardown is recorded there too).
 */
export function jailLimitFiles(name: string): { rctl: string; cpuset: string } {
  return { rctl: `${JAIL_STATE_DIR}/${name}.rctl`, cpuset: `${JAIL_STATE_DIR}/${name}.cpuset` };
}

/** A cpuset(1) CPU list as parselist (usr.bin/cpuset/cpuset.c) reads it; returns the highest CPU. */
export function cpuList(list: string): number {
  if (typeof list !== 'string' || !/^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$/.test(list)) {
    throw new ValidationError(`${JSON.stringify(list)} is no CPU list as cpuset reads it: CPU numbers and ranges joined by commas, like "0-3" or "0,2,4-5"`);
  }
  let max = 0;
  for (const part of list.split(',')) {
    const [lo, hi = lo] = part.split('-').map(Number);
    if (hi < lo) throw new ValidationError(`${JSON.stringify(list)}: the range ${part} runs backwards (cpuset would take it as no CPU at all); write ${hi}-${lo}`);
    // CPU_SETSIZE (MAXCPU) of amd64: cpuset refuses an entry above it.
    if (hi >= 1024) throw new ValidationError(`${JSON.stringify(list)}: CPU ${hi} exceeds the maximum of 1023`);
    max = Math.max(max, hi);
  }
  return max;
}

/** Check a jail's limits; undefined when there are none. */
export function checkLimits(limits: JailResourceLimits | undefined): CheckedLimits | undefined {
  if (!limits) return undefined;
  const rules = (limits.rules ?? []).map((r) => {
    if (!(r instanceof RctlRule)) throw new ValidationError('each rule must be an RctlRule, like RctlRule.deny(RctlResource.MEMORYUSE, "2g")');
    return r._text();
  });
  const seen = new Map<string, string>();
  for (const r of rules) {
    // The kernel keeps one rule per resource and action: a second deny replaces the first.
    const key = r.slice(0, r.indexOf('='));
    const other = seen.get(key);
    if (other) throw new ValidationError(`${JSON.stringify(other)} and ${JSON.stringify(r)} have the same resource and action; rctl keeps only one of them`);
    seen.set(key, r);
  }
  const maxCpu = limits.cpus === undefined ? undefined : cpuList(limits.cpus);
  if (rules.length === 0 && limits.cpus === undefined) throw new ValidationError('no rules and no cpus given; leave limits out instead');
  return { rules, cpus: limits.cpus, maxCpu };
}

/** The command that sets a jail's cpuset from its file (the jail is a jail.conf `$name` or a sh word). */
export function cpusetCommand(jail: string, file: string): string {
  return `/usr/bin/xargs /usr/bin/cpuset -j ${jail} -l < ${file}`;
}

/** The jail.conf hooks that apply the limits at start and remove them at stop. */
export function limitStatements(limits: CheckedLimits | undefined, files: { rctl: string; cpuset: string }): JailConfStatement[] {
  if (!limits) return [];
  const out: JailConfStatement[] = [];
  if (limits.rules.length > 0) {
    // exec.clean leaves PATH=/bin:/usr/bin: absolute commands. Rules left from before (a jail
    // removed without its hooks) are replaced; a failing add fails the start, as it should.
    out.push({ ...set('exec.prestart', expression(`/usr/bin/rctl -r jail:$name >/dev/null 2>&1; /usr/bin/xargs /usr/bin/rctl -a < ${files.rctl}`)), append: true });
    // rctl -r fails when there is no rule left (ESRCH): a stop must not fail on it.
    out.push({ ...set('exec.poststop', expression('/usr/bin/rctl -r jail:$name >/dev/null 2>&1; exit 0')), append: true });
  }
  if (limits.cpus !== undefined) {
    // After exec.start, not at exec.created: jail(8) killed between creating the jail and its
    // exec.start (a dropped session) would leave a jail that exists but never ran rc, which the
    // next start takes as running. The jail's processes move with its set (cpuset -j).
    out.push({ ...set('exec.poststart', expression(cpusetCommand('$name', files.cpuset))), append: true });
  }
  return out;
}

/** What the limits step's scripts are made of (checked values). */
export interface LimitScriptInput {
  readonly name: string;
  readonly limits: CheckedLimits;
  readonly files: { rctl: string; cpuset: string };
}

/** The message of a host without racct: what to add, and that it takes a reboot. */
export function racctMissingMessage(name: string): string {
  return `error: jail ${name} has rctl limits, and this host runs with kern.racct.enable=0 (or a kernel without RACCT): `
    + 'add kern.racct.enable=1 to /boot/loader.conf (HostSettings({ loaderTunables: { "kern.racct.enable": "1" } }) does) '
    + 'and reboot the host: a loader tunable takes effect at the next boot only, and this library never reboots a host';
}

/**
 * The limits step's create: preflight (racct on, the CPUs there), the files the jail's hooks
 * read, then the running jail's rules replaced and its cpuset set, without a restart.
 */
export function limitsCreateScript(i: LimitScriptInput): ScriptBuilder {
  const name = i.name;
  const subject = `jail:${name}`;
  const b = new ScriptBuilder('jail limits');
  const checks: string[] = [];
  if (i.limits.rules.length > 0) {
    checks.push(`if [ "$(sysctl -n kern.racct.enable 2>/dev/null || :)" != 1 ]; then echo ${shellQuote(racctMissingMessage(name))} >&2; exit 1; fi`);
  }
  if (i.limits.maxCpu !== undefined) {
    checks.push('ncpu=$(sysctl -n hw.ncpu)',
      `if [ "$ncpu" -le ${i.limits.maxCpu} ]; then echo "error: jail ${name}: cpus ${i.limits.cpus} names CPU ${i.limits.maxCpu}, and this host has $ncpu CPUs (0 to $((ncpu - 1)))" >&2; exit 1; fi`);
  }
  b.action(`jail ${name}: checking the host can hold its limits`, ...checks);
  const write = (file: string, text: string | undefined) => (text === undefined
    ? `rm -f ${shellQuote(file)}`
    : helperCall('write-file', file, '0644', text));
  b.action(`writing ${i.files.rctl} and ${i.files.cpuset}, which the jail's hooks read`,
    `mkdir -p ${JAIL_STATE_DIR}`,
    write(i.files.rctl, i.limits.rules.length > 0 ? i.limits.rules.map((r) => `${subject}:${r}\n`).join('') : undefined),
    write(i.files.cpuset, i.limits.cpus === undefined ? undefined : `${i.limits.cpus}\n`));
  const apply: string[] = [];
  if (i.limits.rules.length > 0) {
    apply.push(`  if [ -n "$(rctl ${shellQuote(subject)})" ]; then rctl -r ${shellQuote(subject)}; fi`,
      `  rctl -a ${i.limits.rules.map((r) => shellQuote(`${subject}:${r}`)).join(' ')}`);
  }
  if (i.limits.cpus !== undefined) apply.push(`  cpuset -l ${shellQuote(i.limits.cpus)} -j ${shellQuote(name)}`);
  b.action(`jail ${name}: its rules replaced and its cpuset set, when it runs (no restart)`,
    `if ${jailRunning(shellQuote(name))}; then`, ...apply, 'fi');
  return b;
}

/** The limits step's destroy: the jail's rules removed, the files gone (the cpuset goes with the jail's next start). */
export function limitsDestroyScript(i: LimitScriptInput): ScriptBuilder {
  return new ScriptBuilder('jail limits').action(`jail ${i.name}: removing its rctl rules and ${i.files.rctl}, ${i.files.cpuset}`,
    helperCall('jail-limits-clear', i.name));
}
