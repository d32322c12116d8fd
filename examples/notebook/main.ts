/**
 * The notebook ("Learning Notes on FreeBSD Jails") as code, on a current release.
 *
 * Connection settings come from the environment so the same app deploys to a real host and
 * to the end-to-end test host: FREEBSD_HOST, FREEBSD_PORT, FREEBSD_USER, FREEBSD_KEY_PATH,
 * FREEBSD_HOST_KEY, FREEBSD_PRIVILEGE (root|sudo|doas), FREEBSD_RELEASE (the host's release),
 * FREEBSD_MIRROR (where release sets are fetched).
 *
 * FREEBSD_HOST_KEY pins the host's SSH key: the `ssh-ed25519 AAAA...` part of the line that
 * `ssh-keyscan -t ed25519 -p PORT HOST` prints. Without it synthesis warns that Terraform's
 * connection accepts any key; the examples never accept any key on purpose.
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  DevfsRuleset,
  FreeBsdHost,
  FreeBsdHostProps,
  FreeBsdRelease,
  JailAddress,
  JailCreationMethod,
  JailFromSnapshot,
  JailFromSnapshotProps,
  JailDevfsRuleset,
  JailHost,
  JailSource,
  JailPackages,
  JailAddressFamily,
  PfNat,
  PfNatNetwork,
  PfPortForward,
  PfPortRange,
  Privilege,
  SysvIpc,
  VnetBackend,
  ZfsTemplate,
} from '../../lib';

/** The notebook's host, reached with the connection settings from the environment. */
export function notebookHostProps(env: NodeJS.ProcessEnv): FreeBsdHostProps {
  return {
    address: env.FREEBSD_HOST ?? 'jailhost.example.org',
    port: env.FREEBSD_PORT ? Number(env.FREEBSD_PORT) : undefined,
    user: env.FREEBSD_USER ?? 'root',
    privateKeyPath: env.FREEBSD_KEY_PATH ?? '~/.ssh/id_ed25519',
    hostKey: env.FREEBSD_HOST_KEY || undefined,
    privilege: env.FREEBSD_PRIVILEGE ? (env.FREEBSD_PRIVILEGE as Privilege) : undefined,
    release: FreeBsdRelease.of(env.FREEBSD_RELEASE ?? '14.5'),
    // The notebook: zroot/vm mounted at /vm holds templates and jails.
    jailRootDataset: 'zroot/vm',
    jailRootMountpoint: '/vm',
  };
}

/** The VNET examples' switch backend: VNET_BACKEND=if_bridge, else netgraph (the notebook's). */
export function vnetBackend(env: NodeJS.ProcessEnv): VnetBackend {
  return env.VNET_BACKEND === VnetBackend.IF_BRIDGE ? VnetBackend.IF_BRIDGE : VnetBackend.NETGRAPH;
}

/** The template and (as later issues land) the jails of the notebook on one host. */
/**
 * The notebook's /etc/devfs.rules ("Site 2"), as the examples define it on a host:
 *   [devfsrules_bpfjail=10]            [devfsrules_tunjail=11]
 *   add include $devfsrules_jail       add include $devfsrules_jail
 *   add path 'bpf*' unhide             add path 'tun*' unhide
 */
export function notebookDevfsRulesets(scope: Construct, host: FreeBsdHost): [bpfJail: DevfsRuleset, tunJail: DevfsRuleset] {
  const ruleset = (rulesetName: string, rulesetNumber: number, unhide: string) =>
    new DevfsRuleset(scope, rulesetName, { host, rulesetName, rulesetNumber, includes: [JailDevfsRuleset.DEVFSRULES_JAIL], unhide: [unhide] });
  return [ruleset('devfsrules_bpfjail', 10, 'bpf*'), ruleset('devfsrules_tunjail', 11, 'tun*')];
}

export class NotebookStack extends TerraformStack {
  public readonly host: FreeBsdHost;
  public readonly template: ZfsTemplate;
  public readonly jailHost: JailHost;
  /** The aliased jails h1..h4 of "Configuring Jails". */
  public readonly jails: JailFromSnapshot[];
  /** "Managing Jails": pkg -j h1 install git-lite vim-console. */
  public readonly h1Packages: JailPackages;
  /** The VNET lab's [devfsrules_bpfjail=10]: tcpdump on the central router r1. */
  public readonly bpfJailRuleset: DevfsRuleset;
  /** The VNET lab's [devfsrules_tunjail=11]: the VPN routers vpnr1 and vpnr2. */
  public readonly tunJailRuleset: DevfsRuleset;
  /** "NAT Configuration": the jails' networks out of em0, port 8080 to h4 on both families. */
  public readonly pf: PfNat;

  constructor(scope: Construct, id: string, env: NodeJS.ProcessEnv = process.env) {
    super(scope, id);
    this.host = new FreeBsdHost(this, 'host', notebookHostProps(env));

    // "Creating a Template": zroot/vm/tmpl/<release>, base.txz, localtime, rc.conf, crontab,
    // ports directories, freebsd-update, snapshot p3.
    this.template = new ZfsTemplate(this, 'template', {
      host: this.host,
      // The notebook used 14.3, past its end of life since 2026-06-30: a supported release instead.
      release: FreeBsdRelease.V14_5,
      mirror: env.FREEBSD_MIRROR,
      portsSupport: true,
      snapshotName: 'p3',
    });

    // rc.conf (jail_enable, cloned_interfaces="lo1", jail_list) and the global defaults of
    // the notebook's /etc/jail.conf (exec.start, exec.stop, exec.clean, mount.devfs,
    // host.hostname, path, exec.consolelog, resolv.conf in prestart/poststop).
    this.jailHost = new JailHost(this, 'jails', { host: this.host });

    // "Creating Jails from the Template": h1, h2 by clone, h3, h4 by send/receive; every jail
    // with lo1 aliases 127.1.1.N/32 and fd00:1:1:1::N/64, allow.chflags and allow.raw_sockets.
    const jail = (n: number, method: JailCreationMethod, extra: Partial<JailFromSnapshotProps>) =>
      new JailFromSnapshot(this, `h${n}`, {
        jailHost: this.jailHost,
        source: JailSource.template(this.template),
        method,
        addresses: [JailAddress.onInterface('lo1', `127.1.1.${n}/32`), JailAddress.onInterface('lo1', `fd00:1:1:1::${n}/64`)],
        allow: { chflags: true, rawSockets: true },
        ...extra,
      });
    this.jails = [
      // nullfs mount: the host's ports tree read-only (fstab /vm/h1.fstab).
      jail(1, JailCreationMethod.CLONE, { comment: 'nullfs mount', nullfsMounts: [{ hostPath: '/usr/ports', jailPath: '/usr/ports' }] }),
      jail(2, JailCreationMethod.CLONE, { comment: 'WINE (sysvsem)', sysvsem: SysvIpc.NEW }),
      jail(3, JailCreationMethod.SEND_RECEIVE, { comment: 'PostgreSQL (sysvsem, sysvshm)', sysvsem: SysvIpc.NEW, sysvshm: SysvIpc.NEW }),
      jail(4, JailCreationMethod.SEND_RECEIVE, { comment: 'Java (fdescfs, procfs)', mountFdescfs: true, mountProcfs: true }),
    ];
    this.h1Packages = new JailPackages(this, 'h1-packages', { jail: this.jails[0], packages: ['git-lite', 'vim-console'] });

    // "Site 2", /etc/devfs.rules: the VNET lab's jails take them as devfsRuleset
    // (devfs_ruleset = 10 for r1, 11 for vpnr1 and vpnr2).
    [this.bpfJailRuleset, this.tunJailRuleset] = notebookDevfsRulesets(this, this.host);
    // "NAT Configuration" (pf_enable, pflog_enable; the notebook's pf.conf rules), in the
    // library's own anchor: the host's /etc/pf.conf keeps its rules and gains only the hooks.
    const h4 = this.jails[3];
    this.pf = new PfNat(this, 'pf', {
      host: this.host,
      externalInterface: 'em0',
      externalIpv6Address: '2001:db8::1', // the host's external IPv6 address (documentation prefix here)
      natNetworks: [PfNatNetwork.ipv4('127.1.1.0/24'), PfNatNetwork.ipv6('fd00:1:1:1::0/64')],
      portForwards: [
        PfPortForward.toJail(h4, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(8080), log: true }),
        PfPortForward.toJail(h4, { family: JailAddressFamily.IPV6, ports: PfPortRange.port(8080), log: true }),
      ],
    });
  }
}

if (require.main === module) {
  const app = new App();
  new NotebookStack(app, 'notebook');
  app.synth();
}
