'use strict';
// The server packages of the fake's repository (commands/pkg.js) and what each installs in
// the root it goes to: an rc.d script in rc.subr's shape (name=, rcvar=, load_rc_config,
// `: ${var:=default}`, command=, pidfile=, run_rc_command), the program the script names (a
// stand-in: the fake's service(8) runs the test bed's daemon, lib/servd.js, in its place), and
// configuration files installed the way pkg installs @sample files (FILE.sample, and FILE
// when there is none; on delete FILE goes only while it equals the sample).
// The test bed's conventions, documented in each script: NAME_port (an rc.conf variable) is
// the port the daemon listens on, on every address of its jail.
//   nginx (www/nginx): HTTP; reads /usr/local/etc/nginx/nginx.conf at start and on reload;
//     GET / answers with ROOT/index.html, ROOT from the first `root DIR;` of nginx.conf.
//   uwsgi-py311 (www/uwsgi), the app server: HTTP; reads $uwsgi_configfile at start and on
//     reload; GET / answers with that configuration as read (an app that shows its config).
//   postgresql17-server (databases/postgresql17-server): TCP; needs `service postgresql
//     initdb` first (the data directory, $postgresql_data), as the port's rc.d script does;
//     reads postgresql.conf and pg_hba.conf from it; a connection gets one line naming the
//     configuration's digest. Installing it adds the postgres user and group (770), as the
//     package's @user/@group do (ports' UIDs and GIDs files).
const fs = require('fs');
const path = require('path');

/**
 * An rc.d script in rc.subr's shape: the PROVIDE/REQUIRE header, a comment on its rc.conf
 * variables, name and rcvar, load_rc_config, the defaults (`: ${VAR:="VALUE"}`), then the
 * lines of `body` (command=, pidfile=, ...) and run_rc_command.
 */
function rcScript(name, { doc = [], defaults, body }) {
  const comment = [`${name}_enable (bool):\tSet to "NO" by default.`, `\t\t\tSet it to "YES" to enable ${name}.`,
    `${name}_port (port):\tfakebsd test bed: the port the test bed's ${name} listens on,`, '\t\t\ton every address of the jail.', ...doc];
  return `#!/bin/sh

# PROVIDE: ${name}
# REQUIRE: LOGIN cleanvar
# KEYWORD: shutdown
#
# Add the following lines to /etc/rc.conf to enable ${name}:
${comment.map((l) => `# ${l}`).join('\n')}
#

. /etc/rc.subr

name="${name}"
rcvar=${name}_enable

load_rc_config $name

${Object.entries({ enable: 'NO', ...defaults }).map(([k, v]) => `: \${${name}_${k}:="${v}"}`).join('\n')}

${body.join('\n')}

run_rc_command "$1"
`;
}

const stand_in = (name) => ({
  mode: 0o555,
  text: `#!/bin/sh\n# fakebsd test bed: ${name} stand-in. The fake's service(8) runs the test bed's daemon instead.\necho "${name}: start it with service(8) on the fake host" >&2\nexit 1\n`,
});

const NGINX_CONF = `# fakebsd test bed: nginx.conf. The fake's nginx reads \`root\` (the directory whose
# index.html GET / answers with) at start and on reload; it listens on nginx_port.
worker_processes  1;

events {
    worker_connections  1024;
}

http {
    server {
        root   /usr/local/www/nginx;
    }
}
`;

/** Files each package installs, by path under the root; `sample: true` for @sample configuration. */
const FILES = {
  nginx: {
    'usr/local/etc/rc.d/nginx': {
      mode: 0o555,
      text: rcScript('nginx', {
        defaults: { port: '80' },
        body: ['command="/usr/local/sbin/nginx"', 'pidfile="/var/run/nginx.pid"', 'required_files="/usr/local/etc/nginx/nginx.conf"', 'extra_commands="reload"'],
      }),
    },
    'usr/local/sbin/nginx': stand_in('nginx'),
    'usr/local/etc/nginx/nginx.conf': { sample: true, text: NGINX_CONF },
    'usr/local/www/nginx/index.html': { text: '<html><body><h1>Welcome to nginx!</h1></body></html>\n' },
  },
  'uwsgi-py311': {
    'usr/local/etc/rc.d/uwsgi': {
      mode: 0o555,
      text: rcScript('uwsgi', {
        doc: ['uwsgi_configfile (path):\tSet to /usr/local/etc/uwsgi/uwsgi.ini by default.'],
        defaults: { port: '8080', configfile: '/usr/local/etc/uwsgi/uwsgi.ini' },
        body: ['command="/usr/local/bin/uwsgi"', 'pidfile="/var/run/uwsgi.pid"', 'required_files="${uwsgi_configfile}"', 'extra_commands="reload"'],
      }),
    },
    'usr/local/bin/uwsgi': stand_in('uwsgi'),
    'usr/local/etc/uwsgi/uwsgi.ini': { sample: true, text: '[uwsgi]\n; fakebsd test bed: the fake app server answers GET / with this file as read at start\nmodule = app\n' },
  },
  'postgresql17-client': {
    'usr/local/bin/psql': stand_in('psql'),
  },
  'postgresql17-server': {
    'usr/local/etc/rc.d/postgresql': {
      mode: 0o555,
      text: rcScript('postgresql', {
        doc: ['postgresql_data (str):\tSet to "/var/db/postgres/data17" by default.', 'Run "service postgresql initdb" once before the first start.'],
        defaults: { data: '/var/db/postgres/data17', port: '5432' },
        body: ['command="/usr/local/bin/pg_ctl"', 'pidfile="${postgresql_data}/postmaster.pid"', 'extra_commands="reload initdb"', 'initdb_cmd="postgresql_initdb"', '',
          'postgresql_initdb()', '{', '\tsu -l postgres -c "/usr/local/bin/initdb -D ${postgresql_data}"', '}'],
      }),
    },
    'usr/local/bin/pg_ctl': stand_in('pg_ctl'),
    'usr/local/bin/postgres': stand_in('postgres'),
    'usr/local/bin/initdb': stand_in('initdb'),
  },
};

/** Accounts a package adds (ports' UIDs/GIDs): [name, uid/gid, home]. */
const ACCOUNTS = { 'postgresql17-server': [['postgres', 770, '/var/db/postgres']] };

/** Repository entries of the server packages (name -> { version, deps }). */
const REPO = {
  nginx: { version: '1.28.0_1,3', deps: [] },
  'python311': { version: '3.11.13', deps: [] },
  'uwsgi-py311': { version: '2.0.28_1', deps: ['python311'] },
  'postgresql17-client': { version: '17.5', deps: [] },
  'postgresql17-server': { version: '17.5', deps: ['postgresql17-client'] },
};

/** Installs a package's files under realRoot (and its accounts, when the root has a passwd database). */
function install(name, realRoot) {
  for (const [rel, f] of Object.entries(FILES[name] || {})) {
    const p = path.join(realRoot, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (f.sample) {
      fs.writeFileSync(`${p}.sample`, f.text, { mode: 0o644 });
      if (!fs.existsSync(p)) fs.writeFileSync(p, f.text, { mode: 0o644 });
      continue;
    }
    fs.writeFileSync(p, f.text, { mode: f.mode ?? 0o644 });
    fs.chmodSync(p, f.mode ?? 0o644);
  }
  const P = require('./passwd');
  for (const [user, id, home] of ACCOUNTS[name] || []) {
    if (!P.hasDatabase(realRoot)) continue;
    const db = P.load(realRoot);
    if (!db.groups.some((g) => g.name === user)) db.groups.push({ name: user, passwd: '*', gid: id, members: [] });
    if (!db.users.some((u) => u.name === user)) {
      db.users.push({ name: user, passwd: '*', uid: id, gid: id, class: '', change: '0', expire: '0', gecos: 'PostgreSQL Daemon', home, shell: '/bin/sh' });
    }
    P.save(realRoot, db);
    fs.mkdirSync(path.join(realRoot, home), { recursive: true });
  }
}

/** Removes a package's files as pkg delete does (a changed @sample configuration stays). */
function remove(name, realRoot) {
  for (const [rel, f] of Object.entries(FILES[name] || {})) {
    const p = path.join(realRoot, rel);
    if (f.sample) {
      fs.rmSync(`${p}.sample`, { force: true });
      if (fs.existsSync(p) && fs.readFileSync(p, 'utf8') === f.text) fs.rmSync(p);
      continue;
    }
    fs.rmSync(p, { force: true });
  }
}

/**
 * The programs rc.d scripts name, as the fake runs them (lib/rcsubr.js): the daemon's kind,
 * its configuration files (paths inside the jail; v: the script's variables), what GET /
 * serves, and verbs of their own.
 */
const DAEMONS = {
  '/usr/local/sbin/nginx': {
    kind: 'http',
    config: () => ['/usr/local/etc/nginx/nginx.conf'],
    serve: (confText) => `${(/^\s*root\s+([^;\s]+)\s*;/m.exec(confText) || [null, '/usr/local/www/nginx'])[1].replace(/\/$/, '')}/index.html`,
  },
  '/usr/local/bin/uwsgi': { kind: 'http', config: (v) => [v.uwsgi_configfile], serve: null },
  '/usr/local/bin/pg_ctl': {
    kind: 'tcp',
    config: (v) => [`${v.postgresql_data}/postgresql.conf`, `${v.postgresql_data}/pg_hba.conf`],
    serve: null,
    // pg_ctl start on a directory without a cluster (src/bin/pg_ctl/pg_ctl.c).
    precheck: (v, exists) => (exists(`${v.postgresql_data}/PG_VERSION`) ? null
      : `pg_ctl: directory "${v.postgresql_data}" is not a database cluster directory\n`),
    verbs: { initdb: postgresqlInitdb },
  },
};

/**
 * `service postgresql initdb`: initdb -D $postgresql_data (src/bin/initdb/initdb.c refuses a
 * directory that exists and is not empty, exit 1).
 */
function postgresqlInitdb(v, realOf) {
  const dir = realOf(v.postgresql_data);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    return { status: 1, stderr: `initdb: error: directory "${v.postgresql_data}" exists but is not empty\n` };
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dir, 'PG_VERSION'), '17\n');
  fs.writeFileSync(path.join(dir, 'postgresql.conf'), '# fakebsd test bed: written by initdb. The fake postgres listens on every address\n# of the jail at postgresql_port.\nmax_connections = 100\nshared_buffers = 128MB\n');
  fs.writeFileSync(path.join(dir, 'pg_hba.conf'), 'local   all   all                 trust\nhost    all   all   127.0.0.1/32  trust\n');
  return {
    status: 0,
    stdout: `The files belonging to this database system will be owned by user "postgres".\n\nfixing permissions on existing directory ${v.postgresql_data} ... ok\n\nSuccess. You can now start the database server using:\n\n    pg_ctl -D ${v.postgresql_data} -l logfile start\n\n`,
  };
}

module.exports = { FILES, REPO, DAEMONS, install, remove };
