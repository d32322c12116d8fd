/** The app of the data-dataset scenarios (scenarios-data, scenarios-faults-data): a jail h1 with a nullfs and a delegated data dataset. */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { notebookHostProps } from '../../../examples/notebook/main';
import {
  FreeBsdHost, FreeBsdRelease, JailAddress, JailDataset, JailDatasetAttachment, JailFromSnapshot, JailHost, JailRemovalPolicy, JailSource, ZfsTemplate,
} from '../../../lib';
import { AppBuilder } from './bench';

export interface DataProps {
  /** The nullfs dataset `files` (at /srv/files in h1), with this removal policy; undefined: not in the app. */
  readonly files?: JailRemovalPolicy;
  /** The delegated dataset `box` (mounted by h1 at /box), with this removal policy; undefined: not in the app. */
  readonly box?: JailRemovalPolicy;
  /** The template's generation: 2 changes an input, so a new snapshot, and h1 is made again from it. */
  readonly generation?: number;
  /** The host's release as the app declares it, like `15.1-RELEASE` (the bench's). @default - 14.5 */
  readonly hostRelease?: string;
  /** The jail h1 and its datasets (default true); without them only the host, the template and the JailHost. */
  readonly jail?: boolean;
}

class DataStack extends TerraformStack {
  constructor(scope: Construct, id: string, env: Record<string, string>, props: DataProps) {
    super(scope, id);
    const host = new FreeBsdHost(this, 'host', notebookHostProps(env));
    const template = new ZfsTemplate(this, 'template', {
      host, release: FreeBsdRelease.V14_3, ...(props.generation === 2 ? { rcConf: { cron_enable: 'YES' } } : {}),
    });
    const jailHost = new JailHost(this, 'jails', { host });
    if (props.jail === false) return;
    const datasets: JailDatasetAttachment[] = [];
    if (props.files) {
      const files = new JailDataset(this, 'files', { host, removalPolicy: props.files, zfsProperties: { compression: 'lz4' } });
      datasets.push(JailDatasetAttachment.nullfs(files, '/srv/files'));
    }
    if (props.box) datasets.push(JailDatasetAttachment.delegated(new JailDataset(this, 'box', { host, removalPolicy: props.box }), { mountPoint: '/box' }));
    new JailFromSnapshot(this, 'h1', {
      jailHost, source: JailSource.template(template), removalPolicy: JailRemovalPolicy.DESTROY,
      addresses: [JailAddress.onInterface('lo1', '127.1.1.1/32')], datasets,
    });
  }
}
export const dataApp = (props: DataProps): AppBuilder => (app, env) => {
  new DataStack(app, 'lab', props.hostRelease ? { ...env, FREEBSD_RELEASE: props.hostRelease.replace(/-.*/, '') } : env, props);
};
