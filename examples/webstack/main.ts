/**
 * A small site on one FreeBSD host, as production runs it: three VNET jails on a routed switch
 * behind the host (vi0, gateway 172.31.0.1/24), NAT out through em0 and the host's ports 80 and
 * 443 forwarded to the web jail. nginx serves a page in `web`; an app server (uwsgi) reads its
 * configuration file in `app`; PostgreSQL runs in `db` with its own System V shared memory.
 * Each service has a health check the apply waits for; the app starts once the database is
 * healthy, the web server once the app is. `npx cdktf synth` here; connection settings come from
 * the environment as in examples/notebook.
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  FreeBsdHost, FreeBsdRelease, JailAddressFamily, JailFile, JailFromSnapshot, JailHealthCheck, JailHost, JailPackages, JailService, JailSource,
  JailVnetNetwork, PfNat, PfNatNetwork, PfPortForward, PfPortRange, SysvIpc, VnetBridge, VnetBridgeMode, ZfsTemplate,
} from '../../lib';
import { notebookHostProps } from '../notebook/main';

/** The page nginx serves. */
export const WEB_PAGE = '<html><body><h1>webstack</h1></body></html>\n';
/** The app server's configuration: where its database is. */
export const APP_CONFIG = '[uwsgi]\nmodule = app\nprocesses = 2\nenv = DATABASE_URL=postgresql://app@172.31.0.13:5432/app\n';

export class WebStack extends TerraformStack {
  public readonly host: FreeBsdHost;
  public readonly network: VnetBridge;
  public readonly web: JailFromSnapshot;
  public readonly app: JailFromSnapshot;
  public readonly db: JailFromSnapshot;
  public readonly pf: PfNat;

  constructor(scope: Construct, id: string, env: NodeJS.ProcessEnv = process.env, appConfigText = APP_CONFIG) {
    super(scope, id);
    this.host = new FreeBsdHost(this, 'host', notebookHostProps(env));
    const template = new ZfsTemplate(this, 'template', { host: this.host, release: FreeBsdRelease.V14_5, mirror: env.FREEBSD_MIRROR, snapshotName: 'p1' });
    const jailHost = new JailHost(this, 'jails', { host: this.host });

    // The jails' network: a switch whose host side vi0 holds the gateway; the host routes and NATs.
    this.network = new VnetBridge(this, 'vi0', { host: this.host, mode: VnetBridgeMode.routed({ gateways: ['172.31.0.1/24'] }) });
    const jail = (name: string, address: string, extra: { sysvshm?: SysvIpc } = {}) => new JailFromSnapshot(this, name, {
      jailHost,
      source: JailSource.template(template),
      networks: [new JailVnetNetwork({ interfaces: [{ bridge: this.network, addresses: [`${address}/24`] }], defaultRouter: '172.31.0.1' })],
      ...extra,
    });
    this.db = jail('db', '172.31.0.13', { sysvshm: SysvIpc.NEW }); // PostgreSQL's shared memory, its own
    this.app = jail('app', '172.31.0.12');
    this.web = jail('web', '172.31.0.11');

    // The database: installed, initialized once, running, answering on 5432.
    new JailPackages(this, 'db-packages', { jail: this.db, packages: ['postgresql17-server'] });
    const postgresql = new JailService(this, 'postgresql', {
      jail: this.db,
      name: 'postgresql',
      initialize: { command: 'initdb', creates: '/var/db/postgres/data17' },
      healthCheck: JailHealthCheck.tcp(5432, { address: '172.31.0.13' }),
    });

    // The app server reads its configuration file; a change of it restarts the app, nothing else.
    new JailPackages(this, 'app-packages', { jail: this.app, packages: ['uwsgi-py311'] });
    const appConfig = new JailFile(this, 'app-config', {
      jail: this.app, path: '/usr/local/etc/uwsgi/uwsgi.ini', content: appConfigText, owner: 'www', group: 'www', mode: '0640', takeOver: true,
    });
    const uwsgi = new JailService(this, 'uwsgi', {
      jail: this.app,
      name: 'uwsgi',
      restartOn: [appConfig],
      after: [postgresql],
      healthCheck: JailHealthCheck.http(8080, { address: '172.31.0.12' }),
    });

    // The web server and its page.
    new JailPackages(this, 'web-packages', { jail: this.web, packages: ['nginx'] });
    const page = new JailFile(this, 'page', {
      jail: this.web, path: '/usr/local/www/nginx/index.html', content: WEB_PAGE, owner: 'www', group: 'www', takeOver: true,
    });
    new JailService(this, 'nginx', {
      jail: this.web,
      name: 'nginx',
      restartOn: [page],
      after: [uwsgi],
      healthCheck: JailHealthCheck.http(80, { address: '172.31.0.11' }),
    });

    // The way in and out: NAT of the switch's subnet through em0, 80 and 443 to the web jail.
    this.pf = new PfNat(this, 'pf', {
      host: this.host,
      externalInterface: 'em0',
      natNetworks: this.network.subnets.map((s) => PfNatNetwork.ipv4(s)),
      portForwards: [80, 443].map((port) => PfPortForward.toJail(this.web, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(port) })),
    });
  }
}

if (require.main === module) {
  const app = new App();
  new WebStack(app, 'webstack');
  app.synth();
}
