/**
 * The scripts of a jail's two steps, as sequences of actions (ScriptBuilder): the dataset
 * (clone or copy, checked ownership and mountpoint) and the configuration (files, hosts,
 * jail_list, start as boot does). Both destroys use the one teardown (teardown.ts).
 */
import {
  datasetExists,
  helperCall,
  indentLines,
  JAIL_STATE_DIR,
  REMOVAL_PROPERTY,
  REMOVAL_RETAIN_NO_SNAPSHOT,
  RETIRED_DATASET,
  ScriptBuilder,
  shellQuote,
} from '../shell';
import { JAIL_CONF } from './names';
import { JailCreationMethod, JailRemovalPolicy } from './policy';
import { jailDatasetRemoveLine, jailTeardownLine, JailTeardownWords } from './teardown';


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
  /** A snapshot of the dataset before it is retired (recorded on it for jail-dataset-remove). */
  readonly retireSnapshot: boolean;
  readonly confFile: string;
  readonly usesConfDir: boolean;
  readonly confText: string;
  readonly fstabFile?: string;
  readonly fstabText: string;
  readonly hostsText: string;
  /** The network's teardown lines (recorded on the host for jail-teardown). */
  readonly teardown: readonly string[];
  /** sh lines that refuse the host's resolv.conf for this jail before anything is written. */
  readonly resolverCheck: readonly string[];
  /** sh lines that put the jail's data datasets in their mode (nullfs, delegated) before it starts. */
  readonly dataPrepare: readonly string[];
  /** sh lines after the start: its delegated data datasets attached and mounted (a start cut off in exec.poststart). */
  readonly dataAfterStart: readonly string[];
  readonly jailPaths: readonly string[];
  readonly mountPointLines: readonly string[];
  readonly nullfsSources: readonly string[];
  readonly start: boolean;
  readonly jailRootDataset: string;
  readonly jailRootMountpoint: string;
  readonly teardownWords: JailTeardownWords;
  /** The jail's cpuset command, when it has one (its exec.poststart hook runs it too). */
  readonly cpuset?: string;
}

/** The dataset step's create: clone or receive when missing, then check and mount. */
export function datasetCreateScript(i: JailScriptInput): ScriptBuilder {
  return new ScriptBuilder('jail dataset')
    .action(`dataset ${i.datasetName} from ${i.sourceSnapshot} (${i.method})`,
      helperCall('jail-dataset-create', i.datasetName, i.owner, i.name, i.sourceSnapshot, i.method, i.jailRootDataset, i.jailRootMountpoint))
    .action(`mounting ${i.datasetName} at ${i.path}`, helperCall('dataset-mounted', i.datasetName, i.path));
}

/**
 * A rolling jail's roll step (no destroy): its dataset made from the source, or moved to it from
 * another snapshot by the helper's jail-roll (the jail stopped, the old dataset removed by its
 * policy, the new one made and the jail started again).
 */
export function rollCreateScript(i: JailScriptInput): ScriptBuilder {
  return new ScriptBuilder('jail roll')
    .action(`jail ${i.name}: dataset ${i.datasetName} from ${i.sourceSnapshot} (${i.method}), rolled from another snapshot`,
      helperCall('jail-roll', i.datasetName, i.owner, i.name, i.sourceSnapshot, i.method, i.jailRootDataset, i.jailRootMountpoint, i.confFile, i.start ? 'yes' : 'no', ...i.jailPaths));
}

/**
 * A rolling jail's dataset step: the dataset its roll step made is the owner's and mounted. It
 * names no snapshot, so a new source does not replace it (nor its destroy run).
 */
export function rollingDatasetCreateScript(i: JailScriptInput): ScriptBuilder {
  return new ScriptBuilder('jail dataset')
    .action(`dataset ${i.datasetName}: made by the jail's roll step, managed by ${i.owner}`,
      `${helperCall('owned-by', i.datasetName, i.owner)} || { echo ${word(`error: dataset ${i.datasetName} is missing or not managed by ${i.owner}`)} >&2; exit 1; }`)
    .action(`mounting ${i.datasetName} at ${i.path}`, helperCall('dataset-mounted', i.datasetName, i.path));
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
  const removal = i.removalPolicy === JailRemovalPolicy.RETAIN && !i.retireSnapshot ? REMOVAL_RETAIN_NO_SNAPSHOT : i.removalPolicy;
  const b = new ScriptBuilder('jail configuration').action(`jail ${name}: checking its dataset, recording removal policy ${removal}`,
    helperCall('jail-check', name, i.path),
    `zfs set ${word(`${REMOVAL_PROPERTY}=${removal}`)} ${word(i.datasetName)}`,
    // The jail must start on its dataset, never on the empty mountpoint directory.
    helperCall('dataset-mounted', i.datasetName, i.path),
    // Its data datasets, each in its mode (jailed or mounted on the host), before their checks.
    ...i.dataPrepare,
    // A missing nullfs source would only fail at start, after conf, hosts and jail_list are written.
    ...i.nullfsSources.map((s) => `if [ ! -d ${word(s)} ]; then echo ${word(`error: nullfs source ${s} is not a directory on the host`)} >&2; exit 1; fi`));
  if (i.resolverCheck.length > 0) b.action(`jail ${name}: the host's /etc/resolv.conf it gets a copy of`, ...i.resolverCheck);
  if (i.fstabFile) b.action(`writing ${i.fstabFile}`, helperCall('write-file', i.fstabFile, '0644', i.fstabText));
  if (i.jailPaths.length > 0) b.action('creating mount points in the jail', ...i.mountPointLines);
  if (i.usesConfDir) {
    // Refuses a file of that name that this library did not write.
    b.action(`writing ${i.confFile}`, helperCall('write-managed-file', i.confFile, '0644', i.confText));
  } else {
    b.action(`writing ${i.confFile}`, helperCall('block', JAIL_CONF, `jail ${name}`, i.confText.trimEnd()));
  }
  if (i.hostsText) b.action('/etc/hosts entries', helperCall('block', '/etc/hosts', `jail ${name}`, i.hostsText));
  if (i.teardown.length > 0) {
    const file = `${JAIL_STATE_DIR}/${name}.teardown`;
    b.action(`recording the network teardown in ${file}`, `mkdir -p ${JAIL_STATE_DIR}`,
      helperCall('write-file', file, '0600', ['# Network teardown of jail ' + name + ', run by the host helper\'s jail-teardown.', 'set -eu', ...i.teardown, ''].join('\n')));
  }
  // Names in jail_list restrict `service jail start` at boot to the listed jails.
  b.action(`jail_list += ${name}`, helperCall('jail-list-add', name));
  if (i.start) b.action(`starting jail ${name} as boot does (service jail start ${name})`, helperCall('jail-start', name));
  // Again after the start: a start cut off before its exec.poststart leaves a running jail without it.
  if (i.start && i.cpuset) b.action(`jail ${name}: its cpuset`, i.cpuset);
  if (i.start && i.dataAfterStart.length > 0) b.action(`jail ${name}: its delegated data datasets attached and mounted`, ...i.dataAfterStart);
  return b;
}

/** The configuration step's destroy: the jail's teardown; its dataset stays. */
export function configDestroyScript(i: JailScriptInput): ScriptBuilder {
  return new ScriptBuilder('jail configuration').action(`jail ${i.name}: stopping it, removing its files and entries (its dataset stays)`, jailTeardownLine(i.teardownWords));
}
