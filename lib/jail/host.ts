import { Aspects, IAspect, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { FreeBsdHost, HostStep } from '../host';
import { renderJailConfInclude } from '../render/jailconf';
import { managedBlock, shellQuote, underLock } from '../shell';
import * as v from '../validate';
import { JailAddress } from './address';
import { JAIL_CONF, JAIL_CONF_DIR } from './names';
import { jailConfPruneStep } from './prune';

/** Where JailHost records which rc.conf values it changed, to undo only those. */
export const JAIL_HOST_STATE_FILE = '/var/db/cdktf-freebsd-jails/jail-host.state';

/** The notebook's defaults for every jail; each can be overridden. */
export interface JailDefaults {
  /**
   * exec.start: the command that starts the jail's system.
   * @default "/bin/sh /etc/rc"
   */
  readonly execStart?: string;
  /**
   * exec.stop: the command that stops it.
   * @default "/bin/sh /etc/rc.shutdown"
   */
  readonly execStop?: string;
  /**
   * exec.clean: run commands in a clean environment (PATH=/bin:/usr/bin).
   * @default true
   */
  readonly execClean?: boolean;
  /**
   * mount.devfs: mount devfs in the jail (with devfs_ruleset, or ruleset 4).
   * @default true
   */
  readonly mountDevfs?: boolean;
  /**
   * host.hostname = $name.
   * @default true
   */
  readonly hostnameFromName?: boolean;
  /**
   * exec.consolelog, a jail.conf expression (`$name` is the jail's name).
   * @default "/var/log/jail_${name}_console.log"
   */
  readonly consoleLog?: string;
  /**
   * Copy the host's /etc/resolv.conf into the jail in exec.prestart and remove it in
   * exec.poststop, as the notebook does.
   * @default true
   */
  readonly copyResolvConf?: boolean;
}

/** Properties of a host's jail settings. */
export interface JailHostProps {
  /** The host. */
  readonly host: FreeBsdHost;
  /**
   * Cloned interfaces the jails' addresses live on: added to `cloned_interfaces` in rc.conf
   * and created now.
   * @default ["lo1"]
   */
  readonly cloneInterfaces?: string[];
  /**
   * Defaults for every jail on this host.
   * @default the notebook's defaults
   */
  readonly defaults?: JailDefaults;
}

/** What a jail tells its JailHost, for the cross-jail checks and for prune. @internal */
export interface RegisteredJail {
  readonly jailName: string;
  readonly owner: string;
  readonly path: string;
  readonly addresses: readonly JailAddress[];
}

/**
 * A host's jail settings, one per host: rc.conf (`jail_enable`, `cloned_interfaces`), the
 * cloned interfaces themselves, the `.include` of /etc/jail.conf.d in /etc/jail.conf (14.0
 * and later), the defaults every jail gets, and the prune step that removes managed jails
 * no longer in the app. Only values it changed are undone on destroy.
 */
export class JailHost extends Construct {
  /** The host. */
  public readonly host: FreeBsdHost;
  /** The defaults every jail on this host gets. */
  public readonly defaults: JailDefaults;
  /** The cloned interfaces managed here. */
  public readonly cloneInterfaces: string[];
  /** Whether jails get one file each in /etc/jail.conf.d (else a managed block in /etc/jail.conf). */
  public readonly usesConfDir: boolean;
  /** The step that applies the host settings. */
  public readonly step: HostStep;
  private readonly jails: RegisteredJail[] = [];
  private pruneStep?: HostStep;

  constructor(scope: Construct, id: string, props: JailHostProps) {
    super(scope, id);
    const at = this.node.path;
    this.host = props.host;
    this.usesConfDir = this.host.supportsJailConfInclude;
    this.cloneInterfaces = (props.cloneInterfaces ?? ['lo1']).map((i) =>
      v.validated(at, 'cloneInterfaces', () => {
        if (!/^[a-z]+[0-9]+$/.test(i) || i.length > 15) throw new v.ValidationError(`${JSON.stringify(i)} is not a cloned interface name like lo1`);
        return i;
      }),
    );
    this.defaults = props.defaults ?? {};

    const create = [
      "echo '==> rc.conf: jail_enable, cloned_interfaces; creating cloned interfaces'",
      ...underLock('/etc/rc.conf', RC_SETTINGS_PROGRAM, [JAIL_HOST_STATE_FILE, ...this.cloneInterfaces]),
    ];
    const destroy: string[] = [];
    if (this.usesConfDir) {
      create.push(
        `echo ${shellQuote(`==> ${JAIL_CONF}: include ${JAIL_CONF_DIR}/*.conf`)}`,
        // Recorded like the rc.conf changes, so destroy removes the directory only if it made it (and it is empty).
        `if [ ! -d ${JAIL_CONF_DIR} ]; then mkdir -p ${JAIL_CONF_DIR}; echo ${shellQuote(`conf_dir ${JAIL_CONF_DIR}`)} >> ${JAIL_HOST_STATE_FILE}; fi`,
        ...managedBlock(JAIL_CONF, 'include', renderJailConfInclude(`${JAIL_CONF_DIR}/*.conf`)),
      );
      destroy.push(`echo ${shellQuote(`==> ${JAIL_CONF}: removing the include`)}`, ...managedBlock(JAIL_CONF, 'include', ''));
    }
    // After the include is gone: a jail.conf this library created is empty by then and goes too.
    destroy.push(
      "echo '==> undoing only what this library changed: rc.conf, interfaces, files and directories it created'",
      ...underLock('/etc/rc.conf', HOST_UNDO_PROGRAM, [JAIL_HOST_STATE_FILE]),
    );
    this.step = new HostStep(this, 'settings', { host: this.host, description: 'jail host settings', create, destroy });

    this.node.addValidation({ validate: () => this.clashes() });
    // The prune step needs the final set of jails: it is made once the tree is complete.
    Aspects.of(this).add(new AddPruneStep());
  }

  /** Called by each jail on this host. @internal */
  public _register(jail: RegisteredJail): void {
    this.jails.push(jail);
  }

  /** The prune step (after synthesis has begun). @internal */
  public _addPruneStep(): void {
    if (this.pruneStep) return;
    this.pruneStep = jailConfPruneStep(this, 'prune', {
      jailHost: this,
      ownerPrefix: `${TerraformStack.of(this).node.path}/`,
      owners: this.jails.map((j) => j.owner),
    });
  }

  private clashes(): string[] {
    const errors: string[] = [];
    const seenName = new Map<string, string>();
    const seenIp = new Map<string, string>();
    for (const j of this.jails) {
      const other = seenName.get(j.jailName);
      if (other) errors.push(`duplicate jail name ${JSON.stringify(j.jailName)} on host ${this.host.address}: ${other} and ${j.owner}`);
      seenName.set(j.jailName, j.owner);
      for (const a of j.addresses) {
        const ipOther = seenIp.get(a.canonicalIp);
        if (ipOther && ipOther !== j.owner) errors.push(`duplicate address ${a.ip} on host ${this.host.address}: ${ipOther} and ${j.owner}`);
        seenIp.set(a.canonicalIp, j.owner);
      }
    }
    return errors;
  }
}

class AddPruneStep implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof JailHost) node._addPruneStep();
  }
}

/**
 * Program, under the rc.conf lock: set jail_enable and add the cloned interfaces, creating
 * missing interfaces now. Every change is recorded in the state file ($1), so destroy undoes
 * exactly those and nothing the administrator had. $2...: interfaces.
 */
const RC_SETTINGS_PROGRAM = `set -eu
state=$1
shift
mkdir -p "\${state%/*}"
[ -e "$state" ] || : > "$state"
record() { grep -qx "$1" "$state" || echo "$1" >> "$state"; }
# FreeBSD ships no /etc/jail.conf: one that the jail steps create goes again on destroy.
[ -e ${JAIL_CONF} ] || record "created_file ${JAIL_CONF}"
# List variables that rc.conf does not set yet are removed again once empty, not left as name="".
for var in jail_list cloned_interfaces; do
  grep -Eq "^[[:space:]]*$var=" /etc/rc.conf || record "rc_variable $var"
done
case "$(sysrc -n -i jail_enable)" in
  [Yy][Ee][Ss]) ;;
  *) record jail_enable; sysrc jail_enable=YES ;;
esac
for i in "$@"; do
  case " $(sysrc -n -i cloned_interfaces) " in
    *" $i "*) ;;
    *)
      record "cloned_interfaces $i"
      sysrc cloned_interfaces+="$i" ;;
  esac
  if ! ifconfig "$i" >/dev/null 2>&1; then
    echo "creating interface $i"
    record "interface $i"
    ifconfig "$i" create
  fi
done`;

/**
 * Program: undo what the state file ($1) says was changed or created, in reverse order, then forget it.
 * @internal
 */
export const HOST_UNDO_PROGRAM = `set -eu
state=$1
[ -e "$state" ] || exit 0
sed -n '1!G;h;$p' "$state" | while read -r what arg; do
  case "$what" in
    jail_enable) sysrc -x jail_enable ;;
    cloned_interfaces) sysrc cloned_interfaces-="$arg" ;;
    rc_variable) [ -n "$(sysrc -n -i "$arg")" ] || sysrc -x "$arg" ;;
    interface)
      if ! ifconfig "$arg" >/dev/null 2>&1; then :
      # Addresses (link-local ones aside) mean jails or the administrator still use it.
      elif ifconfig "$arg" | awk '$1 == "inet" || ($1 == "inet6" && $2 !~ /^fe80:/) { f = 1 } END { exit !f }'; then
        echo "keeping interface $arg: it still has addresses" >&2
      else
        echo "destroying interface $arg"
        ifconfig "$arg" destroy
      fi ;;
    conf_dir) if [ -d "$arg" ] && [ -z "$(ls -A "$arg")" ]; then rmdir "$arg"; fi ;;
    created_file) if [ -f "$arg" ] && [ ! -s "$arg" ]; then rm -f "$arg"; fi ;;
  esac
done
rm -f "$state"
dir=\${state%/*}
if [ -z "$(ls -A "$dir")" ]; then rmdir "$dir"; fi`;
