/**
 * The notebook ("Learning Notes on FreeBSD Jails") as code, on a current release.
 *
 * Connection settings come from the environment so the same app deploys to a real host and
 * to the end-to-end test host: FREEBSD_HOST, FREEBSD_PORT, FREEBSD_USER, FREEBSD_KEY_PATH,
 * FREEBSD_HOST_KEY, FREEBSD_PRIVILEGE (root|sudo|doas), FREEBSD_RELEASE (the host's release),
 * FREEBSD_MIRROR (where release sets are fetched).
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { FreeBsdHost, Privilege, ZfsTemplate } from '../../lib';

/** The template and (as later issues land) the jails of the notebook on one host. */
export class NotebookStack extends TerraformStack {
  public readonly host: FreeBsdHost;
  public readonly template: ZfsTemplate;

  constructor(scope: Construct, id: string, env: NodeJS.ProcessEnv = process.env) {
    super(scope, id);
    this.host = new FreeBsdHost(this, 'host', {
      address: env.FREEBSD_HOST ?? 'jailhost.example.org',
      port: env.FREEBSD_PORT ? Number(env.FREEBSD_PORT) : undefined,
      user: env.FREEBSD_USER ?? 'root',
      privateKeyPath: env.FREEBSD_KEY_PATH ?? '~/.ssh/id_ed25519',
      hostKey: env.FREEBSD_HOST_KEY || undefined,
      privilege: env.FREEBSD_PRIVILEGE ? (env.FREEBSD_PRIVILEGE as Privilege) : undefined,
      release: env.FREEBSD_RELEASE ?? '14.3',
      // The notebook: zroot/vm mounted at /vm holds templates and jails.
      jailRootDataset: 'zroot/vm',
      jailRootMountpoint: '/vm',
    });

    // "Creating a Template": zroot/vm/tmpl/<release>, base.txz, localtime, rc.conf, crontab,
    // ports directories, freebsd-update, snapshot p3.
    this.template = new ZfsTemplate(this, 'template', {
      host: this.host,
      release: '14.3',
      mirror: env.FREEBSD_MIRROR,
      portsSupport: true,
      snapshotName: 'p3',
    });
  }
}

if (require.main === module) {
  const app = new App();
  new NotebookStack(app, 'notebook');
  app.synth();
}
