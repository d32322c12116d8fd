/**
 * What the fake host IS, in terms a scenario asserts on: ZFS datasets and snapshots (from the
 * shims' state), running jails, parsed jail.conf, rc.conf variables, /etc/hosts lines, and a
 * normalized digest that two runs (or two hosts) can compare: no guids, jids, times, ports or keys.
 */
import * as crypto from 'crypto';
import * as path from 'path';
import { SCOPE_CLAIM_DIR } from '../../../lib/shell/names';
import { FakeHost, REPO_DIR } from '../host';

/* eslint-disable @typescript-eslint/no-require-imports */
const fakebsd = require(path.join(REPO_DIR, 'test/e2e/fakebsd/index.js'));
const rcconf = require(path.join(REPO_DIR, 'test/e2e/fakebsd/lib/rcconf.js'));
const jailconf = require(path.join(REPO_DIR, 'test/e2e/fakebsd/lib/jailconf.js'));
/* eslint-enable @typescript-eslint/no-require-imports */

export interface DatasetView {
  readonly type: 'filesystem' | 'snapshot' | string;
  /** Origin snapshot of a clone (null otherwise). */
  readonly origin: string | null;
  readonly mounted: boolean;
  /** Locally set properties (mountpoint, user properties like cdktf-freebsd-jails:owner). */
  readonly props: Record<string, string>;
}

interface RawDataset { name: string; type: string; origin: string | null; mounted: boolean; mountedAt: string | null; props: Record<string, string>; guid: number }
interface RawState {
  zfs: { datasets: Record<string, RawDataset> };
  jails: { running: Record<string, { name: string; path: string; [k: string]: unknown }> };
  mounts: { type: string; src: string; dst: string; opts: string[]; jail?: string }[];
  ifaces: Record<string, unknown>;
  pf: unknown;
  devfs: unknown;
  pkg: unknown;
  /** The daemons the jails' rc.d scripts started (lib/rcsubr.js). */
  daemons?: { jail: string; name: string; pid: number }[];
}

export function rawState(host: FakeHost): RawState {
  return fakebsd.readState(host.root);
}

/** The packages pkg(8) recorded installed under ROOT (the fake's local database in ROOT/var/db/pkg), name -> version. */
export function installedPackages(host: FakeHost, root: string): Record<string, string> {
  const db = `${root === '/' ? '' : root}/var/db/pkg/local.sqlite`;
  return host.exists(db) ? JSON.parse(host.readFile(db)) : {};
}

interface PfAnchor { nat: { text: string }[]; rules: { text: string }[] }

/** The fake host's pf: whether it runs, and the rules loaded per anchor ('' the main ruleset). */
export function pfState(host: FakeHost): { enabled: boolean; anchors: Record<string, PfAnchor> } {
  return rawState(host).pf as { enabled: boolean; anchors: Record<string, PfAnchor> };
}

/** The rules loaded into an anchor ('' the main ruleset), translation first, as pfctl shows them. */
export function pfLoaded(host: FakeHost, anchor: string): string[] {
  const a = pfState(host).anchors[anchor];
  return a ? [...a.nat, ...a.rules].map((r) => r.text) : [];
}

/** Every dataset and snapshot by name. */
export function datasets(host: FakeHost): Record<string, DatasetView> {
  const out: Record<string, DatasetView> = {};
  for (const d of Object.values(rawState(host).zfs.datasets)) {
    out[d.name] = { type: d.type, origin: d.origin, mounted: d.mounted, props: { ...d.props } };
  }
  return out;
}

/** Names of the datasets (and snapshots) under `prefix` (itself included), sorted. */
export function datasetNames(host: FakeHost, prefix = 'zroot'): string[] {
  return Object.keys(datasets(host)).filter((n) => n === prefix || n.startsWith(`${prefix}/`) || n.startsWith(`${prefix}@`)).sort();
}

/** Names of the running jails, sorted. */
export function runningJails(host: FakeHost): string[] {
  return Object.values(rawState(host).jails.running).map((j) => j.name).sort();
}

/** rc.conf variables as sh would see them after reading the file (last assignment wins). */
export function rcConf(host: FakeHost, file = '/etc/rc.conf'): Record<string, string> {
  if (!host.exists(file)) return {};
  const out: Record<string, string> = {};
  for (const a of rcconf.assignments(host.readFile(file))) out[a.name] = a.value;
  return out;
}

/** The words of an rc.conf list variable (jail_list, cloned_interfaces). */
export function rcWords(host: FakeHost, name: string): string[] {
  return (rcConf(host)[name] ?? '').split(/\s+/).filter(Boolean);
}

/** /etc/hosts as [address, ...names] rows, comments dropped. */
export function hostsEntries(host: FakeHost): string[][] {
  return host.readFile('/etc/hosts').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean).map((l) => l.split(/\s+/));
}

/** Resolved jail(8) parameters of every jail in /etc/jail.conf (with its .include), as jail(8) reads them. */
export function jailConf(host: FakeHost, file = '/etc/jail.conf'): Record<string, Record<string, string[]>> {
  if (!host.exists(file)) return {};
  const conf = jailconf.load(host.path(file), file, {
    release: 14, kld: ['zfs', 'nullfs', 'devfs', 'fdescfs', 'procfs', 'tmpfs'], hostPath: (p: string) => host.path(p),
  });
  const out: Record<string, Record<string, string[]>> = {};
  for (const name of conf.order as string[]) out[name] = conf.get(name).params;
  return out;
}

/** Paths whose entries never describe the host itself: per-rig keys and ports, logs, the shims' own bookkeeping. */
const VOLATILE: (string | RegExp)[] = [
  '/var/db/fakebsd', '/etc/ssh', '/etc/ld.so.cache', /^\/etc\/(passwd|group|shadow|gshadow|subuid|subgid)-?$/, '/etc/sudoers.d',
  /^\/var\/log\//, /\.log$/,
];
/** The pid file of a daemon in a jail (rc.subr's pidfile, /var/run/NAME.pid of the jail). */
const DAEMON_PID_FILE = /^\/vm\/[^/]+\/var\/run\/[^/]+\.pid$/;
const FILE_PATHS = ['/etc', '/vm', '/usr/local/etc', '/var/db', '/boot/loader.conf', '/data'];

function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : x));
}

/** The claim files of ownership scopes: SCOPE_CLAIM_DIR/NAME.claim. */
const SCOPE_CLAIM = new RegExp(`^${SCOPE_CLAIM_DIR.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/[^/]+\\.claim$`);

/** The ids in the host's scope claims, by file: what claimHolders compares with a state. */
export function scopeClaims(host: FakeHost): Record<string, string> {
  const dir = SCOPE_CLAIM_DIR;
  if (!host.exists(dir)) return {};
  return Object.fromEntries([...host.stateDigest({ paths: [dir] }).entries.keys()].filter((p) => SCOPE_CLAIM.test(p) && host.exists(p)).map((p) => [p, host.readFile(p).trim()]));
}

/** rc.conf variables that are lists of words: their order is not what the host is. */
const RC_LISTS = ['jail_list', 'cloned_interfaces'];

export interface ViewOptions {
  /**
   * Describe the files every step shares (/etc/rc.conf, /etc/hosts) by their meaning, one key
   * per variable, list word and hosts entry, instead of by content: a step that rewrote its own
   * hosts block or moved its jail_list word shows as touching only its own names.
   */
  readonly semantic?: boolean;
}

/**
 * A normalized description of the host: files under the watched paths (content hashes) and the
 * shims' state without guids, jids, times or the order of records. Equal views = the same host.
 */
export function hostView(host: FakeHost, opts: ViewOptions = {}): Map<string, string> {
  const view = new Map<string, string>();
  const shared = opts.semantic ? ['/etc/rc.conf', '/etc/hosts'] : [];
  for (const [p, d] of host.stateDigest({ paths: FILE_PATHS, alsoIgnore: [...VOLATILE, ...shared] }).entries) {
    // A scope's claim holds the claiming state's helper step id, random per Terraform state: the
    // view says a state holds it (scenarios compare the id with their state: claimHolders).
    // A daemon's pid file in a jail holds its pid, another on every run: the view says it is there.
    if (DAEMON_PID_FILE.test(p)) view.set(`file ${p}`, 'the pid file of a daemon');
    else view.set(`file ${p}`, SCOPE_CLAIM.test(p) && /^\d+\n$/.test(host.readFile(p)) ? 'claimed by a Terraform id' : d);
  }
  if (opts.semantic) {
    for (const [name, value] of Object.entries(rcConf(host))) {
      if (RC_LISTS.includes(name)) for (const w of value.split(/\s+/).filter(Boolean)) view.set(`rc ${name} has ${w}`, 'yes');
      else view.set(`rc ${name}`, value);
    }
    for (const [addr, ...names] of hostsEntries(host)) for (const n of names) view.set(`hosts ${addr} ${n}`, 'yes');
  }
  const s = rawState(host);
  for (const d of Object.values(s.zfs.datasets)) {
    // The clock readings a host keeps are in names: a retired dataset's retirement time, a
    // snapshot's time of the change it was taken before (`@cdktf-before-update-<time>-<run>`).
    const name = d.name.replace(/-\d{8}T\d{6}Z?(?=$|[-@/])/g, '-<time>');
    const props = Object.fromEntries(Object.entries(d.props).map(([k, v]) => [k, String(v).replace(/\d{8}T\d{6}Z?/, '<time>')]));
    view.set(`zfs ${name}`, sortedJson({ type: d.type, origin: d.origin, mounted: d.mounted, mountedAt: d.mountedAt, props }));
    // Data that is not at a mountpoint (snapshots, unmounted datasets) lives under the shims' guid directories.
    if (d.type !== 'filesystem' || !d.mounted) view.set(`data ${name}`, treeDigest(host, `/var/db/fakebsd/zfs/${d.guid}`));
  }
  for (const j of Object.values(s.jails.running)) {
    const { jid: _jid, started: _started, execs, ...rest } = j as Record<string, unknown>;
    // The commands jexec ran in the jail are its history, not its state (a service started after
    // a failed status probe ran one command fewer); what they started is its daemons, below.
    view.set(`jail ${j.name}`, sortedJson({ ...rest, execs: (execs as { param?: string }[] | undefined)?.filter((e) => e.param !== 'jexec') }));
  }
  for (const d of s.daemons ?? []) view.set(`daemon ${d.jail} ${d.name}`, 'running');
  for (const m of s.mounts) view.set(`mount ${m.dst}`, sortedJson(m));
  for (const [name, iface] of Object.entries(s.ifaces as Record<string, Record<string, unknown>>)) {
    const { inet, inet6, ...rest } = iface;
    view.set(`iface ${name}`, sortedJson(rest));
    for (const a of [...(inet as string[] ?? []), ...(inet6 as string[] ?? [])]) view.set(`iface ${name} address ${a}`, 'yes');
  }
  for (const k of ['pf', 'devfs'] as const) view.set(`state ${k}`, sortedJson(s[k]));
  // The shims keep pkg's databases in their state file by path; on a host they live at those
  // paths (a jail's /var/db/pkg, a PKG_DBDIR) and go with them.
  const pkg = s.pkg as { roots?: Record<string, unknown>; catalogues?: Record<string, unknown> };
  const present = (o: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([p]) => host.exists(p)));
  view.set('state pkg', sortedJson({ ...pkg, roots: present(pkg.roots), catalogues: present(pkg.catalogues) }));
  return view;
}

function treeDigest(host: FakeHost, dir: string): string {
  const entries = host.stateDigest({ paths: [dir] }).entries;
  const h = crypto.createHash('sha256');
  for (const k of [...entries.keys()].sort()) h.update(`${k.slice(dir.length)}\0${entries.get(k)}\n`);
  return h.digest('hex');
}

/** One line per difference: "+ key", "- key", "~ key". */
export function diffViews(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of after) {
    const was = before.get(k);
    if (was === undefined || was === 'absent') { if (v !== 'absent') out.push(`+ ${k}`); } else if (v === 'absent') out.push(`- ${k}`);
    else if (was !== v) out.push(`~ ${k}${was.length + v.length < 400 ? `: ${was} -> ${v}` : ''}`);
  }
  for (const [k, v] of before) if (!after.has(k) && v !== 'absent') out.push(`- ${k}`);
  return out.sort();
}

/** What an apply changed on a host, comparable between hosts: key -> the entry after the change. */
export function changeSet(before: Map<string, string>, after: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(key) ?? 'absent';
    const now = after.get(key) ?? 'absent';
    if (was !== now) out.set(key, now);
  }
  return out;
}

export function viewDigest(view: Map<string, string>): string {
  const h = crypto.createHash('sha256');
  for (const k of [...view.keys()].sort()) h.update(`${k}\0${view.get(k)}\n`);
  return h.digest('hex').slice(0, 16);
}
