/**
 * The rolling upgrade's app (issue 23): a 15.1 host with a 14.5 and a 15.1 template, the lab's
 * jails h1..hn made from the template of `release`, each with nginx and an HTTP health check,
 * rolling in order h1, h2, ... (JailReplacement). `more` adds to each jail (a data dataset, say).
 */
import { FreeBsdRelease, JailAddress, JailFromSnapshot, JailHost, JailHealthCheck, JailPackages, JailReplacement, JailService, JailSource, ZfsTemplate } from '../../../lib';
import { AppBuilder } from './bench';
import { LabStack } from './apps';

export interface RollingOptions {
  readonly jails: number;
  /** The release the jails are made from: each release is a template of its own. */
  readonly release: FreeBsdRelease;
  /** Further constructs per jail. */
  readonly more?: (lab: LabStack, jail: JailFromSnapshot) => void;
}

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
      const jail: JailFromSnapshot = new JailFromSnapshot(lab, `h${j.n}`, {
        jailHost, name: `h${j.n}`, source: JailSource.template(template),
        addresses: [JailAddress.onInterface('lo1', `127.1.1.${j.n}/32`)],
        replacement: previous ? JailReplacement.after(previous) : JailReplacement.rolling(),
      });
      new JailPackages(lab, `h${j.n}-packages`, { jail, packages: ['nginx'] });
      new JailService(lab, `h${j.n}-nginx`, { jail, name: 'nginx', healthCheck: JailHealthCheck.http(80, { retries: 5, intervalSeconds: 1 }) });
      o.more?.(lab, jail);
      previous = jail;
    }
  };
}
