/**
 * Apps the scenarios synthesize: the library's own example (examples/notebook) and a "lab"
 * stack built from the same constructs whose jails and template are parameters, so a scenario
 * can change one input, drop a jail or generate fifty.
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { NotebookStack, notebookHostProps } from '../../../examples/notebook/main';
import { FreeBsdHost, FreeBsdHostProps, FreeBsdRelease, JailAddress, JailCreationMethod, JailFromSnapshot, JailFromSnapshotProps, JailHost, JailRemovalPolicy, JailSource, ZfsTemplate, ZfsTemplateProps } from '../../../lib';
import { AppBuilder } from './bench';

export { NotebookStack };

/** examples/notebook as it is, against the bench's host. */
export const notebookApp: AppBuilder = (app, env) => {
  new NotebookStack(app, 'notebook', env);
};

export interface LabJail {
  /** h<n>, addresses 127.1.1.<n>/32 and fd00:1:1:1::<n>/64 on lo1 (n <= 250). */
  readonly n: number;
  readonly method?: JailCreationMethod;
  readonly props?: Partial<JailFromSnapshotProps>;
}

export interface LabProps {
  readonly jails: readonly LabJail[];
  /** Over the notebook's template (release 14.3, ports support, snapshot p3). */
  readonly template?: Partial<ZfsTemplateProps>;
  /** Removal policy of every jail (default: the library's, RETAIN). */
  readonly removalPolicy?: JailRemovalPolicy;
  /** Over the notebook's host (an ownershipScope, say). */
  readonly host?: Partial<FreeBsdHostProps>;
  /** Construct ids of jails (default h<n>) by n: ids an administrator would not type. */
  readonly ids?: { [n: number]: string };
}

/** The notebook's host, template and (given) jails, one stack named "lab". */
export class LabStack extends TerraformStack {
  public readonly host: FreeBsdHost;
  public readonly template: ZfsTemplate;
  public readonly jailHost?: JailHost;
  public readonly jails: JailFromSnapshot[] = [];

  constructor(scope: Construct, id: string, env: Record<string, string>, props: LabProps) {
    super(scope, id);
    this.host = new FreeBsdHost(this, 'host', { ...notebookHostProps(env), ...props.host });
    this.template = new ZfsTemplate(this, 'template', { host: this.host, release: FreeBsdRelease.V14_3, portsSupport: true, snapshotName: 'p3', ...props.template });
    if (props.jails.length === 0) return;
    this.jailHost = new JailHost(this, 'jails', { host: this.host });
    for (const j of props.jails) {
      this.jails.push(new JailFromSnapshot(this, props.ids?.[j.n] ?? `h${j.n}`, {
        jailHost: this.jailHost,
        name: `h${j.n}`,
        source: JailSource.template(this.template),
        method: j.method ?? JailCreationMethod.CLONE,
        removalPolicy: props.removalPolicy,
        addresses: [JailAddress.onInterface('lo1', `127.1.1.${j.n}/32`), JailAddress.onInterface('lo1', `fd00:1:1:1::${j.n}/64`)],
        allow: { chflags: true, rawSockets: true },
        ...j.props,
      }));
    }
  }
}

/**
 * The lab stack as an app: `more` adds constructs to it (JailPackages, JailUpdate of its jails);
 * `stackName` "lab" unless given (two apps on one host).
 */
export function labApp(props: LabProps, more?: (lab: LabStack) => void, stackName = 'lab'): AppBuilder {
  return (app, env) => {
    const lab = new LabStack(app, stackName, env, props);
    more?.(lab);
  };
}

/** n jails h1..hn, cloned (the figures' N-jail apps). */
export function clonedJails(n: number): LabJail[] {
  return Array.from({ length: n }, (_, i) => ({ n: i + 1 }));
}
