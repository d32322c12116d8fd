'use strict';
// pw(8), after usr.sbin/pw (pw.c, pw_user.c, pw_group.c), against a root's account files
// (lib/passwd.js): `pw -R ROOT ...` (and `jexec JAIL pw ...`, which the fake runs as -R with
// the jail's path). useradd usermod userdel usershow groupadd groupmod groupdel groupshow
// (and the "user add" spellings), the name as the word after the command or -n, -u/-g ids.
// Refusals as pw makes them, through errx(3) ("pw: MESSAGE") with sysexits(3) statuses:
//   login name `X' already exists (65 EX_DATAERR), uid `N' has already been allocated (65,
//   without -o), group `X' does not exist (67 EX_NOUSER), no such user `X' (67), group name
//   `X' already exists (65), gid `N' has already been allocated (65), unknown group `X' (65),
//   user `X' does not exist (67, -M members), cannot remove user 'root' (65), invalid
//   character `C' at position N in userid/group name (65), unknown keyword `X' (64),
//   no such directory `X' (72 EX_OSFILE, -R).
// useradd without -g makes a group of the user's name, its gid the uid when free
// (pw_gidpolicy); home /home/NAME, shell /bin/sh, password "*", gecos "User &" unless given;
// -m creates the home directory. userdel removes the user from every group and its own group
// when that has no members; -r removes the home directory. usershow prints the master.passwd
// line (pw_make). Without -R the fake refuses: the fake host's own /etc is Linux's.
const fs = require('fs');
const path = require('path');
const { out, fail, hostPath } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const P = require('../lib/passwd');

const EX = { USAGE: 64, DATAERR: 65, NOUSER: 67, OSFILE: 72, IOERR: 74 };
const MODES = ['add', 'del', 'mod', 'show', 'next'];
const WHICH = ['user', 'group'];
const OPTS = {
  'user add': 'C:qn:u:c:d:e:p:g:G:mM:k:s:oL:h:H:NPYy:',
  'user del': 'C:qn:u:rYy:',
  'user mod': 'C:qn:u:c:d:e:p:g:G:mM:l:k:s:w:L:h:H:NPYy:',
  'user show': 'C:qn:u:FPa7',
  'group add': 'C:qn:g:h:H:M:oNPY',
  'group del': 'C:qn:g:Y',
  'group mod': 'C:qn:d:g:l:h:H:M:m:NPY',
  'group show': 'C:qn:g:FPa',
};
const die = (code, msg) => fail(code, `pw: ${msg}`);
const SHELLS = { sh: '/bin/sh', csh: '/bin/csh', tcsh: '/bin/tcsh', nologin: '/usr/sbin/nologin' };

/** pw_checkname: the characters a user or group name may not have. */
function checkName(name) {
  const bad = ' ,\t:+&#%$^()!@~*?<>=|\\/"';
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if ((i === 0 && c === '-') || bad.includes(c) || c < ' ' || c.charCodeAt(0) >= 127) {
      if (c === '$' && i === name.length - 1) break;
      die(EX.DATAERR, `invalid character \`${c}' at position ${i} in userid/group name`);
    }
  }
  if (name.length > 32) die(EX.USAGE, `name too long \`${name}' (max is 32)`);
  return name;
}

function main(argv) {
  let root = null;
  let mode = null;
  let which = null;
  let arg1 = null;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('-')) {
      if (a[1] !== 'R' && a[1] !== 'V') break;
      const dir = a.length > 2 ? a.slice(2) : argv[++i];
      if (dir === undefined) die(EX.USAGE, `option requires an argument -- ${a[1]}`);
      if (!fs.existsSync(hostPath(dir))) die(EX.OSFILE, `no such directory \`${dir}'`);
      if (!fs.statSync(hostPath(dir)).isDirectory()) die(EX.OSFILE, `\`${dir}' not a directory`);
      if (a[1] === 'V') fail(1, 'fakebsd: pw -V is not implemented by the fake');
      root = dir;
      continue;
    }
    const combo = /^(user|group)(add|del|mod|show|next)$/.exec(a) || /^(add|del|mod|show|next)(user|group)$/.exec(a);
    if (!mode && MODES.includes(a)) mode = a;
    else if (!which && WHICH.includes(a)) which = a;
    else if (combo) { which = WHICH.includes(combo[1]) ? combo[1] : combo[2]; mode = MODES.includes(combo[1]) ? combo[1] : combo[2]; }
    else if (mode && which && arg1 === null) arg1 = a;
    else die(EX.USAGE, `unknown keyword \`${a}'`);
  }
  if (!mode || !which) fail(EX.USAGE, `usage:\n  pw [user|group|lock|unlock] [add|del|mod|show|next] [help|switches/values]`);
  const key = `${which} ${mode}`;
  if (!OPTS[key]) fail(1, `fakebsd: pw ${key} is not implemented by the fake`);
  const g = getopt(argv.slice(i), OPTS[key], { prog: 'pw', code: EX.USAGE });
  if (g.args.length) die(EX.USAGE, `unknown keyword \`${g.args[0]}'`);
  for (const f of ['C', 'e', 'p', 'k', 'h', 'H', 'L', 'w', 'Y', 'y', 'M', 'P', 'N']) {
    if (g.has(f) && !(f === 'M' && which === 'group') && !(f === 'P' && mode === 'show')) fail(1, `fakebsd: pw ${key} -${f} is not implemented by the fake`);
  }
  if (root === null) fail(1, 'fakebsd: pw on the fake host needs -R ROOT (or jexec JAIL pw): its own /etc is not FreeBSD\'s');
  const real = hostPath(root);
  if (!P.hasDatabase(real)) die(EX.IOERR, `${path.posix.join(root, 'etc/master.passwd')}: No such file or directory`);
  const db = P.load(real);
  const idOf = (flag) => (g.has(flag) ? parseId(g.get(flag)) : (arg1 !== null && /^\d+$/.test(arg1) ? Number(arg1) : null));
  const name = g.get('n') ?? (arg1 !== null && !/^\d+$/.test(arg1) ? arg1 : null);
  return (which === 'user' ? user : group)(mode, { g, db, real, name, id: idOf(which === 'user' ? 'u' : 'g') });
}

function parseId(s) {
  if (!/^\d+$/.test(s)) die(EX.USAGE, `Bad id '${s}': invalid`);
  return Number(s);
}

const groupBy = (db, v) => db.groups.find((x) => x.name === v) || (/^\d+$/.test(v) ? db.groups.find((x) => x.gid === Number(v)) : undefined);

function shellOf(s) {
  if (s === '' || s.startsWith('/')) return s;
  if (SHELLS[s]) return SHELLS[s];
  die(EX.OSFILE, `can't find shell \`${s}' in shell paths`);
}

function supplementary(db, list) {
  return list.split(/[, \t]+/).filter(Boolean).map((n) => {
    const gr = groupBy(db, n);
    if (!gr) die(EX.NOUSER, `group \`${n}' does not exist`);
    return gr;
  });
}

function user(mode, { g, db, real, name, id }) {
  const find = () => (name !== null ? db.users.find((u) => u.name === checkName(name)) : db.users.find((u) => u.uid === id));
  const missing = () => die(EX.NOUSER, name !== null ? `no such user \`${name}'` : `no such uid \`${id}'`);
  const home = (u) => path.join(real, path.posix.resolve('/', u.home));
  if (mode === 'show') {
    if (g.has('a')) { for (const u of db.users) out(`${P.userLine(u)}\n`); return 0; }
    if (name === null && id === null) die(EX.DATAERR, 'username or id required');
    const u = find();
    if (!u) missing();
    out(`${P.userLine(u)}\n`);
    return 0;
  }
  if (mode === 'add') {
    if (name === null) die(EX.DATAERR, 'login name required');
    checkName(name);
    if (db.users.some((u) => u.name === name)) die(EX.DATAERR, `login name \`${name}' already exists`);
    let uid = id;
    if (uid !== null) {
      const taken = db.users.find((u) => u.uid === uid);
      if (taken && !g.has('o')) die(EX.DATAERR, `uid \`${uid}' has already been allocated`);
    } else {
      const used = db.users.map((u) => u.uid).filter((n) => n >= 1000 && n <= 32000);
      uid = used.length ? Math.max(...used) + 1 : 1000;
    }
    let gid;
    if (g.has('g')) {
      const gr = groupBy(db, g.get('g'));
      if (!gr) die(EX.NOUSER, `group \`${g.get('g')}' does not exist`);
      gid = gr.gid;
    }
    const extra = g.has('G') ? supplementary(db, g.get('G')) : [];
    const shell = shellOf(g.has('s') ? g.get('s') : 'sh');
    if (gid === undefined) {
      const own = db.groups.find((x) => x.name === name);
      if (own && own.members.length === 0) gid = own.gid;
      else {
        if (own) die(EX.DATAERR, `group name \`${name}' already exists`);
        const usedG = db.groups.map((x) => x.gid).filter((n) => n >= 1000 && n <= 32000);
        gid = !db.groups.some((x) => x.gid === uid) ? uid : (usedG.length ? Math.max(...usedG) + 1 : 1000);
        db.groups.push({ name, passwd: '*', gid, members: [] });
      }
    }
    const u = { name, passwd: '*', uid, gid, class: '', change: '0', expire: '0', gecos: g.has('c') ? g.get('c') : 'User &', home: g.has('d') ? g.get('d') : `/home/${name}`, shell };
    db.users.push(u);
    for (const gr of extra) if (!gr.members.includes(name)) gr.members.push(name);
    P.save(real, db);
    if (g.has('m')) { fs.mkdirSync(home(u), { recursive: true, mode: 0o755 }); fs.chownSync(home(u), uid, gid); }
    return 0;
  }
  if (name === null && id === null) die(EX.DATAERR, 'username or id required');
  const u = find();
  if (!u) missing();
  if (mode === 'del') {
    if (u.name === 'root') die(EX.DATAERR, "cannot remove user 'root'");
    db.users = db.users.filter((x) => x !== u);
    const primary = db.groups.find((x) => x.gid === u.gid);
    db.groups = db.groups.filter((x) => !(x.name === u.name && x.members.length === 0 && primary === x));
    for (const gr of db.groups) gr.members = gr.members.filter((m) => m !== u.name);
    P.save(real, db);
    if (g.has('r') && u.home.startsWith('/') && fs.existsSync(home(u))) fs.rmSync(home(u), { recursive: true, force: true });
    return 0;
  }
  // usermod
  if (g.has('l')) {
    if (u.name === 'root') die(EX.DATAERR, "can't rename `root' account");
    const next = checkName(g.get('l'));
    if (db.users.some((x) => x.name === next)) die(EX.DATAERR, `login name \`${next}' already exists`);
    for (const gr of db.groups) gr.members = gr.members.map((m) => (m === u.name ? next : m));
    u.name = next;
  }
  if (g.has('u') && name !== null) {
    const uid = parseId(g.get('u'));
    if (uid !== u.uid && db.users.some((x) => x.uid === uid) && !g.has('o')) die(EX.DATAERR, `uid \`${uid}' has already been allocated`);
    u.uid = uid;
  }
  if (g.has('g')) {
    const gr = groupBy(db, g.get('g'));
    if (!gr) die(EX.NOUSER, `group \`${g.get('g')}' does not exist`);
    u.gid = gr.gid;
  }
  if (g.has('G')) {
    const want = supplementary(db, g.get('G'));
    for (const gr of db.groups) {
      const member = gr.members.includes(u.name);
      if (want.includes(gr) && !member) gr.members.push(u.name);
      if (!want.includes(gr) && member) gr.members = gr.members.filter((m) => m !== u.name);
    }
  }
  if (g.has('c')) u.gecos = g.get('c');
  if (g.has('s')) u.shell = shellOf(g.get('s'));
  if (g.has('d')) u.home = g.get('d');
  P.save(real, db);
  if (g.has('m') && !fs.existsSync(home(u))) { fs.mkdirSync(home(u), { recursive: true, mode: 0o755 }); fs.chownSync(home(u), u.uid, u.gid); }
  return 0;
}

function group(mode, { g, db, real, name, id }) {
  const find = (fatal) => {
    if (name === null && id === null) die(EX.DATAERR, 'groupname or id required');
    const gr = name !== null ? db.groups.find((x) => x.name === name) : db.groups.find((x) => x.gid === id);
    if (!gr && fatal) die(EX.DATAERR, name !== null ? `unknown group \`${name}'` : `unknown gid \`${id}'`);
    return gr;
  };
  const members = (list) => list.split(/[, \t]+/).filter(Boolean).map((m) => {
    const u = db.users.find((x) => x.name === m) || (/^\d+$/.test(m) ? db.users.find((x) => x.uid === Number(m)) : undefined);
    if (!u) die(EX.NOUSER, `user \`${m}' does not exist`);
    return u.name;
  });
  if (mode === 'show') {
    if (g.has('a')) { for (const gr of db.groups) out(`${P.groupLine(gr)}\n`); return 0; }
    out(`${P.groupLine(find(true))}\n`);
    return 0;
  }
  if (mode === 'add') {
    if (name === null) die(EX.DATAERR, 'group name required');
    if (db.groups.some((x) => x.name === name)) die(EX.DATAERR, `group name \`${name}' already exists`);
    checkName(name);
    let gid = id;
    if (gid !== null) {
      if (db.groups.some((x) => x.gid === gid) && !g.has('o')) die(EX.DATAERR, `gid \`${gid}' has already been allocated`);
    } else {
      const used = db.groups.map((x) => x.gid).filter((n) => n >= 1000 && n <= 32000);
      gid = used.length ? Math.max(...used) + 1 : 1000;
    }
    db.groups.push({ name, passwd: '*', gid, members: g.has('M') ? [...new Set(members(g.get('M')))] : [] });
    P.save(real, db);
    return 0;
  }
  const gr = find(true);
  if (mode === 'del') {
    db.groups = db.groups.filter((x) => x !== gr);
    P.save(real, db);
    return 0;
  }
  if (g.has('g') && name !== null) gr.gid = parseId(g.get('g'));
  if (g.has('l')) gr.name = checkName(g.get('l'));
  if (g.has('M')) gr.members = [...new Set(members(g.get('M')))];
  else if (g.has('d')) { const drop = g.get('d').split(/[, \t]+/); gr.members = gr.members.filter((m) => !drop.includes(m)); }
  else if (g.has('m')) for (const m of members(g.get('m'))) if (!gr.members.includes(m)) gr.members.push(m);
  P.save(real, db);
  return 0;
}

module.exports = { main };
