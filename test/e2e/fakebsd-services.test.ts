/**
 * Services inside jails on the fake host (issue 22's test bed): `service -j` runs the jail's
 * rc.d scripts as libexec/rc/rc.subr does, the fake's server packages install them, and the
 * daemons they start are real listeners on the jail's address in the host's jails' network,
 * reached for real by the host's nc and fetch. sysrc -j/-R, pw against a jail, and their
 * refusals. Needs root (network namespaces); skipped with the reason otherwise.
 */
import * as fs from 'fs';
import * as os from 'os';
import { spawn, spawnSync } from 'child_process';
import * as path from 'path';
import { F, shimsAt } from './fakebsd-support';

let root: string;
const { sh, ok, host, write } = shimsAt(() => root);
const skip = process.getuid?.() !== 0 ? 'not root: the jails\' network needs a network namespace' : undefined;
// eslint-disable-next-line no-console
if (skip) console.log(`SKIPPED fakebsd services: ${skip}`);
const suite = skip ? describe.skip : describe;

const CONF = `exec.start = "/bin/sh /etc/rc";
path = "/vm/$name";
host.hostname = $name;
web { ip4.addr = "10.0.0.5"; }
db { ip4.addr = "10.0.0.6"; }
app {
  vnet;
  vnet.interface = "epair0b";
  exec.start += "/sbin/ifconfig epair0b inet 192.168.50.10/24 up";
}
`;

/** A jail root as the mirror's base.txz makes one: defaults, accounts, a resolver. */
function makeRoot(name: string) {
  const base = `/vm/${name}`;
  for (const d of ['dev', 'var/run', 'tmp', 'root']) fs.mkdirSync(host(`${base}/${d}`), { recursive: true });
  write(`${base}/bin/freebsd-version`, '#!/bin/sh\nUSERLAND_VERSION="14.3-RELEASE"\n');
  write(`${base}/etc/defaults/rc.conf`, 'rc_conf_files="/etc/rc.conf /etc/rc.conf.local"\nsendmail_enable="NO"\n');
  write(`${base}/etc/resolv.conf`, 'nameserver 192.0.2.1\n');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const [rel, f] of Object.entries(require('./fakebsd/lib/passwd').baseFiles() as Record<string, string | { text: string }>)) {
    write(`${base}/${rel}`, typeof f === 'string' ? f : f.text);
  }
}

const start = (j: string) => ok('jail', '-f', '/etc/jail.conf', '-c', j);
const svc = (j: string, ...args: string[]) => sh('service', ['-j', j, ...args]);
const get = (url: string) => sh('fetch', ['-q', '-o', '-', '-T', '5', url]);
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const pidOf = (j: string, name: string) => Number(/is running as pid (\d+)\./.exec(svc(j, name, 'status').stdout)![1]);

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-services-'));
  F.initHost(root, {});
  for (const j of ['web', 'db', 'app']) makeRoot(j);
  write('/etc/jail.conf', CONF);
});
afterEach(() => {
  if (!skip) F.stopServices(root);
  fs.rmSync(root, { recursive: true, force: true });
});

suite('service -j and the rc.d scripts of the fake packages', () => {
  test('the packages a root has are in its own /var/db/pkg: a new root under the jail\'s path has none of the old one\'s', () => {
    start('web');
    ok('pkg', '-j', 'web', 'install', '-y', 'nginx');
    expect(sh('pkg', ['-j', 'web', 'info', '-e', 'nginx']).status).toBe(0);
    expect(JSON.parse(fs.readFileSync(host('/vm/web/var/db/pkg/local.sqlite'), 'utf8'))).toMatchObject({ nginx: expect.any(String) });
    ok('jail', '-r', 'web');
    // What a jail's new dataset is: a fresh root at the same path.
    fs.renameSync(host('/vm/web'), host('/vm/web-old'));
    makeRoot('web');
    start('web');
    expect(sh('pkg', ['-j', 'web', 'info', '-e', 'nginx']).status).toBe(1);
    expect(sh('pkg', ['-j', 'web', 'info', 'nginx'])).toMatchObject({ status: 70, stderr: 'pkg: No package(s) matching nginx\n' });
  });

  test('nginx in an aliased jail: enabled, started, reached over HTTP and TCP at the jail\'s address, stopped', () => {
    start('web');
    ok('pkg', '-j', 'web', 'install', '-y', 'nginx');
    expect(fs.statSync(host('/vm/web/usr/local/etc/rc.d/nginx')).mode & 0o777).toBe(0o555);
    expect(fs.readFileSync(host('/vm/web/usr/local/etc/rc.d/nginx'), 'utf8')).toMatch(/^name="nginx"\nrcvar=nginx_enable\n\nload_rc_config \$name$/m);
    // Not enabled: rc.subr's refusal on stdout, status 0, nothing listens.
    expect(svc('web', 'nginx', 'start')).toMatchObject({ status: 0, stderr: '',
      stdout: "Cannot 'start' nginx. Set nginx_enable to YES in /etc/rc.conf or use 'onestart' instead of 'start'.\n" });
    expect(sh('nc', ['-z', '-w', '2', '10.0.0.5', '80']).status).toBe(1);

    expect(ok('sysrc', '-j', 'web', 'nginx_enable=YES')).toBe('nginx_enable:  -> YES\n');
    expect(svc('web', 'nginx', 'start')).toMatchObject({ status: 0, stdout: 'Starting nginx.\n', stderr: '' });
    const pid = pidOf('web', 'nginx');
    expect(fs.readFileSync(host('/vm/web/var/run/nginx.pid'), 'utf8')).toBe(`${pid}\n`);
    // A real process in a network namespace of its own, not ours.
    expect(fs.readlinkSync(`/proc/${pid}/ns/net`)).not.toBe(fs.readlinkSync('/proc/self/ns/net'));
    expect(get('http://10.0.0.5/')).toMatchObject({ status: 0, stdout: '<html><body><h1>Welcome to nginx!</h1></body></html>\n' });
    expect(sh('nc', ['-z', '-w', '2', '10.0.0.5', '80'])).toMatchObject({ status: 0, stderr: 'Connection to 10.0.0.5 80 port [tcp/http] succeeded!\n' });
    // The page is read per request: a changed file shows at once.
    write('/vm/web/usr/local/www/nginx/index.html', 'v2\n');
    expect(get('http://10.0.0.5/').stdout).toBe('v2\n');
    expect(get('http://10.0.0.5/missing')).toMatchObject({ status: 1, stderr: 'fetch: http://10.0.0.5/missing: Not Found\n' });
    // The jail's own view through jexec, as a health check run in the jail would see it.
    expect(sh('jexec', ['web', 'service', 'nginx', 'status'])).toMatchObject({ status: 0, stdout: `nginx is running as pid ${pid}.\n` });

    expect(svc('web', 'nginx', 'start')).toMatchObject({ status: 1, stdout: '', stderr: `nginx already running?  (pid=${pid}).\n` });
    expect(svc('web', 'nginx', 'stop')).toMatchObject({ status: 0, stdout: `Stopping nginx.\nWaiting for PIDS: ${pid}.\n` });
    expect(alive(pid)).toBe(false);
    expect(fs.existsSync(host('/vm/web/var/run/nginx.pid'))).toBe(false);
    expect(sh('nc', ['-z', '-v', '-w', '2', '10.0.0.5', '80'])).toMatchObject({ status: 1, stderr: 'nc: connect to 10.0.0.5 port 80 (tcp) failed: Connection refused\n' });
    expect(get('http://10.0.0.5/')).toMatchObject({ status: 1, stderr: 'fetch: http://10.0.0.5/: Connection refused\n' });
    expect(svc('web', 'nginx', 'status')).toMatchObject({ status: 1, stdout: 'nginx is not running.\n' });
    expect(svc('web', 'nginx', 'stop')).toMatchObject({ status: 1, stderr: 'nginx not running? (check /var/run/nginx.pid).\n' });
  });

  test('a live daemon is known to the host whoever recorded it: a start cut off before its record leaves none the fake misses', () => {
    start('web');
    ok('pkg', '-j', 'web', 'install', '-y', 'nginx');
    expect(svc('web', 'nginx', 'onestart')).toMatchObject({ status: 0, stdout: 'Starting nginx.\n' });
    const pid = pidOf('web', 'nginx');
    // The start's session dropped after the daemon was up, before the fake recorded it.
    F.updateState(root, (st: { daemons?: { pid: number }[] }) => { st.daemons = (st.daemons ?? []).filter((d) => d.pid !== pid); });
    expect(svc('web', 'nginx', 'onestatus')).toMatchObject({ status: 0, stdout: `nginx is running as pid ${pid}.\n` });
    expect((F.readState(root).daemons as { name: string; pid: number }[]).map((d) => [d.name, d.pid])).toEqual([['nginx', pid]]);
  });

  test('a start waits for the daemon\'s whole report: a ready file caught empty is no report yet', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { awaitReport } = require('./fakebsd/lib/rcsubr');
    const ready = path.join(root, 'report.ready');
    // A report written in place: the file exists, empty, for a moment before its text is in it.
    const writer = spawn('/bin/sh', ['-c', ': > "$1"; sleep 0.3; printf ok > "$1"', 'writer', ready], { stdio: 'ignore' });
    for (let i = 0; i < 400 && !fs.existsSync(ready); i++) spawnSync('sleep', ['0.005']);
    expect(fs.existsSync(ready)).toBe(true);
    expect(awaitReport(ready, 5000)).toBe('ok');
    writer.kill();
    expect(awaitReport(path.join(root, 'never.ready'), 50)).toBeNull();
  });

  test('enable rules: defaults, rc.conf, rc.conf.local, rc.conf.d/NAME; one* verbs; bad values; enabled; -e; unknown verbs and scripts', () => {
    start('web');
    ok('pkg', '-j', 'web', 'install', '-y', 'nginx');
    write('/vm/web/etc/rc.conf', 'nginx_enable="YES"\n');
    write('/vm/web/etc/rc.conf.local', 'nginx_enable="NO"\n');
    expect(svc('web', 'nginx', 'enabled').status).toBe(1); // rc.conf.local comes after rc.conf
    write('/vm/web/etc/rc.conf.d/nginx', 'nginx_enable="YES"\n');
    expect(svc('web', 'nginx', 'enabled').status).toBe(0); // and rc.conf.d/NAME after both
    expect(ok('service', '-j', 'web', '-e')).toBe('/usr/local/etc/rc.d/nginx\n');
    expect(ok('service', '-j', 'web', '-l')).toBe('nginx\n');
    fs.rmSync(host('/vm/web/etc/rc.conf.d/nginx'));
    // A stop of a disabled service that is not running is refused like a start.
    expect(svc('web', 'nginx', 'stop')).toMatchObject({ status: 0, stdout: "Cannot 'stop' nginx. Set nginx_enable to YES in /etc/rc.conf or use 'onestop' instead of 'stop'.\n" });
    expect(svc('web', 'nginx', 'quietstart')).toMatchObject({ status: 0, stdout: '' });
    expect(svc('web', 'nginx', 'onestart')).toMatchObject({ status: 0, stdout: 'Starting nginx.\n' });
    expect(ok('service', '-j', 'web', '-e')).toBe('');
    // A running service stops even while disabled (the rcvar check needs no pid for stop).
    expect(svc('web', 'nginx', 'stop').stdout).toMatch(/^Stopping nginx\.\n/);
    write('/vm/web/etc/rc.conf.local', 'nginx_enable="maybe"\n');
    expect(svc('web', 'nginx', 'start')).toMatchObject({ status: 0,
      stderr: '/usr/local/etc/rc.d/nginx: WARNING: $nginx_enable is not set properly - see rc.conf(5).\n',
      stdout: "Cannot 'start' nginx. Set nginx_enable to YES in /etc/rc.conf or use 'onestart' instead of 'start'.\n" });
    expect(svc('web', 'nginx', 'frobnicate')).toMatchObject({ status: 1,
      stderr: "/usr/local/etc/rc.d/nginx: unknown directive 'frobnicate'.\nUsage: /usr/local/etc/rc.d/nginx [fast|force|one|quiet](start|stop|restart|rcvar|enable|disable|delete|enabled|describe|extracommands|reload|status|poll)\n" });
    expect(svc('web', 'httpd', 'start')).toMatchObject({ status: 1,
      stdout: 'httpd does not exist in /etc/rc.d or the local startup\ndirectories (/usr/local/etc/rc.d), or is not executable\n' });
    expect(svc('nosuch', 'nginx', 'start')).toMatchObject({ status: 1, stderr: 'jexec: jail "nosuch" not found\n' });
    // `enable` writes the rcvar where it is set (sysrc -s), here rc.conf.local.
    expect(svc('web', 'nginx', 'enable')).toMatchObject({ status: 0, stdout: 'nginx enabled in /etc/rc.conf.local\n' });
    expect(fs.readFileSync(host('/vm/web/etc/rc.conf.local'), 'utf8')).toBe('nginx_enable="YES"\n');
  });

  test('restart after a configuration change serves the new configuration; reload re-reads it; a taken port fails the start', () => {
    start('web');
    ok('pkg', '-j', 'web', 'install', '-y', 'uwsgi-py311', 'nginx');
    ok('sysrc', '-j', 'web', 'uwsgi_enable=YES', 'nginx_enable=YES');
    expect(svc('web', 'uwsgi', 'start').status).toBe(0);
    const ini = '/vm/web/usr/local/etc/uwsgi/uwsgi.ini';
    const first = fs.readFileSync(host(ini), 'utf8');
    expect(get('http://10.0.0.5:8080/').stdout).toBe(first);
    write(ini, '[uwsgi]\nmodule = app\nprocesses = 4\n');
    expect(get('http://10.0.0.5:8080/').stdout).toBe(first); // read at start only
    expect(svc('web', 'uwsgi', 'restart')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Stopping uwsgi\.\nWaiting for PIDS: \d+\.\nStarting uwsgi\.\n$/) });
    expect(get('http://10.0.0.5:8080/').stdout).toBe('[uwsgi]\nmodule = app\nprocesses = 4\n');

    // nginx's root comes from nginx.conf, read at start and again on reload (SIGHUP).
    expect(svc('web', 'nginx', 'start').status).toBe(0);
    write('/vm/web/srv/site/index.html', 'the site\n');
    const conf = '/vm/web/usr/local/etc/nginx/nginx.conf';
    write(conf, fs.readFileSync(host(conf), 'utf8').replace('root   /usr/local/www/nginx;', 'root   /srv/site;'));
    expect(get('http://10.0.0.5/').stdout).toMatch(/Welcome to nginx/);
    expect(svc('web', 'nginx', 'restart').status).toBe(0);
    expect(get('http://10.0.0.5/').stdout).toBe('the site\n');
    const before = JSON.parse(get('http://10.0.0.5/.fakebsd/config').stdout);
    write(conf, `${fs.readFileSync(host(conf), 'utf8')}# changed\n`);
    expect(svc('web', 'nginx', 'reload')).toMatchObject({ status: 0, stdout: '', stderr: '' });
    let after = before;
    for (let i = 0; i < 100 && after.loadedAt === before.loadedAt; i++) after = JSON.parse(get('http://10.0.0.5/.fakebsd/config').stdout);
    expect(after.config['/usr/local/etc/nginx/nginx.conf'].text).toMatch(/# changed\n$/);

    // Both on 8080: the second start fails as the daemon's bind does.
    ok('sysrc', '-j', 'web', 'nginx_port=8080');
    expect(svc('web', 'nginx', 'restart')).toMatchObject({ status: 1,
      stderr: 'nginx: bind() to 10.0.0.5:8080 failed (48: Address already in use)\n/usr/local/etc/rc.d/nginx: WARNING: failed to start nginx\n' });
    expect(svc('web', 'nginx', 'status').status).toBe(1);
  });

  test('postgresql: initdb first, as its rc.d script wants; a TCP listener that names its configuration', () => {
    start('db');
    ok('pkg', '-j', 'db', 'install', '-y', 'postgresql17-server');
    expect(ok('pw', '-R', '/vm/db', 'usershow', 'postgres')).toBe('postgres:*:770:770::0:0:PostgreSQL Daemon:/var/db/postgres:/bin/sh\n');
    expect(svc('db', 'postgresql', 'initdb').stdout).toMatch(/^Cannot 'initdb' postgresql\./);
    ok('sysrc', '-j', 'db', 'postgresql_enable=YES');
    expect(svc('db', 'postgresql', 'start')).toMatchObject({ status: 1,
      stderr: 'pg_ctl: directory "/var/db/postgres/data17" is not a database cluster directory\n/usr/local/etc/rc.d/postgresql: WARNING: failed to start postgresql\n' });
    expect(svc('db', 'postgresql', 'initdb')).toMatchObject({ status: 0, stdout: expect.stringContaining('Success. You can now start the database server') });
    expect(svc('db', 'postgresql', 'initdb')).toMatchObject({ status: 1, stderr: 'initdb: error: directory "/var/db/postgres/data17" exists but is not empty\n' });
    expect(svc('db', 'postgresql', 'start')).toMatchObject({ status: 0, stdout: 'Starting postgresql.\n' });
    expect(fs.existsSync(host('/vm/db/var/db/postgres/data17/postmaster.pid'))).toBe(true);
    expect(sh('nc', ['-z', '-w', '2', '10.0.0.6', '5432']).stderr).toBe('Connection to 10.0.0.6 5432 port [tcp/postgresql] succeeded!\n');
    const banner = ok('nc', '-w', '2', '10.0.0.6', '5432');
    expect(banner).toMatch(/^postgresql jail=db config-sha256=[0-9a-f]{64}\n$/);
    // Not on the other jail's address.
    expect(sh('nc', ['-z', '-w', '2', '10.0.0.5', '5432']).status).toBe(1);
  });

  test('a VNET jail: the address its own ifconfig set; its daemons and address go when the jail stops, an aliased jail\'s too', () => {
    ok('ifconfig', 'epair', 'create');
    start('app');
    start('web');
    ok('pkg', '-j', 'app', 'install', '-y', 'uwsgi-py311');
    ok('pkg', '-j', 'web', 'install', '-y', 'nginx');
    ok('sysrc', '-j', 'app', 'uwsgi_enable=YES');
    ok('sysrc', '-j', 'web', 'nginx_enable=YES');
    expect(svc('app', 'uwsgi', 'start').status).toBe(0);
    expect(svc('web', 'nginx', 'start').status).toBe(0);
    const app = pidOf('app', 'uwsgi');
    const web = pidOf('web', 'nginx');
    expect(get('http://192.168.50.10:8080/').stdout).toMatch(/^\[uwsgi\]/);
    // From inside a jail too (one network for all, as the jails' addresses are all reachable).
    expect(sh('jexec', ['web', 'fetch', '-q', '-o', '-', 'http://192.168.50.10:8080/']).stdout).toMatch(/^\[uwsgi\]/);
    ok('jail', '-r', 'app');
    expect(alive(app)).toBe(false);
    expect(sh('nc', ['-z', '-v', '-w', '2', '192.168.50.10', '8080'])).toMatchObject({ status: 1, stderr: 'nc: connect to 192.168.50.10 port 8080 (tcp) failed: Network is unreachable\n' });
    expect(alive(web)).toBe(true);
    ok('jail', '-r', 'web');
    expect(alive(web)).toBe(false);
    expect(F.readState(root).daemons).toEqual([]);
    // Started again, the jail's services are down until started (no rc here: the fake records /etc/rc).
    start('web');
    expect(svc('web', 'nginx', 'status').status).toBe(1);
  });

  test('faults: service -j, pw and nc can be failed on purpose like every shim', () => {
    start('web');
    ok('pkg', '-j', 'web', 'install', '-y', 'nginx');
    ok('sysrc', '-j', 'web', 'nginx_enable=YES');
    F.setFault(root, { 'service -j': { failOnCall: 1 }, 'pw useradd': { failOnCall: 1 }, 'nc -z': { failOnCall: 1 } });
    expect(svc('web', 'nginx', 'start')).toMatchObject({ status: 1, stderr: 'fakebsd: injected fault: service -j call 1\n' });
    expect(svc('web', 'nginx', 'status').status).toBe(1);
    expect(sh('pw', ['useradd', '-R', '/vm/web', 'u1']).stderr).toBe('fakebsd: injected fault: pw useradd call 1\n');
    expect(sh('pw', ['-R', '/vm/web', 'usershow', 'u1']).status).toBe(67);
    expect(svc('web', 'nginx', 'start').status).toBe(0);
    expect(sh('nc', ['-z', '10.0.0.5', '80'])).toMatchObject({ status: 1, stderr: 'fakebsd: injected fault: nc -z call 1\n' });
    expect(sh('nc', ['-z', '10.0.0.5', '80']).status).toBe(0);
  });
});

suite('sysrc -j and -R', () => {
  test('set, get, -n, -e, -c, -x against a jail\'s rc.conf, never the host\'s', () => {
    start('web');
    const hostRc = fs.readFileSync(host('/etc/rc.conf'), 'utf8');
    expect(ok('sysrc', '-j', 'web', 'nginx_enable=YES', 'nginx_flags=-g daemon')).toBe('nginx_enable:  -> YES\nnginx_flags:  -> -g daemon\n');
    expect(fs.readFileSync(host('/vm/web/etc/rc.conf'), 'utf8')).toBe('nginx_enable="YES"\nnginx_flags="-g daemon"\n');
    expect(fs.readFileSync(host('/etc/rc.conf'), 'utf8')).toBe(hostRc);
    expect(ok('sysrc', '-j', 'web', '-n', 'nginx_flags')).toBe('-g daemon\n');
    expect(ok('sysrc', '-j', 'web', '-e', 'nginx_enable')).toBe('nginx_enable="YES"\n');
    expect(sh('sysrc', ['-j', 'web', '-c', 'nginx_enable=YES']).status).toBe(0);
    expect(sh('sysrc', ['-j', 'web', '-c', 'nginx_enable=NO']).status).toBe(1);
    expect(sh('sysrc', ['-j', 'web', '-x', 'nginx_flags']).status).toBe(0);
    expect(sh('sysrc', ['-j', 'web', 'nginx_flags'])).toMatchObject({ status: 1, stderr: "sysrc: unknown variable 'nginx_flags'\n" });
    // Values from the jail's own /etc/defaults/rc.conf.
    expect(ok('sysrc', '-j', 'web', '-n', 'sendmail_enable')).toBe('NO\n');
    // -R: a root directory (a stopped jail's); through jexec, the same as sysrc -R.
    expect(ok('sysrc', '-R', '/vm/db', 'postgresql_enable=YES')).toBe('postgresql_enable:  -> YES\n');
    expect(fs.readFileSync(host('/vm/db/etc/rc.conf'), 'utf8')).toBe('postgresql_enable="YES"\n');
    expect(ok('jexec', 'web', 'sysrc', '-n', 'nginx_enable')).toBe('YES\n');
  });

  test('refusals: a jail that is not running, a root that does not exist, null arguments', () => {
    expect(sh('sysrc', ['-j', 'web', 'x=1'])).toMatchObject({ status: 1, stderr: 'jexec: jail "web" not found\n' });
    expect(sh('sysrc', ['-R', '/nonexistent', 'x=1'])).toMatchObject({ status: 1, stderr: 'chroot: /nonexistent: No such file or directory\n' });
    expect(sh('sysrc', ['-j', '', 'x=1'])).toMatchObject({ status: 1, stderr: "sysrc: Missing or null argument to `-j' flag\n" });
    expect(fs.existsSync(host('/vm/web/etc/rc.conf'))).toBe(false);
  });
});

suite('pw against a jail', () => {
  const pw = (...a: string[]) => sh('pw', ['-R', '/vm/web', ...a]);
  const file = (f: string) => fs.readFileSync(host(`/vm/web/etc/${f}`), 'utf8');

  test('useradd, usermod, userdel, groupadd, groupdel update master.passwd, passwd and group', () => {
    start('web');
    expect(pw('groupadd', 'deploy', '-g', '2000').status).toBe(0);
    expect(pw('useradd', '-n', 'app', '-u', '1500', '-G', 'www,deploy', '-c', 'App user', '-s', '/bin/csh', '-m').status).toBe(0);
    expect(file('master.passwd')).toContain('\napp:*:1500:1500::0:0:App user:/home/app:/bin/csh\n');
    expect(file('passwd')).toContain('\napp:*:1500:1500:App user:/home/app:/bin/csh\n');
    expect(file('group')).toContain('\nwww:*:80:app\n');
    expect(file('group')).toContain('\ndeploy:*:2000:app\napp:*:1500:\n');
    expect(fs.statSync(host('/vm/web/home/app')).isDirectory()).toBe(true);
    expect(fs.statSync(host('/vm/web/etc/master.passwd')).mode & 0o777).toBe(0o600);
    expect(sh('jexec', ['web', 'pw', 'usershow', 'app']).stdout).toBe('app:*:1500:1500::0:0:App user:/home/app:/bin/csh\n');
    expect(pw('groupshow', 'deploy').stdout).toBe('deploy:*:2000:app\n');
    // usermod -G replaces the supplementary groups.
    expect(pw('usermod', 'app', '-G', 'deploy', '-s', 'sh').status).toBe(0);
    expect(pw('groupshow', 'www').stdout).toBe('www:*:80:\n');
    expect(pw('usershow', 'app').stdout).toBe('app:*:1500:1500::0:0:App user:/home/app:/bin/sh\n');
    // A new user gets the next uid from 1000 and a group of its name, gid = uid.
    expect(pw('useradd', 'svc').status).toBe(0);
    expect(pw('usershow', 'svc').stdout).toBe('svc:*:1501:1501::0:0:User &:/home/svc:/bin/sh\n');
    // userdel: out of every group, its own group gone, -r takes the home.
    expect(pw('userdel', '-n', 'app', '-r').status).toBe(0);
    expect(file('group')).toContain('\ndeploy:*:2000:\n');
    expect(file('group')).not.toMatch(/^app:/m);
    expect(fs.existsSync(host('/vm/web/home/app'))).toBe(false);
    expect(pw('groupdel', 'deploy').status).toBe(0);
    expect(file('group')).not.toMatch(/^deploy:/m);
  });

  test('refusals with pw\'s messages and sysexits statuses', () => {
    pw('useradd', 'app');
    const refused = (args: string[], status: number, stderr: string) => expect(pw(...args)).toMatchObject({ status, stderr: `${stderr}\n` });
    refused(['useradd', 'app'], 65, "pw: login name `app' already exists");
    refused(['useradd', 'other', '-u', '1000'], 65, "pw: uid `1000' has already been allocated");
    refused(['useradd', 'other', '-g', 'nosuch'], 67, "pw: group `nosuch' does not exist");
    refused(['useradd', 'other', '-G', 'www,nosuch'], 67, "pw: group `nosuch' does not exist");
    refused(['useradd', 'bad:name'], 65, "pw: invalid character `:' at position 3 in userid/group name");
    refused(['usershow', 'ghost'], 67, "pw: no such user `ghost'");
    refused(['userdel', 'ghost'], 67, "pw: no such user `ghost'");
    refused(['usermod', 'ghost', '-s', 'sh'], 67, "pw: no such user `ghost'");
    refused(['userdel', 'root'], 65, "pw: cannot remove user 'root'");
    refused(['groupadd', 'www'], 65, "pw: group name `www' already exists");
    refused(['groupadd', 'web2', '-g', '80'], 65, "pw: gid `80' has already been allocated");
    refused(['groupdel', 'nosuch'], 65, "pw: unknown group `nosuch'");
    refused(['groupadd', 'g2', '-M', 'ghost'], 67, "pw: user `ghost' does not exist");
    refused(['frobnicate'], 64, "pw: unknown keyword `frobnicate'");
    expect(file('master.passwd').match(/^other:/m)).toBeNull();
    expect(sh('pw', ['-R', '/nonexistent', 'useradd', 'x'])).toMatchObject({ status: 72, stderr: "pw: no such directory `/nonexistent'\n" });
    expect(sh('pw', ['useradd', 'x']).status).toBe(1); // the fake host's /etc is not FreeBSD's
  });
});
