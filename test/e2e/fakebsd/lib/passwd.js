'use strict';
// A root's account files as pw(8) keeps them (usr.sbin/pw, lib/libutil/pw_util.c pw_make):
// /etc/master.passwd (name:passwd:uid:gid:class:change:expire:gecos:home:shell), the
// /etc/passwd pwd_mkdb derives from it (name:*:uid:gid:gecos:home:shell) and /etc/group
// (name:passwd:gid:member,member). Files are replaced whole (temp file and rename).
const fs = require('fs');
const path = require('path');

const file = (root, name) => path.join(root, 'etc', name);

function hasDatabase(root) {
  return fs.existsSync(file(root, 'master.passwd')) && fs.existsSync(file(root, 'group'));
}

const lines = (text) => text.split('\n').filter((l) => l && !l.startsWith('#'));

function parseUsers(text) {
  return lines(text).map((l) => {
    const [name, passwd, uid, gid, cls, change, expire, gecos, home, shell] = l.split(':');
    return { name, passwd, uid: Number(uid), gid: Number(gid), class: cls, change, expire, gecos, home, shell };
  });
}

function load(root) {
  const users = parseUsers(fs.readFileSync(file(root, 'master.passwd'), 'utf8'));
  const groups = lines(fs.readFileSync(file(root, 'group'), 'utf8')).map((l) => {
    const [name, passwd, gid, members] = l.split(':');
    return { name, passwd, gid: Number(gid), members: (members || '').split(',').filter(Boolean) };
  });
  return { users, groups };
}

const userLine = (u) => [u.name, u.passwd, u.uid, u.gid, u.class, u.change, u.expire, u.gecos, u.home, u.shell].join(':');
const passwdLine = (u) => [u.name, '*', u.uid, u.gid, u.gecos, u.home, u.shell].join(':');
const groupLine = (g) => [g.name, g.passwd, g.gid, g.members.join(',')].join(':');

function writeAtomic(p, text, mode) {
  const tmp = `${p}.pw.${process.pid}`;
  fs.writeFileSync(tmp, text, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, p);
}

function save(root, db) {
  writeAtomic(file(root, 'master.passwd'), db.users.map(userLine).join('\n') + '\n', 0o600);
  writeAtomic(file(root, 'passwd'), db.users.map(passwdLine).join('\n') + '\n', 0o644);
  writeAtomic(file(root, 'group'), db.groups.map(groupLine).join('\n') + '\n', 0o644);
}

/** A base system's accounts: a subset of FreeBSD's etc/master.passwd and etc/group. */
const BASE_MASTER_PASSWD = `root::0:0::0:0:Charlie &:/root:/bin/sh
daemon:*:1:1::0:0:Owner of many system processes:/root:/usr/sbin/nologin
operator:*:2:5::0:0:System &:/:/usr/sbin/nologin
bin:*:3:7::0:0:Binaries Commands and Source:/:/usr/sbin/nologin
tty:*:4:65533::0:0:Tty Sandbox:/:/usr/sbin/nologin
kmem:*:5:65533::0:0:KMem Sandbox:/:/usr/sbin/nologin
sshd:*:22:22::0:0:Secure Shell Daemon:/var/empty:/usr/sbin/nologin
bind:*:53:53::0:0:Bind Sandbox:/:/usr/sbin/nologin
unbound:*:59:59::0:0:Unbound DNS Resolver:/var/unbound:/usr/sbin/nologin
_pflogd:*:64:64::0:0:pflogd privsep user:/var/empty:/usr/sbin/nologin
www:*:80:80::0:0:World Wide Web Owner:/nonexistent:/usr/sbin/nologin
nobody:*:65534:65534::0:0:Unprivileged user:/nonexistent:/usr/sbin/nologin
`;
const BASE_GROUP = `wheel:*:0:root
daemon:*:1:
kmem:*:2:
sys:*:3:
tty:*:4:
operator:*:5:root
mail:*:6:
bin:*:7:
staff:*:20:
sshd:*:22:
bind:*:53:
unbound:*:59:
_pflogd:*:64:
www:*:80:
nogroup:*:65533:
nobody:*:65534:
`;

/** The base set's etc/master.passwd (mode 0600), etc/passwd and etc/group. */
function baseFiles() {
  return {
    'etc/master.passwd': { text: BASE_MASTER_PASSWD, mode: 0o600 },
    'etc/passwd': parseUsers(BASE_MASTER_PASSWD).map(passwdLine).join('\n') + '\n',
    'etc/group': BASE_GROUP,
  };
}

module.exports = { hasDatabase, load, save, userLine, groupLine, baseFiles };
