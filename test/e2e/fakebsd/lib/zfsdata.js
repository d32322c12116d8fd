'use strict';
// The ZFS model: datasets and snapshots in the state file, their data as real
// directories. A mounted filesystem's data IS its mountpoint directory on the
// fake host; an unmounted one (or a snapshot) is kept under var/db/fakebsd/zfs/<guid>.
const fs = require('fs');
const path = require('path');
const { hostPath, dbDir } = require('./host');
const T = require('./tree');

const POOL = 'zroot';

// compression's values as zfs_prop.c lists them (zprop_values, shown in the refusal).
const COMPRESSION_VALUES = 'on | off | lzjb | gzip | gzip-[1-9] | zle | lz4 | zstd | zstd-[1-19] | zstd-fast | zstd-fast-[1-10,20,30,40,50,60,70,80,90,100,500,1000]';
const isCompression = (v) => ['on', 'off', 'lzjb', 'gzip', 'zle', 'lz4', 'zstd', 'zstd-fast'].includes(v)
  || /^gzip-[1-9]$/.test(v) || /^zstd-([1-9]|1[0-9])$/.test(v) || /^zstd-fast-([1-9]|10|[2-9]0|100|500|1000)$/.test(v);

// Native properties: default value and whether children inherit it. size: a byte count
// (stored as digits, printed as zfs_nicebytes does unless -p).
const NATIVE = {
  mountpoint: { inherit: true },
  canmount: { def: 'on', inherit: false, values: ['on', 'off', 'noauto'] },
  compression: { def: 'off', inherit: true, valid: isCompression, valuesText: COMPRESSION_VALUES },
  atime: { def: 'on', inherit: true, values: ['on', 'off'] },
  readonly: { def: 'off', inherit: true, values: ['on', 'off'] },
  exec: { def: 'on', inherit: true, values: ['on', 'off'] },
  setuid: { def: 'on', inherit: true, values: ['on', 'off'] },
  devices: { def: 'on', inherit: true, values: ['on', 'off'] },
  checksum: { def: 'on', inherit: true },
  sync: { def: 'standard', inherit: true, values: ['standard', 'always', 'disabled'] },
  recordsize: { def: '131072', inherit: true, size: true },
  snapdir: { def: 'hidden', inherit: true, values: ['hidden', 'visible'] },
  jailed: { def: 'off', inherit: true, values: ['on', 'off'] },
  dedup: { def: 'off', inherit: true },
  copies: { def: '1', inherit: true, values: ['1', '2', '3'] },
  quota: { def: '0', inherit: false, size: true, zeroIsNone: true },
  refquota: { def: '0', inherit: false, size: true, zeroIsNone: true },
  reservation: { def: '0', inherit: false, size: true, zeroIsNone: true },
  refreservation: { def: '0', inherit: false, size: true, zeroIsNone: true },
};
// The largest block a pool takes: OpenZFS 2.2 (FreeBSD 14.0 on) raised zfs_max_recordsize's
// default from 1M to 16M (openzfs/zfs#13302); SPA_MINBLOCKSIZE is 512.
const MAX_RECORDSIZE = 16 * 1024 * 1024;

/**
 * zfs_nicestrtonum (lib/libzfs/libzfs_util.c): "1G", "1.5g", "512", "1GB", "1GiB" to bytes.
 * Returns { bytes } or { error } with libzfs's wording.
 */
function parseSize(v) {
  if (!/^[0-9.]/.test(v)) return { error: `bad numeric value '${v}'` };
  const m = /^([0-9]*\.?[0-9]*)(.*)$/.exec(v);
  const num = Number(m[1]);
  if (m[1] === '.' || !Number.isFinite(num)) return { error: `bad numeric value '${v}'` };
  const suf = m[2];
  let shift = 0;
  if (suf !== '') {
    const i = 'BKMGTPEZ'.indexOf(suf[0].toUpperCase());
    const tail = suf.slice(1).toUpperCase();
    if (i < 0 || !(tail === '' || (suf[0].toUpperCase() !== 'B' && (tail === 'B' || tail === 'IB')))) return { error: `invalid numeric suffix '${suf}'` };
    shift = 10 * i;
  }
  if (!m[1].includes('.') && suf === '' && !/^\d+$/.test(m[1])) return { error: `bad numeric value '${v}'` };
  const bytes = num * 2 ** shift;
  if (bytes >= 2 ** 64) return { error: 'numeric value is too large' };
  return { bytes: Math.floor(bytes) };
}

/** zfs_nicebytes: 1024-based, exact multiples without decimals, else at most 5 characters. */
function nicebytes(n) {
  n = Number(n);
  const units = ['B', 'K', 'M', 'G', 'T', 'P', 'E'];
  let i = 0;
  while (i < units.length - 1 && n >= 1024 ** (i + 1)) i++;
  if (i === 0) return `${n}B`;
  if (n % 1024 ** i === 0) return `${n / 1024 ** i}${units[i]}`;
  for (let p = 2; p >= 0; p--) {
    const str = `${(n / 1024 ** i).toFixed(p)}${units[i]}`;
    if (str.length <= 5 || p === 0) return str;
  }
  return String(n);
}
// Read-only statistics, computed on demand.
const READONLY = ['type', 'creation', 'used', 'available', 'referenced', 'compressratio', 'mounted', 'origin', 'name', 'guid', 'createtxg', 'written', 'logicalused', 'clones'];

const isUserProp = (p) => /^[a-z0-9_.+-]*:[a-z0-9_.+:-]*$/i.test(p) && p.indexOf(':') > 0;
const isKnownProp = (p) => p in NATIVE || READONLY.includes(p) || isUserProp(p);

const parentName = (name) => (name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : null);
const isSnap = (name) => name.includes('@');
const fsOfSnap = (name) => name.split('@')[0];

function validName(name) {
  const [fsname, snap, extra] = name.split('@');
  if (extra !== undefined) return false;
  if (snap !== undefined && !/^[A-Za-z0-9_.:-]+$/.test(snap)) return false;
  return /^[A-Za-z0-9][A-Za-z0-9_.:-]*(\/[A-Za-z0-9_.:-]+)*$/.test(fsname);
}

function newRecord(s, name, type, extra = {}) {
  const guid = s.zfs.nextGuid++;
  const rec = { name, type, guid, createtxg: guid, creation: Math.floor(Date.now() / 1000), props: {}, origin: null, mounted: false, mountedAt: null, ...extra };
  s.zfs.datasets[name] = rec;
  return rec;
}

function initPool(s) {
  const rec = newRecord(s, POOL, 'filesystem');
  rec.mounted = true;
  rec.mountedAt = '/' + POOL;
  fs.mkdirSync(hostPath(rec.mountedAt), { recursive: true });
}

const get = (s, name) => s.zfs.datasets[name];

/** Where a dataset's data lives right now (real path). */
function dataDir(rec) {
  if (rec.type === 'filesystem' && rec.mounted) return hostPath(rec.mountedAt);
  return dbDir('zfs', String(rec.guid));
}

function children(s, name) {
  return Object.keys(s.zfs.datasets).filter((n) => parentName(n) === name && !isSnap(n)).sort();
}
function descendants(s, name) {
  return Object.keys(s.zfs.datasets).filter((n) => n.startsWith(name + '/')).sort();
}
function snapshotsOf(s, name) {
  return Object.keys(s.zfs.datasets).filter((n) => isSnap(n) && fsOfSnap(n) === name).sort((a, b) => get(s, a).createtxg - get(s, b).createtxg);
}
function clonesOf(s, snap) {
  return Object.values(s.zfs.datasets).filter((d) => d.origin === snap).map((d) => d.name).sort();
}

/** Effective value and source of a property, walking up for inherited ones. */
function prop(s, rec, p) {
  if (READONLY.includes(p)) return { value: statValue(s, rec, p), source: '-' };
  const fsRec = rec.type === 'snapshot' ? get(s, fsOfSnap(rec.name)) : rec;
  if (rec.type === 'snapshot' && (p === 'mountpoint' || p === 'canmount' || p in { quota: 1, refquota: 1, reservation: 1, refreservation: 1 })) return { value: '-', source: '-' };
  if (p in rec.props) return { value: rec.props[p], source: rec.received && rec.received[p] ? 'received' : 'local' };
  if (rec.type === 'snapshot' && isUserProp(p)) return inheritedFrom(s, fsRec, p, true);
  if (p === 'mountpoint') {
    let cur = fsRec;
    let suffix = '';
    while (cur) {
      if ('mountpoint' in cur.props) {
        const v = cur.props.mountpoint;
        const value = v === 'none' || v === 'legacy' ? v : (v === '/' ? '' : v) + suffix || '/';
        return { value, source: cur === fsRec ? 'local' : `inherited from ${cur.name}` };
      }
      const par = parentName(cur.name);
      if (!par) return { value: '/' + cur.name + suffix, source: 'default' };
      suffix = '/' + cur.name.slice(par.length + 1) + suffix;
      cur = get(s, par);
    }
  }
  if (isUserProp(p)) return inheritedFrom(s, fsRec, p, false);
  const def = NATIVE[p];
  if (def.inherit) return inheritedFrom(s, fsRec, p, false);
  return { value: def.def, source: 'default' };
}

function inheritedFrom(s, fsRec, p, includeSelf) {
  let cur = includeSelf ? fsRec : fsRec && get(s, parentName(fsRec.name) || '');
  while (cur) {
    if (p in cur.props) return { value: cur.props[p], source: `inherited from ${cur.name}` };
    cur = get(s, parentName(cur.name) || '');
  }
  if (isUserProp(p)) return { value: '-', source: '-' };
  return { value: NATIVE[p].def, source: 'default' };
}

function statValue(s, rec, p) {
  switch (p) {
    case 'type': return rec.type;
    case 'name': return rec.name;
    case 'guid': return String(1000000000000 + rec.guid * 7919);
    case 'createtxg': return String(rec.createtxg);
    case 'creation': return String(rec.creation);
    case 'origin': return rec.origin || '-';
    case 'mounted': return rec.type === 'snapshot' ? '-' : rec.mounted ? 'yes' : 'no';
    case 'compressratio': return '1.00x';
    case 'available': return rec.type === 'snapshot' ? '-' : String(available(s, rec));
    case 'clones': return rec.type === 'snapshot' ? clonesOf(s, rec.name).join(',') || '' : '-';
    case 'used': case 'referenced': case 'logicalused': case 'written': return String(usedBytes(s, rec, p));
    default: return '-';
  }
}

/** Free space as the dataset sees it: the pool's, capped by its own and its ancestors' quotas. */
function available(s, rec) {
  let avail = 100 * 2 ** 30;
  for (let cur = rec; cur; cur = get(s, parentName(cur.name) || '')) {
    for (const [q, over] of [['quota', 'used'], ['refquota', 'referenced']]) {
      if (q === 'refquota' && cur !== rec) continue;
      const quota = Number(cur.props[q] || 0);
      if (quota > 0) avail = Math.min(avail, Math.max(0, quota - usedBytes(s, cur, over)));
    }
  }
  return avail;
}

function usedBytes(s, rec, p) {
  if (rec.type === 'snapshot') return p === 'referenced' ? T.treeSize(dataDir(rec)) : 0;
  const skip = new Set(descendants(s, rec.name).map((n) => get(s, n)).filter((d) => d.mounted).map(dataDir));
  let n = T.treeSize(dataDir(rec), skip);
  if (p === 'used') for (const c of descendants(s, rec.name)) if (!isSnap(c)) n += T.treeSize(dataDir(get(s, c)), skip);
  return n;
}

/** Human-readable sizes as zfs prints them (1024-based, three significant digits). */
function nicenum(nStr) {
  const n = Number(nStr);
  if (!Number.isFinite(n)) return nStr;
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  if (i === 0) return `${n}B`;
  const str = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return str.replace(/\.0+$/, '').replace(/(\.\d*[1-9])0+$/, '$1') + units[i];
}

function ctimeString(sec) {
  const d = new Date(sec * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const mons = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (x) => String(x).padStart(2, '0');
  return `${days[d.getDay()]} ${mons[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())} ${d.getFullYear()}`;
}

/** Value as printed: human by default, exact with -p. */
function display(s, rec, p, parsable) {
  const { value, source } = prop(s, rec, p);
  if (parsable) return { value, source };
  if (['used', 'available', 'referenced', 'logicalused', 'written'].includes(p) && value !== '-') return { value: nicenum(value), source };
  if (p === 'creation') return { value: ctimeString(Number(value)), source };
  const def = NATIVE[p];
  if (def && def.size && /^\d+$/.test(value)) return { value: def.zeroIsNone && value === '0' ? 'none' : nicebytes(value), source };
  return { value, source };
}

/**
 * Mount a filesystem at its mountpoint (or at `at`, a host path: a jail's root joined with the
 * mountpoint): its data directory moves there. Returns an error message or null.
 */
function mount(s, rec, at) {
  const mp = at || prop(s, rec, 'mountpoint').value;
  if (rec.mounted) return `cannot mount '${rec.name}': filesystem already mounted`;
  if (mp === 'none' || mp === 'legacy') return `cannot mount '${rec.name}': ${mp === 'none' ? 'no mountpoint set' : "legacy mountpoint"}`;
  if (prop(s, rec, 'canmount').value === 'off') return `cannot mount '${rec.name}': 'canmount' property is set to 'off'`;
  const target = hostPath(mp);
  if (fs.existsSync(target)) {
    if (!fs.statSync(target).isDirectory()) return `cannot mount '${mp}': Not a directory`;
    // FreeBSD would mount over a non-empty directory, hiding it; the fake keeps one
    // tree per path, so an occupied directory is refused instead of silently merged.
    if (!T.isEmptyDir(target)) return `cannot mount '${mp}': directory is not empty`;
    fs.rmdirSync(target);
  }
  const store = dataDir(rec);
  if (!fs.existsSync(store)) fs.mkdirSync(store, { recursive: true });
  T.moveTree(store, target);
  rec.mounted = true;
  rec.mountedAt = mp;
  return null;
}

function unmount(s, rec, { keepDir = true } = {}) {
  if (!rec.mounted) return `cannot unmount '${rec.name}': not currently mounted`;
  const busy = descendants(s, rec.name).map((n) => get(s, n)).find((d) => d.mounted && (d.mountedAt + '/').startsWith(rec.mountedAt.replace(/\/$/, '') + '/'));
  if (busy) return `cannot unmount '${rec.mountedAt}': pool or dataset is busy`;
  const here = hostPath(rec.mountedAt);
  const store = dbDir('zfs', String(rec.guid));
  T.removeTree(store);
  T.moveTree(here, store);
  if (keepDir) fs.mkdirSync(here, { recursive: true });
  rec.mounted = false;
  rec.mountedAt = null;
  delete rec.inJail;
  return null;
}

/** Copy a filesystem's own data (without mounted children) to dst. */
function freezeInto(s, rec, dst) {
  const src = dataDir(rec);
  T.removeTree(dst);
  T.copyTree(src, dst);
  for (const n of descendants(s, rec.name)) {
    const d = get(s, n);
    if (d.type !== 'filesystem' || !d.mounted) continue;
    const rel = path.relative(src, hostPath(d.mountedAt));
    if (!rel.startsWith('..') && rel !== '') {
      T.emptyDir(path.join(dst, rel));
    }
  }
}

/** Remove a dataset's data and record (callers check dependents first). */
function destroyOne(s, name) {
  const rec = get(s, name);
  if (rec.type === 'filesystem' && rec.mounted) {
    const dir = hostPath(rec.mountedAt);
    T.removeTree(dir);
  } else {
    T.removeTree(dataDir(rec));
  }
  delete s.zfs.datasets[name];
}

module.exports = {
  POOL, NATIVE, READONLY, isUserProp, isKnownProp, parentName, isSnap, fsOfSnap, validName,
  newRecord, initPool, get, dataDir, children, descendants, snapshotsOf, clonesOf, prop, display,
  nicenum, mount, unmount, freezeInto, destroyOne, parseSize, nicebytes, usedBytes, MAX_RECORDSIZE,
};
