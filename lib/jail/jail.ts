import { Construct } from 'constructs';
import { FreeBsdHost, HostStep } from '../host';
import { renderFstab } from '../render/fstab';
import { renderHostsLines } from '../render/hosts';
import { JailConfStatement, renderJailConfBlock } from '../render/jailconf';
import {
  datasetExists,
  ensureParents,
  managedBlock,
  OWNER_PROPERTY,
  pruneParents,
  RETIRED_DATASET,
  retireDatasetLines,
  ROLE_PROPERTY,
  snapshotExists,
  sysrcAddWord,
  sysrcRemoveWord,
  writeFileIfChanged,
} from '../shell';
import * as v from '../validate';
import { ZfsTemplate } from '../zfs';
import { JailAddress, JailAddressFamily } from './address';
import { ALLOW_PARAMETERS, defaultStatements, EXEC_HOOKS, expression, flag, JailAllow, JailExecHooks, literal, set, SysvIpc, TYPED_PARAMETERS } from './conf';
import { JailHost } from './host';
import { JailMount, JailNullfsMount, mountPointLines, ResolvedMounts, resolveMounts } from './mounts';
import {
  JAIL_CONF,
  JAIL_CONF_DIR,
  JAIL_NAME_PROPERTY,
  JAIL_ROLE,
  jailName,
  MANAGED_FILE_MARKER,
  REMOVAL_PROPERTY,
} from './names';
import { checkReferences, JailParameter } from './parameters';
import { removeManagedFileLines } from './prune';
import { jailRunning, ownedBy, stopJailLines, unmountUnderLines, word } from './scripts';

/** How a jail's dataset is made from the snapshot. */
export enum JailCreationMethod {
  /** `zfs clone`: instant, shares blocks with the snapshot, keeps the snapshot alive. */
  CLONE = 'clone',
  /** `zfs send | zfs receive`: an independent copy. */
  SEND_RECEIVE = 'send-receive',
}

/** What happens to a jail's dataset when the jail is removed (as CDK's RemovalPolicy). */
export enum JailRemovalPolicy {
  /** `zfs destroy -r`: the jail's data is gone. */
  DESTROY = 'destroy',
  /**
   * Renamed aside to `<jail root>/.retired/NAME-<UTC time>`, unmounted and marked retired;
   * never deleted by this library. A retained clone keeps its template snapshot alive.
   */
  RETAIN = 'retain',
}

/** Properties of a jail made from a ZFS snapshot. */
export interface JailFromSnapshotProps {
  /** The host's jail settings. */
  readonly jailHost: JailHost;
  /**
   * The jail's name: `[A-Za-z0-9_]`, not all digits, at most 11 characters.
   * @default the construct id
   */
  readonly name?: string;
  /**
   * The template whose snapshot the jail is made from (give this or `snapshot`).
   * @default none: `snapshot` is used
   */
  readonly template?: ZfsTemplate;
  /**
   * A snapshot (`DATASET@NAME`) to make the jail from, when it is not a ZfsTemplate here.
   * @default the template's snapshot
   */
  readonly snapshot?: string;
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
   * Start the jail when it is created (and after each change of its parameters).
   * @default true
   */
  readonly start?: boolean;
  /**
   * IPv4 and IPv6 addresses (ip4.addr / ip6.addr), like `JailAddress.onInterface('lo1', '127.1.1.1/32')`.
   * @default none
   */
  readonly addresses?: JailAddress[];
  /**
   * Write `ADDRESS NAME` lines for the jail's addresses into /etc/hosts (a managed block).
   * @default true
   */
  readonly hostsEntries?: boolean;
  /**
   * allow.* permissions.
   * @default none set
   */
  readonly allow?: JailAllow;
  /** sysvmsg. @default not set (jail(8): disable) */
  readonly sysvmsg?: SysvIpc;
  /** sysvsem. @default not set (jail(8): disable) */
  readonly sysvsem?: SysvIpc;
  /** sysvshm. @default not set (jail(8): disable) */
  readonly sysvshm?: SysvIpc;
  /** mount.devfs. @default the JailHost default (true) */
  readonly mountDevfs?: boolean;
  /** mount.fdescfs. @default false */
  readonly mountFdescfs?: boolean;
  /** mount.procfs. @default false */
  readonly mountProcfs?: boolean;
  /**
   * nullfs mounts, written to the jail's fstab `<jail root>/NAME.fstab` (mount.fstab).
   * @default none
   */
  readonly nullfsMounts?: JailNullfsMount[];
  /**
   * Other mounts, each a single jail.conf `mount` line.
   * @default none
   */
  readonly mounts?: JailMount[];
  /**
   * devfs_ruleset number for mount.devfs. A number never loaded is an empty ruleset: the
   * jail would see all of /dev.
   * @default not set (jail(8) uses ruleset 4)
   */
  readonly devfsRuleset?: number;
  /**
   * Commands appended (`+=`) to the exec.* hooks.
   * @default none
   */
  readonly exec?: JailExecHooks;
  /**
   * Jails that must run before this one, on the same host. Terraform creates (and starts)
   * them first. The jail.conf `depend` parameter is written only on hosts with a single
   * /etc/jail.conf (before 14.0): jail(8) resolves `depend` only among the jails of the file
   * it reads, so in per-jail files under /etc/jail.conf.d it would always fail ("depends on
   * undefined jail"). There, boot order follows jail_list, in the order the jails were added.
   * @default none
   */
  readonly depend?: JailFromSnapshot[];
  /**
   * Any other jail(8) parameter (unknown names are refused at synth).
   * @default none
   */
  readonly parameters?: JailParameter[];
  /**
   * A comment written above the jail's block (the notebook: "nullfs mount").
   * @default none
   */
  readonly comment?: string;
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
export class JailFromSnapshot extends Construct {
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
  /** Its addresses. */
  public readonly addresses: JailAddress[];
  /** The snapshot it is made from. */
  public readonly sourceSnapshot: string;
  /** The release of the template, when made from a ZfsTemplate. */
  public readonly release?: string;
  /** The rendered jail block (what jail(8) reads). */
  public readonly confText: string;
  /** The step that makes the dataset. */
  public readonly datasetStep: HostStep;
  /** The step that writes the configuration and starts the jail. */
  public readonly configStep: HostStep;
  private readonly usesConfDir: boolean;

  constructor(scope: Construct, id: string, props: JailFromSnapshotProps) {
    super(scope, id);
    const at = this.node.path;
    const jailHost = props.jailHost;
    const host = jailHost.host;
    this.host = host;
    this.name = v.validated(at, 'name', () => jailName(props.name ?? id));
    if ((props.template === undefined) === (props.snapshot === undefined)) {
      throw new v.ValidationError(`${at}: invalid source: give exactly one of template and snapshot`);
    }
    if (props.template && props.template.host !== host) {
      throw new v.ValidationError(`${at}: invalid template: ${props.template.node.path} is on host ${props.template.host.node.path}, the jail on ${host.node.path}`);
    }
    this.sourceSnapshot = props.template?.snapshot ?? v.validated(at, 'snapshot', () => v.snapshotName(props.snapshot!));
    this.release = props.template?.release;
    this.datasetName = `${host.jailRootDataset}/${this.name}`;
    this.path = `${host.jailRootMountpoint}/${this.name}`;
    this.usesConfDir = jailHost.usesConfDir;
    this.confFile = jailHost.usesConfDir ? `${JAIL_CONF_DIR}/${this.name}.conf` : JAIL_CONF;
    this.addresses = [...(props.addresses ?? [])];
    const seen = new Set<string>();
    for (const a of this.addresses) {
      if (seen.has(a.canonicalIp)) throw new v.ValidationError(`${at}: invalid addresses: ${JSON.stringify(a.ip)} is given twice`);
      seen.add(a.canonicalIp);
    }
    const mounts = v.validated(at, 'mounts', () => resolveMounts(this.path, props.nullfsMounts ?? [], props.mounts ?? []));
    if (mounts.fstab.length > 0) this.fstabFile = `${host.jailRootMountpoint}/${this.name}.fstab`;
    const depend = props.depend ?? [];
    for (const d of depend) {
      if (d.host !== host) throw new v.ValidationError(`${at}: invalid depend: ${d.node.path} is on another host`);
    }

    const statements = v.validated(at, 'parameters', () => [
      ...defaultStatements(jailHost.defaults, this.path, props.mountDevfs),
      ...this.typedStatements(props, mounts.mountLines.map((m) => [m.device, m.mountPoint, m.type, m.options, '0', '0'].join(' ')), depend),
      ...(props.parameters ?? []).map((p) => {
        if (TYPED_PARAMETERS.includes(p.name)) {
          throw new v.ValidationError(`${JSON.stringify(p.name)} has a typed property on JailFromSnapshot; use it instead of the escape hatch`);
        }
        return p._statement();
      }),
    ]);
    this.confText = v.validated(at, 'comment', () =>
      renderJailConfBlock({
        name: this.name,
        header: [`${MANAGED_FILE_MARKER.slice(2)}: ${at}. Changes here are overwritten.`, ...(props.comment ? [props.comment] : [])],
        statements,
      }),
    );
    const hostsText = props.hostsEntries === false ? '' : renderHostsLines(this.addresses.map((a) => ({ address: a.ip, names: [this.name] })));
    const fstabText = this.fstabFile ? renderFstab(mounts.fstab, `${MANAGED_FILE_MARKER.slice(2)}: ${at}.`) : '';

    jailHost._register({ jailName: this.name, owner: at, path: this.path, addresses: this.addresses });
    // <root>/NAME must not be the templates' parent dataset (`tmpl` by default) of this host.
    this.node.addValidation({
      validate: () => {
        const clash = this.node.root.node
          .findAll()
          .find((c): c is ZfsTemplate => c instanceof ZfsTemplate && c.host === host && c.datasetName.startsWith(`${this.datasetName}/`));
        return clash ? [`${at}: invalid name: ${JSON.stringify(this.name)}: ${this.datasetName} holds the templates of this host (${clash.node.path}, ${clash.datasetName})`] : [];
      },
    });

    this.datasetStep = new HostStep(this, 'dataset', {
      host,
      description: `jail dataset ${this.datasetName} from ${this.sourceSnapshot} (${props.method ?? JailCreationMethod.CLONE})`,
      create: this.datasetCreateLines(props.method ?? JailCreationMethod.CLONE),
      destroy: this.datasetDestroyLines(),
      dependsOn: [jailHost.step, ...(props.template ? [props.template.step] : [])],
    });
    this.configStep = new HostStep(this, 'config', {
      host,
      description: `jail ${this.name}: ${this.confFile}, hosts, jail_list, start`,
      create: this.configCreateLines(props, mounts.jailPaths, nullfsDevices(mounts), hostsText, fstabText),
      destroy: this.configDestroyLines(),
      dependsOn: [jailHost.step, this.datasetStep, ...depend.map((d) => d.configStep)],
      // A new dataset (new source) needs the configuration applied again.
      replaceOn: { dataset: this.datasetStep.contentHash },
    });
  }

  private typedStatements(props: JailFromSnapshotProps, mountLines: string[], depend: JailFromSnapshot[]): JailConfStatement[] {
    const out: JailConfStatement[] = [];
    for (const family of [JailAddressFamily.IPV4, JailAddressFamily.IPV6]) {
      const values = this.addresses.filter((a) => a.family === family).map((a) => literal(a.parameterValue));
      if (values.length > 0) out.push(set(family === JailAddressFamily.IPV4 ? 'ip4.addr' : 'ip6.addr', ...values));
    }
    for (const [key, name] of ALLOW_PARAMETERS) {
      const value = props.allow?.[key];
      if (value !== undefined) out.push(flag(name, value));
    }
    if (this.fstabFile) out.push(set('mount.fstab', literal(this.fstabFile)));
    if (mountLines.length > 0) out.push(set('mount', ...mountLines.map(literal)));
    for (const [name, mode] of [['sysvmsg', props.sysvmsg], ['sysvsem', props.sysvsem], ['sysvshm', props.sysvshm]] as const) {
      if (mode !== undefined) out.push(set(name, literal(mode)));
    }
    if (props.mountFdescfs) out.push(flag('mount.fdescfs'));
    if (props.mountProcfs) out.push(flag('mount.procfs'));
    if (props.devfsRuleset !== undefined) {
      if (!Number.isInteger(props.devfsRuleset) || props.devfsRuleset < 0 || props.devfsRuleset > 65535) {
        throw new v.ValidationError(`devfsRuleset ${props.devfsRuleset} must be an integer from 0 to 65535`);
      }
      out.push(set('devfs_ruleset', literal(String(props.devfsRuleset))));
    }
    // jail(8) resolves depend only within the -f file: per-jail files cannot name other jails.
    if (depend.length > 0 && !this.usesConfDir) out.push(set('depend', ...depend.map((d) => literal(d.name))));
    for (const hook of EXEC_HOOKS) {
      for (const command of props.exec?.[hook] ?? []) {
        out.push({ name: `exec.${hook}`, append: true, values: [expression(checkHook(command))] });
      }
    }
    return out;
  }

  private datasetCreateLines(method: JailCreationMethod): string[] {
    const host = this.host;
    const at = this.node.path;
    const ds = word(this.datasetName);
    const snap = word(this.sourceSnapshot);
    const props = [
      `${OWNER_PROPERTY}=${at}`,
      `${ROLE_PROPERTY}=${JAIL_ROLE}`,
      `${JAIL_NAME_PROPERTY}=${this.name}`,
      // Safe until the configuration step records the chosen policy.
      `${REMOVAL_PROPERTY}=${JailRemovalPolicy.RETAIN}`,
    ].flatMap((p) => ['-o', word(p)]);
    const make =
      method === JailCreationMethod.CLONE
        ? [`echo ${word(`==> cloning ${this.sourceSnapshot} to ${this.datasetName}`)}`, `zfs clone ${props.join(' ')} ${snap} ${ds}`]
        : [
          `echo ${word(`==> copying ${this.sourceSnapshot} to ${this.datasetName} (zfs send | zfs receive)`)}`,
          `zfs send ${snap} | zfs receive -u ${props.join(' ')} ${ds}`,
        ];
    return [
      `if ${datasetExists(this.datasetName)}; then`,
      `  if ! ${ownedBy(ds, word(at))}; then`,
      `    echo ${word(`error: dataset ${this.datasetName} exists and is not managed by ${at}; refusing to touch it`)} >&2`,
      '    exit 1',
      '  fi',
      `  echo ${word(`==> dataset ${this.datasetName} exists`)}`,
      'else',
      ...ensureParents(host.jailRootDataset, host.jailRootMountpoint, []).map((l) => `  ${l}`),
      `  if ! ${snapshotExists(this.sourceSnapshot)}; then`,
      `    echo ${word(`error: snapshot ${this.sourceSnapshot} does not exist`)} >&2`,
      '    exit 1',
      '  fi',
      ...make.map((l) => `  ${l}`),
      'fi',
      `if [ "$(zfs get -H -o value mountpoint ${ds})" != ${word(this.path)} ]; then`,
      `  echo ${word(`error: dataset ${this.datasetName} is not mounted at ${this.path}`)} >&2`,
      '  exit 1',
      'fi',
      `if [ "$(zfs get -H -o value mounted ${ds})" != yes ]; then zfs mount ${ds}; fi`,
    ];
  }

  private datasetDestroyLines(): string[] {
    const host = this.host;
    const root = host.jailRootDataset;
    const ds = word(this.datasetName);
    return [
      `if ${datasetExists(this.datasetName)} && ${ownedBy(ds, word(this.node.path))}; then`,
      // Terraform runs no destroy provisioner of a tainted configuration step (its create
      // failed): the dataset's destroy, which always runs, removes those leftovers too.
      ...this.configDestroyLines().map((l) => `  ${l}`),
      `  if [ "$(zfs get -H -o value ${REMOVAL_PROPERTY} ${ds})" = ${JailRemovalPolicy.DESTROY} ]; then`,
      `    echo ${word(`==> destroying dataset ${this.datasetName}`)}`,
      `    zfs destroy -r ${ds}`,
      '  else',
      ...ensureParents(root, host.jailRootMountpoint, [`${root}/${RETIRED_DATASET}`]).map((l) => `    ${l}`),
      ...retireDatasetLines(ds, word(`${root}/${RETIRED_DATASET}`), this.name).map((l) => `    ${l}`),
      '  fi',
      'elif ' + datasetExists(this.datasetName) + '; then',
      `  echo ${word(`dataset ${this.datasetName} is not managed by ${this.node.path}: left alone`)}`,
      'fi',
      ...pruneParents([`${root}/${RETIRED_DATASET}`, root]),
    ];
  }

  private configCreateLines(props: JailFromSnapshotProps, jailPaths: string[], nullfsSources: string[], hostsText: string, fstabText: string): string[] {
    const name = this.name;
    const conf = word(this.confFile);
    const lines = [
      `if ${jailRunning(name)} && [ "$(jls -j ${name} path)" != ${word(this.path)} ]; then`,
      `  echo "error: a jail named ${name} runs from $(jls -j ${name} path), not ${this.path}; refusing to touch it" >&2`,
      '  exit 1',
      'fi',
      `zfs set ${word(`${REMOVAL_PROPERTY}=${props.removalPolicy ?? JailRemovalPolicy.RETAIN}`)} ${word(this.datasetName)}`,
      // The jail must start on its dataset, never on the empty mountpoint directory.
      `[ "$(zfs get -H -o value mounted ${word(this.datasetName)})" = yes ] || zfs mount ${word(this.datasetName)}`,
    ];
    // A missing nullfs source would only fail at `jail -c`, after conf, hosts and jail_list are written.
    for (const source of nullfsSources) {
      lines.push(`if [ ! -d ${word(source)} ]; then echo ${word(`error: nullfs source ${source} is not a directory on the host`)} >&2; exit 1; fi`);
    }
    if (this.fstabFile) lines.push(`echo ${word(`==> writing ${this.fstabFile}`)}`, ...writeFileIfChanged(this.fstabFile, fstabText));
    if (jailPaths.length > 0) lines.push("echo '==> creating mount points in the jail'", ...mountPointLines(this.path, jailPaths));
    lines.push(`echo ${word(`==> writing ${this.confFile}`)}`);
    if (this.usesConfDir) {
      lines.push(
        `if [ -e ${conf} ] && ! head -n 1 ${conf} | grep -qF ${word(MANAGED_FILE_MARKER)}; then`,
        `  echo ${word(`error: ${this.confFile} exists and was not written by cdktf-freebsd-jails; refusing to replace it`)} >&2`,
        '  exit 1',
        'fi',
        ...writeFileIfChanged(this.confFile, this.confText),
      );
    } else {
      lines.push(...managedBlock(JAIL_CONF, `jail ${name}`, this.confText.trimEnd()));
    }
    if (hostsText) lines.push("echo '==> /etc/hosts entries'", ...managedBlock('/etc/hosts', `jail ${name}`, hostsText));
    lines.push(
      `echo ${word(`==> jail_list += ${name}`)}`,
      // Names in jail_list restrict `service jail start` at boot to the listed jails.
      `if [ -z "$(sysrc -n -i jail_list)" ] && grep -q '{' ${JAIL_CONF} 2>/dev/null; then`,
      `  echo ${word(`warning: jail_list was empty (start every jail in ${JAIL_CONF}); from now on only listed jails start at boot`)} >&2`,
      'fi',
      ...sysrcAddWord('jail_list', name),
    );
    if (props.start ?? true) {
      lines.push(
        `if ${jailRunning(name)}; then`,
        `  echo ${word(`==> jail ${name} runs`)}`,
        'else',
        `  echo ${word(`==> starting jail ${name}`)}`,
        `  jail -f ${conf} -c ${name}`,
        'fi',
      );
    }
    return lines;
  }

  private configDestroyLines(): string[] {
    const name = this.name;
    const lines = [...stopJailLines(name, word(this.confFile)), ...unmountUnderLines(word(this.path))];
    lines.push(
      ...(this.usesConfDir ? removeManagedFileLines(word(this.confFile)) : managedBlock(JAIL_CONF, `jail ${name}`, '')),
      ...(this.fstabFile ? removeManagedFileLines(word(this.fstabFile)) : []),
      ...managedBlock('/etc/hosts', `jail ${name}`, ''),
      ...sysrcRemoveWord('jail_list', name),
    );
    return lines;
  }
}

/** Host directories shown in the jail through nullfs (fstab entries and `mount` lines). */
function nullfsDevices(mounts: ResolvedMounts): string[] {
  return [...mounts.fstab, ...mounts.mountLines].filter((m) => m.type === 'nullfs').map((m) => m.device);
}

function checkHook(command: string): string {
  if (command.trim() === '') throw new v.ValidationError('an exec hook command is empty');
  return checkReferences(command);
}
