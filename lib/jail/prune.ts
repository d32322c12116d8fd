/**
 * Prune: Terraform runs no destroy provisioner for a resource whose block left the app, so a
 * jail removed from the code would keep running. This per-host step knows the owners of all
 * jails of the host in the app and removes, on the host, every jail dataset whose owner mark is
 * of this host's ownership scope (compared exactly) and not among them, with the one jail teardown (teardown.ts) and the
 * removal policy recorded on its dataset. Anything without these marks is never touched, and
 * nothing at all when the scope is not claimed by this Terraform state. What other constructs
 * claim on the host (pf anchors, devfs rulesets, switches, host settings) is pruned by the host's
 * prune step (lib/host/prune.ts), which runs after this one: a switch goes after its jails.
 */
import { Construct } from 'constructs';
import { FreeBsdHost, HostStep, SCOPE_CLAIM_ID, stepScripts } from '../host';
import { helperCallWords, indentLines, JAIL_NAME_PROPERTY, OWNER_SCOPE_SEPARATOR, JAIL_ROLE, OWNER_PROPERTY, REMOVAL_PROPERTY, ROLE_PROPERTY, ScriptBuilder, shellQuote, shellQuoteAlways } from '../shell';
import { JAIL_CONF, JAIL_CONF_DIR } from './names';
import { jailDatasetRemoveLine, jailTeardownLine } from './teardown';

/** What the prune step needs. @internal */
export interface PruneProps {
  readonly host: FreeBsdHost;
  /** Whether jails have one file each in /etc/jail.conf.d. */
  readonly usesConfDir: boolean;
  /** The host's ownership scope: owner marks of this app are `SCOPE:path`. */
  readonly scope: string;
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
    .action(`checking that this Terraform state holds the ownership scope ${props.scope}`,
      '# shellcheck disable=SC2016 # Terraform puts the claim id in place of the expression',
      helperCallWords('claim-check', shellQuoteAlways(props.scope), `'${SCOPE_CLAIM_ID}'`))
    .action(`finding managed jails of the scope ${props.scope} no longer in the app`,
      `keep=${shellQuoteAlways(props.owners.join('\n'))}`,
      `scope=${shellQuoteAlways(props.scope)}`,
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
        `[ "\${owner%%${OWNER_SCOPE_SEPARATOR}*}" = "$scope" ] || continue`,
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
