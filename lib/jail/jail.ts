import { Construct } from 'constructs';
import { FreeBsdHost, HostStep, stepScripts } from '../host';
import { constructsOfApp } from '../host/app-index';
import { defineHostKind, keepHostClaim, pruneHostBefore } from '../host/prune';
import { renderFstab } from '../render/fstab';
import { renderHostsLines } from '../render/hosts';
import { renderJailConfBlock } from '../render/jailconf';
import * as v from '../validate';
import * as p from '../validate/props';
import { FreeBsdRelease } from '../release';
import { ZfsTemplate } from '../zfs';
import { JailAddress } from './address';
import { ADDRESS_PARAMETERS, defaultStatements, JailAllow, JailExecHooks, literal, RESOLV_CONF_POSTSTOP, RESOLV_CONF_PRESTART, SysvIpc, TYPED_PARAMETERS } from './conf';
import { IDevfsRuleset } from '../devfs/reference';
import { registerJail } from './host';
import { IJail, IJailHost, JAIL_LIKE, JAIL_MEMBERS, JailForwardTarget } from './interfaces';
import { JailMount, JailNullfsMount, mountPointLines, ResolvedMounts, resolveMounts } from './mounts';
import { ownerMark } from '../shell';
import { JAIL_CONF, JAIL_CONF_DIR, jailName, MANAGED_FILE_MARKER } from './names';
import { hostStackTargets, IJailNetwork, JailNetwork, JailNetworkConfig } from './network';
import { JailParameter } from './parameters';
import { JailCreationMethod, JailRemovalPolicy, JailSnapshotPolicy, snapshotsKept } from './policy';
import { configCreateScript, configDestroyScript, datasetCreateScript, datasetDestroyScript, JailScriptInput, rollCreateScript, rollingDatasetCreateScript, word } from './scripts';
import { JailReplacement } from './replacement';
import { addRollFollower } from './inside';
import { JailResolvers, loopbackResolverCheck, resolvHooks } from './resolvers';
import { JailSource } from './source';
import { jailStatements } from './statements';
import { checkLimits, cpusetCommand, jailLimitFiles, JailResourceLimits, LIMITS_KIND, limitsCreateScript, limitsDestroyScript, limitStatements, RctlRule } from './limits';
import { dataAttachments, JailDatasetAttachment } from './data';
import { JailZfsProperties, ZFS_PROPERTIES_KIND, zfsPropertiesCreateScript, zfsPropertiesDestroyScript, zfsPropertyAssignments, ZFS_PROPERTIES_PROP } from './zfs-properties';
import { jailConfFile, jailFstabFile, jailTeardownWords } from './teardown';

export { JailCreationMethod, JailRemovalPolicy, JailSnapshotPolicy } from './policy';

/** Jails, kept by the owner mark on their datasets; pruned first (a switch goes once its jails are gone). */
const JAIL_KIND = defineHostKind({
  name: 'jail',
  claims: 'jails',
  how: 'teardown, then the dataset by its removal policy',
  title: 'jails',
  pruneAction: 'jail-prune',
  pruneArguments: (host) => [host.jailRootDataset, host.jailRootMountpoint, host.supportsJailConfInclude ? JAIL_CONF_DIR : JAIL_CONF],
  pruneOrder: 10,
  helperModule: 'jails.sh',
  constructs: ['JailFromSnapshot'],
});

/** Properties of a jail made from a ZFS snapshot. */
export interface JailFromSnapshotProps {
  /** The host's jail settings (a JailHost). */
  readonly jailHost: IJailHost;
  /**
   * The jail's name: `[A-Za-z0-9_]`, not all digits, at most 11 characters.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * What the jail is made from: `JailSource.template(template)` (a template of this app: the
   * jail is made again from each new snapshot of it) or `JailSource.snapshot("pool/ds@snap")`.
   */
  readonly source: JailSource;
  /**
   * Clone (fast, shared blocks) or send/receive (independent copy). Changing it replaces
   * the dataset.
   * @default JailCreationMethod.CLONE
   */
  readonly method?: JailCreationMethod;
  /**
   * What happens to the dataset when the jail is removed or its source changes.
   * @default JailRemovalPolicy.RETAIN
   */
  readonly removalPolicy?: JailRemovalPolicy;
  /**
   * A snapshot of the dataset as it is retired (`DATASET@cdktf-before-retire-<UTC time>`, kept
   * with the retired dataset), when its source changes or the jail is removed. With
   * `JailRemovalPolicy.DESTROY` none is taken: `zfs destroy -r` would take it along at once, so
   * `keep` is refused with DESTROY; keep the old dataset with RETAIN instead.
   * @default - JailSnapshotPolicy.keep(1) with RETAIN, none with DESTROY
   */
  readonly snapshotPolicy?: JailSnapshotPolicy;
  /**
   * Start the jail when it is created (and after each change of its parameters).
   * @default true
   */
  readonly start?: boolean;
  /**
   * IPv4 and IPv6 addresses (ip4.addr / ip6.addr), like `JailAddress.onInterface('lo1', '127.1.1.1/32')`:
   * the first network of the jail, `JailNetwork.aliases(addresses, { hostsEntries })`.
   * @default - none
   */
  readonly addresses?: JailAddress[];
  /**
   * Write `ADDRESS NAME` lines for the jail's `addresses` into /etc/hosts (a managed block).
   * @default true
   */
  readonly hostsEntries?: boolean;
  /**
   * Further networks the jail is attached to (after `addresses`), each bound to the jail.
   * @default - none
   */
  readonly networks?: IJailNetwork[];
  /**
   * allow.* permissions.
   * @default - none set
   */
  readonly allow?: JailAllow;
  /** sysvmsg. @default - not set (jail(8): disable) */
  readonly sysvmsg?: SysvIpc;
  /** sysvsem. @default - not set (jail(8): disable) */
  readonly sysvsem?: SysvIpc;
  /** sysvshm. @default - not set (jail(8): disable) */
  readonly sysvshm?: SysvIpc;
  /** mount.devfs. @default - the JailHost default (true) */
  readonly mountDevfs?: boolean;
  /** mount.fdescfs. @default false */
  readonly mountFdescfs?: boolean;
  /** mount.procfs. @default false */
  readonly mountProcfs?: boolean;
  /**
   * nullfs mounts, written to the jail's fstab `<jail root>/NAME.fstab` (mount.fstab).
   * @default - none
   */
  readonly nullfsMounts?: JailNullfsMount[];
  /**
   * Other mounts, each a single jail.conf `mount` line.
   * @default - none
   */
  readonly mounts?: JailMount[];
  /**
   * The devfs ruleset of mount.devfs: a DevfsRuleset, or `JailDevfsRuleset.fromNumber(n)` for
   * one the host has. A number never loaded is an empty ruleset: the jail would see all of /dev.
   * @default - not set (jail(8) uses ruleset 4)
   */
  readonly devfsRuleset?: IDevfsRuleset;
  /**
   * Commands appended (`+=`) to the exec.* hooks.
   * @default - none
   */
  readonly exec?: JailExecHooks;
  /**
   * Jails that must run before this one, on the same host. Terraform creates (and starts)
   * them first. The jail.conf `depend` parameter is written only on hosts with a single
   * /etc/jail.conf (before 14.0): jail(8) resolves `depend` only among the jails of the file
   * it reads, so in per-jail files under /etc/jail.conf.d it would always fail ("depends on
   * undefined jail"). There, boot order follows jail_list, in the order the jails were added.
   * @default - none
   */
  readonly depend?: IJail[];
  /**
   * Any other jail(8) parameter (unknown names are refused at synth).
   * @default - none
   */
  readonly parameters?: JailParameter[];
  /**
   * The jail's resolvers (its /etc/resolv.conf): `JailResolvers.nameservers(['192.0.2.53'], { search: ['example.org'] })`
   * written in at each start, `JailResolvers.host()` the host's file copied in at each start, or
   * `JailResolvers.none()` (the jail's own file). The copy into a VNET jail is refused at apply
   * when the host's file names a loopback nameserver (local_unbound's 127.0.0.1).
   * @default - the JailHost's `copyResolvConf`: the host's file copied in (JailResolvers.host()), or none
   */
  readonly resolvers?: JailResolvers;
  /**
   * A comment written above the jail's block (the notebook: "nullfs mount").
   * @default - none
   */
  readonly comment?: string;
  /**
   * Resource limits: rctl(8) rules and a cpuset, applied by the jail's own exec hooks at each
   * start (also at boot) and removed at stop. A change applies to the running jail without a
   * restart. rctl rules need `kern.racct.enable=1` in /boot/loader.conf and a reboot.
   * @default - none
   */
  readonly limits?: JailResourceLimits;
  /**
   * ZFS properties of the jail's dataset (quota, compression, ...), set in place with zfs set;
   * one taken out is undone (zfs inherit, or none for quotas and reservations).
   * @default - none
   */
  readonly zfsProperties?: JailZfsProperties;
  /**
   * Data datasets given to this jail (JailDataset), each through the jail's own configuration:
   * `JailDatasetAttachment.nullfs(data, "/var/db/postgres")` (a line of its fstab) or
   * `JailDatasetAttachment.delegated(data, { mountPoint: "/data" })` (the jail manages it). A jail
   * made again (a new source) gets them back.
   * @default - none
   */
  readonly datasets?: JailDatasetAttachment[];
  /**
   * How the jail is made again when its source changes (a template's new snapshot):
   * `JailReplacement.rolling()` for the first jail of an order and `JailReplacement.after(jail)`
   * for each next one roll the jails one at a time, each after the previous one is back and its
   * services healthy; the jails also are made one after another on the first apply.
   * @default JailReplacement.ALL_AT_ONCE
   */
  readonly replacement?: JailReplacement;
}

/**
 * A jail made from a ZFS snapshot, as the notebook's "Creating Jails from the Template" and
 * "Configuring Jails".
 *
 * Two steps: the dataset (replaced only when the source snapshot or the method changes, and
 * then dealt with by the removal policy), and the configuration (conf file, fstab, hosts,
 * jail_list, start). A change of any jail parameter replaces only the configuration step:
 * the jail is stopped, its files rewritten and it is started again; its data stays.
 */
export class JailFromSnapshot extends Construct implements IJail {
  /** The jail's name. */
  public readonly name: string;
  /** The host. */
  public readonly host: FreeBsdHost;
  /** The jail's dataset, like `zroot/vm/h1`. */
  public readonly datasetName: string;
  /** The jail's root, like `/vm/h1`. */
  public readonly path: string;
  /** The file that holds its configuration (/etc/jail.conf.d/NAME.conf, or /etc/jail.conf before 14.0). */
  public readonly confFile: string;
  /** The jail's fstab, when it has nullfs mounts. */
  public readonly fstabFile?: string;
  /** Its addresses on the host, from all its networks. */
  public readonly addresses: JailAddress[];
  /**
   * Its addresses as a port forward on the host sees them, from all its networks (VNET ones too).
   * @default - always set on a JailFromSnapshot
   */
  public readonly forwardTargets?: JailForwardTarget[];
  /** The snapshot it is made from. */
  public readonly sourceSnapshot: string;
  /**
   * The release of its userland: the template's, when made from one.
   * @default - unknown (made from a snapshot)
   */
  public readonly release?: FreeBsdRelease;
  /** The rendered jail block (what jail(8) reads). */
  public readonly confText: string;
  /** The step that makes the dataset. */
  public readonly datasetStep: HostStep;
  /** The step that writes the configuration and starts the jail. */
  public readonly configStep: HostStep;
  /**
   * The step that writes and applies the jail's resource limits.
   * @default - none (no limits)
   */
  public readonly limitsStep?: HostStep;
  /**
   * The step that sets the ZFS properties of the jail's dataset.
   * @default - none (no properties)
   */
  public readonly zfsPropertiesStep?: HostStep;
  /**
   * The step that moves the jail's dataset to a new source, when the jail rolls.
   * @default - none (JailReplacement.ALL_AT_ONCE)
   */
  public readonly rollStep?: HostStep;

  constructor(scope: Construct, id: string, props: JailFromSnapshotProps) {
    super(scope, id);
    const at = this.node.path;
    // The path is the jail's ownership mark: prune reads it back from `zfs list -H` (tab-separated) and from line-based files.
    v.validated(at, 'construct path', () => v.fieldText(at));
    p.checkProps(at, 'JailFromSnapshot', props, JAIL_PROPS);
    const jailHost = props.jailHost;
    const host = jailHost.host;
    this.host = host;
    this.name = v.validated(at, 'name', () => jailName(props.name ?? id));
    const template = props.source.sourceTemplate;
    if (template && template.host !== host) {
      throw new v.ValidationError(`${at}: invalid source: the template ${template.node.path} is on host ${template.host.node.path}, the jail on ${host.node.path}`);
    }
    this.sourceSnapshot = template?.snapshot ?? v.validated(at, 'source', () => v.snapshotName(props.source.sourceSnapshot!));
    this.release = template?.release;
    this.datasetName = `${host.jailRootDataset}/${this.name}`;
    this.path = `${host.jailRootMountpoint}/${this.name}`;
    const usesConfDir = host.supportsJailConfInclude;
    this.confFile = jailConfFile(this.name, usesConfDir);
    const networks = [
      ...(props.addresses && props.addresses.length > 0 ? [JailNetwork.aliases(props.addresses, { hostsEntries: props.hostsEntries })] : []),
      ...(props.networks ?? []),
    ];
    const bound: JailNetworkConfig[] = networks.map((n) => n.bind(this));
    this.addresses = bound.flatMap((c) => c.addresses ?? []);
    this.forwardTargets = bound.flatMap((c) => c.forwardTargets ?? hostStackTargets(c.addresses ?? []));
    const data = dataAttachments({ at, name: this.name, host, allow: props.allow, parameters: props.parameters, nullfsMounts: props.nullfsMounts, mounts: props.mounts }, props.datasets);
    const mounts = v.validated(at, 'mounts', () => resolveMounts(this.path, [...(props.nullfsMounts ?? []), ...data.nullfs], props.mounts ?? []));
    if (mounts.fstab.length > 0) this.fstabFile = jailFstabFile(this.name, host.jailRootMountpoint);
    const depend = props.depend ?? [];
    for (const d of depend) {
      if (d.host !== host) throw new v.ValidationError(`${at}: invalid depend: ${d.node.path} is on another host`);
    }

    const limits = v.validated(at, 'limits', () => checkLimits(props.limits));
    const limitFiles = jailLimitFiles(this.name);
    const zfsAssignments = v.validated(at, 'zfsProperties', () => zfsPropertyAssignments(props.zfsProperties));

    const networkParameters = bound.flatMap((c) => c.parameters ?? []);
    const addressParameters = new Set(networkParameters.map((p) => p.name));
    if (addressParameters.has('vnet') && (addressParameters.has('ip4.addr') || addressParameters.has('ip6.addr'))) {
      throw new v.ValidationError(`${at}: invalid addresses: aliased addresses (addresses, JailNetwork.aliases) are restrictions on the host's stack, `
        + 'and this jail has a stack of its own (a VNET network): jail(8) refuses both at once ("vnet jails cannot have IP address restrictions", '
        + 'sys/kern/kern_jail.c). Give its addresses on its VNET interfaces (new JailVnetNetwork({ interfaces: [{ bridge, addresses: [...] }] })), '
        + 'not as addresses or JailNetwork.aliases');
    }
    // A network's commands in the jail (a VNET jail's addresses, routes, forwarding) run before
    // its rc: jail(8) runs exec.start's commands in order (usr.sbin/jail/jail.c), and the
    // services rc starts need the network up. So they come first, rc after them.
    const networkStart = networkParameters.filter((p) => p.name === 'exec.start').flatMap((p) => p.values ?? []);
    const resolv = resolvHooks(at, props.resolvers, jailHost.defaults.copyResolvConf ?? true, RESOLV_CONF_PRESTART, RESOLV_CONF_POSTSTOP);
    const statements = v.validated(at, 'parameters', () => [
      ...defaultStatements(jailHost.defaults, this.path, props.mountDevfs, resolv).flatMap((d) => (d.name === 'exec.start' && !d.append && networkStart.length > 0
        ? [...networkStart.map((c, k) => ({ name: 'exec.start', values: [literal(c)], append: k > 0 })), { ...d, append: true }]
        : [d])),
      ...jailStatements({
        ...props,
        networkParameters: networkParameters.filter((p) => p.name !== 'exec.start'),
        fstabFile: this.fstabFile,
        mountLines: mounts.mountLines.map((m) => [m.device, m.mountPoint, m.type, m.options, '0', '0'].join(' ')),
        depend: depend.map((d) => d.name),
        usesConfDir,
      }),
      ...data.statements,
      ...(props.parameters ?? []).map((p) => {
        if (TYPED_PARAMETERS.includes(p.name)) {
          throw new v.ValidationError(`${JSON.stringify(p.name)} has a typed property on JailFromSnapshot; use it instead of the escape hatch`);
        }
        const positive = p.name.replace(/(^|\.)no([^.]+)$/, '$1$2');
        if (positive !== p.name && TYPED_PARAMETERS.includes(positive)) {
          throw new v.ValidationError(`${JSON.stringify(p.name)} is the no form of ${JSON.stringify(positive)}, which has a typed property on JailFromSnapshot; use it instead of the escape hatch`);
        }
        const contradicted = (ADDRESS_PARAMETERS[p.name] ?? []).filter((a) => addressParameters.has(a));
        if (contradicted.length > 0) {
          throw new v.ValidationError(`${JSON.stringify(p.name)} changes what the jail's typed addresses (${contradicted.join(', ')}) mean; give the addresses through the escape hatch too, or leave ${JSON.stringify(p.name)} out`);
        }
        return p._statement();
      }),
      ...limitStatements(limits, limitFiles),
    ]);
    this.confText = v.validated(at, 'comment', () =>
      renderJailConfBlock({
        name: this.name,
        header: [`${MANAGED_FILE_MARKER.slice(2)}: ${at}. Changes here are overwritten.`, ...(props.comment ? [props.comment] : [])],
        statements,
      }),
    );
    const hostsText = v.validated(at, 'hostsEntries', () =>
      renderHostsLines(bound.flatMap((c) => c.hostsEntries ?? []).map((e) => ({ address: e.address, names: e.names ?? [this.name] }))));
    const fstabText = this.fstabFile ? renderFstab(mounts.fstab, `${MANAGED_FILE_MARKER.slice(2)}: ${at}.`) : '';

    const owner = ownerMark(host.ownershipScope, at);
    registerJail(jailHost, { jailName: this.name, constructPath: at, addresses: this.addresses });
    // The host's prune step removes jails of its scope whose owner the app no longer keeps.
    keepHostClaim(host, JAIL_KIND, owner, this);
    // <root>/NAME must not be the templates' parent dataset (`tmpl` by default) of this host.
    this.node.addValidation({
      validate: () => {
        const clash = constructsOfApp(this.node.root, ZfsTemplate).find((c) => c.host === host && c.datasetName.startsWith(`${this.datasetName}/`));
        return clash ? [`${at}: invalid name: ${JSON.stringify(this.name)}: ${this.datasetName} holds the templates of this host (${clash.node.path}, ${clash.datasetName})`] : [];
      },
    });

    const removalPolicy = props.removalPolicy ?? JailRemovalPolicy.RETAIN;
    const retireSnapshot = v.validated(at, 'snapshotPolicy', () => retireSnapshotTaken(props.snapshotPolicy, removalPolicy));
    const input: JailScriptInput = {
      name: this.name,
      owner,
      datasetName: this.datasetName,
      path: this.path,
      sourceSnapshot: this.sourceSnapshot,
      method: props.method ?? JailCreationMethod.CLONE,
      removalPolicy,
      retireSnapshot,
      confFile: this.confFile,
      usesConfDir,
      confText: this.confText,
      fstabFile: this.fstabFile,
      fstabText,
      hostsText,
      teardown: bound.flatMap((c) => c.teardown ?? []),
      // A VNET jail has its own loopback: a host resolver on 127.0.0.1 is not there.
      resolverCheck: resolv.copiesHost && addressParameters.has('vnet') ? loopbackResolverCheck(this.path, this.name) : [],
      dataPrepare: data.prepare,
      dataAfterStart: data.afterStart,
      jailPaths: mounts.jailPaths,
      mountPointLines: mountPointLines(this.path, mounts.jailPaths),
      nullfsSources: nullfsDevices(mounts),
      start: props.start ?? true,
      jailRootDataset: host.jailRootDataset,
      jailRootMountpoint: host.jailRootMountpoint,
      teardownWords: jailTeardownWords(this.name, usesConfDir, this.path, host.jailRootMountpoint),
      cpuset: limits?.cpus !== undefined ? cpusetCommand(word(this.name), limitFiles.cpuset) : undefined,
    };
    if (limits) {
      // Before the dataset and the configuration: a host that cannot hold the limits (racct
      // off) fails here, before the jail is made or changed.
      const limitInput = { name: this.name, limits, files: limitFiles };
      this.limitsStep = new HostStep(this, 'limits', {
        host,
        description: `jail ${this.name}: resource limits`,
        ...stepScripts(limitsCreateScript(limitInput), limitsDestroyScript(limitInput)),
      });
      // After the host's prune: a removed jail of this name takes its limit files with it first.
      pruneHostBefore(host, this.limitsStep);
      // Without limits the jail has no limits step: prune clears the ones it had.
      keepHostClaim(host, LIMITS_KIND, owner, this);
    }
    const replacement = props.replacement ?? JailReplacement.ALL_AT_ONCE;
    const previous = replacement.previous;
    if (previous) checkRollingPrevious(this, previous);
    if (replacement.isRolling) {
      this.rollStep = new HostStep(this, 'roll', {
        host,
        description: `jail ${this.name}: dataset ${this.datasetName} from ${this.sourceSnapshot} (${input.method}), rolled`,
        ...stepScripts(rollCreateScript(input)),
        dependsOn: [jailHost.step, ...(template ? [template.step] : []), ...(this.limitsStep ? [this.limitsStep] : []), ...(previous ? [previous.configStep] : [])],
      });
      if (previous) addRollFollower(previous, this.rollStep);
      pruneHostBefore(host, this.rollStep);
    }
    this.datasetStep = new HostStep(this, 'dataset', {
      host,
      description: this.rollStep ? `jail dataset ${this.datasetName}` : `jail dataset ${this.datasetName} from ${this.sourceSnapshot} (${input.method})`,
      ...stepScripts(this.rollStep ? rollingDatasetCreateScript(input) : datasetCreateScript(input), datasetDestroyScript(input)),
      dependsOn: [jailHost.step, ...(template ? [template.step] : []), ...(this.limitsStep ? [this.limitsStep] : []), ...(this.rollStep ? [this.rollStep] : [])],
    });
    // After the host's prune: a removed jail with this one's name or addresses is gone first.
    pruneHostBefore(host, this.datasetStep);
    this.configStep = new HostStep(this, 'config', {
      host,
      description: `jail ${this.name}: ${this.confFile}, hosts, jail_list, start`,
      ...stepScripts(configCreateScript(input), configDestroyScript(input)),
      dependsOn: [
        jailHost.step,
        this.datasetStep,
        ...depend.map((d) => d.configStep),
        ...bound.flatMap((c) => c.dependsOn ?? []),
        ...(props.devfsRuleset?.rulesetStep ? [props.devfsRuleset.rulesetStep] : []),
        ...(this.limitsStep ? [this.limitsStep] : []),
        ...data.steps,
      ],
      // A new dataset (new source) needs the configuration applied again; changed rules of its
      // devfs ruleset, a restart (devfs applies a ruleset's rules when it mounts).
      replaceOn: {
        dataset: this.datasetStep.contentHash,
        ...data.replaceOn,
        ...(props.devfsRuleset?.rulesetStep ? { devfs_ruleset: props.devfsRuleset.rulesetStep.contentHash } : {}),
      },
    });
    if (zfsAssignments.length > 0) {
      // Without any the jail has no properties step: prune undoes the ones it had.
      keepHostClaim(host, ZFS_PROPERTIES_KIND, owner, this);
      // Set in place; made again on a new dataset (a new source), never a reason to make one.
      this.zfsPropertiesStep = new HostStep(this, 'zfs-properties', {
        host,
        description: `jail ${this.name}: ZFS properties of ${this.datasetName}`,
        ...stepScripts(zfsPropertiesCreateScript(this.datasetName, zfsAssignments), zfsPropertiesDestroyScript(this.datasetName)),
        dependsOn: [this.datasetStep, ...(this.rollStep ? [this.rollStep] : [])],
        replaceOn: { dataset: (this.rollStep ?? this.datasetStep).contentHash },
      });
    }
  }
}

/** What JailFromSnapshotProps must be, for users of untyped languages. */
const JAIL_PROPS: Record<string, p.Kind> = {
  jailHost: p.required(p.shaped('IJailHost', ['host', 'defaults', 'step'], 'new JailHost(scope, "jails", { host })')),
  name: p.str('"www"'),
  source: p.required(p.instanceOf(JailSource, 'JailSource.template(template) or JailSource.snapshot("zroot/vm/tmpl/14.5@p1")', {
    sourceTemplate: p.shaped('IZfsTemplate', ['host', 'snapshot', 'step'], 'new ZfsTemplate(scope, "template", { host })'),
    sourceSnapshot: p.str('"zroot/vm/tmpl/14.5@p1"'),
  })),
  method: p.oneOf('JailCreationMethod', JailCreationMethod),
  removalPolicy: p.oneOf('JailRemovalPolicy', JailRemovalPolicy),
  snapshotPolicy: p.instanceOf(JailSnapshotPolicy, 'JailSnapshotPolicy.keep(1) or JailSnapshotPolicy.none()'),
  start: p.bool,
  addresses: p.list(p.instanceOf(JailAddress, (given) => `JailAddress.onInterface("lo1", ${typeof given === 'string' ? JSON.stringify(given) : '"127.1.1.1/32"'})`), 'JailAddress objects'),
  hostsEntries: p.bool,
  networks: p.list(p.implementing('IJailNetwork', 'bind', 'new JailVnetNetwork({ interfaces: [{ bridge, addresses: ["172.31.1.11/24"] }] })'), 'networks'),
  allow: p.struct('JailAllow', {}, '{ setHostname: true }'),
  sysvmsg: p.oneOf('SysvIpc', SysvIpc),
  sysvsem: p.oneOf('SysvIpc', SysvIpc),
  sysvshm: p.oneOf('SysvIpc', SysvIpc),
  mountDevfs: p.bool,
  mountFdescfs: p.bool,
  mountProcfs: p.bool,
  nullfsMounts: p.list(p.struct('JailNullfsMount', {
    hostPath: p.required(p.str('"/usr/ports"')),
    jailPath: p.required(p.str('"/usr/ports"')),
    readOnly: p.bool,
  }, '{ hostPath: "/usr/ports", jailPath: "/usr/ports" }'), 'JailNullfsMount structs'),
  mounts: p.list(p.struct('JailMount', {
    device: p.required(p.str('"tmpfs"')),
    jailPath: p.required(p.str('"/tmp"')),
    type: p.required(p.str('"tmpfs"')),
    options: p.str('"rw,mode=1777"'),
  }, '{ device: "tmpfs", jailPath: "/tmp", type: "tmpfs" }'), 'JailMount structs'),
  devfsRuleset: p.struct('IDevfsRuleset', { rulesetNumber: p.required(p.num('4')) }, 'new DevfsRuleset(scope, "bpf", { ... }) or JailDevfsRuleset.fromNumber(4)'),
  exec: p.struct('JailExecHooks', {}, '{ start: ["/bin/sh /etc/rc"] }'),
  depend: p.list(p.shaped('IJail', JAIL_MEMBERS, JAIL_LIKE), 'jails'),
  parameters: p.list(p.instanceOf(JailParameter, 'JailParameter.set("host.hostname", "www.example.org")'), 'JailParameter objects'),
  resolvers: p.instanceOf(JailResolvers, 'JailResolvers.nameservers(["192.0.2.53"]), JailResolvers.host() or JailResolvers.none()'),
  comment: p.str('"nullfs mount"'),
  limits: p.struct('JailResourceLimits', {
    rules: p.list(p.instanceOf(RctlRule, 'RctlRule.deny(RctlResource.MEMORYUSE, "2g")'), 'RctlRule objects'),
    cpus: p.str('"0-3"'),
  }, '{ rules: [RctlRule.deny(RctlResource.MEMORYUSE, "2g")], cpus: "0-3" }'),
  zfsProperties: ZFS_PROPERTIES_PROP,
  datasets: p.list(p.instanceOf(JailDatasetAttachment, 'JailDatasetAttachment.nullfs(data, "/var/db/postgres")'), 'JailDatasetAttachment objects'),
  replacement: p.instanceOf(JailReplacement, 'JailReplacement.rolling() or JailReplacement.after(previousJail)'),
};

/** Which jail rolls after which (one follower each: two would roll, and be down, at once). */
const rollFollowers = new WeakMap<IJail, JailFromSnapshot>();

/** `previous` of a jail that rolls after it: a rolling jail of the same host, followed by no other. */
function checkRollingPrevious(jail: JailFromSnapshot, previous: IJail): void {
  const at = jail.node.path;
  const bad = (why: string) => new v.ValidationError(`${at}: invalid replacement: JailReplacement.after(${previous.node.path}): ${why}`);
  p.checkProps(at, 'JailFromSnapshot', { replacement: previous }, { replacement: p.shaped('IJail', JAIL_MEMBERS, JAIL_LIKE) });
  if ((previous as IJail) === jail) throw bad('a jail cannot roll after itself (a cycle)');
  if (previous.host !== jail.host) throw bad(`that jail is on host ${previous.host.node.path}, this one on ${jail.host.node.path}: a rolling order is one host's`);
  if (!previous.rollStep) throw bad(`that jail does not roll; give it replacement: JailReplacement.rolling() (the first of the order) or JailReplacement.after(...)`);
  const other = rollFollowers.get(previous);
  if (other) throw bad(`${other.node.path} rolls after it already; two jails after one would roll, and be down, at once: chain them (JailReplacement.after(${other.node.path}))`);
  rollFollowers.set(previous, jail);
}

/** Host directories shown in the jail through nullfs (fstab entries and `mount` lines). */
function nullfsDevices(mounts: ResolvedMounts): string[] {
  return [...mounts.fstab, ...mounts.mountLines].filter((m) => m.type === 'nullfs').map((m) => m.device);
}

/** Whether the dataset gets a snapshot as it is retired: never with DESTROY, where asking for one is refused. */
function retireSnapshotTaken(policy: JailSnapshotPolicy | undefined, removal: JailRemovalPolicy): boolean {
  const keep = policy === undefined ? undefined : snapshotsKept(policy);
  if (removal === JailRemovalPolicy.DESTROY) {
    if (keep) {
      throw new v.ValidationError(`JailSnapshotPolicy.keep(${keep}) with removalPolicy JailRemovalPolicy.DESTROY: zfs destroy -r takes the snapshot along with the dataset; `
        + 'use JailRemovalPolicy.RETAIN to keep the old dataset with its snapshot, or leave snapshotPolicy out');
    }
    return false;
  }
  return keep !== 0;
}
