/**
 * The one teardown of a jail, used by its configuration step's destroy, its dataset step's
 * destroy and the host's prune step: the helper's `jail-teardown` (stop, the network's
 * recorded teardown, mounts under its root, conf file or block, fstab, hosts block, jail_list)
 * and `jail-dataset-remove` (destroy or retire by the policy recorded on the dataset).
 * Arguments are sh words: quoted values, or "$variables" in prune's loop.
 */
import { helperCallWords, shellQuote } from '../shell';
import { JAIL_CONF, JAIL_CONF_DIR } from './names';

/** Where a jail's files are on its host (sh words). */
export interface JailTeardownWords {
  readonly name: string;
  readonly conf: string;
  readonly path: string;
  readonly fstab: string;
}

/** The words of a jail known at synth. */
export function jailTeardownWords(name: string, usesConfDir: boolean, path: string, jailRootMountpoint: string): JailTeardownWords {
  return {
    name: shellQuote(name),
    conf: shellQuote(jailConfFile(name, usesConfDir)),
    path: shellQuote(path),
    fstab: shellQuote(jailFstabFile(name, jailRootMountpoint)),
  };
}

/** The file that holds a jail's configuration. */
export function jailConfFile(name: string, usesConfDir: boolean): string {
  return usesConfDir ? `${JAIL_CONF_DIR}/${name}.conf` : JAIL_CONF;
}

/** A jail's fstab file (written only when it has nullfs mounts). */
export function jailFstabFile(name: string, jailRootMountpoint: string): string {
  return `${jailRootMountpoint}/${name}.fstab`;
}

/** Stop the jail and remove everything of it but its dataset. */
export function jailTeardownLine(w: JailTeardownWords): string {
  return helperCallWords('jail-teardown', w.name, w.conf, w.path, w.fstab);
}

/** Destroy or retire a jail's dataset by its recorded removal policy. */
export function jailDatasetRemoveLine(datasetWord: string, root: string, rootMountpoint: string, nameWord: string): string {
  return helperCallWords('jail-dataset-remove', datasetWord, shellQuote(root), shellQuote(rootMountpoint), nameWord);
}
