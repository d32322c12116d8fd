'use strict';
// zfs(8): datasets, snapshots, clones, send/receive, properties, jail/unjail. Messages and
// exit statuses follow OpenZFS as shipped with FreeBSD 13-15 (cmd/zfs/zfs_main.c,
// lib/libzfs; usage errors exit 2). Property values are checked as zfs_valid_proplist does
// (sizes through zfs_nicestrtonum, recordsize a power of 2 from 512B, compression's list)
// and quotas as the kernel does (dsl_dir_set_quota: not below what is used).
// In a jail (FAKEBSD_JAIL, as jexec runs it) zfs sees the datasets attached to the jail
// (zfs jail, or jail(8)'s zfs.dataset) with their children and may mount jailed ones under
// the jail's root when the jail allows it (allow.mount, allow.mount.zfs, enforce_statfs < 2).
const fs = require('fs');
const path = require('path');
const { out, fail, readStdin, writeFd, dbDir, hostPath } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');
const Z = require('../lib/zfsdata');
const T = require('../lib/tree');

const USAGE = {
  create: '\tcreate [-Pnpuv] [-o property=value] ... <filesystem>',
  destroy: '\tdestroy [-fnpRrv] <filesystem|volume>\n\tdestroy [-dnpRrv] <filesystem|volume>@<snap>[%<snap>][,...]',
  snapshot: '\tsnapshot [-r] [-o property=value] ... <filesystem|volume>@<snap> ...',
  rollback: '\trollback [-rRf] <snapshot>',
  clone: '\tclone [-p] [-o property=value] ... <snapshot> <filesystem|volume>',
  rename: '\trename [-f] <filesystem|volume|snapshot> <filesystem|volume|snapshot>\n\trename -p [-f] <filesystem|volume> <filesystem|volume>\n\trename -u [-f] <filesystem> <filesystem>\n\trename -r <snapshot> <snapshot>',
  list: '\tlist [-Hp] [-r|-d max] [-o property[,...]] [-s property]...\n\t    [-S property]... [-t type[,...]] [filesystem|volume|snapshot] ...',
  set: '\tset <property=value> ... <filesystem|volume|snapshot> ...',
  get: '\tget [-rHp] [-d max] [-o "all" | field[,...]]\n\t    [-t type[,...]] [-s source[,...]]\n\t    <"all" | property[,...]> [filesystem|volume|snapshot|bookmark] ...',
  inherit: '\tinherit [-rS] <property> <filesystem|volume|snapshot> ...',
  mount: '\tmount\n\tmount [-flvO] [-o opts] <-a | filesystem>',
  unmount: '\tunmount [-fu] <-a | filesystem|mountpoint>',
  send: '\tsend [-DLPbcehnpsvw] [-i|-I snapshot] <snapshot>',
  receive: '\treceive [-vMnsFhu] [-o <property>=<value>] ... [-x <property>] ...\n\t    <filesystem|volume|snapshot>',
  jail: '\tjail <jailid|jailname> <filesystem>',
  unjail: '\tunjail <jailid|jailname> <filesystem>',
};
USAGE.umount = USAGE.unmount;
USAGE.recv = USAGE.receive;
USAGE.snap = USAGE.snapshot;

function usageText(sub, props) {
  let t = 'usage:\n' + USAGE[sub] + '\n';
  if (props) t += '\nFor the property list, run: zfs set|get\n\nFor the delegated permission list, run: zfs allow|unallow\n';
  return t;
}
function usage(sub, line) {
  fail(2, (line ? line + '\n' : '') + usageText(sub, ['create', 'list', 'get', 'set', 'snapshot', 'clone', 'inherit'].includes(sub)));
}

// zfs uses getopt with OpenZFS's own wording for errors.
function opts(sub, argv, optstring) {
  return getopt(argv, optstring, {
    prog: 'zfs', code: 2, usage: usageText(sub, false),
    illegal: (c) => `invalid option '${c}'`,
    missing: (c) => `missing argument for '${c}' option`,
  });
}

function parseProps(sub, list) {
  const props = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq < 0) usage(sub, `missing '=' for property=value argument`);
    const k = kv.slice(0, eq);
    const v = kv.slice(eq + 1);
    if (k in props) fail(1, `property '${k}' specified multiple times`);
    props[k] = v;
  }
  return props;
}

/** Check a property assignment as zfs set / create -o would. Returns an error message or null. */
function checkProp(name, k, v, isSnapshot) {
  if (Z.isUserProp(k)) return null;
  if (Z.READONLY.includes(k)) return `cannot set property for '${name}': '${k}' is readonly`;
  const def = Z.NATIVE[k];
  if (!def) return `cannot set property for '${name}': invalid property '${k}'`;
  if (isSnapshot) return `cannot set property for '${name}': this property can not be modified for snapshots`;
  if (k === 'mountpoint' && !(v.startsWith('/') || v === 'none' || v === 'legacy')) {
    return `cannot set property for '${name}': 'mountpoint' must be an absolute path, 'none', or 'legacy'`;
  }
  if (def.values && !def.values.includes(v)) {
    return `cannot set property for '${name}': '${k}' must be one of '${def.values.join(' | ')}'`;
  }
  if (def.valid && !def.valid(v)) return `cannot set property for '${name}': '${k}' must be one of '${def.valuesText}'`;
  if (def.size) {
    if (def.zeroIsNone && v === 'none') return null;
    const { bytes, error } = Z.parseSize(v);
    if (error) return `cannot set property for '${name}': ${error}`;
    if (k === 'recordsize' && (bytes < 512 || bytes > Z.MAX_RECORDSIZE || (bytes & (bytes - 1)) !== 0)) {
      return `cannot set property for '${name}': '${k}' must be power of 2 from 512B to ${Z.nicebytes(Z.MAX_RECORDSIZE)}`;
    }
  }
  return null;
}

/** A checked value as the kernel stores it: sizes in bytes ("none" is 0). */
function stored(k, v) {
  const def = Z.NATIVE[k];
  if (!def || !def.size) return v;
  return v === 'none' ? '0' : String(Z.parseSize(v).bytes);
}

/** Values given with -o or set, stored; a quota or reservation of 0 is no local value at all. */
function applyProps(rec, props) {
  for (const [k, v] of Object.entries(props)) {
    const val = stored(k, v);
    if (Z.NATIVE[k] && Z.NATIVE[k].zeroIsNone && val === '0') delete rec.props[k];
    else rec.props[k] = val;
  }
}

/** dsl_dir_set_quota / dsl_dataset_set_refquota / reservations: ENOSPC, worded by zfs_prop_set_list. */
function checkSpace(s, rec, k, v) {
  const bytes = Number(stored(k, v));
  if (!bytes) return null;
  const prefix = `cannot set property for '${rec.name}': `;
  if (k === 'quota' && bytes < Z.usedBytes(s, rec, 'used')) return prefix + 'size is less than current used or reserved space';
  if (k === 'refquota' && bytes < Z.usedBytes(s, rec, 'referenced')) return prefix + 'size is less than current used or reserved space';
  if ((k === 'reservation' || k === 'refreservation') && bytes > Number(Z.prop(s, rec, 'available').value)) return prefix + 'size is greater than available space';
  return null;
}

/** zfs_is_mountable: a jailed dataset is never mounted on the host (only from inside its jail). */
function autoMounts(s, rec) {
  return Z.prop(s, rec, 'canmount').value === 'on' && !['none', 'legacy'].includes(Z.prop(s, rec, 'mountpoint').value)
    && Z.prop(s, rec, 'jailed').value !== 'on';
}

function mustExist(s, name, what = 'open') {
  const rec = Z.get(s, name);
  if (!rec || (JAIL && !visible(s, jailOf(s), name))) fail(1, `cannot ${what} '${name}': dataset does not exist`);
  return rec;
}

/** Run fn with every mounted filesystem in `names` unmounted, then mount the ones that were (and may be). */
function remounting(s, names, fn) {
  const recs = names.map((n) => Z.get(s, n)).filter((r) => r && r.type === 'filesystem' && r.mounted);
  recs.sort((a, b) => b.mountedAt.length - a.mountedAt.length);
  for (const r of recs) {
    const e = Z.unmount(s, r, { keepDir: false });
    if (e) fail(1, e);
  }
  const remount = fn() || recs;
  const after = remount.map((r) => Z.get(s, r.name) || r).filter((r) => s.zfs.datasets[r.name] === r);
  after.sort((a, b) => Z.prop(s, a, 'mountpoint').value.length - Z.prop(s, b, 'mountpoint').value.length);
  for (const r of after) {
    if (Z.prop(s, r, 'canmount').value !== 'on' || Z.prop(s, r, 'jailed').value === 'on') continue;
    const e = Z.mount(s, r);
    if (e) fail(1, e);
  }
}

// ---------------------------------------------------------------- create
function create(argv) {
  const g = opts('create', argv, 'Pnpuvo:');
  if (g.args.length !== 1) usage('create', g.args.length ? 'too many arguments' : 'missing filesystem argument');
  const name = g.args[0];
  const props = parseProps('create', g.all('o'));
  if (!Z.validName(name) || Z.isSnap(name)) fail(1, `cannot create '${name}': invalid character in name`);
  State.update((s) => {
    for (const [k, v] of Object.entries(props)) {
      const e = checkProp(name, k, v, false);
      if (e) fail(1, e.replace('cannot set property for', 'cannot create'));
    }
    if (Z.get(s, name)) {
      if (g.has('p')) return; // -p: an existing target is fine
      fail(1, `cannot create '${name}': dataset already exists`);
    }
    const par = Z.parentName(name);
    if (!par) fail(1, `cannot create '${name}': missing dataset name`);
    if (!Z.get(s, par)) {
      if (!g.has('p')) fail(1, `cannot create '${name}': parent does not exist`);
      if (!Z.get(s, name.split('/')[0])) fail(1, `cannot create '${name}': no such pool '${name.split('/')[0]}'`);
      createParents(s, par);
    }
    if (Z.get(s, par).type !== 'filesystem') fail(1, `cannot create '${name}': parent is not a filesystem`);
    createFs(s, name, props, g.has('u'));
  });
}

/** -p: create the missing ancestors of a dataset, outermost first. */
function createParents(s, par) {
  const chain = [];
  for (let p = par; p && !Z.get(s, p); p = Z.parentName(p)) chain.unshift(p);
  for (const p of chain) createFs(s, p, {}, false);
}

function createFs(s, name, props, noMount) {
  const rec = Z.newRecord(s, name, 'filesystem');
  applyProps(rec, props);
  fs.mkdirSync(Z.dataDir(rec), { recursive: true });
  if (!noMount && autoMounts(s, rec)) {
    const e = Z.mount(s, rec);
    if (e) {
      Z.destroyOne(s, name);
      fail(1, `cannot mount '${Z.prop(s, rec, 'mountpoint').value}': ${e.replace(/^cannot mount '[^']*': /, '')}\nfilesystem successfully created, but not mounted`);
    }
  }
  return rec;
}

// ---------------------------------------------------------------- list / get
const COLUMN_ALIASES = { avail: 'available', refer: 'referenced', reservation: 'reservation', compress: 'compression', rdonly: 'readonly' };
const HEADERS = { available: 'AVAIL', referenced: 'REFER' };

function parseTypes(sub, t) {
  const types = new Set();
  for (const x of t.split(',')) {
    if (x === 'filesystem' || x === 'fs') types.add('filesystem');
    else if (x === 'snapshot' || x === 'snap') types.add('snapshot');
    else if (x === 'volume' || x === 'vol' || x === 'bookmark') types.add(x.startsWith('vol') ? 'volume' : 'bookmark');
    else if (x === 'all') ['filesystem', 'snapshot', 'volume', 'bookmark'].forEach((y) => types.add(y));
    else usage(sub, `invalid type '${x}'`);
  }
  return types;
}

/** select(), in a jail only what the jail sees. */
function select(s, sub, operands, how) {
  const recs = selectAll(s, sub, operands, how);
  return JAIL ? recs.filter((r) => visible(s, jailOf(s), r.name)) : recs;
}

/** Datasets selected by operands, -r, -d and -t, in zfs's order (parents, then snapshots, then children). */
function selectAll(s, sub, operands, { recurse, depth, types, snapsOfOperand }) {
  const result = [];
  const seen = new Set();
  const add = (rec) => {
    if (!seen.has(rec.name) && types.has(rec.type)) { seen.add(rec.name); result.push(rec); }
  };
  const walk = (name, d) => {
    const rec = Z.get(s, name);
    add(rec);
    if (rec.type === 'snapshot' || d === 0) return;
    for (const sn of Z.snapshotsOf(s, name)) add(Z.get(s, sn));
    for (const c of Z.children(s, name)) walk(c, d - 1);
  };
  const maxDepth = depth !== undefined ? depth : recurse ? Infinity : 0;
  if (operands.length === 0) {
    for (const pool of Object.keys(s.zfs.datasets).filter((n) => !n.includes('/') && !Z.isSnap(n)).sort()) walk(pool, Infinity);
    return result;
  }
  for (const name of operands) {
    const rec = mustExist(s, name);
    if (maxDepth === 0) {
      // A named snapshot is listed whatever -t says; "-t snapshot FS" lists FS's snapshots.
      if (rec.type === 'snapshot') { seen.add(name); result.push(rec); continue; }
      add(rec);
      if (snapsOfOperand && types.has('snapshot')) for (const sn of Z.snapshotsOf(s, name)) add(Z.get(s, sn));
    } else walk(name, maxDepth);
  }
  return result;
}

function printTable(rows, header, scripted) {
  if (scripted) {
    for (const r of rows) out(r.join('\t') + '\n');
    return;
  }
  const all = header ? [header, ...rows] : rows;
  const widths = all[0] ? all[0].map((_, i) => Math.max(...all.map((r) => String(r[i]).length))) : [];
  for (const r of all) out(r.map((c, i) => (i === r.length - 1 ? c : String(c).padEnd(widths[i]))).join('  ') + '\n');
}

function checkColumn(sub, c) {
  const p = COLUMN_ALIASES[c] || c;
  if (!Z.isKnownProp(p)) usage(sub, `invalid property '${c}'`);
  return p;
}

function list(argv) {
  const g = opts('list', argv, 'Hpro:d:t:s:S:');
  const cols = (g.get('o') || 'name,used,avail,refer,mountpoint').split(',');
  const props = cols.map((c) => checkColumn('list', c));
  const explicitTypes = g.get('t');
  const types = explicitTypes ? parseTypes('list', explicitTypes) : new Set(['filesystem', 'volume']);
  const depth = g.has('d') ? Number(g.get('d')) : undefined;
  if (g.has('d') && !/^\d+$/.test(g.get('d'))) usage('list', `invalid depth '${g.get('d')}'`);
  const sortKeys = [...g.all('s').map((k) => [checkColumn('list', k), 1]), ...g.all('S').map((k) => [checkColumn('list', k), -1])];
  State.read((s) => {
    const recs = select(s, 'list', g.args, { recurse: g.has('r'), depth, types, snapsOfOperand: !!explicitTypes });
    let rows = recs.map((rec) => ({ rec, vals: props.map((p) => Z.display(s, rec, p, g.has('p')).value) }));
    if (sortKeys.length) {
      const raw = (rec, p) => { const v = Z.prop(s, rec, p).value; return /^\d+$/.test(v) ? Number(v) : v; };
      rows.sort((a, b) => {
        for (const [p, dir] of sortKeys) {
          const x = raw(a.rec, p); const y = raw(b.rec, p);
          if (x < y) return -dir; if (x > y) return dir;
        }
        return 0;
      });
    }
    if (rows.length === 0 && g.args.length === 0) { out('no datasets available\n'); return; }
    printTable(rows.map((r) => r.vals), props.map((p, i) => HEADERS[p] || cols[i].toUpperCase()), g.has('H'));
  });
}

function get(argv) {
  const g = opts('get', argv, 'rHpd:o:t:s:');
  if (g.args.length < 1) usage('get', 'missing property argument');
  const fields = (g.get('o') || 'name,property,value,source').split(',');
  for (const f of fields) if (!['name', 'property', 'value', 'received', 'source', 'all'].includes(f)) usage('get', `invalid field '${f}'`);
  const wanted = g.args[0] === 'all' ? null : g.args[0].split(',');
  if (wanted) for (const p of wanted) if (!Z.isKnownProp(COLUMN_ALIASES[p] || p)) usage('get', `bad property list: invalid property '${p}'`);
  const sources = g.get('s') ? g.get('s').split(',') : null;
  const types = g.get('t') ? parseTypes('get', g.get('t')) : new Set(['filesystem', 'volume', 'snapshot']);
  const depth = g.has('d') ? Number(g.get('d')) : undefined;
  State.read((s) => {
    const recs = select(s, 'get', g.args.slice(1), { recurse: g.has('r'), depth, types });
    const rows = [];
    for (const rec of recs) {
      const names = wanted ? wanted.map((p) => COLUMN_ALIASES[p] || p) : [...Z.READONLY.filter((p) => !['name', 'clones', 'logicalused', 'written'].includes(p)), ...Object.keys(Z.NATIVE), ...Object.keys(rec.props).filter(Z.isUserProp)];
      for (const p of names) {
        const { value, source } = Z.display(s, rec, p, g.has('p'));
        if (!wanted && value === '-' && rec.type === 'snapshot' && p in Z.NATIVE) continue;
        const srcWord = source.startsWith('inherited') ? 'inherited' : source === '-' ? 'none' : source;
        if (sources && !sources.includes(srcWord)) continue;
        const row = { name: rec.name, property: p, value, source, received: '-' };
        rows.push(fields.includes('all') ? ['name', 'property', 'value', 'source'].map((f) => row[f]) : fields.map((f) => row[f]));
      }
    }
    const hdr = (fields.includes('all') ? ['name', 'property', 'value', 'source'] : fields).map((f) => f.toUpperCase());
    printTable(rows, hdr, g.has('H'));
  });
}

// ---------------------------------------------------------------- set / inherit
function set(argv) {
  const g = opts('set', argv, '');
  const assigns = g.args.filter((a) => a.includes('='));
  const targets = g.args.filter((a) => !a.includes('='));
  if (assigns.length === 0) usage('set', 'missing property=value argument(s)');
  if (targets.length === 0) usage('set', 'missing dataset name(s)');
  const props = parseProps('set', assigns);
  State.update((s) => {
    for (const name of targets) {
      const rec = mustExist(s, name);
      for (const [k, v] of Object.entries(props)) {
        const e = checkProp(name, k, v, rec.type === 'snapshot') || (Z.NATIVE[k] ? checkSpace(s, rec, k, v) : null);
        if (e) fail(1, e);
      }
      const affectsMount = 'mountpoint' in props || 'jailed' in props;
      const apply = () => { applyProps(rec, props); if (rec.received) for (const k of Object.keys(props)) delete rec.received[k]; };
      if (affectsMount && rec.type === 'filesystem') remounting(s, [name, ...Z.descendants(s, name)], () => { apply(); });
      else apply();
    }
  });
}

function inherit(argv) {
  const g = opts('inherit', argv, 'rS');
  if (g.args.length < 2) usage('inherit', g.args.length ? 'missing dataset argument' : 'missing property argument');
  const [p, ...targets] = g.args;
  if (!Z.isKnownProp(p)) usage('inherit', `invalid property '${p}'`);
  if (Z.READONLY.includes(p)) fail(1, `'${p}' property is read-only`);
  // zfs_do_inherit: a property that is not inheritable is refused, quotas with a hint.
  if (Z.NATIVE[p] && !Z.NATIVE[p].inherit && !g.has('S')) {
    const hint = Z.NATIVE[p].zeroIsNone ? `use 'zfs set ${p}=none' to clear\nuse 'zfs inherit -S ${p}' to revert to received value\n` : '';
    fail(1, `'${p}' property cannot be inherited\n${hint}`);
  }
  State.update((s) => {
    for (const name of targets) {
      mustExist(s, name);
      const names = g.has('r') ? [name, ...Z.descendants(s, name)] : [name];
      const apply = () => names.forEach((n) => { delete Z.get(s, n).props[p]; });
      if (p === 'mountpoint' || p === 'jailed') remounting(s, [name, ...Z.descendants(s, name)], apply);
      else apply();
    }
  });
}

// ---------------------------------------------------------------- snapshot / clone
function snapshot(argv) {
  const g = opts('snapshot', argv, 'ro:');
  if (g.args.length === 0) usage('snapshot', 'missing snapshot argument');
  const props = parseProps('snapshot', g.all('o'));
  // zfs_snapshot_nvl validates -o through zfs_valid_proplist for ZFS_TYPE_SNAPSHOT: a user
  // property is any value, no native one applies to a snapshot when it is made.
  for (const k of Object.keys(props)) {
    if (Z.isUserProp(k)) continue;
    if (Z.READONLY.includes(k)) fail(1, `cannot create snapshots : '${k}' is readonly`);
    if (!Z.NATIVE[k]) fail(1, `cannot create snapshots : invalid property '${k}'`);
    fail(1, `cannot create snapshots : '${k}' does not apply to datasets of this type`);
  }
  State.update((s) => {
    for (const full of g.args) {
      if (!Z.isSnap(full) || !Z.validName(full)) fail(1, `cannot create snapshot '${full}': invalid character in name`);
      const [fsname, snap] = full.split('@');
      if (!Z.get(s, fsname)) fail(1, `cannot open '${fsname}': dataset does not exist\nusage:\n${USAGE.snapshot}\n`);
      const names = g.has('r') ? [fsname, ...Z.descendants(s, fsname).filter((n) => !Z.isSnap(n))] : [fsname];
      for (const n of names) if (Z.get(s, `${n}@${snap}`)) fail(1, `cannot create snapshot '${n}@${snap}': dataset already exists`);
      for (const n of names) {
        const rec = Z.newRecord(s, `${n}@${snap}`, 'snapshot');
        rec.props = { ...props };
        Z.freezeInto(s, Z.get(s, n), Z.dataDir(rec));
      }
    }
  });
}

function clone(argv) {
  const g = opts('clone', argv, 'po:');
  if (g.args.length !== 2) usage('clone', g.args.length < 2 ? 'missing target dataset argument' : 'too many arguments');
  const [snap, target] = g.args;
  const props = parseProps('clone', g.all('o'));
  State.update((s) => {
    const src = Z.get(s, snap);
    if (!src) fail(1, `cannot open '${snap}': dataset does not exist`);
    if (src.type !== 'snapshot') fail(1, `cannot open '${snap}': operation only applies to snapshots`);
    if (!Z.validName(target) || Z.isSnap(target)) fail(1, `cannot create '${target}': invalid character in name`);
    if (Z.get(s, target)) fail(1, `cannot create '${target}': dataset already exists`);
    for (const [k, v] of Object.entries(props)) { const e = checkProp(target, k, v, false); if (e) fail(1, e); }
    const par = Z.parentName(target);
    if (!par || target.split('/')[0] !== snap.split('/')[0]) fail(1, `cannot create '${target}': source and target pools differ`);
    if (!Z.get(s, par)) {
      if (!g.has('p')) fail(1, `cannot create '${target}': parent does not exist`);
      createParents(s, par);
    }
    const rec = Z.newRecord(s, target, 'filesystem', { origin: snap });
    applyProps(rec, props);
    T.copyTree(Z.dataDir(src), Z.dataDir(rec));
    if (autoMounts(s, rec)) {
      const e = Z.mount(s, rec);
      if (e) fail(1, e + '\nfilesystem successfully created, but not mounted');
    }
  });
}

// ---------------------------------------------------------------- rollback
// zfs_do_rollback and rollback_check (cmd/zfs/zfs_main.c), zfs_rollback (lib/libzfs/
// libzfs_dataset.c): the operand must be a snapshot; younger snapshots refuse the rollback
// unless -r (or -R) destroys them, and a younger snapshot's clones refuse -r unless -R destroys
// them too. The rollback itself is online: a mounted filesystem stays mounted, its files become
// the snapshot's (what is mounted under it stays).
const MAX_YOUNGER = 32;

function rollback(argv) {
  const g = opts('rollback', argv, 'rRf');
  if (g.args.length < 1) usage('rollback', 'missing dataset argument');
  if (g.args.length > 1) usage('rollback', 'too many arguments');
  const target = g.args[0];
  const recurse = g.has('r') || g.has('R');
  State.update((s) => {
    if (!Z.isSnap(target)) fail(1, `cannot open '${target}': missing '@' delimiter in snapshot name`);
    const snap = mustExist(s, target);
    const fsRec = mustExist(s, Z.fsOfSnap(target));
    const younger = Z.snapshotsOf(s, fsRec.name).filter((n) => Z.get(s, n).createtxg > snap.createtxg);
    if (younger.length > 0 && !recurse) {
      const shown = younger.slice(0, MAX_YOUNGER);
      fail(1, `cannot rollback to '${target}': more recent snapshots or bookmarks exist\nuse '-r' to force deletion of the following snapshots and bookmarks:\n${shown.join('\n')}`
        + (younger.length >= MAX_YOUNGER ? `\nOutput limited to ${MAX_YOUNGER} snapshots/bookmarks` : ''));
    }
    if (!g.has('R')) {
      const dependents = younger.flatMap((n) => withDependents(s, n).filter((d) => d !== n));
      if (dependents.length > 0) {
        fail(1, `cannot rollback to '${target}': clones of previous snapshots exist\nuse '-R' to force deletion of the following clones and dependents:\n${dependents.join('\n')}`);
      }
    }
    for (const n of younger) {
      const victims = withDependents(s, n).sort((a, b) => depthKey(b) - depthKey(a));
      for (const v of victims.filter((x) => x !== n)) {
        const r = Z.get(s, v);
        if (r && r.type === 'filesystem' && r.mounted) { const e = Z.unmount(s, r, { keepDir: false }); if (e) fail(1, e); }
      }
      for (const v of [...victims.filter((x) => x !== n), n]) if (Z.get(s, v)) Z.destroyOne(s, v);
    }
    restoreInto(s, fsRec, Z.dataDir(snap));
  });
}

/** The filesystem's own files replaced by src's; what is mounted under it is left as it is. */
function restoreInto(s, rec, src) {
  const dir = Z.dataDir(rec);
  const keep = Z.descendants(s, rec.name).map((n) => Z.get(s, n)).filter((d) => d.type === 'filesystem' && d.mounted && rec.mounted)
    .map((d) => path.relative(dir, hostPath(d.mountedAt))).filter((r) => r && !r.startsWith('..'));
  const clear = (rel) => {
    for (const e of fs.readdirSync(path.join(dir, rel))) {
      const r = rel ? `${rel}/${e}` : e;
      if (keep.includes(r)) continue;
      if (keep.some((k) => k.startsWith(`${r}/`))) clear(r);
      else fs.rmSync(path.join(dir, r), { recursive: true, force: true });
    }
  };
  fs.mkdirSync(dir, { recursive: true });
  clear('');
  T.copyTree(src, dir);
}

// ---------------------------------------------------------------- destroy
function destroy(argv) {
  const g = opts('destroy', argv, 'fnpRrvd');
  if (g.args.length !== 1) usage('destroy', g.args.length ? 'too many arguments' : 'missing dataset argument');
  const name = g.args[0];
  State.update((s) => {
    const rec = Z.get(s, name);
    if (!rec) fail(1, `cannot open '${name}': dataset does not exist`);
    if (!Z.parentName(name) && !Z.isSnap(name)) fail(1, `cannot destroy '${name}': operation does not apply to pools\nuse 'zfs destroy -r ${name}' to destroy all datasets in the pool\nuse 'zpool destroy ${name}' to destroy the pool itself`);
    const victims = [];
    if (rec.type === 'snapshot') {
      const clones = Z.clonesOf(s, name);
      if (clones.length && !g.has('R')) fail(1, `cannot destroy '${name}': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\n${clones.join('\n')}`);
      for (const c of clones) victims.push(...withDependents(s, c));
      victims.push(name);
    } else {
      const kids = [...Z.descendants(s, name), ...Z.snapshotsOf(s, name)].filter((n, i, a) => a.indexOf(n) === i);
      if (kids.length && !g.has('r') && !g.has('R')) {
        const direct = [...Z.children(s, name), ...Z.snapshotsOf(s, name)];
        fail(1, `cannot destroy '${name}': filesystem has children\nuse '-r' to destroy the following datasets:\n${direct.join('\n')}`);
      }
      const all = withDependents(s, name);
      const outside = all.filter((n) => n !== name && !n.startsWith(name + '/') && !n.startsWith(name + '@'));
      if (outside.length && !g.has('R')) fail(1, `cannot destroy '${name}': filesystem has dependent clones\nuse '-R' to destroy the following datasets:\n${outside.join('\n')}`);
      victims.push(...all);
    }
    const order = [...new Set(victims)].sort((a, b) => depthKey(b) - depthKey(a));
    if (g.has('n')) {
      if (g.has('v')) for (const v of order) out(`would destroy ${v}\n`);
      return;
    }
    for (const v of order) {
      const r = Z.get(s, v);
      if (!r) continue;
      if (r.type === 'filesystem' && r.mounted) {
        const busy = Object.values(s.jails.running).find((j) => (j.path + '/').startsWith(r.mountedAt + '/'));
        if (busy && !g.has('f')) fail(1, `cannot unmount '${r.mountedAt}': pool or dataset is busy`);
      }
      if (g.has('v')) out(`will destroy ${v}\n`);
      Z.destroyOne(s, v);
    }
  });
}
// Snapshots and children sort after their parents; destroy deepest first.
const depthKey = (n) => n.split('/').length * 2 + (n.includes('@') ? 1 : 0);

/** A filesystem with its descendants, snapshots, and (recursively) clones of those snapshots. */
function withDependents(s, name) {
  const acc = new Set();
  const visit = (n) => {
    if (acc.has(n)) return;
    acc.add(n);
    const rec = Z.get(s, n);
    if (rec.type === 'snapshot') { Z.clonesOf(s, n).forEach(visit); return; }
    Z.snapshotsOf(s, n).forEach(visit);
    Z.children(s, n).forEach(visit);
  };
  visit(name);
  return [...acc];
}

// ---------------------------------------------------------------- rename
function rename(argv) {
  const g = opts('rename', argv, 'fpur');
  if (g.args.length !== 2) usage('rename', g.args.length < 2 ? 'missing target dataset argument' : 'too many arguments');
  let [from, to] = g.args;
  State.update((s) => {
    const rec = mustExist(s, from);
    if (rec.type === 'snapshot') {
      if (!to.includes('@')) to = Z.fsOfSnap(from) + '@' + to;
      if (Z.fsOfSnap(to) !== Z.fsOfSnap(from)) fail(1, `cannot rename to '${to}': snapshots must be part of same dataset`);
      if (Z.get(s, to)) fail(1, `cannot rename to '${to}': dataset already exists`);
      renameKey(s, from, to);
      return;
    }
    if (g.has('r')) usage('rename', 'invalid option combination: -r only applies to snapshots');
    if (Z.isSnap(to) || !Z.validName(to)) fail(1, `cannot rename to '${to}': invalid character in name`);
    if (to.split('/')[0] !== from.split('/')[0]) fail(1, `cannot rename to '${to}': datasets must be within same pool`);
    if (Z.get(s, to)) fail(1, `cannot rename to '${to}': dataset already exists`);
    if (to.startsWith(from + '/')) fail(1, `cannot rename to '${to}': New dataset name cannot be a descendant of current dataset name`);
    const par = Z.parentName(to);
    if (!Z.get(s, par)) {
      if (!g.has('p')) fail(1, `cannot rename to '${to}': parent does not exist`);
      createParents(s, par);
    }
    // A rename takes the dataset's snapshots along (clones follow through their origin).
    const moved = [from, ...Z.snapshotsOf(s, from), ...Z.descendants(s, from)];
    const doRename = () => {
      for (const n of moved) renameKey(s, n, to + n.slice(from.length));
    };
    // -u: leave everything mounted where it is now.
    if (g.has('u')) doRename();
    else remounting(s, moved.filter((n) => !Z.isSnap(n)), doRename);
  });
}

function renameKey(s, from, to) {
  const rec = s.zfs.datasets[from];
  delete s.zfs.datasets[from];
  rec.name = to;
  s.zfs.datasets[to] = rec;
  for (const d of Object.values(s.zfs.datasets)) if (d.origin === from) d.origin = to;
}

// ---------------------------------------------------------------- mount / unmount
function mount(argv) {
  const g = opts('mount', argv, 'aflvOo:');
  if (JAIL) return jailMount(g);
  State.update((s) => {
    if (g.args.length === 0 && !g.has('a')) {
      for (const r of Object.values(s.zfs.datasets).filter((d) => d.mounted).sort((a, b) => a.name.localeCompare(b.name))) out(`${r.name.padEnd(24)}  ${r.mountedAt}\n`);
      return;
    }
    const targets = g.has('a')
      ? Object.values(s.zfs.datasets).filter((d) => d.type === 'filesystem' && !d.mounted && autoMounts(s, d))
      : g.args.map((n) => mustExist(s, n));
    targets.sort((a, b) => a.name.length - b.name.length);
    for (const r of targets) {
      if (r.type !== 'filesystem') fail(1, `cannot mount '${r.name}': not a filesystem`);
      // share_mount_one: a jailed dataset named on the host's command line.
      if (Z.prop(s, r, 'jailed').value === 'on') fail(1, `cannot mount '${r.name}': dataset is exported to a local zone`);
      const e = Z.mount(s, r);
      if (e) fail(1, e);
    }
  });
}

function unmount(argv, sub) {
  const g = opts(sub, argv, 'fua');
  if (!g.has('a') && g.args.length !== 1) usage(sub, g.args.length ? 'too many arguments' : 'missing filesystem argument');
  State.update((s) => {
    let targets;
    if (g.has('a')) targets = Object.values(s.zfs.datasets).filter((d) => d.mounted && Z.parentName(d.name));
    else {
      const arg = g.args[0];
      const rec = arg.startsWith('/') ? Object.values(s.zfs.datasets).find((d) => d.mounted && d.mountedAt === path.posix.normalize(arg)) : Z.get(s, arg);
      if (!rec) fail(1, arg.startsWith('/') ? `cannot unmount '${arg}': not a ZFS filesystem` : `cannot open '${arg}': dataset does not exist`);
      targets = [rec];
    }
    targets.sort((a, b) => (b.mountedAt || '').length - (a.mountedAt || '').length);
    for (const r of targets) {
      const e = Z.unmount(s, r);
      if (e) fail(1, e);
    }
  });
}

// ---------------------------------------------------------------- send / receive
const MAGIC = 'FAKEBSD-ZFS-STREAM-1';

function send(argv) {
  const g = opts('send', argv, 'DLPbcehnpsvwRi:I:');
  if (g.has('R') || g.has('i') || g.has('I')) fail(1, 'fakebsd: zfs send -R/-i/-I are not implemented by the fake');
  if (g.args.length !== 1) usage('send', g.args.length ? 'too many arguments' : 'missing snapshot argument');
  if (require('tty').isatty(1) && !g.has('n')) fail(1, 'Error: Stream can not be written to a terminal.\nYou must redirect standard output.');
  const name = g.args[0];
  const { header, tar } = State.read((s) => {
    const rec = Z.get(s, name);
    if (!rec) fail(1, `cannot open '${name}': dataset does not exist`);
    if (rec.type !== 'snapshot') fail(1, `Error: Unsupported flag with filesystem or bookmark.\ncannot send '${name}': operation only applies to snapshots`);
    const props = {};
    if (g.has('p')) {
      const fsRec = Z.get(s, Z.fsOfSnap(name));
      Object.assign(props, fsRec.props);
    }
    return { header: { snapshot: name, props, snapProps: rec.props, guid: rec.guid }, tar: g.has('n') ? null : T.tarTree(Z.dataDir(rec)) };
  });
  if (g.has('v') || g.has('n')) require('../lib/host').err(`full send of ${name} estimated size is ${Z.nicenum(tar ? tar.length : 0)}\ntotal estimated size is ${Z.nicenum(tar ? tar.length : 0)}\n`);
  if (g.has('n')) return;
  writeFd(1, MAGIC + ' ' + JSON.stringify(header) + '\n');
  writeFd(1, tar);
}

function receive(argv, sub) {
  const g = opts(sub, argv, 'vMnsFhuo:x:de');
  if (g.has('d') || g.has('e')) fail(1, 'fakebsd: zfs receive -d/-e are not implemented by the fake');
  if (g.args.length !== 1) usage(sub, g.args.length ? 'too many arguments' : 'missing snapshot argument');
  if (require('tty').isatty(0)) fail(1, 'Error: Backup stream can not be read from a terminal.\nYou must redirect standard input.');
  let target = g.args[0];
  const props = parseProps(sub, g.all('o'));
  const input = readStdin();
  const nl = input.indexOf(10);
  if (input.length === 0) fail(1, 'cannot receive: failed to read from stream');
  if (nl < 0 || !input.slice(0, nl).toString().startsWith(MAGIC + ' ')) fail(1, 'cannot receive: invalid stream (bad magic number)');
  const header = JSON.parse(input.slice(MAGIC.length + 1, nl).toString());
  const tar = input.slice(nl + 1);
  const snapName = header.snapshot.split('@')[1];
  let targetSnap = snapName;
  if (Z.isSnap(target)) [target, targetSnap] = target.split('@');
  State.update((s) => {
    for (const [k, v] of Object.entries(props)) { const e = checkProp(target, k, v, false); if (e) fail(1, e); }
    for (const x of g.all('x')) if (!Z.isKnownProp(x)) fail(1, `cannot receive: invalid property '${x}'`);
    const existing = Z.get(s, target);
    if (existing) {
      if (!g.has('F')) fail(1, `cannot receive new filesystem stream: destination '${target}' exists\nmust specify -F to overwrite it`);
      const snaps = Z.snapshotsOf(s, target);
      if (snaps.length) fail(1, `cannot receive new filesystem stream: destination has snapshots (eg. ${snaps[0]})\nmust destroy them to overwrite it`);
      if (Z.children(s, target).length) fail(1, `cannot receive new filesystem stream: destination '${target}' has children\nmust destroy them to overwrite it`);
      if (g.has('n')) return;
      Z.destroyOne(s, target);
    }
    const par = Z.parentName(target);
    if (!par || !Z.get(s, par)) fail(1, `cannot receive new filesystem stream: parent of '${target}' does not exist`);
    if (g.has('n')) return;
    const rec = Z.newRecord(s, target, 'filesystem');
    rec.received = {};
    for (const [k, v] of Object.entries(header.props || {})) {
      if (g.all('x').includes(k)) continue;
      rec.props[k] = v;
      rec.received[k] = true;
    }
    applyProps(rec, props);
    for (const k of Object.keys(props)) delete rec.received[k];
    T.untarTree(tar, Z.dataDir(rec));
    const snapRec = Z.newRecord(s, `${target}@${targetSnap}`, 'snapshot');
    snapRec.props = { ...(header.snapProps || {}) };
    T.copyTree(Z.dataDir(rec), Z.dataDir(snapRec));
    if (!g.has('u') && autoMounts(s, rec)) {
      const e = Z.mount(s, rec);
      if (e) fail(1, e);
    }
  });
  if (g.has('v')) out(`received ${Z.nicenum(tar.length)} stream\n`);
}

// ---------------------------------------------------------------- jail / unjail
// zfs_do_jail_impl (cmd/zfs/zfs_main.c), zfs_jail (lib/libzfs/os/freebsd/libzfs_compat.c) and
// zone_dataset_attach/detach (module/os/freebsd/spl/spl_zone.c): the jail must run, the
// dataset be a filesystem; attaching twice is EEXIST, detaching what is not attached ENOENT.
// The jailed property is not checked here: it decides what the jail may do with the dataset.
// A jail's datasets are kept on its record and go with it when it is removed.
function jailCmd(argv, attach) {
  const sub = attach ? 'jail' : 'unjail';
  const g = opts(sub, argv, '');
  if (g.args.length < 2) usage(sub, 'missing argument(s)');
  if (g.args.length > 2) usage(sub, 'too many arguments');
  const [want, name] = g.args;
  State.update((s) => {
    const j = State.findJail(s, want);
    if (!j) usage(sub, 'invalid jail id or name');
    const rec = mustExist(s, name);
    if (rec.type === 'snapshot') fail(1, `cannot ${sub} '${name}': snapshots can not be jailed`);
    const list = j.zfsDatasets || [];
    if (attach) {
      if (list.includes(name)) fail(1, `cannot jail '${name}': pool or dataset exists`);
      j.zfsDatasets = [...list, name];
    } else {
      if (!list.includes(name)) fail(1, `cannot unjail '${name}': no such pool or dataset`);
      j.zfsDatasets = list.filter((d) => d !== name);
    }
  });
}

// ---------------------------------------------------------------- inside a jail
const JAIL = process.env.FAKEBSD_JAIL || null;

/** zone_dataset_visible: attached datasets and their descendants (writable), their ancestors (read only). */
function visible(s, j, name) {
  const attached = j.zfsDatasets || [];
  return attached.some((d) => name === d || name.startsWith(d + '/') || name.startsWith(d + '@') || d.startsWith(name + '/'));
}
const jailOf = (s) => Object.values(s.jails.running).find((x) => x.name === JAIL);

/** zfs mount in a jail: vfs_domount's PRIV_VFS_MOUNT (prison_priv_check) and zfs_mount's allow.mount.zfs. */
function jailMount(g) {
  State.update((s) => {
    const j = jailOf(s);
    if (g.args.length === 0 && !g.has('a')) {
      for (const r of Object.values(s.zfs.datasets).filter((d) => d.mounted && d.inJail === JAIL)) out(`${r.name.padEnd(24)}  ${path.posix.relative(j.path, r.mountedAt) ? '/' + path.posix.relative(j.path, r.mountedAt) : '/'}\n`);
      return;
    }
    const names = g.has('a') ? Object.keys(s.zfs.datasets).filter((n) => !Z.isSnap(n) && visible(s, j, n) && (j.zfsDatasets || []).some((d) => n === d || n.startsWith(d + '/'))) : g.args;
    const one = (p) => (j.params[p] || [])[0];
    const allowed = ['allow.mount', 'allow.mount.zfs'].every((p) => one(p) !== undefined && one(p) !== 'false' && one(p) !== '0') && Number(one('enforce_statfs') ?? 2) < 2;
    for (const n of names) {
      const rec = Z.get(s, n);
      if (!rec || !visible(s, j, n)) fail(1, `cannot open '${n}': dataset does not exist`);
      if (g.has('a') && (rec.mounted || !['on'].includes(Z.prop(s, rec, 'canmount').value) || Z.prop(s, rec, 'jailed').value !== 'on')) continue;
      if (Z.prop(s, rec, 'jailed').value !== 'on') fail(1, `cannot mount '${n}': permission denied`);
      if (!allowed) fail(1, `cannot mount '${n}': Insufficient privileges`);
      const mp = Z.prop(s, rec, 'mountpoint').value;
      if (['none', 'legacy'].includes(mp)) continue;
      const e = Z.mount(s, rec, path.posix.join(j.path, mp));
      if (e) fail(1, e);
      rec.inJail = JAIL;
    }
  });
}

const SUBCOMMANDS = {
  create, list, get, set, inherit, snapshot, snap: snapshot, rollback, clone, destroy, rename, mount,
  unmount: (a) => unmount(a, 'unmount'), umount: (a) => unmount(a, 'umount'),
  send, receive: (a) => receive(a, 'receive'), recv: (a) => receive(a, 'recv'),
  jail: (a) => jailCmd(a, true), unjail: (a) => jailCmd(a, false),
};

function main(argv) {
  if (argv.length === 0) fail(2, 'usage: zfs command args ...\nwhere \'command\' is one of the following:\n\n' + Object.values(USAGE).filter((v, i, a) => a.indexOf(v) === i).join('\n') + '\n');
  const [sub, ...rest] = argv;
  const fn = SUBCOMMANDS[sub];
  if (!fn) fail(2, `unrecognized command '${sub}'\nusage: zfs command args ...`);
  fn(rest);
  return 0;
}

module.exports = { main, subcommandKey: (argv) => argv[0] };
