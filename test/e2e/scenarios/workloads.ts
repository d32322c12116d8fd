/**
 * The workload app of the scenarios (issue 22): the lab's jail h1 with nginx and uwsgi
 * (JailPackages), nginx serving a JailFile page, uwsgi reading a JailFile configuration
 * (restartOn; both files the packages installed, taken over) and a secret uploaded from the operator's machine, a JailRcConf, each service with
 * an HTTP health check, uwsgi after nginx. Options drop or change one part.
 */
import { JailFile, JailHealthCheck, JailPackages, JailRcConf, JailService } from '../../../lib';
import { labApp } from './apps';
import { AppBuilder } from './bench';

export interface WorkloadOptions {
  /** Path of the secret on the operator's machine. */
  readonly secretPath: string;
  /** The uwsgi configuration's content. */
  readonly uwsgiConf?: string;
  /** uwsgi's health check port (8080 is where it listens). */
  readonly uwsgiCheckPort?: number;
  /** Leave out the uwsgi service. */
  readonly noUwsgi?: boolean;
  /** Leave out the page. */
  readonly noPage?: boolean;
  /** Leave out the JailRcConf. */
  readonly noRcConf?: boolean;
}

export const PAGE = '<html><body>the site</body></html>\n';
export const UWSGI_CONF = '[uwsgi]\nmodule = app\nprocesses = 2\n';

export function workloadApp(o: WorkloadOptions): AppBuilder {
  return labApp({ jails: [{ n: 1 }] }, (lab) => {
    const jail = lab.jails[0];
    new JailPackages(lab, 'h1-packages', { jail, packages: ['nginx', 'uwsgi-py311'] });
    if (!o.noPage) new JailFile(lab, 'page', { jail, path: '/usr/local/www/nginx/index.html', content: PAGE, owner: 'www', group: 'www', takeOver: true });
    if (!o.noRcConf) new JailRcConf(lab, 'h1-rc', { jail, variables: { clear_tmp_enable: 'YES', app_greeting: 'hello' } });
    const nginx = new JailService(lab, 'nginx', { jail, name: 'nginx', healthCheck: JailHealthCheck.http(80, { retries: 5, intervalSeconds: 1 }) });
    if (o.noUwsgi) return;
    const conf = new JailFile(lab, 'uwsgi-conf', { jail, path: '/usr/local/etc/uwsgi/uwsgi.ini', content: o.uwsgiConf ?? UWSGI_CONF, owner: 'www', group: 'www', mode: '0640', takeOver: true });
    const secret = new JailFile(lab, 'uwsgi-secret', { jail, path: '/usr/local/etc/uwsgi/secret.conf', sourcePath: o.secretPath, owner: 'www', group: 'www', mode: '0600' });
    new JailService(lab, 'uwsgi', {
      jail,
      name: 'uwsgi',
      restartOn: [conf, secret],
      after: [nginx],
      healthCheck: JailHealthCheck.http(o.uwsgiCheckPort ?? 8080, { retries: 2, intervalSeconds: 1, timeoutSeconds: 2 }),
    });
  });
}
