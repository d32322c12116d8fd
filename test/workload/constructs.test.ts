/**
 * The workload constructs (lib/workload): every validation error names the construct, the prop
 * and the value; the steps' scripts call the helper with what was given, in the order the jail
 * needs (packages, then files and rc.conf, then services; `after` and `restartOn` as depends_on);
 * a file from the operator's machine travels as an upload whose digest only is in the plan.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { JailAddress, JailFile, JailHealthCheck, JailPackages, JailRcConf, JailReplacement, JailService, JailSource } from '../../lib';
import { JAIL_FILES_DIR, UPLOAD_PREFIX } from '../../lib/shell';
import { jailStack } from '../jail/fixtures';
import { messageOf } from '../support/errors';
import { allScripts } from '../support/scripts';
import { haveCommand, tempDir } from '../support/sh';
import { createScript, destroyScript, nullResources, SynthResource, synthJson } from '../support/synth';

function app() {
  const s = jailStack();
  const web = s.jail('web', { addresses: [JailAddress.onInterface('lo1', '127.1.1.5/32')] });
  return { ...s, web };
}

/** The helper calls of a script: [action, ...arguments], as the shell splits them (the script run with a stand-in for the helper). */
function helperCalls(script: string): string[][] {
  const body = script.split('\n').filter((l) => !l.startsWith('cfj=')).join('\n').replace(/^"\$cfj" /gm, 'call ');
  const r = spawnSync('/bin/sh', ['-c', `echo() { :; }\ncall() { printf '%s\\0' "$@"; printf '\\n\\0'; }\n${body}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const words = r.stdout.split('\0').slice(0, -1);
  const out: string[][] = [[]];
  for (const w of words) {
    if (w === '\n') out.push([]);
    else out[out.length - 1].push(w);
  }
  return out.filter((c) => c.length > 0);
}

function step(resources: SynthResource[], prefix: string): SynthResource {
  const r = resources.find((x) => x.name.startsWith(prefix));
  if (!r) throw new Error(`no resource ${prefix}: ${resources.map((x) => x.name).join(', ')}`);
  return r;
}

describe('JailFile', () => {
  test('writes the content with mode, owner and group through jail-file-write; removes it on destroy', () => {
    const { stack, web } = app();
    new JailFile(stack, 'index', { jail: web, path: '/usr/local/www/nginx/index.html', content: "it's\n$HOME `x`\n", mode: '640', owner: 'www', group: 'www' });
    const r = step(nullResources(stack), 'index_write');
    const [call] = helperCalls(createScript(r));
    expect(call).toEqual(['jail-file-write', expect.stringMatching(new RegExp(`^${JAIL_FILES_DIR}/[0-9a-f]{16}$`)), 'stack:stack/index', '/vm/web',
      '/usr/local/www/nginx/index.html', '0640', 'www', 'www', 'no', 'content', "it's\n$HOME `x`\n"]);
    expect(helperCalls(destroyScript(r))).toEqual([['jail-file-remove', call[1], 'stack:stack/index']]);
  });

  test('takeOver: true is passed as yes', () => {
    const { stack, web } = app();
    new JailFile(stack, 'rc', { jail: web, path: '/etc/motd', content: 'hi\n', takeOver: true });
    expect(helperCalls(createScript(step(nullResources(stack), 'rc_write')))[0].slice(5, 9)).toEqual(['0644', 'root', 'wheel', 'yes']);
  });

  test('sourcePath: uploaded by a file provisioner, read from the upload; only filesha256 of it in the triggers, never the content', () => {
    const dir = tempDir('cdktf-workload-');
    const secret = path.join(dir, 'db.conf');
    fs.writeFileSync(secret, 'password = s3cret-value\n');
    const { stack, web } = app();
    const f = new JailFile(stack, 'secret', { jail: web, path: '/usr/local/etc/app/db.conf', sourcePath: secret, mode: '0600' });
    new JailService(stack, 'app', { jail: web, name: 'uwsgi', restartOn: [f] });
    const json = JSON.stringify(synthJson(stack));
    expect(json).not.toContain('s3cret-value');
    const resources = nullResources(stack);
    const r = step(resources, 'secret_write');
    const upload = helperCalls(createScript(r))[0];
    expect(upload.slice(9)).toEqual(['upload', expect.stringMatching(new RegExp(`^${UPLOAD_PREFIX.replace(/\./g, '\\.')}[0-9a-f]{16}$`))]);
    expect(r.provisioner[0]).toEqual({ file: { source: secret, destination: upload[10] } });
    expect(r.triggers.file_sha256_0).toBe(`\${filesha256("${secret}")}`);
    // The service that declared it is replaced (restarted) when its content changes.
    expect(step(resources, 'app_run').triggers.file_sha256_0).toBe(`\${filesha256("${secret}")}`);
  });

  test.each([
    [{ path: 'etc/motd' }, 'stack/f: invalid path: "etc/motd" must be an absolute path'],
    [{ path: '/etc/../root/.ssh/authorized_keys' }, 'stack/f: invalid path: "/etc/../root/.ssh/authorized_keys" must be normalized (no empty, . or .. components)'],
    [{ path: '/etc/my file' }, 'stack/f: invalid path: "/etc/my file" may only contain letters, digits and . _ + @ % : , / -'],
    [{ mode: '0999' }, 'stack/f: invalid mode: "0999" must be an octal mode like "0644" (three octal digits, an optional leading 0)'],
    [{ mode: '4755' }, 'stack/f: invalid mode: "4755" must be an octal mode like "0644" (three octal digits, an optional leading 0)'],
    [{ owner: 'a b' }, 'stack/f: invalid owner: "a b" must be a user or group name of letters, digits and _ . - (at most 32, not starting with - or .)'],
    [{ group: '-wheel' }, 'stack/f: invalid group: "-wheel" must be a user or group name of letters, digits and _ . - (at most 32, not starting with - or .)'],
    [{ content: undefined }, 'stack/f: invalid content: give exactly one of content (inline text) and sourcePath (a file on the operator\'s machine)'],
    [{ sourcePath: '/etc/hostname' }, 'stack/f: invalid content: give exactly one of content (inline text) and sourcePath (a file on the operator\'s machine)'],
    [{ content: undefined, sourcePath: '/no/such/file' }, 'stack/f: invalid sourcePath: "/no/such/file" is no file on this machine (looked for /no/such/file)'],
    [{ content: 'a\0b' }, 'stack/f: invalid content: it holds a NUL character, which no shell argument can carry: use sourcePath'],
    [{ mode: 644 }, 'stack/f: invalid mode: the number 644 must be a string, like "0640"'],
  ])('refuses %j', (bad, message) => {
    const { stack, web } = app();
    expect(messageOf(() => new JailFile(stack, 'f', { jail: web, path: '/etc/motd', content: 'x', ...(bad as object) } as any))).toBe(message);
  });
});

describe('JailRcConf', () => {
  test('sets the variables in the jail\'s rc.conf as held host settings (kind jail-rc), undone on destroy', () => {
    const { stack, web } = app();
    const rc = new JailRcConf(stack, 'rc', { jail: web, variables: { sendmail_enable: 'NONE', syslogd_flags: '-ss' } });
    const r = step(nullResources(stack), 'rc_apply');
    expect(helperCalls(createScript(r))).toEqual([['settings-apply', rc.stateFile, 'jail-rc', '/vm/web:sendmail_enable', 'NONE', 'jail-rc', '/vm/web:syslogd_flags', '-ss']]);
    expect(helperCalls(destroyScript(r))).toEqual([['settings-undo', rc.stateFile]]);
  });

  test.each([
    [{ variables: {} }, 'stack/rc: invalid variables: none given'],
    [{ variables: { 'nginx-enable': 'YES' } }, 'stack/rc: invalid variables name: "nginx-enable" must be a shell variable name ([A-Za-z_][A-Za-z0-9_]*)'],
    [{ variables: { nginx_flags: '-g daemon off;' } }, 'stack/rc: invalid variables.nginx_flags: "-g daemon off;" must be one word of letters, digits and _ . , : / @ + = - (an rc.conf value without blanks)'],
    [{ variables: { x: 1 } }, 'stack/rc: invalid variables.x: the number 1 must be a string, like "1"'],
  ])('refuses %j', (bad, message) => {
    const { stack, web } = app();
    expect(messageOf(() => new JailRcConf(stack, 'rc', { jail: web, ...(bad as object) } as any))).toBe(message);
  });
});

describe('JailService', () => {
  test('enables with its rc.conf, starts, waits for health; stops and undoes on destroy', () => {
    const { stack, web } = app();
    const svc = new JailService(stack, 'nginx', { jail: web, name: 'nginx', rcConf: { nginx_flags: '-q' }, healthCheck: JailHealthCheck.http(80, { path: '/index.html', retries: 3, intervalSeconds: 1, timeoutSeconds: 4 }) });
    const r = step(nullResources(stack), 'nginx_run');
    const calls = helperCalls(createScript(r));
    expect(calls).toEqual([
      ['settings-apply', svc.stateFile, 'jail-rc', '/vm/web:nginx_enable', 'YES', 'jail-rc', '/vm/web:nginx_flags', '-q'],
      ['jail-service-start', expect.stringMatching(/\/jail-services\/[0-9a-f]{16}$/), 'stack:stack/nginx', 'web', 'nginx'],
      ['jail-health', 'web', 'nginx', '3', '1', '4', 'http', 'http://127.1.1.5:80/index.html'],
    ]);
    expect(helperCalls(destroyScript(r))).toEqual([['jail-service-stop', calls[1][1], 'stack:stack/nginx'], ['settings-undo', svc.stateFile]]);
  });

  test('health checks: command in the jail, tcp to the jail\'s address or a given one, with defaults 10 retries, 2 s apart, 5 s each', () => {
    const { stack, web } = app();
    new JailService(stack, 'db', { jail: web, name: 'postgresql', healthCheck: JailHealthCheck.command(['pg_isready', '-q']) });
    new JailService(stack, 'tcp', { jail: web, name: 'redis', healthCheck: JailHealthCheck.tcp(6379) });
    new JailService(stack, 'v6', { jail: web, name: 'uwsgi', healthCheck: JailHealthCheck.http(8080, { address: 'fd00::5' }) });
    const resources = nullResources(stack);
    const health = (p: string) => helperCalls(createScript(step(resources, p))).find((c) => c[0] === 'jail-health')!.slice(1);
    expect(health('db_run')).toEqual(['web', 'postgresql', '10', '2', '5', 'command', 'pg_isready', '-q']);
    expect(health('tcp_run')).toEqual(['web', 'redis', '10', '2', '5', 'tcp', '127.1.1.5', '6379']);
    expect(health('v6_run')).toEqual(['web', 'uwsgi', '10', '2', '5', 'http', 'http://[fd00::5]:8080/']);
  });

  test('order: after the jail\'s packages and files, after the services it names; restartOn inputs replace it', () => {
    const { stack, web, jail } = app();
    const db = jail('db', { addresses: [JailAddress.onInterface('lo1', '127.1.1.6/32')] });
    const pg = new JailService(stack, 'pg', { jail: db, name: 'postgresql', healthCheck: JailHealthCheck.tcp(5432) });
    const conf = new JailFile(stack, 'conf', { jail: web, path: '/usr/local/etc/app.ini', content: 'a=1\n' });
    const other = new JailFile(stack, 'other', { jail: web, path: '/etc/motd', content: 'hi\n' });
    const app1 = new JailService(stack, 'app', { jail: web, name: 'uwsgi', restartOn: [conf], after: [pg] });
    // Made after the service: still before it.
    new JailPackages(stack, 'pkgs', { jail: web, packages: ['uwsgi'] });
    const resources = nullResources(stack);
    const name = (c: { step: { nullResource: { friendlyUniqueId: string } } }) => `null_resource.${c.step.nullResource.friendlyUniqueId}`;
    const deps = step(resources, 'app_run').depends_on!;
    expect(deps).toEqual(expect.arrayContaining([name(pg), name(conf), name(other), expect.stringMatching(/^null_resource\.pkgs_install/), expect.stringMatching(/^null_resource\.web_config/)]));
    expect(step(resources, 'conf_write').depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^null_resource\.pkgs_install/)]));
    expect(step(resources, 'app_run').triggers.input_restart_on_0).toBe(conf.step.contentHash);
    expect(step(resources, 'pg_run').triggers.input_restart_on_0).toBeUndefined();
    expect(app1.step.contentHash).not.toBe(pg.step.contentHash);
  });

  test('a jail made again from a new source gets its files, rc.conf and services again: their steps are replaced with its dataset', () => {
    const hashes = (snapshot: string, rolling: boolean) => {
      const { stack, jail } = jailStack();
      const web = jail('web', { source: JailSource.snapshot(snapshot), addresses: [JailAddress.onInterface('lo1', '127.1.1.5/32')], ...(rolling ? { replacement: JailReplacement.rolling() } : {}) });
      const f = new JailFile(stack, 'index', { jail: web, path: '/usr/local/www/nginx/index.html', content: 'x' });
      const rc = new JailRcConf(stack, 'rc', { jail: web, variables: { app_flags: '-v' } });
      const s = new JailService(stack, 'nginx', { jail: web, name: 'nginx' });
      const twins = nullResources(stack).filter((r) => /-after-roll_resource/.test(r.name)).map((r) => r.triggers.content_hash).sort();
      return { steps: [f.step, rc.step, s.step].map((x) => x.contentHash), twins };
    };
    const [a, b] = [hashes('zroot/vm/tmpl/14.3@p3', false), hashes('zroot/vm/tmpl/14.3@p4', false)];
    a.steps.forEach((h, i) => expect(h).not.toBe(b.steps[i]));
    // A rolling jail: its steps stay (their destroys would stop the services before any roll); their after-roll twins run again.
    const [ra, rb] = [hashes('zroot/vm/tmpl/14.3@p3', true), hashes('zroot/vm/tmpl/14.3@p4', true)];
    expect(ra.steps).toEqual(rb.steps);
    expect(ra.twins).toHaveLength(3);
    ra.twins.forEach((h, i) => expect(h).not.toBe(rb.twins[i]));
  });

  test('a changed restartOn file changes the service\'s content hash; another file does not', () => {
    const hash = (index: string, motd: string) => {
      const { stack, web } = app();
      const f = new JailFile(stack, 'index', { jail: web, path: '/usr/local/www/nginx/index.html', content: index });
      new JailFile(stack, 'motd', { jail: web, path: '/etc/motd', content: motd });
      return new JailService(stack, 'nginx', { jail: web, name: 'nginx', restartOn: [f] }).step.contentHash;
    };
    expect(hash('a', 'x')).not.toBe(hash('b', 'x'));
    expect(hash('a', 'x')).toBe(hash('a', 'y'));
  });

  test.each([
    [{ name: 'php-fpm' }, 'stack/s: invalid name: "php-fpm" must be an rc.d service name of letters, digits and _ (like "nginx" or "postgresql")'],
    [{ name: '' }, 'stack/s: invalid name: "" must be an rc.d service name of letters, digits and _ (like "nginx" or "postgresql")'],
    [{ rcConf: { 'a b': 'x' } }, 'stack/s: invalid rcConf name: "a b" must be a shell variable name ([A-Za-z_][A-Za-z0-9_]*)'],
    [{ rcConf: { nginx_flags: 'a b' } }, 'stack/s: invalid rcConf.nginx_flags: "a b" must be one word of letters, digits and _ . , : / @ + = - (an rc.conf value without blanks)'],
    [{ healthCheck: JailHealthCheck.tcp(0) }, 'stack/s: invalid healthCheck: 0 must be an integer from 1 to 65535'],
    [{ healthCheck: JailHealthCheck.http(70000) }, 'stack/s: invalid healthCheck: 70000 must be an integer from 1 to 65535'],
    [{ healthCheck: JailHealthCheck.http(80, { path: 'index.html' }) }, 'stack/s: invalid healthCheck: path "index.html" must be an absolute URL path of plain characters, like "/health"'],
    [{ healthCheck: JailHealthCheck.tcp(80, { address: 'web.example' }) }, 'stack/s: invalid healthCheck: address "web.example" must be an IP address'],
    [{ healthCheck: JailHealthCheck.tcp(80, { timeoutSeconds: 0 }) }, 'stack/s: invalid healthCheck: timeoutSeconds 0 must be an integer from 1 to 3600'],
    [{ healthCheck: JailHealthCheck.tcp(80, { retries: -1 }) }, 'stack/s: invalid healthCheck: retries -1 must be an integer from 0 to 1000'],
    [{ healthCheck: JailHealthCheck.command([]) }, 'stack/s: invalid healthCheck: command [] must name a program, like ["pg_isready"]'],
    [{ healthCheck: JailHealthCheck.command(['echo', 'a\nb']) }, 'stack/s: invalid healthCheck: "a\\nb" must be a single line without control characters'],
    [{ after: ['db'] }, 'stack/s: invalid after[0]: the string "db" must be a JailService, like new JailService(scope, "db", { jail, name: "postgresql" })'],
  ])('refuses %j', (bad, message) => {
    const { stack, web } = app();
    expect(messageOf(() => new JailService(stack, 's', { jail: web, name: 'nginx', ...(bad as object) } as any))).toBe(message);
  });

  test('initialize: the rc.d extra command runs before the start while the path it makes is missing', () => {
    const { stack, web } = app();
    new JailService(stack, 'db', { jail: web, name: 'postgresql', initialize: { command: 'initdb', creates: '/var/db/postgres/data17' } });
    const calls = helperCalls(createScript(step(nullResources(stack), 'db_run')));
    expect(calls.map((c) => c[0])).toEqual(['settings-apply', 'jail-service-init', 'jail-service-start']);
    expect(calls[1]).toEqual(['jail-service-init', 'web', 'postgresql', 'initdb', '/var/db/postgres/data17']);
  });

  test('initialize: a command that is no rc.d word, or a path that is not absolute, is refused naming the prop', () => {
    const { stack, web } = app();
    expect(messageOf(() => new JailService(stack, 'a', { jail: web, name: 'postgresql', initialize: { command: 'init db', creates: '/var/db/x' } })))
      .toMatch(/^stack\/a: invalid initialize\.command: "init db" /);
    expect(messageOf(() => new JailService(stack, 'b', { jail: web, name: 'postgresql', initialize: { command: 'initdb', creates: 'var/db/x' } })))
      .toMatch(/^stack\/b: invalid initialize\.creates: "var\/db\/x" /);
    expect(messageOf(() => new JailService(stack, 'c', { jail: web, name: 'postgresql', initialize: { command: 'initdb' } as any })))
      .toMatch(/^stack\/c: invalid initialize\.creates: missing; JailServiceInitialization requires it/);
  });

  test('a jail without an address on the host needs the check\'s address', () => {
    const { stack, jail } = app();
    const bare = jail('bare', { addresses: [] });
    expect(messageOf(() => new JailService(stack, 's', { jail: bare, name: 'nginx', healthCheck: JailHealthCheck.tcp(80) })))
      .toBe('stack/s: invalid healthCheck: jail bare has no address on the host (a VNET jail\'s are inside it): give the check\'s address, like JailHealthCheck.tcp(80, { address: "10.0.1.5" })');
  });
});

(haveCommand('shellcheck') ? test : test.skip)('every script of an app with files, rc.conf and services passes sh -n and shellcheck -s sh', () => {
  const { stack, web } = app();
  const f = new JailFile(stack, 'index', { jail: web, path: '/usr/local/www/nginx/index.html', content: "it's $HOME\n", owner: 'www', group: 'www' });
  const rc = new JailRcConf(stack, 'rc', { jail: web, variables: { syslogd_flags: '-ss' } });
  const a = new JailService(stack, 'a', { jail: web, name: 'nginx', restartOn: [f, rc], healthCheck: JailHealthCheck.http(80) });
  new JailService(stack, 'b', { jail: web, name: 'uwsgi', after: [a], healthCheck: JailHealthCheck.command(['service', 'uwsgi', 'status']) });
  const dir = tempDir('cdktf-workload-sc-');
  const files = allScripts(stack).map((s, i) => {
    const file = path.join(dir, `${i}.sh`);
    fs.writeFileSync(file, s.text);
    return file;
  });
  for (const file of files) expect(spawnSync('sh', ['-n', file]).status).toBe(0);
  const r = spawnSync('shellcheck', ['-s', 'sh', '-f', 'gcc', ...files], { encoding: 'utf8' });
  expect(r.stdout).toBe('');
});
