/**
 * Host settings a construct needs (rc.conf variables, words of rc.conf lists, sysctl values,
 * cloned interfaces): made true by one step, recorded on the host as they are changed, and on
 * destroy exactly the recorded changes are undone, newest first. What the administrator had
 * already is never recorded, so never undone. Settings several owners need (two apps' jail_enable,
 * one cloned interface) are held by each and undone when the last of them goes. The host helper
 * does the work
 * (`settings-apply STATE KIND NAME VALUE...`, `settings-undo STATE`, lib/shell/helper.ts).
 *
 * JailHost declares jail_enable and cloned_interfaces through it, PfNat pf_enable/pflog_enable,
 * a routed VnetBridge gateway_enable/ipv6_gateway_enable; the host prune step undoes those of a
 * holder taken out of the app (settings-prune, lib/shell/prune.ts).
 */
import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { ownerMark, ScriptBuilder, SETTINGS_STATE_DIR } from '../shell';
import * as v from '../validate';
import * as p from '../validate/props';
import { FreeBsdHost } from './host';
import { defineHostKind, keepHostClaim } from './prune';
import { HostStep, stepScripts } from './step';

/**
 * Host settings, kept by their state files (which name no owner); pruned last, as
 * `settings-undo` does: only changes no other owner holds. @internal
 */
export const HOST_SETTINGS_KIND = defineHostKind({
  name: 'host-settings',
  claims: 'host settings',
  title: 'host settings',
  pruneAction: 'settings-prune',
  pruneOrder: 50,
  helperModule: 'settings.sh',
  constructs: ['HostSettings', 'JailHost', 'JailPackages (offline)', 'JailRcConf', 'JailService (its rc.conf)'],
});

/** Directory of the settings records of HostSettings constructs. */
export const HOST_SETTINGS_STATE_DIR = SETTINGS_STATE_DIR;

/**
 * The state file of one owner (an owner mark, `SCOPE:construct path`, unique on the host): a
 * digest, so any mark gives one file name.
 */
export function hostSettingsStateFile(owner: string): string {
  return `${HOST_SETTINGS_STATE_DIR}/${createHash('sha256').update(owner).digest('hex').slice(0, 16)}.state`;
}

/** One setting as the helper's settings-apply takes it: KIND NAME VALUE. @internal */
export interface HostSettingItem {
  /** rc, rc-word, rc-list, sysctl, interface, dir or file (see the helper's usage). */
  readonly kind: string;
  /** The variable, sysctl, interface or path. */
  readonly name: string;
  /**
   * The value or word.
   * @default "-" (kinds without a value)
   */
  readonly value?: string;
}

/** What a construct needs on its host. */
export interface HostSettingsProps {
  /** The host. */
  readonly host: FreeBsdHost;
  /**
   * rc.conf variables and their values, like `{ pf_enable: 'YES' }`. Yes-like values compare
   * as rc.subr's checkyesno does (YES, yes, true, on, 1).
   * @default - none
   */
  readonly rcConf?: { [name: string]: string };
  /**
   * Words added to rc.conf list variables, like `{ cloned_interfaces: ['lo1'] }`; undo removes
   * only the words that were added.
   * @default - none
   */
  readonly rcConfWords?: { [name: string]: string[] };
  /**
   * sysctl(8) values, set now and kept in a managed block of /etc/sysctl.conf for boot.
   * @default - none
   */
  readonly sysctl?: { [name: string]: string };
  /**
   * Loader tunables, like `{ 'kern.racct.enable': '1' }`: written to /boot/loader.conf (a
   * managed block each) and read by the loader at the next boot; the library never reboots a
   * host. Tunables that sysctl cannot change on a running host (kern.racct.enable and the
   * others the library knows) belong here, not in `sysctl`.
   * @default - none
   */
  readonly loaderTunables?: { [name: string]: string };
  /**
   * What the settings are for, one line (the step's description).
   * @default "host settings"
   */
  readonly description?: string;
}

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SYSCTL = /^[a-z][a-z0-9_]*(\.[a-z0-9_%]+)+$/;
const VALUE = /^[A-Za-z0-9_.,:/@+=-]*$/;
/** Loader variables: sysctl-like names, and the underscore names of loader.conf(5) (zfs_load). */
const TUNABLE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_%-]+)*$/;
/** A value written between double quotes in loader.conf: no quote, backslash or newline. */
const TUNABLE_VALUE = /^[A-Za-z0-9_.,:/@+=-]*$/;
/** The boot loader's configuration file. */
export const LOADER_CONF = '/boot/loader.conf';

/**
 * Loader tunables that sysctl(8) cannot set at run time (CTLFLAG_RDTUN or CTLFLAG_TUN with
 * CTLFLAG_RD): `sysctl NAME=VALUE` fails on the host ("is a read only tunable"), so given as
 * `sysctl` they are refused at synth, naming `loaderTunables`. By name, with the source that
 * declares each.
 */
export const READ_ONLY_TUNABLES: { readonly [name: string]: string } = {
  'kern.racct.enable': 'sys/kern/kern_racct.c (SYSCTL_BOOL, CTLFLAG_RDTUN)',
  'kern.maxusers': 'sys/kern/kern_mib.c (SYSCTL_INT, CTLFLAG_RDTUN | CTLFLAG_NOFETCH)',
  'kern.maxproc': 'sys/kern/kern_mib.c (SYSCTL_INT, CTLFLAG_RDTUN)',
  'kern.maxssiz': 'sys/kern/subr_param.c (SYSCTL_ULONG, CTLFLAG_RDTUN)',
  'kern.maxdsiz': 'sys/kern/subr_param.c (SYSCTL_ULONG, CTLFLAG_RDTUN)',
  'kern.dfldsiz': 'sys/kern/subr_param.c (SYSCTL_ULONG, CTLFLAG_RDTUN)',
  'kern.hz': 'sys/kern/subr_param.c (SYSCTL_INT, CTLFLAG_RDTUN)',
  'vm.pmap.pg_ps_enabled': 'sys/amd64/amd64/pmap.c (SYSCTL_INT, CTLFLAG_RDTUN)',
  'net.inet.tcp.tcbhashsize': 'sys/netinet/tcp_subr.c (SYSCTL_INT, CTLFLAG_RDTUN)',
  'net.inet.tcp.hostcache.hashsize': 'sys/netinet/tcp_hostcache.c (SYSCTL_UINT, CTLFLAG_RDTUN)',
  'net.inet.tcp.hostcache.cachelimit': 'sys/netinet/tcp_hostcache.c (SYSCTL_UINT, CTLFLAG_RDTUN)',
  'net.inet.tcp.syncache.hashsize': 'sys/netinet/tcp_syncache.c (SYSCTL_UINT, CTLFLAG_RDTUN)',
  'net.inet.tcp.syncache.bucketlimit': 'sys/netinet/tcp_syncache.c (SYSCTL_UINT, CTLFLAG_RDTUN)',
  'net.link.ifqmaxlen': 'sys/net/if.c (SYSCTL_INT, CTLFLAG_RDTUN)',
};

/** Check settings at synth: names as rc.conf and sysctl take them, plain one-line values. */
export function hostSettingItems(props: HostSettingsProps): HostSettingItem[] {
  const check = (what: string, re: RegExp, s: string) => {
    if (!re.test(s)) throw new v.ValidationError(`${JSON.stringify(s)} is not a valid ${what}`);
    return s;
  };
  return [
    ...Object.entries(props.rcConf ?? {}).map(([n, val]) => ({ kind: 'rc', name: check('rc.conf variable', VARIABLE, n), value: check('rc.conf value', VALUE, val) })),
    ...Object.entries(props.rcConfWords ?? {}).flatMap(([n, words]) =>
      words.map((w) => ({ kind: 'rc-word', name: check('rc.conf variable', VARIABLE, n), value: check('rc.conf list word', /^[A-Za-z0-9_.:/@+-]+$/, w) }))),
    ...Object.entries(props.sysctl ?? {}).map(([n, val]) => {
      const source = READ_ONLY_TUNABLES[n];
      if (source !== undefined) {
        throw new v.ValidationError(`${JSON.stringify(n)} is a loader tunable, read only at run time (${source}): sysctl ${n}=${val} fails on the host; `
          + `give it as loaderTunables: { ${JSON.stringify(n)}: ${JSON.stringify(val)} } (set in /boot/loader.conf, in effect from the next boot)`);
      }
      return { kind: 'sysctl', name: check('sysctl name', SYSCTL, n), value: check('sysctl value', VALUE, val) };
    }),
    ...(Object.keys(props.loaderTunables ?? {}).length > 0 ? [{ kind: 'file', name: LOADER_CONF }] : []),
    ...Object.entries(props.loaderTunables ?? {}).map(([n, val]) => ({ kind: 'loader', name: check('loader tunable name', TUNABLE, n), value: check('loader tunable value', TUNABLE_VALUE, val) })),
  ];
}

/** The helper arguments of settings-apply for a state file and its items. @internal */
export function settingsApplyArgs(stateFile: string, items: readonly HostSettingItem[]): string[] {
  return [stateFile, ...items.flatMap((i) => [i.kind, i.name, i.value ?? '-'])];
}

/**
 * Settings a construct needs on its host, applied by one step and undone exactly on destroy.
 * Other steps that need the settings depend on `step`.
 */
export class HostSettings extends Construct {
  /** The step that applies the settings. */
  public readonly step: HostStep;
  /** Where the host records what this construct changed. */
  public readonly stateFile: string;

  constructor(scope: Construct, id: string, props: HostSettingsProps) {
    super(scope, id);
    p.checkProps(this.node.path, 'HostSettings', props, {
      host: p.required(p.instanceOf(FreeBsdHost, 'new FreeBsdHost(scope, "host", { address: "192.0.2.10" })')),
      rcConf: p.map(p.str(), '{ pf_enable: "YES" }'),
      rcConfWords: p.map(p.list(p.str(), 'strings'), '{ cloned_interfaces: ["lo1"] }'),
      sysctl: p.map(p.str(), '{ "net.inet.ip.forwarding": "1" }'),
      loaderTunables: p.map(p.str(), '{ "kern.racct.enable": "1" }'),
      description: p.str('"pf: pf_enable"'),
    });
    const items = v.validated(this.node.path, 'settings', () => hostSettingItems(props));
    if (items.length === 0) throw new v.ValidationError(`${this.node.path}: invalid settings: none given`);
    this.stateFile = hostSettingsStateFile(ownerMark(props.host.ownershipScope, this.node.path));
    const description = v.validated(this.node.path, 'description', () => v.singleLine(props.description ?? 'host settings'));
    const shown = items.filter((i) => i.kind !== 'file');
    const loader = items.filter((i) => i.kind === 'loader').map((i) => i.name);
    const create = new ScriptBuilder(description)
      .banner(`${description}: ${shown.map((i) => (i.kind === 'rc-word' ? `${i.name}+=${i.value}` : `${i.name}=${i.value}`)).join(' ')}`)
      .helper('settings-apply', ...settingsApplyArgs(this.stateFile, items));
    if (loader.length > 0) {
      create.banner(`${loader.join(', ')}: set in ${LOADER_CONF}; loader tunables take effect at the next boot (this library never reboots a host)`);
    }
    const destroy = new ScriptBuilder(description).banner('undoing only the recorded changes').helper('settings-undo', this.stateFile);
    this.step = new HostStep(this, 'apply', { host: props.host, description, ...stepScripts(create, destroy) });
    // Taken out of the app (with the construct that needs them), undone by the host prune step.
    keepHostClaim(props.host, HOST_SETTINGS_KIND, this.stateFile, this);
  }
}
