/**
 * ZFS properties of a jail's dataset, set in place with `zfs set` by a step of their own (the
 * dataset is never re-created for them). The names the step manages are recorded on the
 * dataset (ZFS_PROPERTIES_PROPERTY), so one taken out of the app is undone the next time the
 * step runs, and all of them by prune once the app sets none (the helper's
 * jail-zfs-properties-undo: `zfs inherit`, or `zfs set NAME=none` for the quotas and
 * reservations, which cannot be inherited).
 * Values are checked as zfs_valid_proplist and zfs_nicestrtonum read them.
 */
import { defineHostKind } from '../host/prune';
import { helperCall, ScriptBuilder, shellQuote, ZFS_PROPERTIES_PROPERTY } from '../shell';
import { ValidationError } from '../validate';
import * as p from '../validate/props';

/**
 * The properties set on jail datasets, kept by the jails that set any: a jail whose app sets none
 * any more has no properties step left to undo them (Terraform runs no destroy for a step that
 * left the configuration), so prune undoes what the record on its dataset names.
 */
export const ZFS_PROPERTIES_KIND = defineHostKind({
  name: 'jail-zfs-properties',
  claims: 'ZFS properties set on jail datasets',
  how: 'zfs inherit, or none for quotas and reservations',
  title: 'jail ZFS properties',
  pruneAction: 'jail-zfs-properties-prune',
  pruneArguments: (host) => [host.jailRootDataset],
  pruneOrder: 12,
  helperModule: 'resources.sh',
  constructs: ['JailFromSnapshot'],
});

/** Properties of a jail's dataset; an unset member is left as the dataset has it. */
export interface JailZfsProperties {
  /** quota: a size like "10G", or "none". @default - not set */
  readonly quota?: string;
  /** refquota: a size, or "none". @default - not set */
  readonly refquota?: string;
  /** reservation: a size, or "none". @default - not set */
  readonly reservation?: string;
  /** refreservation: a size, or "none". @default - not set */
  readonly refreservation?: string;
  /** compression: on, off, lzjb, gzip, gzip-N, zle, lz4, zstd, zstd-N, zstd-fast, zstd-fast-N. @default - not set (inherited) */
  readonly compression?: string;
  /** recordsize: a power of 2 from 512 to 16M, like "128K". @default - not set (inherited) */
  readonly recordsize?: string;
  /** atime: update access times. @default - not set (inherited) */
  readonly atime?: boolean;
  /** exec: allow executing files. @default - not set (inherited) */
  readonly exec?: boolean;
  /** setuid: honour the setuid bit. @default - not set (inherited) */
  readonly setuid?: boolean;
}

/** The properties this library manages, in the order they are set. */
export const ZFS_PROPERTY_NAMES = ['quota', 'refquota', 'reservation', 'refreservation', 'compression', 'recordsize', 'atime', 'exec', 'setuid'] as const;

/** zfs_nicestrtonum: a number with an optional B, K, M, G, T, P or E (also KB, KiB), case-insensitive. */
export function zfsSize(what: string, text: string): bigint {
  const m = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([bkmgtpe]|[kmgtpe](?:b|ib))?$/i.exec(text);
  if (typeof text !== 'string' || !m) {
    throw new ValidationError(`${what} ${JSON.stringify(text)} is no size as zfs reads it: a number with an optional unit B, K, M, G, T, P or E (powers of 1024), like "10G" or "1.5T"`);
  }
  const shift = 'BKMGTPE'.indexOf((m[2] ?? 'B')[0].toUpperCase()) * 10;
  const [whole, frac = ''] = m[1].split('.');
  const scale = 10n ** BigInt(frac.length);
  const value = ((BigInt(whole || '0') * scale + BigInt(frac || '0')) << BigInt(shift)) / scale;
  if (value > 2n ** 64n - 1n) throw new ValidationError(`${what} ${JSON.stringify(text)} is too large for zfs (numeric value is too large)`);
  return value;
}

const COMPRESSION = /^(on|off|lzjb|gzip|gzip-[1-9]|zle|lz4|zstd|zstd-([1-9]|1[0-9])|zstd-fast|zstd-fast-([1-9]|10|20|30|40|50|60|70|80|90|100|500|1000))$/;

/** Check the properties; `NAME=VALUE` in the order they are set. */
export function zfsPropertyAssignments(props: JailZfsProperties | undefined): string[] {
  if (!props) return [];
  const out: string[] = [];
  for (const name of ZFS_PROPERTY_NAMES) {
    const value = props[name];
    if (value === undefined) continue;
    switch (name) {
      case 'atime':
      case 'exec':
      case 'setuid':
        if (typeof value !== 'boolean') throw new ValidationError(`${name} must be true or false, not ${JSON.stringify(value)}`);
        out.push(`${name}=${value ? 'on' : 'off'}`);
        break;
      case 'compression':
        if (!COMPRESSION.test(String(value))) {
          throw new ValidationError(`compression ${JSON.stringify(value)} must be one of on, off, lzjb, gzip, gzip-[1-9], zle, lz4, zstd, zstd-[1-19], zstd-fast, zstd-fast-[1-10,20,30,40,50,60,70,80,90,100,500,1000]`);
        }
        out.push(`compression=${value}`);
        break;
      case 'recordsize': {
        const n = zfsSize(name, String(value));
        if (n < 512n || n > 16n * 1024n * 1024n || (n & (n - 1n)) !== 0n) {
          throw new ValidationError(`recordsize ${JSON.stringify(value)} must be a power of 2 from 512B to 16M, like "128K" or "1M"`);
        }
        out.push(`recordsize=${value}`);
        break;
      }
      default:
        if (value !== 'none') zfsSize(name, String(value));
        out.push(`${name}=${value}`);
    }
  }
  if (out.length === 0) throw new ValidationError('no property given; leave zfsProperties out instead');
  return out;
}

/**
 * The properties step's create: those the record names and the app no longer sets undone,
 * then the app's set, then the record written.
 */
export function zfsPropertiesCreateScript(dataset: string, assignments: readonly string[]): ScriptBuilder {
  const ds = shellQuote(dataset);
  const names = assignments.map((a) => a.slice(0, a.indexOf('=')));
  return new ScriptBuilder('jail dataset properties')
    .action(`${dataset}: undoing the properties no longer set`, helperCall('jail-zfs-properties-undo', dataset, ...names))
    .action(`${dataset}: ${assignments.join(' ')} (in place)`,
      `zfs set ${assignments.map(shellQuote).join(' ')} ${ds}`,
      `zfs set ${shellQuote(`${ZFS_PROPERTIES_PROPERTY}=${names.join(',')}`)} ${ds}`);
}

/** The properties step's destroy: every property it set undone, the record removed. */
export function zfsPropertiesDestroyScript(dataset: string): ScriptBuilder {
  return new ScriptBuilder('jail dataset properties').action(`${dataset}: undoing the properties this library set`,
    helperCall('jail-zfs-properties-undo', dataset));
}

/** What JailZfsProperties must be, for users of untyped languages (a prop of jails and data datasets). */
export const ZFS_PROPERTIES_PROP: p.Kind = p.struct('JailZfsProperties', {
  quota: p.str('"10G"'), refquota: p.str('"10G"'), reservation: p.str('"1G"'), refreservation: p.str('"1G"'),
  compression: p.str('"lz4"'), recordsize: p.str('"128K"'), atime: p.bool, exec: p.bool, setuid: p.bool,
}, '{ quota: "10G", compression: "lz4" }');
