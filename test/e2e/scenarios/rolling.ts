/**
 * The rolling upgrade's app (issue 23): a 15.1 host with a 14.5 and a 15.1 template, the lab's
 * jails h1..hn made from the template of `release`, each with nginx and an HTTP health check,
 * rolling in order h1, h2, ... (JailReplacement). With `data`, each jail has a data dataset
 * (JailDataset `hN-data`): nullfs at DATA_PATH in every jail but the last, which has it delegated
 * and mounted at DATA_PATH itself. `more` adds to each jail.
 */
import {
  FreeBsdRelease, JailAddress, JailDataset, JailDatasetAttachment, JailFromSnapshot, JailHost, JailHealthCheck, JailPackages, JailReplacement, JailService, JailSource, ZfsTemplate,
} from '../../../lib';
import { AppBuilder } from './bench';
import { LabStack } from './apps';

export interface RollingOptions {
  readonly jails: number;
  /** The release the jails are made from: each release is a template of its own. */
  readonly release: FreeBsdRelease;
  /** A data dataset per jail (see above). */
  readonly data?: boolean;
  /** Further constructs per jail. */
  readonly more?: (lab: LabStack, jail: JailFromSnapshot) => void;
}

/** Where each jail sees its data dataset. */
export const DATA_PATH = '/var/db/app';

export function rollingApp(o: RollingOptions): AppBuilder {
  return (app, env) => {
    const jails = Array.from({ length: o.jails }, (_, i) => ({ n: i + 1 }));
    let previous: JailFromSnapshot | undefined;
    const lab = new LabStack(app, 'lab', env, {
      jails: [],
      // A 15.1 host runs both: a jail's userland may not be newer than the host's kernel.
      host: { release: FreeBsdRelease.V15_1 },
      template: { release: FreeBsdRelease.V14_5, snapshotName: 'p1' },
    });
    // Both releases are there from the start: the 14.5 template stays while a jail stands on it.
    const next = new ZfsTemplate(lab, 'template-15-1', { host: lab.host, release: FreeBsdRelease.V15_1, portsSupport: true, snapshotName: 'p1' });
    const template = o.release.version === FreeBsdRelease.V15_1.version ? next : lab.template;
    const jailHost = new JailHost(lab, 'jails', { host: lab.host });
    for (const j of jails) {
      const datasets: JailDatasetAttachment[] = [];
      if (o.data) {
        const data = new JailDataset(lab, `h${j.n}-data`, { host: lab.host });
        datasets.push(j.n < o.jails ? JailDatasetAttachment.nullfs(data, DATA_PATH) : JailDatasetAttachment.delegated(data, { mountPoint: DATA_PATH }));
      }
      const jail: JailFromSnapshot = new JailFromSnapshot(lab, `h${j.n}`, {
        jailHost, name: `h${j.n}`, source: JailSource.template(template),
        addresses: [JailAddress.onInterface('lo1', `127.1.1.${j.n}/32`)],
        replacement: previous ? JailReplacement.after(previous) : JailReplacement.rolling(),
        datasets,
      });
      new JailPackages(lab, `h${j.n}-packages`, { jail, packages: ['nginx'] });
      new JailService(lab, `h${j.n}-nginx`, { jail, name: 'nginx', healthCheck: JailHealthCheck.http(80, { retries: 5, intervalSeconds: 1 }) });
      o.more?.(lab, jail);
      previous = jail;
    }
  };
}
