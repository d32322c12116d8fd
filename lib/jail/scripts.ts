/**
 * The scripts of a jail's two steps, as sequences of actions (ScriptBuilder): the dataset
 * (clone or copy, checked ownership and mountpoint) and the configuration (files, hosts,
 * jail_list, start as boot does). Both destroys use the one teardown (teardown.ts).
 */
import {
  datasetExists,
  helperCall,
  indentLines,
  JAIL_NAME_PROPERTY,
  JAIL_ROLE,
  JAIL_STATE_DIR,
  MANAGED_FILE_MARKER,
  OWNER_PROPERTY,
  REMOVAL_PROPERTY,
  RETIRED_DATASET,
  ROLE_PROPERTY,
  ScriptBuilder,
  shellQuote,
  snapshotExists,
  writeFileIfChanged,
} from '../shell';
import { JAIL_CONF } from './names';
import { JailCreationMethod, JailRemovalPolicy } from './policy';
import { jailDatasetRemoveLine, jailTeardownLine, JailTeardownWords } from './teardown';

export { unmountUnderLines } from '../shell';

/** Quote a value as one sh word. */
export const word = shellQuote;

/** Exit status 0 when a jail of that name (a sh word) runs. */
export function jailRunning(nameWord: string): string {
  return `jls -j ${nameWord} >/dev/null 2>&1`;
}

/** Everything the scripts of one jail are made of (checked values). */
export interface JailScriptInput {
  readonly name: string;
  /** The construct path: the owner mark of the dataset. */
  readonly owner: string;
  readonly datasetName: string;
  readonly path: string;
  readonly sourceSnapshot: string;
  readonly method: JailCreationMethod;
  readonly removalPolicy: JailRemovalPolicy;
  readonly confFile: string;
  readonly usesConfDir: boolean;
  readonly confText: string;
  readonly fstabFile?: string;
  readonly fstabText: string;
  readonly hostsText: string;
  /** The network's teardown lines (recorded on the host for jail-teardown). */
  readonly teardown: readonly string[];
  readonly jailPaths: readonly string[];
  readonly mountPointLines: readonly string[];
  readonly nullfsSources: readonly string[];
  readonly start: boolean;
  readonly jailRootDataset: string;
  readonly jailRootMountpoint: string;
  readonly teardownWords: JailTeardownWords;
}

/** The dataset step's create: clone or receive when missing, then check and mount. */
export function datasetCreateScript(i: JailScriptInput): ScriptBuilder {
  const ds = word(i.datasetName);
  const snap = word(i.sourceSnapshot);
  const props = [
    `${OWNER_PROPERTY}=${i.owner}`,
    `${ROLE_PROPERTY}=${JAIL_ROLE}`,
    `${JAIL_NAME_PROPERTY}=${i.name}`,
    // Safe until the configuration step records the chosen policy.
    `${REMOVAL_PROPERTY}=${JailRemovalPolicy.RETAIN}`,
  ].flatMap((p) => ['-o', word(p)]);
  const make =
    i.method === JailCreationMethod.CLONE
      ? [`echo ${word(`==> cloning ${i.sourceSnapshot} to ${i.datasetName}`)}`, `zfs clone ${props.join(' ')} ${snap} ${ds}`]
      : [
        `echo ${word(`==> copying ${i.sourceSnapshot} to ${i.datasetName} (zfs send | zfs receive)`)}`,
        `zfs send ${snap} | zfs receive -u ${props.join(' ')} ${ds}`,
      ];
  return new ScriptBuilder('jail dataset')
    .action(`dataset ${i.datasetName} from ${i.sourceSnapshot} (${i.method})`,
      `if ${datasetExists(i.datasetName)}; then`,
      ...indentLines([
        `if ! ${helperCall('owned-by', i.datasetName, i.owner)}; then`,
        `  echo ${word(`error: dataset ${i.datasetName} exists and is not managed by ${i.owner}; refusing to touch it`)} >&2`,
        '  exit 1',
        'fi',
        `echo ${word(`==> dataset ${i.datasetName} exists`)}`,
      ]),
      'else',
      ...indentLines([
        helperCall('ensure-parents', i.jailRootDataset, i.jailRootMountpoint),
        `if ! ${snapshotExists(i.sourceSnapshot)}; then`,
        `  echo ${word(`error: snapshot ${i.sourceSnapshot} does not exist`)} >&2`,
        '  exit 1',
        'fi',
        ...make,
      ]),
      'fi')
    .action(`mounting ${i.datasetName} at ${i.path}`,
      `if [ "$(zfs get -H -o value mountpoint ${ds})" != ${word(i.path)} ]; then`,
      `  echo ${word(`error: dataset ${i.datasetName} is not mounted at ${i.path}`)} >&2`,
      '  exit 1',
      'fi',
      `if [ "$(zfs get -H -o value mounted ${ds})" != yes ]; then zfs mount ${ds}; fi`);
}

/**
 * The dataset step's destroy. Terraform runs no destroy provisioner of a tainted
 * configuration step (its create failed): this one, which always runs, tears the jail down
 * too, then destroys or retires the dataset by the policy recorded on it.
 */
export function datasetDestroyScript(i: JailScriptInput): ScriptBuilder {
  const root = i.jailRootDataset;
  return new ScriptBuilder('jail dataset')
    .action(`jail ${i.name}: teardown, then dataset ${i.datasetName} by its removal policy`,
      `if ${helperCall('owned-by', i.datasetName, i.owner)}; then`,
      ...indentLines([jailTeardownLine(i.teardownWords), jailDatasetRemoveLine(word(i.datasetName), root, i.jailRootMountpoint, word(i.name))]),
      `elif ${datasetExists(i.datasetName)}; then`,
      `  echo ${word(`dataset ${i.datasetName} is not managed by ${i.owner}: left alone`)}`,
      'fi')
    .action('removing empty managed parents', helperCall('prune-parents', `${root}/${RETIRED_DATASET}`, root));
}

/** The configuration step's create: files, hosts, jail_list, then start as boot does. */
export function configCreateScript(i: JailScriptInput): ScriptBuilder {
  const name = i.name;
  const conf = word(i.confFile);
  const b = new ScriptBuilder('jail configuration').action(`jail ${name}: checking its dataset, recording removal policy ${i.removalPolicy}`,
    `if ${jailRunning(name)} && [ "$(jls -j ${name} path)" != ${word(i.path)} ]; then`,
    `  echo "error: a jail named ${name} runs from $(jls -j ${name} path), not ${i.path}; refusing to touch it" >&2`,
    '  exit 1',
    'fi',
    `zfs set ${word(`${REMOVAL_PROPERTY}=${i.removalPolicy}`)} ${word(i.datasetName)}`,
    // The jail must start on its dataset, never on the empty mountpoint directory.
    `[ "$(zfs get -H -o value mounted ${word(i.datasetName)})" = yes ] || zfs mount ${word(i.datasetName)}`,
    // A missing nullfs source would only fail at start, after conf, hosts and jail_list are written.
    ...i.nullfsSources.map((s) => `if [ ! -d ${word(s)} ]; then echo ${word(`error: nullfs source ${s} is not a directory on the host`)} >&2; exit 1; fi`));
  if (i.fstabFile) b.action(`writing ${i.fstabFile}`, ...writeFileIfChanged(i.fstabFile, i.fstabText));
  if (i.jailPaths.length > 0) b.action('creating mount points in the jail', ...i.mountPointLines);
  if (i.usesConfDir) {
    b.action(`writing ${i.confFile}`,
      `if [ -e ${conf} ] && ! head -n 1 ${conf} | grep -qF ${word(MANAGED_FILE_MARKER)}; then`,
      `  echo ${word(`error: ${i.confFile} exists and was not written by cdktf-freebsd-jails; refusing to replace it`)} >&2`,
      '  exit 1',
      'fi',
      ...writeFileIfChanged(i.confFile, i.confText));
  } else {
    b.action(`writing ${i.confFile}`, helperCall('block', JAIL_CONF, `jail ${name}`, i.confText.trimEnd()));
  }
  if (i.hostsText) b.action('/etc/hosts entries', helperCall('block', '/etc/hosts', `jail ${name}`, i.hostsText));
  if (i.teardown.length > 0) {
    const file = `${JAIL_STATE_DIR}/${name}.teardown`;
    b.action(`recording the network teardown in ${file}`, `mkdir -p ${JAIL_STATE_DIR}`,
      ...writeFileIfChanged(file, ['# Network teardown of jail ' + name + ', run by the host helper\'s jail-teardown.', 'set -eu', ...i.teardown, ''].join('\n'), '0600'));
  }
  b.action(`jail_list += ${name}`,
    // Names in jail_list restrict `service jail start` at boot to the listed jails.
    `if [ -z "$(sysrc -n -i jail_list)" ] && grep -q '{' ${JAIL_CONF} 2>/dev/null; then`,
    `  echo ${word(`warning: jail_list was empty (start every jail in ${JAIL_CONF}); from now on only listed jails start at boot`)} >&2`,
    'fi',
    helperCall('locked', '/etc/rc.conf', 'sysrc', `jail_list+=${name}`));
  if (i.start) b.action(`starting jail ${name} as boot does (service jail start ${name})`, helperCall('jail-start', name));
  return b;
}

/** The configuration step's destroy: the jail's teardown; its dataset stays. */
export function configDestroyScript(i: JailScriptInput): ScriptBuilder {
  return new ScriptBuilder('jail configuration').action(`jail ${i.name}: stopping it, removing its files and entries (its dataset stays)`, jailTeardownLine(i.teardownWords));
}
