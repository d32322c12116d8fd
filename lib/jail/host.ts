import { Construct } from 'constructs';
import { FreeBsdHost, HOST_SETTINGS_KIND, HostSettingItem, hostSettingsStateFile, HostStep, settingsApplyArgs, stepScripts } from '../host';
import { constructsOfApp, earlierMatch } from '../host/app-index';
import { keepHostClaim } from '../host/prune';
import { renderJailConfStatement } from '../render/jailconf';
import { helperCall, ownerMark, ScriptBuilder } from '../shell';
import * as v from '../validate';
import * as p from '../validate/props';
import { JailAddress } from './address';
import { IJailHost } from './interfaces';
import { defaultStatements, JailDefaults } from './conf';
export { JailDefaults } from './conf';
import { JAIL_CONF, JAIL_CONF_DIR } from './names';

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
   * @default - the notebook's defaults
   */
  readonly defaults?: JailDefaults;
}

/** What a jail tells its jail host, for the cross-jail checks. @internal */
export interface RegisteredJail {
  readonly jailName: string;
  /** The jail's construct path (what errors name). */
  readonly constructPath: string;
  readonly addresses: readonly JailAddress[];
}

/**
 * A host's jail settings, one per host: rc.conf (`jail_enable`, `cloned_interfaces`), the
 * cloned interfaces themselves, the `.include` of /etc/jail.conf.d in /etc/jail.conf (14.0
 * and later) and the defaults every jail gets. Only values it changed are undone on destroy.
 * Jails no longer in the app are removed by the host's prune step (lib/host/prune.ts), also
 * when this JailHost itself has left the app.
 */
export class JailHost extends Construct implements IJailHost {
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
  /** Where the host records the settings this JailHost holds (see HostSettings). */
  public readonly stateFile: string;

  constructor(scope: Construct, id: string, props: JailHostProps) {
    super(scope, id);
    const at = this.node.path;
    v.validated(at, 'construct path', () => v.fieldText(at));
    p.checkProps(at, 'JailHost', props, {
      host: p.required(p.instanceOf(FreeBsdHost, 'new FreeBsdHost(scope, "host", { address: "192.0.2.10" })')),
      cloneInterfaces: p.list(p.str('"lo1"'), 'strings'),
      defaults: p.struct('JailDefaults', {}, '{ mountDevfs: true }'),
    });
    this.host = props.host;
    this.usesConfDir = this.host.supportsJailConfInclude;
    this.cloneInterfaces = (props.cloneInterfaces ?? ['lo1']).map((i) =>
      v.validated(at, 'cloneInterfaces', () => {
        if (!/^[a-z]+[0-9]+$/.test(i) || i.length > 15) throw new v.ValidationError(`${JSON.stringify(i)} is not a cloned interface name like lo1`);
        return i;
      }),
    );
    this.defaults = props.defaults ?? {};
    // Checked here, so that a bad default is blamed on this JailHost, not on each of its jails.
    v.validated(at, 'defaults', () => defaultStatements(this.defaults, `${this.host.jailRootMountpoint}/jail`, undefined).forEach(renderJailConfStatement));

    // Held like every host setting: destroy undoes exactly what was changed for them, once no
    // other owner (another app's JailHost) holds them.
    this.stateFile = hostSettingsStateFile(ownerMark(this.host.ownershipScope, at));
    const items: HostSettingItem[] = [
      // FreeBSD ships no /etc/jail.conf: one that the jail steps create goes again on destroy.
      { kind: 'file', name: JAIL_CONF },
      // List variables that rc.conf does not set yet are removed again once empty, not left as name="".
      { kind: 'rc-list', name: 'jail_list' },
      { kind: 'rc-list', name: 'cloned_interfaces' },
      { kind: 'rc', name: 'jail_enable', value: 'YES' },
      ...this.cloneInterfaces.map((i) => ({ kind: 'interface', name: i })),
      // Undone newest first: the include goes before the directory and the (then empty) jail.conf.
      ...(this.usesConfDir ? [{ kind: 'dir', name: JAIL_CONF_DIR }, { kind: 'jail-conf-include', name: JAIL_CONF, value: `${JAIL_CONF_DIR}/*.conf` }] : []),
    ];
    const create = new ScriptBuilder('jail host settings')
      .action(`rc.conf: jail_enable, cloned_interfaces ${this.cloneInterfaces.join(' ')}; creating cloned interfaces${this.usesConfDir ? `; ${JAIL_CONF}: include ${JAIL_CONF_DIR}/*.conf` : ''}`,
        helperCall('settings-apply', ...settingsApplyArgs(this.stateFile, items)));
    const destroy = new ScriptBuilder('jail host settings')
      .action('undoing what was changed for settings no other owner holds: rc.conf, interfaces, the include, files and directories',
        helperCall('settings-undo', this.stateFile));
    this.step = new HostStep(this, 'settings', { host: this.host, description: 'jail host settings', ...stepScripts(create, destroy) });
    keepHostClaim(this.host, HOST_SETTINGS_KIND, this.stateFile, this);

    this.node.addValidation({ validate: () => this.clashes() });
    // One JailHost per host: its settings (jail_list, cloned_interfaces, the include) and the checks
    // across a host's jails (names, addresses) assume it sees every jail of the host.
    this.node.addValidation({
      validate: () => {
        const other = earlierMatch(constructsOfApp(this.node.root, JailHost), this, (h) => h.host === this.host);
        if (!other) return [];
        const names = new Map(registeredJails(other).map((j) => [j.jailName, j.constructPath]));
        return [
          `${at}: invalid host: ${this.host.node.path} already has the JailHost ${other.node.path}; use one JailHost per host`,
          ...registeredJails(this).filter((j) => names.has(j.jailName)).map((j) =>
            `duplicate jail name ${JSON.stringify(j.jailName)} on host ${this.host.address}: ${names.get(j.jailName)} (${other.node.path}) and ${j.constructPath} (${at})`),
        ];
      },
    });
  }


  private clashes(): string[] {
    const errors: string[] = [];
    const seenName = new Map<string, string>();
    const seenIp = new Map<string, string>();
    for (const j of registeredJails(this)) {
      const other = seenName.get(j.jailName);
      if (other) errors.push(`duplicate jail name ${JSON.stringify(j.jailName)} on host ${this.host.address}: ${other} and ${j.constructPath}`);
      seenName.set(j.jailName, j.constructPath);
      for (const a of j.addresses) {
        const ipOther = seenIp.get(a.canonicalIp);
        if (ipOther && ipOther !== j.constructPath) errors.push(`duplicate address ${a.ip} on host ${this.host.address}: ${ipOther} and ${j.constructPath}`);
        seenIp.set(a.canonicalIp, j.constructPath);
      }
    }
    return errors;
  }
}

const jailsOfHost = new WeakMap<IJailHost, RegisteredJail[]>();

/** Each jail tells its jail host of itself, for the checks across the host's jails. @internal */
export function registerJail(jailHost: IJailHost, jail: RegisteredJail): void {
  jailsOfHost.set(jailHost, [...registeredJails(jailHost), jail]);
}

function registeredJails(jailHost: IJailHost): RegisteredJail[] {
  return jailsOfHost.get(jailHost) ?? [];
}
