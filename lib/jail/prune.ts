/**
 * Prune: Terraform runs no destroy provisioner for a resource whose block left the app, so a
 * jail removed from the code would keep running. This per-host step knows the owners of all
 * jails in the stack and removes, on the host, every jail dataset marked as owned by this
 * stack whose owner is not among them, with the one jail teardown (teardown.ts) and the
 * removal policy recorded on its dataset. Anything without these marks is never touched.
 */
import { Construct } from 'constructs';
import { FreeBsdHost, HostStep, stepScripts } from '../host';
import { indentLines, JAIL_NAME_PROPERTY, JAIL_ROLE, OWNER_PROPERTY, REMOVAL_PROPERTY, ROLE_PROPERTY, ScriptBuilder, shellQuote, shellQuoteAlways } from '../shell';
import { JAIL_CONF, JAIL_CONF_DIR } from './names';
import { jailDatasetRemoveLine, jailTeardownLine } from './teardown';

/** What the prune step needs. @internal */
export interface PruneProps {
  readonly host: FreeBsdHost;
  /** Whether jails have one file each in /etc/jail.conf.d. */
  readonly usesConfDir: boolean;
  /** Owner values of this stack start with it (`stack/`). */
  readonly ownerPrefix: string;
  /** Owners of the jails in the app. */
  readonly owners: readonly string[];
  /** The host settings step. */
  readonly dependsOn: HostStep[];
}

/** The per-host prune step. @internal */
export function jailConfPruneStep(scope: Construct, id: string, props: PruneProps): HostStep {
  const host = props.host;
  const root = host.jailRootDataset;
  const properties = [OWNER_PROPERTY, ROLE_PROPERTY, JAIL_NAME_PROPERTY, REMOVAL_PROPERTY].join(',');
  const remove = [
    'mnt=$(zfs get -H -o value mountpoint "$ds")',
    jailTeardownLine({
      name: '"$name"',
      conf: props.usesConfDir ? `"${JAIL_CONF_DIR}/$name.conf"` : JAIL_CONF,
      path: '"$mnt"',
      fstab: `"${host.jailRootMountpoint}/$name.fstab"`,
    }),
    jailDatasetRemoveLine('"$ds"', root, host.jailRootMountpoint, '"$name"'),
  ];
  const create = new ScriptBuilder('prune')
    .action('finding managed jails of this stack no longer in the app',
      `keep=${shellQuoteAlways(props.owners.join('\n'))}`,
      `prefix=${shellQuoteAlways(props.ownerPrefix)}`,
      `if ! zfs list -H -o name ${shellQuote(root)} >/dev/null 2>&1; then echo '==> no jail root dataset: nothing to prune'; exit 0; fi`,
      'list=$(mktemp /tmp/cdktf-freebsd-jails.prune.XXXXXX)',
      `trap 'rm -f "$list"' EXIT`,
      `zfs list -H -o name,${properties} -r -d 1 -t filesystem ${shellQuote(root)} > "$list"`)
    .action('pruning each of them: teardown, then the dataset by its removal policy',
      "tab=$(printf '\\t')",
      '# fd 3: the commands in the loop must not eat the list from stdin',
      'while IFS=$tab read -r ds owner role name removal <&3; do',
      ...indentLines([
        `[ "$role" = ${JAIL_ROLE} ] || continue`,
        'case "$owner" in "$prefix"*) ;; *) continue ;; esac',
        'if printf \'%s\\n\' "$keep" | grep -qxF -e "$owner"; then continue; fi',
        'case "$name" in "" | *[!A-Za-z0-9_]*) echo "skipping $ds: bad jail name property" >&2; continue ;; esac',
        'echo "==> pruning jail $name ($ds, owner $owner, removal ${removal:-retain}): no longer in the app"',
        ...remove,
      ]),
      'done 3< "$list"');
  return new HostStep(scope, id, {
    host,
    description: 'prune managed jails no longer in the app',
    ...stepScripts(create),
    dependsOn: props.dependsOn,
  });
}
