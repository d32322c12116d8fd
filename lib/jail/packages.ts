import { Construct } from 'constructs';
import { HOST_SETTINGS_KIND, hostSettingsStateFile, HostStep, stepScripts } from '../host';
import { keepHostClaim } from '../host/prune';
import { helperCall, offlineAddLines, offlineFetchLines, ownerMark, pkgCall, ScriptBuilder, shellQuote } from '../shell';
import * as v from '../validate';
import * as p from '../validate/props';
import { addPackagesStep, jailContentHash, jailMadeSteps } from './inside';
import { IJail, JAIL_LIKE, JAIL_MEMBERS } from './interfaces';
import { mountPointLines } from './mounts';
import { jailRunning, word } from './scripts';

/** Properties of packages installed into a jail. */
export interface JailPackagesProps {
  /** The jail (it must be running). */
  readonly jail: IJail;
  /** Package names, like `git-lite` and `vim-console`. */
  readonly packages: string[];
  /**
   * Run `pkg -j NAME update` first (online only).
   * @default false
   */
  readonly update?: boolean;
  /**
   * Run `pkg -j NAME upgrade -y` first (online only).
   * @default false
   */
  readonly upgrade?: boolean;
  /**
   * Install without network in the jail, as the notebook does: `pkg fetch -d` on the host for
   * the jail's ABI (its own release, which may differ from the host's) into
   * `offlineDirectory/<ABI>`, that directory nullfs-mounted read-only into the jail for the
   * step, then `pkg -j NAME add` of each package file (found wherever pkg put it).
   * @default false
   */
  readonly offline?: boolean;
  /**
   * Host directory of the fetched package files, one subdirectory per ABI (offline only).
   * The directories the step makes, with the files in them, are removed when the last
   * JailPackages using them is destroyed; a directory that was there stays.
   * @default "/var/cache/cdktf-freebsd-jails/pkg"
   */
  readonly offlineDirectory?: string;
  /**
   * Where that directory appears inside the jail while packages are added (offline only).
   * @default "/mnt"
   */
  readonly offlineMountPoint?: string;
}

/** A package name as pkg takes it. */
function packageName(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(value)) throw new v.ValidationError(`${JSON.stringify(value)} is not a package name`);
  return value;
}

/**
 * Packages in a jail (`pkg -j NAME install -y ...`). Installs only what is missing, so a
 * re-run is cheap; removing a package from the list does not uninstall it. Every pkg run that
 * could ask something runs without a terminal (the host helper's no-tty), bounded in time.
 */
export class JailPackages extends Construct {
  /** The packages. */
  public readonly packages: string[];
  /** The step. */
  public readonly step: HostStep;

  constructor(scope: Construct, id: string, props: JailPackagesProps) {
    super(scope, id);
    const at = this.node.path;
    p.checkProps(at, 'JailPackages', props, {
      jail: p.required(p.shaped('IJail', JAIL_MEMBERS, JAIL_LIKE)),
      packages: p.required({ ...p.list(p.str('"git-lite"'), 'package names'), like: (given) => (typeof given === 'string' ? `[${JSON.stringify(given)}]` : '["git-lite", "vim-console"]') }),
      update: p.bool,
      upgrade: p.bool,
      offline: p.bool,
      offlineDirectory: p.str('"/var/cache/cdktf-freebsd-jails/pkg"'),
      offlineMountPoint: p.str('"/mnt"'),
    });
    const jail = props.jail;
    this.packages = props.packages.map((p) => v.validated(at, 'packages', () => packageName(p)));
    if (this.packages.length === 0) throw new v.ValidationError(`${at}: invalid packages: the list is empty`);
    const name = jail.name;
    let destroy: ScriptBuilder | undefined;
    const b = new ScriptBuilder('packages');
    if (props.offline) {
      // An earlier run that failed or lost its connection before its EXIT trap left the
      // repository mounted in the jail: only that mount (ours, from our directory) goes.
      const dir = props.offlineDirectory ?? '/var/cache/cdktf-freebsd-jails/pkg';
      const target = `${jail.path}${props.offlineMountPoint ?? '/mnt'}`;
      b.action(`jail ${name}: no package repository left mounted by an earlier run`,
        `if mount -p | awk -v d=${word(target)} -v r=${word(`${dir}/`)} '$2 == d && $3 == "nullfs" && index($1, r) == 1 { found = 1 } END { exit !found }'; then`,
        `  umount ${word(target)}`,
        'fi');
    }
    b.action(`jail ${name}: which of ${this.packages.join(' ')} are missing`,
      `if ! ${jailRunning(name)}; then`,
      `  echo ${word(`error: jail ${name} is not running; start it (service jail start ${name}) before installing packages`)} >&2`,
      '  exit 1',
      'fi',
      '# The /usr/sbin/pkg bootstrap (host or jail) prompts without it.',
      'export ASSUME_ALWAYS_YES=yes',
      'missing=',
      `wanted=${shellQuote(this.packages.join(' '))}`,
      '# shellcheck disable=SC2086 # $wanted is a list of checked package names',
      'for p in $wanted; do',
      `  pkg -j ${name} info -e "$p" || missing="$missing $p"`,
      'done',
      `if [ -z "$missing" ]; then echo ${word(`==> jail ${name}: all packages installed`)}; exit 0; fi`);
    if (props.offline) {
      const dir = v.validated(at, 'offlineDirectory', () => v.absolutePath(props.offlineDirectory ?? '/var/cache/cdktf-freebsd-jails/pkg'));
      const inJail = v.validated(at, 'offlineMountPoint', () => v.absolutePath(props.offlineMountPoint ?? '/mnt'));
      const target = `${jail.path}${inJail}`;
      const stateFile = hostSettingsStateFile(ownerMark(jail.host.ownershipScope, at));
      const offline = { jailName: name, jailPath: jail.path, directory: dir, mountPoint: inJail, stateFile };
      // Taken out of the app, its hold on the package directories is given up by the host prune
      // step (settings-undo, as its destroy), so the last holder's removal still removes them.
      keepHostClaim(jail.host, HOST_SETTINGS_KIND, stateFile, this);
      destroy = new ScriptBuilder('packages').action(`removing the package directories under ${dir} made for this step, unless other steps still hold them`,
        helperCall('settings-undo', stateFile));
      b.action(`fetching the missing packages on the host into ${dir}, adding them in jail ${name} (offline)`,
        ...offlineFetchLines(offline),
        ...mountPointLines(jail.path, [inJail]),
        `mount -t nullfs -o ro "$pkg_repo" ${word(target)}`,
        `trap 'umount ${target}' EXIT`,
        ...offlineAddLines(offline),
      );
    } else {
      if (props.update) b.action(`pkg -j ${name} update`, pkgCall('-j', name, 'update'));
      if (props.upgrade) b.action(`pkg -j ${name} upgrade`, pkgCall('-j', name, 'upgrade', '-y'));
      b.action(`jail ${name}: pkg install of the missing packages`,
        `echo "==> jail ${name}: pkg install$missing"`,
        '# shellcheck disable=SC2086 # $missing is a list of checked package names',
        pkgCall('-j', name, 'install', '-y', '$missing'),
      );
    }
    this.step = new HostStep(this, 'install', {
      host: jail.host,
      description: `packages in jail ${name}: ${this.packages.join(' ')}`,
      ...stepScripts(b, destroy),
      dependsOn: jailMadeSteps(jail),
      // A recreated dataset has none of the packages: install them again.
      replaceOn: { dataset: jailContentHash(jail) },
    });
    addPackagesStep(jail, this.step);
  }
}
