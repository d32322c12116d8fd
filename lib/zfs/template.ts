import { createHash } from 'crypto';
import { Construct, IConstruct } from 'constructs';
import { FreeBsdHost, HostStep, stepScripts } from '../host';
import { constructsOfApp, earlierMatch } from '../host/app-index';
import { pruneHostBefore } from '../host/prune';
import { DEFAULT_TEMPLATE_RELEASE, FreeBsdRelease } from '../release';
import { renderMakeConf, renderRcConf } from '../render';
import {
  datasetExists,
  EXTRACTED_PROPERTY,
  freebsdUpdateCleanupLines,
  freebsdUpdateLines,
  helperCall,
  indentLines,
  OWNER_PROPERTY,
  ownerMark,
  RETIRED_ROLE,
  ROLE_PROPERTY,
  ScriptBuilder,
  shellQuote,
  snapshotExists,
  TEMPLATE_ROLE,
} from '../shell';
import * as v from '../validate';
import * as p from '../validate/props';

/** Where FreeBSD publishes release distribution sets. */
export const DEFAULT_RELEASE_MIRROR = 'https://download.freebsd.org/releases';

export { EXTRACTED_PROPERTY } from '../shell/names';

/** The template's /etc/rc.conf as the notebook writes it. */
export const NOTEBOOK_TEMPLATE_RC_CONF: Record<string, string> = {
  cron_enable: 'NO',
  sendmail_enable: 'NO',
  sendmail_submit_enable: 'NO',
  sendmail_outbound_enable: 'NO',
  sendmail_msp_queue_enable: 'NO',
  syslogd_flags: '-ss',
};

/** Properties of a ZFS jail template. */
export interface ZfsTemplateProps {
  /** The host the template is built on. */
  readonly host: FreeBsdHost;
  /**
   * FreeBSD release of the template, like `FreeBsdRelease.V14_5` or `FreeBsdRelease.of('14.5')`
   * (13.x, 14.x, 15.x). A release past its end of life gets a synth-time warning.
   * @default FreeBsdRelease.V14_5 (supported when this library version was made; it changes only with a library version)
   */
  readonly release?: FreeBsdRelease;
  /**
   * Name of the template's dataset under the templates dataset.
   * @default - the release number, e.g. "14.5"
   */
  readonly name?: string;
  /**
   * Name of the dataset that holds the templates, under the host's jail root dataset.
   * @default "tmpl"
   */
  readonly templatesDatasetName?: string;
  /**
   * Machine architecture of the release.
   * @default "amd64"
   */
  readonly arch?: string;
  /**
   * Base URL of the releases tree; sets are fetched from
   * `<mirror>/<TARGET>/<TARGET_ARCH>/<release>/<set>.txz`.
   * @default "https://download.freebsd.org/releases"
   */
  readonly mirror?: string;
  /**
   * Distribution sets to extract besides base, like `lib32` or `src`.
   * @default - none
   */
  readonly extraSets?: string[];
  /**
   * Pinned SHA-256 digests by set name (`base`, `lib32`, ...). A pinned digest is a trust
   * anchor; a set without one is checked against the release's MANIFEST from the same mirror.
   * @default - every set is checked against MANIFEST
   */
  readonly digests?: { [set: string]: string };
  /**
   * Copy the host's /etc/localtime into the template.
   * @default true
   */
  readonly copyLocaltime?: boolean;
  /**
   * Variables of the template's /etc/rc.conf, over the notebook's defaults (cron and
   * sendmail off, `syslogd_flags="-ss"`).
   * @default - the notebook's defaults
   */
  readonly rcConf?: { [name: string]: string };
  /**
   * Use `rcConf` alone, without the notebook's defaults.
   * @default false
   */
  readonly replaceRcConfDefaults?: boolean;
  /**
   * Comment out adjkerntz in the template's /etc/crontab (it cannot run in a jail).
   * @default true
   */
  readonly disableAdjkerntz?: boolean;
  /**
   * Prepare for building ports in jails: /usr/ports as a mount point, /var/ports/{distfiles,packages}
   * and /etc/make.conf with WRKDIRPREFIX, DISTDIR and PACKAGES.
   * @default false
   */
  readonly portsSupport?: boolean;
  /**
   * Apply security updates with freebsd-update before the snapshot.
   * @default true
   */
  readonly freebsdUpdate?: boolean;
  /**
   * Name of the snapshot that jails are made from (the notebook: `p3`). Changing any other
   * input with a pinned name replaces the template, which fails while jails are cloned from it.
   * @default "t" and 8 hex digits of a digest of the inputs: a new snapshot when inputs change
   */
  readonly snapshotName?: string;
}

/** A template jails are made from (ZfsTemplate), as JailSource.template takes it. */
export interface IZfsTemplate extends IConstruct {
  /** The host. */
  readonly host: FreeBsdHost;
  /** The release extracted into it. */
  readonly release: FreeBsdRelease;
  /** The template dataset, like `zroot/vm/tmpl/14.3`. */
  readonly datasetName: string;
  /** The full snapshot, like `zroot/vm/tmpl/14.3@p3`: what jails are made from. */
  readonly snapshot: string;
  /** The step that builds the template: jails made from it come after it. */
  readonly step: HostStep;
}

/**
 * A jail template: a ZFS dataset with a FreeBSD release extracted and prepared, and a
 * snapshot of it that jails are cloned or copied from (the notebook's "Creating a Template").
 *
 * Destroying it removes its dataset; while a jail's dataset is a clone of one of its
 * snapshots the destroy fails and names the clones. When only retained (retired) jails still
 * stand on it, the template is retained beside them under `<jail root>/.retired`, so a full
 * destroy leaves exactly the retained data. A template's new snapshot never changes the data
 * of jails already made from it (ZFS clones are independent of later changes); jails whose
 * source is this template are re-made from the new snapshot, their old datasets handled by
 * their removal policy (RETAIN by default).
 */
export class ZfsTemplate extends Construct implements IZfsTemplate {
  /** The host. */
  public readonly host: FreeBsdHost;
  /** The release extracted into it. */
  public readonly release: FreeBsdRelease;
  /** The template dataset, like `zroot/vm/tmpl/14.3`. */
  public readonly datasetName: string;
  /** Where the template is mounted, like `/vm/tmpl/14.3`. */
  public readonly path: string;
  /** The snapshot's short name, like `p3`. */
  public readonly snapshotName: string;
  /** The full snapshot, like `zroot/vm/tmpl/14.3@p3`: what jails are made from. */
  public readonly snapshot: string;
  /** The step that builds the template. */
  public readonly step: HostStep;

  constructor(scope: Construct, id: string, props: ZfsTemplateProps) {
    super(scope, id);
    const at = this.node.path;
    // The path is in the template's ownership mark, read back from `zfs get -H` (tab-separated).
    v.validated(at, 'construct path', () => v.fieldText(at));
    p.checkProps(at, 'ZfsTemplate', props, {
      host: p.required(p.instanceOf(FreeBsdHost, 'new FreeBsdHost(scope, "host", { address: "192.0.2.10" })')),
      release: p.instanceOf(FreeBsdRelease, p.releaseLike),
      name: p.str('"14.5"'),
      templatesDatasetName: p.str('"tmpl"'),
      arch: p.str('"amd64"'),
      mirror: p.str(`"${DEFAULT_RELEASE_MIRROR}"`),
      extraSets: p.list(p.str('"lib32"'), 'strings'),
      digests: p.map(p.str('"<64 hex digits>"'), '{ base: "<64 hex digits>" }'),
      copyLocaltime: p.bool,
      rcConf: p.map(p.str(), '{ sshd_enable: "NO" }'),
      replaceRcConfDefaults: p.bool,
      disableAdjkerntz: p.bool,
      portsSupport: p.bool,
      freebsdUpdate: p.bool,
      snapshotName: p.str('"p3"'),
    });
    const host = props.host;
    this.host = host;
    const owner = ownerMark(host.ownershipScope, at);
    this.release = props.release ?? DEFAULT_TEMPLATE_RELEASE;
    this.release.annotateSupport(this);
    const hosts = host.release;
    if (hosts !== undefined && (this.release.major > hosts.major || (this.release.major === hosts.major && this.release.minor > hosts.minor))) {
      throw new v.ValidationError(`${at}: invalid release: ${JSON.stringify(this.release.name)} is newer than the host's ${hosts.name}; a jail's userland may not be newer than the host's kernel`);
    }
    const shortRelease = this.release.version;
    const name = v.validated(at, 'name', () => v.snapshotShortName(props.name ?? shortRelease));
    const templatesName = v.validated(at, 'templatesDatasetName', () => v.snapshotShortName(props.templatesDatasetName ?? 'tmpl'));
    const arch = v.validated(at, 'arch', () => v.arch(props.arch ?? 'amd64'));
    const mirror = v.validated(at, 'mirror', () => v.mirrorUrl(props.mirror ?? DEFAULT_RELEASE_MIRROR));
    const extraSets = (props.extraSets ?? []).map((s) => v.validated(at, 'extraSets', () => v.distributionSet(s)));
    if (new Set(extraSets).size !== extraSets.length) {
      throw new v.ValidationError(`${at}: invalid extraSets: ${JSON.stringify(extraSets)} lists a set twice`);
    }
    const sets = ['base', ...extraSets];
    const digests: Record<string, string> = {};
    for (const [set, digest] of Object.entries(props.digests ?? {})) {
      if (!sets.includes(set)) {
        throw new v.ValidationError(`${at}: invalid digests: ${JSON.stringify(set)} is not among the extracted sets ${JSON.stringify(sets)}`);
      }
      digests[set] = v.validated(at, `digests.${set}`, () => v.sha256Hex(digest));
    }
    const rcConf = { ...(props.replaceRcConfDefaults ? {} : NOTEBOOK_TEMPLATE_RC_CONF), ...(props.rcConf ?? {}) };
    const rcConfText = v.validated(at, 'rcConf', () => renderRcConf(rcConf, 'Written by cdktf-freebsd-jails (ZfsTemplate).'));

    const templatesDataset = `${host.jailRootDataset}/${templatesName}`;
    this.datasetName = `${templatesDataset}/${name}`;
    this.path = `${host.jailRootMountpoint}/${templatesName}/${name}`;
    const setsUrl = `${mirror}/${v.ARCH_PATHS[arch]}/${this.release.name}`;
    const options = {
      copyLocaltime: props.copyLocaltime ?? true,
      disableAdjkerntz: props.disableAdjkerntz ?? true,
      portsSupport: props.portsSupport ?? false,
      freebsdUpdate: props.freebsdUpdate ?? true,
    };
    // What the template is, not where it is downloaded from: a mirror change is no new template.
    const inputs = JSON.stringify({ release: this.release.name, arch, sets, digests, rcConfText, options, dataset: this.datasetName });
    this.snapshotName = v.validated(at, 'snapshotName', () =>
      v.snapshotShortName(props.snapshotName ?? `t${createHash('sha256').update(inputs).digest('hex').slice(0, 8)}`),
    );
    this.snapshot = `${this.datasetName}@${this.snapshotName}`;
    // Two templates on one dataset would rebuild and destroy each other's snapshots.
    this.node.addValidation({
      validate: () => {
        const other = earlierMatch(constructsOfApp(this.node.root, ZfsTemplate), this, (t) => t.host === host && t.datasetName === this.datasetName);
        return other ? [`${at}: invalid dataset: ${this.datasetName} is already the dataset of the template ${other.node.path}`] : [];
      },
    });

    const ds = shellQuote(this.datasetName);
    const mnt = shellQuote(this.path);
    const create = new ScriptBuilder('template');
    create.action(`template snapshot ${this.snapshot}: built already?`,
      `if ${snapshotExists(this.snapshot)}; then`,
      `  if [ "$(zfs get -H -o value ${OWNER_PROPERTY} ${ds})" != ${shellQuote(owner)} ]; then`,
      `    echo ${shellQuote(`error: snapshot ${this.snapshot} exists on a dataset not managed by ${owner}; refusing to use it`)} >&2`,
      '    exit 1',
      '  fi',
      `  echo ${shellQuote(`==> template snapshot ${this.snapshot} exists: nothing to do`)}`,
      '  exit 0',
      'fi');
    create.action(`ensuring datasets ${host.jailRootDataset} (at ${host.jailRootMountpoint}), ${templatesDataset}, ${this.datasetName}`,
      helperCall('dataset-create', this.datasetName, owner, TEMPLATE_ROLE, host.jailRootDataset, host.jailRootMountpoint, templatesDataset),
      helperCall('dataset-mounted', this.datasetName, this.path),
    );
    create.action(`release sets ${sets.join(', ')} of ${this.release.name} extracted into ${this.path}`, ...this.extractionLines(ds, mnt, setsUrl, sets, digests));
    if (options.copyLocaltime) {
      create.action('copying /etc/localtime from the host',
        'if [ -e /etc/localtime ]; then',
        `  if ! cmp -s /etc/localtime ${shellQuote(`${this.path}/etc/localtime`)}; then cp -p /etc/localtime ${shellQuote(`${this.path}/etc/localtime`)}; fi`,
        'else',
        "  echo 'host has no /etc/localtime (UTC): nothing to copy'",
        'fi',
      );
    }
    create.action(`writing ${this.path}/etc/rc.conf`, helperCall('write-file', `${this.path}/etc/rc.conf`, '0644', rcConfText));
    if (options.disableAdjkerntz) {
      create.action('commenting out adjkerntz in /etc/crontab (it cannot run in a jail)',
        helperCall('sed-file', `${this.path}/etc/crontab`, '/^[^#].*adjkerntz/s/^/#/'),
      );
    }
    if (options.portsSupport) {
      create.action('preparing ports directories and /etc/make.conf',
        `mkdir -p ${shellQuote(`${this.path}/usr/ports`)} ${shellQuote(`${this.path}/var/ports/distfiles`)} ${shellQuote(`${this.path}/var/ports/packages`)}`,
        helperCall('write-file', `${this.path}/etc/make.conf`, '0644',
          renderMakeConf({ WRKDIRPREFIX: '/var/ports', DISTDIR: '/var/ports/distfiles', PACKAGES: '/var/ports/packages' })),
      );
    }
    if (options.freebsdUpdate) {
      create.action('applying security updates with freebsd-update', ...freebsdUpdateLines({ basedir: this.path, what: `template ${this.datasetName}` }));
    }
    create.action(`taking snapshot ${this.snapshot}`, `zfs snapshot ${shellQuote(this.snapshot)}`);

    const clonesOf = (filter: string) =>
      `zfs list -H -o name,origin,${ROLE_PROPERTY} -t filesystem | awk -F '\\t' -v p=${shellQuote(`${this.datasetName}@`)} 'index($2, p) == 1 && ${filter} { print $1 }' | tr '\\n' ' '`;
    const destroy = new ScriptBuilder('template').action(`template ${this.datasetName}: destroyed, or retained beside retained jails made from it`,
      `if ${datasetExists(this.datasetName)}; then`,
      ...indentLines([
        `if ${helperCall('owned-by', this.datasetName, owner)}; then`,
        ...indentLines([
          // A clone keeps its origin snapshot alive: jails still standing on the template stop its destroy.
          `live=$(${clonesOf(`$3 != "${RETIRED_ROLE}"`)})`,
          'if [ -n "$live" ]; then',
          `  echo ${shellQuote(`error: cannot destroy template ${this.datasetName}: these datasets are clones of its snapshots:`)} "$live" >&2`,
          '  exit 1',
          'fi',
          // Retained (retired) jails still need the snapshot: the template is retired beside them.
          `retained=$(${clonesOf(`$3 == "${RETIRED_ROLE}"`)})`,
          'if [ -n "$retained" ]; then',
          `  echo "==> retained datasets are clones of its snapshots ($retained): the template is retained beside them"`,
          `  ${helperCall('retire', this.datasetName, host.jailRootDataset, host.jailRootMountpoint, `template-${name}`)}`,
          'else',
          `  echo ${shellQuote(`==> destroying template dataset ${this.datasetName}`)}`,
          `  zfs destroy -r ${ds}`,
          'fi',
          ...freebsdUpdateCleanupLines(this.path),
        ]),
        'else',
        `  echo ${shellQuote(`dataset ${this.datasetName} is not managed by ${owner}: left alone`)}`,
        'fi',
      ]),
      'fi')
      .action('removing empty managed parents', helperCall('prune-parents', templatesDataset, host.jailRootDataset));

    this.step = new HostStep(this, 'build', {
      host,
      description: `ZFS template ${this.snapshot} (FreeBSD ${this.release.name} ${arch})`,
      ...stepScripts(create, destroy),
    });
    // After the host's prune, as every step that makes datasets under the jail root: unordered,
    // the prune's look at that root (jail-prune) found it made or not yet, and an apply ran a
    // different set of commands from one run to the next.
    pruneHostBefore(host, this.step);
  }

  /** Fetch every set, verify all digests, then extract: a mismatch stops before any extraction. */
  private extractionLines(ds: string, mnt: string, setsUrl: string, sets: string[], digests: Record<string, string>): string[] {
    const signature = sets.map((s) => `${s}:${digests[s] ?? 'manifest'}`).join(',');
    const lines = [
      `if [ "$(zfs get -H -o value ${EXTRACTED_PROPERTY} ${ds})" != ${shellQuote(signature)} ]; then`,
      // A partial extraction (schg files included) cannot be extracted over: start from an
      // empty dataset, which is safe while nothing was snapshotted (no jail stands on it).
      `  if [ -n "$(ls -A ${mnt})" ] && [ -z "$(zfs list -H -t snapshot -o name -d 1 ${ds})" ]; then`,
      `    echo ${shellQuote(`==> ${this.datasetName} holds a partial extraction: recreating it empty`)}`,
      `    zfs destroy ${ds}`,
      `    zfs create -o ${OWNER_PROPERTY}=${shellQuote(ownerMark(this.host.ownershipScope, this.node.path))} -o ${ROLE_PROPERTY}=${TEMPLATE_ROLE} ${ds}`,
      '  fi',
      '  dl=$(mktemp -d /tmp/cdktf-freebsd-jails.XXXXXX)',
      `  trap 'rm -rf "$dl"' EXIT`,
    ];
    if (sets.some((s) => !digests[s])) {
      lines.push(`  echo ${shellQuote(`==> fetching ${setsUrl}/MANIFEST`)}`, `  fetch -q -o "$dl/MANIFEST" ${shellQuote(`${setsUrl}/MANIFEST`)}`);
    }
    for (const set of sets) {
      const file = `${set}.txz`;
      lines.push(`  echo ${shellQuote(`==> fetching and verifying ${setsUrl}/${file}`)}`, `  fetch -q -o "$dl/${file}" ${shellQuote(`${setsUrl}/${file}`)}`);
      if (digests[set]) {
        lines.push(`  want=${digests[set]}`);
      } else {
        lines.push(`  want=$(awk -F '\\t' '$1 == "${file}" { print $2 }' "$dl/MANIFEST")`);
        lines.push(`  if [ -z "$want" ]; then echo ${shellQuote(`error: MANIFEST has no entry for ${file}`)} >&2; exit 1; fi`);
      }
      lines.push(
        `  have=$(sha256 -q "$dl/${file}")`,
        '  if [ "$have" != "$want" ]; then',
        `    echo "error: ${file}: sha256 $have does not match $want; nothing extracted" >&2`,
        '    exit 1',
        '  fi',
      );
    }
    for (const set of sets) {
      lines.push(`  echo ${shellQuote(`==> extracting ${set}.txz into ${mnt.replace(/'/g, '')}`)}`, `  tar -xpf "$dl/${set}.txz" -C ${mnt}`);
    }
    lines.push(`  zfs set ${EXTRACTED_PROPERTY}=${shellQuote(signature)} ${ds}`, '  rm -rf "$dl"', '  trap - EXIT', 'else', `  echo ${shellQuote(`==> sets already extracted (${signature})`)}`, 'fi');
    return lines;
  }
}
