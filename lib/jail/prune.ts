/**
 * Prune: Terraform runs no destroy provisioner for a resource whose block left the app, so a
 * jail removed from the code would keep running. This per-host step knows the owners of all
 * jails in the stack and removes, on the host, every jail dataset marked as owned by this
 * stack whose owner is not among them: it stops the jail, removes its conf file or block, its
 * fstab file, hosts block and jail_list entry, then retires or destroys the dataset by the
 * removal policy recorded on it. Anything without these marks is never touched.
 */
import { Construct } from 'constructs';
import { HostStep } from '../host';
import { ensureParents, lockFileFor, MANAGED_BLOCK_PROGRAM, OWNER_PROPERTY, ROLE_PROPERTY, shellQuote, shellQuoteAlways, underLockWords, RETIRED_DATASET, retireDatasetLines } from '../shell';
import type { JailHost } from './host';
import { JAIL_CONF, JAIL_CONF_DIR, JAIL_NAME_PROPERTY, JAIL_ROLE, MANAGED_FILE_MARKER, REMOVAL_PROPERTY } from './names';
import { stopJailLines, unmountUnderLines } from './scripts';

/** What the prune step needs. @internal */
export interface PruneProps {
  readonly jailHost: JailHost;
  /** Owner values of this stack start with it (`stack/`). */
  readonly ownerPrefix: string;
  /** Owners of the jails in the app. */
  readonly owners: readonly string[];
}

/** Remove a file only when this library wrote it (its first line is the marker). */
export function removeManagedFileLines(fileWord: string): string[] {
  return [`if [ -f ${fileWord} ] && head -n 1 ${fileWord} | grep -qF ${shellQuoteAlways(MANAGED_FILE_MARKER)}; then rm -f ${fileWord}; fi`];
}

/** The per-host prune step. @internal */
export function jailConfPruneStep(scope: Construct, id: string, props: PruneProps): HostStep {
  const host = props.jailHost.host;
  const root = host.jailRootDataset;
  const confWord = props.jailHost.usesConfDir ? `"${JAIL_CONF_DIR}/$name.conf"` : JAIL_CONF;
  const props_ = [OWNER_PROPERTY, ROLE_PROPERTY, JAIL_NAME_PROPERTY, REMOVAL_PROPERTY].join(',');
  const removeConf = props.jailHost.usesConfDir
    ? removeManagedFileLines(confWord)
    : underLockWords(JAIL_CONF, MANAGED_BLOCK_PROGRAM, [JAIL_CONF, '"jail $name"', "''"]);
  const body = [
    ...stopJailLines('"$name"', confWord),
    ...removeConf,
    ...removeManagedFileLines(`"${host.jailRootMountpoint}/$name.fstab"`),
    ...underLockWords('/etc/hosts', MANAGED_BLOCK_PROGRAM, ['/etc/hosts', '"jail $name"', "''"]),
    `lockf -k -t 300 ${shellQuote(lockFileFor('/etc/rc.conf'))} sysrc jail_list-="$name"`,
    'mnt=$(zfs get -H -o value mountpoint "$ds")',
    ...unmountUnderLines('"$mnt"'),
    'if [ "$removal" = destroy ]; then',
    '  echo "==> destroying dataset $ds"',
    '  zfs destroy -r "$ds"',
    'else',
    ...ensureParents(root, host.jailRootMountpoint, [`${root}/${RETIRED_DATASET}`]).map((l) => `  ${l}`),
    ...retireDatasetLines('"$ds"', shellQuote(`${root}/${RETIRED_DATASET}`), '"$name"').map((l) => `  ${l}`),
    'fi',
  ];
  const create = [
    `keep=${shellQuoteAlways(props.owners.join('\n'))}`,
    `prefix=${shellQuoteAlways(props.ownerPrefix)}`,
    `if ! zfs list -H -o name ${shellQuote(root)} >/dev/null 2>&1; then echo '==> no jail root dataset: nothing to prune'; exit 0; fi`,
    'list=$(mktemp /tmp/cdktf-freebsd-jails.prune.XXXXXX)',
    `trap 'rm -f "$list"' EXIT`,
    `zfs list -H -o name,${props_} -r -d 1 -t filesystem ${shellQuote(root)} > "$list"`,
    "tab=$(printf '\\t')",
    '# fd 3: the commands in the loop must not eat the list from stdin',
    'while IFS=$tab read -r ds owner role name removal <&3; do',
    `  [ "$role" = ${JAIL_ROLE} ] || continue`,
    '  case "$owner" in "$prefix"*) ;; *) continue ;; esac',
    '  if printf \'%s\\n\' "$keep" | grep -qxF -e "$owner"; then continue; fi',
    '  case "$name" in "" | *[!A-Za-z0-9_]*) echo "skipping $ds: bad jail name property" >&2; continue ;; esac',
    '  echo "==> pruning jail $name ($ds, owner $owner): no longer in the app"',
    ...body.map((l) => `  ${l}`),
    'done 3< "$list"',
  ];
  return new HostStep(scope, id, {
    host,
    description: 'prune managed jails no longer in the app',
    create,
    dependsOn: [props.jailHost.step],
  });
}
