/**
 * Data datasets (`JailDataset`): a ZFS dataset of its own, outside every jail's system dataset,
 * made once, given to exactly one jail and kept by a removal policy of its own (RETAIN by
 * default), so a jail re-created from a new template snapshot gets its data back.
 *
 * Where: `<jail root dataset>/.data/NAME`, mounted at `<jail root>/.data/NAME`. Beside the jails'
 * datasets, never under one: a jail's dataset is destroyed with `zfs destroy -r` or renamed under
 * `.retired` when its source changes or it goes, and that takes its children along; `.data` is no
 * jail name (jail names have no `.`), jail-prune looks only at datasets with the jail role, and
 * prune-parents leaves the jail root alone while `.data` holds anything.
 *
 * Given to its jail through the jail's own configuration (JailFromSnapshot `datasets`), so that
 * `service jail start` at boot attaches it with no library present:
 * - nullfs: a `mount.fstab` line (the jail's fstab), read-write by default;
 * - delegated: the jail manages it (zfs-jail(8)). The dataset gets `jailed=on` (the host no longer
 *   mounts it; its mountpoint is read inside the jail). FreeBSD 15.0 and later attach it with the
 *   `zfs.dataset` parameter, which jail(8) runs as `zfs jail` after exec.created and before
 *   exec.start (usr.sbin/jail/jail.c, startcommands); earlier releases get the same command as an
 *   exec.poststart hook (the jail must exist: zone_dataset_attach needs its prison,
 *   sys/contrib/openzfs/module/os/freebsd/spl/spl_zone.c), after exec.start rather than at
 *   exec.created: a start cut off between the two (a dropped session) would leave a jail that
 *   never ran rc and that the next start takes as running. The configuration step attaches and
 *   mounts again after its start, for a start cut off in exec.poststart. The attachment is kept
 *   on the prison and goes with it (spl_zone.c, the OSD destructor): no `zfs unjail` is needed at stop. A mount
 *   made from inside the jail stays after the jail goes (and keeps the prison dying), so the
 *   poststop hook unmounts it on the host. Mounting from inside needs `allow.mount`,
 *   `allow.mount.zfs` and `enforce_statfs` below 2 (sys/kern/kern_jail.c, prison_priv_check;
 *   sys/contrib/openzfs/module/os/freebsd/zfs/zfs_vfsops.c, zfs_mount).
 */
import { Construct, IConstruct } from 'constructs';
import { FreeBsdHost, HostStep, stepScripts } from '../host';
import { defineHostKind, keepHostClaim, pruneHostBefore } from '../host/prune';
import { DATA_DATASET, DATA_ROLE, helperCall, ownerMark, REMOVAL_PROPERTY, ScriptBuilder, shellQuote } from '../shell';
import * as v from '../validate';
import * as p from '../validate/props';
import { expression, flag, JailAllow, literal, set } from './conf';
import { JailConfStatement } from '../render/jailconf';
import { JailMount, JailNullfsMount } from './mounts';
import { JailParameter } from './parameters';
import { JailRemovalPolicy } from './policy';
import { JailZfsProperties, zfsPropertiesCreateScript, zfsPropertiesDestroyScript, zfsPropertyAssignments, ZFS_PROPERTIES_PROP } from './zfs-properties';

/** Data datasets, kept by the owner mark on them; pruned after the jails that used them. */
const DATA_KIND = defineHostKind({
  name: 'data',
  claims: 'data datasets',
  how: 'destroyed when their removal policy is destroy, else left where they are',
  title: 'data datasets',
  pruneAction: 'data-prune',
  pruneArguments: (host) => [`${host.jailRootDataset}/${DATA_DATASET}`],
  pruneOrder: 15,
  helperModule: 'data.sh',
  constructs: ['JailDataset'],
});

/** A data dataset, as a jail's `datasets` use it (JailDataset). */
export interface IJailDataset extends IConstruct {
  /** Its name, the last component of its dataset. */
  readonly name: string;
  /** The host. */
  readonly host: FreeBsdHost;
  /** The dataset, like `zroot/vm/.data/pgdata`. */
  readonly datasetName: string;
  /** Where the host mounts it (a nullfs attachment's source), like `/vm/.data/pgdata`. */
  readonly mountpoint: string;
  /** The step that makes it (its destroy applies the removal policy). */
  readonly datasetStep: HostStep;
  /** The step that records its removal policy and sets its ZFS properties, in place. */
  readonly settingsStep: HostStep;
}

/** Properties of a data dataset. */
export interface JailDatasetProps {
  /** The host it lives on (the jail's). */
  readonly host: FreeBsdHost;
  /**
   * Its name: letters, digits, `_`, `.` and `-`, starting with a letter, digit or `_`, at most 64
   * characters; the dataset is `<jail root dataset>/.data/NAME`. Unique on the host.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * What happens to the dataset when it leaves the app or is destroyed: `RETAIN` leaves it where
   * it is, with its data, attached to nothing (declaring it again, at the same construct path,
   * adopts it); `DESTROY` runs `zfs destroy -r`. Recorded on the dataset, changed in place.
   * @default JailRemovalPolicy.RETAIN
   */
  readonly removalPolicy?: JailRemovalPolicy;
  /**
   * ZFS properties (quota, compression, ...), set in place with zfs set; one taken out is undone.
   * @default - none
   */
  readonly zfsProperties?: JailZfsProperties;
}

const DATA_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const NAMES = new WeakMap<FreeBsdHost, Map<string, string>>();

/**
 * A ZFS dataset of its own for a jail's data, outside the jail's system dataset: it survives the
 * jail's re-creation from a new template, its retirement and its destruction. Give it to one jail
 * with `JailDatasetAttachment.nullfs(...)` or `.delegated(...)` in the jail's `datasets`.
 */
export class JailDataset extends Construct implements IJailDataset {
  /** Its name. */
  public readonly name: string;
  /** The host. */
  public readonly host: FreeBsdHost;
  /** The dataset, like `zroot/vm/.data/pgdata`. */
  public readonly datasetName: string;
  /** Where the host mounts it when it is not delegated, like `/vm/.data/pgdata`. */
  public readonly mountpoint: string;
  /** The removal policy. */
  public readonly removalPolicy: JailRemovalPolicy;
  /** The step that makes it. */
  public readonly datasetStep: HostStep;
  /** The step that records its removal policy and sets its ZFS properties. */
  public readonly settingsStep: HostStep;

  constructor(scope: Construct, id: string, props: JailDatasetProps) {
    super(scope, id);
    const at = this.node.path;
    v.validated(at, 'construct path', () => v.fieldText(at));
    p.checkProps(at, 'JailDataset', props, DATA_PROPS);
    const host = props.host;
    this.host = host;
    this.name = v.validated(at, 'name', () => dataName(props.name ?? id));
    const names = NAMES.get(host) ?? new Map<string, string>();
    NAMES.set(host, names);
    const other = names.get(this.name);
    if (other) throw new v.ValidationError(`${at}: invalid name: ${JSON.stringify(this.name)}: ${other} has that name on host ${host.node.path} already; data dataset names are unique on a host`);
    names.set(this.name, at);
    const parent = `${host.jailRootDataset}/${DATA_DATASET}`;
    this.datasetName = `${parent}/${this.name}`;
    this.mountpoint = `${host.jailRootMountpoint}/${DATA_DATASET}/${this.name}`;
    this.removalPolicy = props.removalPolicy ?? JailRemovalPolicy.RETAIN;
    const assignments = v.validated(at, 'zfsProperties', () => zfsPropertyAssignments(props.zfsProperties));
    const owner = ownerMark(host.ownershipScope, at);
    keepHostClaim(host, DATA_KIND, owner, this);

    const ds = this.datasetName;
    this.datasetStep = new HostStep(this, 'dataset', {
      host,
      description: `data dataset ${ds}`,
      ...stepScripts(
        new ScriptBuilder('data dataset').action(`data dataset ${ds}, marked as ${owner}'s`,
          helperCall('dataset-create', ds, owner, DATA_ROLE, host.jailRootDataset, host.jailRootMountpoint, parent)),
        new ScriptBuilder('data dataset')
          .action(`data dataset ${ds}: by its recorded removal policy`, helperCall('data-dataset-remove', ds, owner))
          .action('removing empty managed parents', helperCall('prune-parents', parent, host.jailRootDataset)),
      ),
    });
    // After the host's prune: a removed data dataset of this name goes first when its policy says so.
    pruneHostBefore(host, this.datasetStep);
    const settings = assignments.length > 0 ? zfsPropertiesCreateScript(ds, assignments) : zfsPropertiesDestroyScript(ds);
    this.settingsStep = new HostStep(this, 'settings', {
      host,
      description: `data dataset ${ds}: removal policy ${this.removalPolicy}${assignments.length > 0 ? `, ${assignments.join(' ')}` : ''}`,
      ...stepScripts(settings.action(`${ds}: recording removal policy ${this.removalPolicy}`,
        `zfs set ${shellQuote(`${REMOVAL_PROPERTY}=${this.removalPolicy}`)} ${shellQuote(ds)}`)),
      dependsOn: [this.datasetStep],
      replaceOn: { dataset: this.datasetStep.contentHash },
    });
  }
}

/** What JailDatasetProps must be, for users of untyped languages. */
const DATA_PROPS: Record<string, p.Kind> = {
  host: p.required(p.instanceOf(FreeBsdHost, 'new FreeBsdHost(scope, "host", { address: "192.0.2.10" })')),
  name: p.str('"pgdata"'),
  removalPolicy: p.oneOf('JailRemovalPolicy', JailRemovalPolicy),
  zfsProperties: ZFS_PROPERTIES_PROP,
};

function dataName(name: string): string {
  if (typeof name !== 'string' || !DATA_NAME.test(name)) {
    throw new v.ValidationError(`${JSON.stringify(name)} must be letters, digits, _ . and -, starting with a letter, digit or _, at most 64 characters`);
  }
  return name;
}

/** Options of a nullfs attachment. */
export interface JailDatasetNullfsOptions {
  /**
   * Mount it read-only in the jail.
   * @default false
   */
  readonly readOnly?: boolean;
}

/** Options of a delegated attachment. */
export interface JailDatasetDelegationOptions {
  /**
   * Where the jail mounts it, a path inside the jail (its `mountpoint` property, which ZFS reads
   * relative to the jail's root once the dataset is jailed): mounted after each start
   * (`jexec NAME zfs mount`), unmounted after each stop.
   * @default - none: `mountpoint=none`, the jail mounts or divides it itself
   */
  readonly mountPoint?: string;
}

/** How a data dataset is given to its jail (a jail's `datasets`). */
export class JailDatasetAttachment {
  /**
   * Mounted at `jailPath` inside the jail with nullfs, through the jail's fstab (mount.fstab):
   * the host keeps the dataset mounted at its own mountpoint.
   */
  public static nullfs(dataset: IJailDataset, jailPath: string, options: JailDatasetNullfsOptions = {}): JailDatasetAttachment {
    return new JailDatasetAttachment(dataset, 'nullfs', jailPath, options.readOnly ?? false);
  }

  /**
   * Delegated: the jail manages the dataset itself (`zfs` inside the jail: mount, snapshots,
   * children, properties but quotas). It is `jailed=on`; FreeBSD 15.0 and later attach it with the
   * jail's `zfs.dataset` parameter, earlier ones with `zfs jail` in exec.poststart; the jail gets
   * `allow.mount`, `allow.mount.zfs` and `enforce_statfs = 1`, and must see /dev/zfs (devfs
   * ruleset 4, the default, shows it).
   */
  public static delegated(dataset: IJailDataset, options: JailDatasetDelegationOptions = {}): JailDatasetAttachment {
    return new JailDatasetAttachment(dataset, 'delegated', options.mountPoint, false);
  }

  private constructor(
    /** The data dataset. */
    public readonly dataset: IJailDataset,
    /** `nullfs` or `delegated`. */
    public readonly mode: string,
    /**
     * The path inside the jail: the nullfs mount point, or a delegated dataset's mountpoint.
     * @default - a delegated dataset without a mount point
     */
    public readonly jailPath: string | undefined,
    /** A read-only nullfs mount. */
    public readonly readOnly: boolean,
  ) {}
}

/** The jail each data dataset was given to: exactly one. */
const GIVEN = new WeakMap<IJailDataset, string>();

/** A jail's data attachments, checked: what its configuration gets. @internal */
export interface DataAttachments {
  /** nullfs entries for the jail's fstab. */
  readonly nullfs: JailNullfsMount[];
  /** Jail-side paths of delegated datasets' mount points (checked for overlaps with the mounts). */
  readonly delegatedPaths: string[];
  /** jail.conf statements: the delegation's permissions, zfs.dataset or hooks. */
  readonly statements: JailConfStatement[];
  /** sh lines of the configuration step, before the jail starts: each dataset in its mode. */
  readonly prepare: string[];
  /** sh lines of the configuration step after it started the jail: attached and mounted, if a start was cut off. */
  readonly afterStart: string[];
  /** The steps the jail's configuration waits for. */
  readonly steps: HostStep[];
  /** The datasets' step hashes: a new dataset re-attaches (the configuration step is replaced). */
  readonly replaceOn: Record<string, string>;
}

/** What of the jail the attachments are checked against. @internal */
export interface DataAttachmentJail {
  readonly at: string;
  readonly name: string;
  readonly host: FreeBsdHost;
  readonly allow?: JailAllow;
  readonly parameters?: readonly JailParameter[];
  readonly nullfsMounts?: readonly JailNullfsMount[];
  readonly mounts?: readonly JailMount[];
}

/**
 * Check a jail's `datasets` (each on the jail's host, given to this jail only, paths absolute and
 * clear of the jail's other mounts, the delegation's permissions not contradicted) and say what
 * the jail's configuration gets. Errors name the jail, `datasets` and the value. @internal
 */
export function dataAttachments(jail: DataAttachmentJail, attachments: readonly JailDatasetAttachment[] | undefined): DataAttachments {
  const list = attachments ?? [];
  const out: DataAttachments = { nullfs: [], delegatedPaths: [], statements: [], prepare: [], afterStart: [], steps: [], replaceOn: {} };
  if (list.length === 0) return out;
  const fail = (why: string): never => {
    throw new v.ValidationError(`${jail.at}: invalid datasets: ${why}`);
  };
  const taken = [...(jail.nullfsMounts ?? []), ...(jail.mounts ?? [])].map((m) => m.jailPath);
  const delegated: IJailDataset[] = [];
  for (const a of list) {
    if (!(a instanceof JailDatasetAttachment)) fail(`${JSON.stringify(a)} must be a JailDatasetAttachment, like JailDatasetAttachment.nullfs(data, "/var/db/postgres")`);
    const ds = a.dataset;
    if (ds.host !== jail.host) fail(`the data dataset ${ds.node.path} is on host ${ds.host.node.path}, the jail on ${jail.host.node.path}`);
    const other = GIVEN.get(ds);
    if (other) fail(`the data dataset ${ds.node.path} (${ds.datasetName}) is given to ${other === jail.at ? 'this jail' : other} already; a data dataset belongs to exactly one jail, once`);
    if (a.jailPath !== undefined) {
      const path = a.jailPath;
      if (path === '/') fail(`mount point "/" of ${ds.node.path} would hide the whole jail`);
      v.validated(jail.at, 'datasets', () => v.absolutePath(path));
      const clash = taken.find((t) => t === path || path.startsWith(`${t}/`) || t.startsWith(`${path}/`));
      if (clash) fail(`mount point ${JSON.stringify(path)} of ${ds.node.path} overlaps ${JSON.stringify(clash)}`);
      taken.push(path);
    }
    const q = shellQuote(ds.datasetName);
    if (a.mode === 'nullfs') {
      out.nullfs.push({ hostPath: ds.mountpoint, jailPath: a.jailPath!, readOnly: a.readOnly });
      out.prepare.push(
        `if [ "$(zfs get -H -o value jailed ${q})" = on ]; then zfs set jailed=off ${q}; zfs inherit mountpoint ${q}; fi`,
        helperCall('dataset-mounted', ds.datasetName, ds.mountpoint));
    } else {
      delegated.push(ds);
      if (a.jailPath !== undefined) out.delegatedPaths.push(a.jailPath);
      out.prepare.push(
        `[ "$(zfs get -H -o value jailed ${q})" = on ] || zfs set jailed=on ${q}`,
        `[ "$(zfs get -H -o value mountpoint ${q})" = ${shellQuote(a.jailPath ?? 'none')} ] || zfs set ${shellQuote(`mountpoint=${a.jailPath ?? 'none'}`)} ${q}`);
    }
    GIVEN.set(ds, jail.at);
    out.steps.push(ds.datasetStep, ds.settingsStep);
    out.replaceOn[`data_${ds.name}`] = ds.datasetStep.contentHash;
  }
  if (delegated.length > 0) {
    for (const [key, name] of [['mount', 'allow.mount'], ['mountZfs', 'allow.mount.zfs']] as const) {
      if (jail.allow?.[key] === false) fail(`a delegated dataset (${delegated[0].node.path}) needs ${name}; the jail sets allow.${key} to false`);
    }
    for (const param of jail.parameters ?? []) {
      const value = param.name === 'enforce_statfs' ? param._statement().values?.[0]?.text : undefined;
      if (param.name === 'enforce_statfs' && value !== '0' && value !== '1') {
        fail(`a delegated dataset (${delegated[0].node.path}) is mounted from inside the jail only with enforce_statfs below 2 (jail(8), allow.mount.zfs); the jail's parameters set it to ${JSON.stringify(value)}`);
      }
    }
    out.statements.push(flag('allow.mount'), flag('allow.mount.zfs'));
    if (!(jail.parameters ?? []).some((x) => x.name === 'enforce_statfs')) out.statements.push(set('enforce_statfs', literal('1')));
    if ((jail.host.release?.major ?? 0) >= 15) {
      out.statements.push(set('zfs.dataset', ...delegated.map((d) => literal(d.datasetName))));
    } else {
      for (const d of delegated) out.statements.push({ ...set('exec.poststart', expression(`/sbin/zfs jail $name ${d.datasetName}`)), append: true });
    }
    const name = shellQuote(jail.name);
    for (const d of delegated) {
      const q = shellQuote(d.datasetName);
      out.afterStart.push(`jexec ${name} zfs list -H -o name ${q} >/dev/null 2>&1 || zfs jail ${name} ${q}`);
    }
    for (const a of list.filter((x) => x.mode === 'delegated' && x.jailPath !== undefined)) {
      const ds = a.dataset.datasetName;
      const mounted = `/sbin/zfs get -H -o value mounted ${ds} | /usr/bin/grep -qx`;
      out.afterStart.push(`zfs get -H -o value mounted ${shellQuote(ds)} | grep -qx yes || jexec ${name} zfs mount ${shellQuote(ds)}`);
      out.statements.push(
        { ...set('exec.poststart', expression(`${mounted} yes || /usr/sbin/jexec $name /sbin/zfs mount ${ds}`)), append: true },
        { ...set('exec.poststop', expression(`${mounted} no || /sbin/umount -f $path${a.jailPath}`)), append: true });
    }
  }
  return out;
}
