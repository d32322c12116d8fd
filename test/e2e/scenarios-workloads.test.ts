/**
 * Scenarios of issue 22: workloads inside a jail on the fake host, with the real Terraform. nginx
 * serves a JailFile page, uwsgi reads its JailFile configuration and an uploaded secret; their
 * HTTP health checks reach the real daemons on the jail's address. A second apply runs nothing; a
 * changed configuration restarts only the service that declared it; a failing health check fails
 * the apply naming the jail, the service, the check and its output, and the next apply converges
 * once fixed; removing a service, a file or an rc.conf variable undoes exactly that, with the
 * administrator's variable and file in the jail kept; destroy with the retained jail leaves no
 * file, variable or claim of ours.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { JAIL_FILES_DIR, JAIL_SERVICES_DIR } from '../../lib/shell';
import { Bench, describeOnFakeHost, failureText } from './scenarios/bench';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { PAGE, UWSGI_CONF, workloadApp, WorkloadOptions } from './scenarios/workloads';

const figures = new Figures('scenarios of workloads in jails');
const SECRET = 'password = s3cret-workload-value\n';

async function exec(bench: Bench, cmd: string): Promise<string> {
  const r = await bench.host.hostExec(cmd);
  expect({ cmd, code: r.code, stderr: r.stderr }).toEqual({ cmd, code: 0, stderr: '' });
  return r.stdout;
}

/** The pid of a running service of h1 (rc.d's status line). */
async function pidOf(bench: Bench, service: string): Promise<number> {
  const out = await exec(bench, `service -j h1 ${service} onestatus`);
  return Number(/is running as pid (\d+)\./.exec(out)![1]);
}

async function running(bench: Bench, service: string): Promise<boolean> {
  return (await bench.host.hostExec(`service -j h1 ${service} onestatus`)).code === 0;
}

/** The jail's rc.conf as variable -> value. */
function jailRc(bench: Bench): Record<string, string> {
  const file = '/vm/h1/etc/rc.conf';
  if (!bench.host.exists(file)) return {};
  return Object.fromEntries(bench.host.readFile(file).split('\n').filter((l) => /^[A-Za-z_]\w*=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"(.*)"$/, '$1')]));
}

function claims(bench: Bench, dir: string): string[] {
  return bench.host.exists(dir) ? fs.readdirSync(bench.host.path(dir)).sort() : [];
}

describeOnFakeHost('scenarios of workloads in jails', () => {
  afterAll(() => figures.print());

  figures.scenario('22a. files, rc.conf and services: applied healthy, idle again, restarts only what declared a change, removals exact, destroy clean', async () => {
    const bench = await Bench.start();
    try {
      const secretPath = path.join(bench.dir, 'secret.conf');
      fs.writeFileSync(secretPath, SECRET);
      const app = (o: Partial<WorkloadOptions> = {}) => workloadApp({ secretPath, ...o });
      bench.synth(app());
      let commands = bench.commandCount();
      const applied = await bench.apply();
      expectOk(applied);
      figures.row('apply: jail, packages, 3 files, rc.conf, 2 services with HTTP checks', { resources: applied.created.length, ...runCells(applied, bench.commandCount() - commands) });
      // The checks passed for real: the daemons answer on the jail's address.
      expect(await exec(bench, 'fetch -q -o - http://127.1.1.1/')).toBe(PAGE);
      expect(await exec(bench, 'fetch -q -o - http://127.1.1.1:8080/')).toBe(UWSGI_CONF);
      const page = '/vm/h1/usr/local/www/nginx/index.html';
      expect(bench.host.readFile(page)).toBe(PAGE);
      // Both were the packages' files, taken over: kept aside with their claims.
      expect(claims(bench, JAIL_FILES_DIR).filter((f) => f.endsWith('.orig'))).toHaveLength(2);
      expect(await exec(bench, `for f in ${page} /vm/h1/usr/local/etc/uwsgi/uwsgi.ini /vm/h1/usr/local/etc/uwsgi/secret.conf; do ls -ln "$f"; done | awk '{ print $1, $3, $4 }'`))
        .toBe('-rw-r--r-- 80 80\n-rw-r----- 80 80\n-rw------- 80 80\n');
      expect(bench.host.readFile('/vm/h1/usr/local/etc/uwsgi/secret.conf')).toBe(SECRET);
      expect(jailRc(bench)).toMatchObject({ nginx_enable: 'YES', uwsgi_enable: 'YES', clear_tmp_enable: 'YES', app_greeting: 'hello' });
      // The secret reached the jail, never the configuration, the plan or the state (every file
      // of the bench's directory: cdktf.out with the stacks' JSON and Terraform's files, the states).
      const files = fs.readdirSync(bench.dir, { recursive: true }).map((f) => path.join(bench.dir, String(f)))
        .filter((f) => f !== secretPath && fs.statSync(f).isFile());
      expect(files).toContain(`${bench.stateFile}.lab.tfstate`);
      for (const f of files) expect({ f, leaked: fs.readFileSync(f).includes('s3cret-workload-value') }).toEqual({ f, leaked: false });
      const state = fs.readFileSync(`${bench.stateFile}.lab.tfstate`, 'utf8');
      expect(state).toContain(createHash('sha256').update(SECRET).digest('hex'));
      expect(claims(bench, '/tmp').filter((f) => f.startsWith('cdktf-freebsd-jails-upload.'))).toEqual([]);

      await expectSecondApplyIdle(bench);

      // The administrator's own variable and file in the jail.
      await exec(bench, 'sysrc -R /vm/h1 admin_flag=kept >/dev/null && echo mine > /vm/h1/etc/admin.txt');

      // A changed uwsgi configuration: uwsgi restarted (another pid, the new content served), nginx untouched.
      const nginxPid = await pidOf(bench, 'nginx');
      const uwsgiPid = await pidOf(bench, 'uwsgi');
      const changed = '[uwsgi]\nmodule = app\nprocesses = 4\n';
      bench.synth(app({ uwsgiConf: changed }));
      commands = bench.commandCount();
      const restart = await bench.apply();
      expectOk(restart);
      figures.row('a configuration changed', { resources: restart.replaced.length, ...runCells(restart, bench.commandCount() - commands) });
      expect(restart.replaced.sort()).toEqual([expect.stringMatching(/^null_resource\.uwsgi-conf_write_resource_/), expect.stringMatching(/^null_resource\.uwsgi_run_resource_/)]);
      expect(await pidOf(bench, 'nginx')).toBe(nginxPid);
      expect(await pidOf(bench, 'uwsgi')).not.toBe(uwsgiPid);
      expect(await exec(bench, 'fetch -q -o - http://127.1.1.1:8080/')).toBe(changed);

      // The secret changed on the operator's machine: its file rewritten, uwsgi restarted.
      const before = await pidOf(bench, 'uwsgi');
      fs.writeFileSync(secretPath, 'password = rotated\n');
      bench.synth(app({ uwsgiConf: changed }));
      const rotated = await bench.apply();
      expectOk(rotated);
      expect(rotated.replaced.sort()).toEqual([expect.stringMatching(/^null_resource\.uwsgi-secret_write_resource_/), expect.stringMatching(/^null_resource\.uwsgi_run_resource_/)]);
      expect(bench.host.readFile('/vm/h1/usr/local/etc/uwsgi/secret.conf')).toBe('password = rotated\n');
      expect(await pidOf(bench, 'uwsgi')).not.toBe(before);
      expect(await pidOf(bench, 'nginx')).toBe(nginxPid);

      // A health check of the wrong port fails the apply, naming jail, service, check and output.
      bench.synth(app({ uwsgiConf: changed, uwsgiCheckPort: 8081 }));
      const failed = await bench.apply();
      expect(failed.ok).toBe(false);
      expect(failureText(failed)).toMatch(/jail h1: service uwsgi: health check http http:\/\/127\.1\.1\.1:8081\/ failed 3 times; last output: fetch: http:\/\/127\.1\.1\.1:8081\/: Connection refused/);
      // Fixed: the next apply converges.
      bench.synth(app({ uwsgiConf: changed }));
      expectOk(await bench.apply());
      expect(await running(bench, 'uwsgi')).toBe(true);
      await expectSecondApplyIdle(bench);

      // Removals undo exactly what each made: the service (stopped, its variables gone), its files
      // (the package's uwsgi.ini and page put back, the secret gone), the rc.conf variables; the
      // administrator's stay.
      bench.synth(app({ uwsgiConf: changed, noUwsgi: true, noPage: true, noRcConf: true }));
      commands = bench.commandCount();
      const removed = await bench.apply();
      expectOk(removed);
      figures.row('a service, its files, a page and rc.conf removed from the app', { resources: removed.removedWithoutProvisioners.length, ...runCells(removed, bench.commandCount() - commands) });
      expect(await running(bench, 'uwsgi')).toBe(false);
      expect(await pidOf(bench, 'nginx')).toBe(nginxPid);
      expect(bench.host.exists('/vm/h1/usr/local/etc/uwsgi/secret.conf')).toBe(false);
      expect(bench.host.readFile('/vm/h1/usr/local/etc/uwsgi/uwsgi.ini')).not.toBe(changed);
      expect(bench.host.readFile(page)).toBe('<html><body><h1>Welcome to nginx!</h1></body></html>\n');
      expect(await exec(bench, 'fetch -q -o - http://127.1.1.1/')).toMatch(/Welcome to nginx/);
      const rc = jailRc(bench);
      expect(rc).toMatchObject({ nginx_enable: 'YES', admin_flag: 'kept' });
      for (const v of ['uwsgi_enable', 'clear_tmp_enable', 'app_greeting']) expect({ v, set: v in rc }).toEqual({ v, set: false });
      expect(bench.host.readFile('/vm/h1/etc/admin.txt')).toBe('mine\n');
      expect(claims(bench, JAIL_SERVICES_DIR).filter((f) => f.endsWith('.owner'))).toHaveLength(1);
      expect(claims(bench, JAIL_FILES_DIR)).toEqual([]);
      await expectSecondApplyIdle(bench);

      // Destroy with the jail retained: nginx stopped, its variable gone, no claim left; the
      // administrator's variable and file still in the retired jail.
      commands = bench.commandCount();
      const gone = await bench.destroy();
      expectOk(gone);
      figures.row('destroy (jail retained)', { resources: gone.destroyed.length, ...runCells(gone, bench.commandCount() - commands) });
      expect(claims(bench, JAIL_SERVICES_DIR)).toEqual([]);
      expect(claims(bench, JAIL_FILES_DIR)).toEqual([]);
      const log = bench.host.commandsLog().map((c) => JSON.stringify(c));
      expect(log.some((l) => /onestop/.test(l) && /nginx/.test(l))).toBe(true);
      // The retained jail, retired (unmounted) beside the jails: mounted as an administrator would
      // to look, it has the administrator's variable and file, and nothing of ours.
      const retired = (await exec(bench, 'zfs list -H -o name -r zroot/vm/.retired')).split('\n').filter((n) => /\/h1-\d{8}T\d{6}Z$/.test(n));
      expect(retired).toHaveLength(1);
      await exec(bench, `zfs mount ${retired[0]}`);
      const root = (await exec(bench, `zfs get -H -o value mountpoint ${retired[0]}`)).trim();
      expect(bench.host.readFile(`${root}/etc/admin.txt`)).toBe('mine\n');
      const retiredRc = bench.host.readFile(`${root}/etc/rc.conf`);
      expect(retiredRc).toMatch(/^admin_flag="?kept"?$/m);
      expect(retiredRc).not.toMatch(/nginx_enable|uwsgi_enable|clear_tmp_enable|app_greeting/);
      await exec(bench, `zfs umount ${retired[0]}`);
    } finally {
      await bench.stop();
    }
  }, 900_000);
});
