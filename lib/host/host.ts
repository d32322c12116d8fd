import { Annotations, TerraformProvider, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { FreeBsdRelease } from '../release';
import { Elevation } from '../shell';
import * as v from '../validate';
import * as p from '../validate/props';
import { constructsOfApp, earlierMatch } from './app-index';
import { NullProvider } from './null-provider';

/** How scripts gain root on the host. */
export enum Privilege {
  /** The SSH user is root. */
  ROOT = 'root',
  /** The SSH user runs the script body through `sudo -n` (passwordless sudo). */
  SUDO = 'sudo',
  /** The SSH user runs the script body through `doas -n` (a `permit nopass` rule). */
  DOAS = 'doas',
}

/** A jump host that SSH connections go through. */
export interface BastionProps {
  /** Address or name of the bastion. */
  readonly address: string;
  /**
   * SSH port of the bastion.
   * @default 22
   */
  readonly port?: number;
  /**
   * User on the bastion.
   * @default - the target host's user
   */
  readonly user?: string;
  /**
   * Path of the private key on the operator's machine.
   * @default - the target host's key path, or the SSH agent
   */
  readonly privateKeyPath?: string;
  /**
   * The bastion's SSH public key (for example `ssh-ed25519 AAAA...`), pinned: Terraform refuses
   * to connect through a bastion that presents another key. Without it (and without
   * `insecureAcceptAnyHostKey`) synthesis warns.
   * @default - not pinned: any key is accepted, with a synth-time warning
   */
  readonly hostKey?: string;
  /**
   * Accept any key the bastion presents, on purpose: Terraform's SSH connection to the bastion
   * then checks no host key, so whoever answers at its address (a man in the middle) stands
   * on the way to the host, and only the host's own pinned `hostKey` still keeps him from
   * taking its place. True silences the synth-time warning about an unpinned bastion; it
   * cannot be given with `hostKey`.
   * @default false
   */
  readonly insecureAcceptAnyHostKey?: boolean;
}

/** Who, where and how to connect to a FreeBSD host. */
export interface FreeBsdHostProps {
  /** Address or DNS name of the host. */
  readonly address: string;
  /**
   * SSH port.
   * @default 22
   */
  readonly port?: number;
  /**
   * SSH user.
   * @default "root"
   */
  readonly user?: string;
  /**
   * Path of the SSH private key on the operator's machine. Only the path is stored in the
   * Terraform state; the key itself is read by Terraform at apply time.
   * @default - the SSH agent ($SSH_AUTH_SOCK)
   */
  readonly privateKeyPath?: string;
  /**
   * The host's SSH public key (for example `ssh-ed25519 AAAA...`), pinned: Terraform refuses
   * to connect to a host that presents another key. Get it with
   * `ssh-keyscan -t ed25519 -p PORT ADDRESS` (the key line without the address), from a
   * network you trust or compared with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on
   * the host's console. Without it (and without `insecureAcceptAnyHostKey`) synthesis warns.
   * @default - not pinned: any key is accepted, with a synth-time warning
   */
  readonly hostKey?: string;
  /**
   * Accept any key the host presents, on purpose: Terraform's SSH connection then checks no
   * host key, so whoever answers at the address in the host's place (a man in the middle)
   * receives every script meant to run as root there, with all it carries, and Terraform
   * takes his answers for the host's. True silences the synth-time warning about an unpinned
   * host; it cannot be given with `hostKey`.
   * @default false
   */
  readonly insecureAcceptAnyHostKey?: boolean;
  /**
   * A jump host.
   * @default - direct connection
   */
  readonly bastion?: BastionProps;
  /**
   * How scripts gain root.
   * @default Privilege.ROOT when the user is root, else Privilege.SUDO
   */
  readonly privilege?: Privilege;
  /**
   * The host's FreeBSD release (like `FreeBsdRelease.V14_5` or `FreeBsdRelease.of("14.3")`), when
   * known. Decides features such as `.include` in jail.conf (14.0 and later).
   * @default - unknown: the oldest supported behaviour is assumed
   */
  readonly release?: FreeBsdRelease;
  /**
   * The ZFS dataset under which templates and jails live.
   * @default "zroot/vm"
   */
  readonly jailRootDataset?: string;
  /**
   * Mountpoint of `jailRootDataset`.
   * @default "/vm"
   */
  readonly jailRootMountpoint?: string;
  /**
   * How long Terraform waits for the SSH connection (a Terraform duration).
   * @default "2m"
   */
  readonly connectionTimeout?: string;
  /**
   * The ownership scope of everything this app makes on the host: carried in every ownership
   * mark (datasets, settings records), matched exactly by prune and undo, and claimed on the
   * host by this app's Terraform state at the first apply. A second state (another app, or a
   * copy of this one) that claims the same scope on the host is refused before it changes
   * anything. Give two apps whose stacks have the same name different scopes. Letters, digits
   * and `_.@+-`, at most 64 characters.
   * @default - the stack's name
   */
  readonly ownershipScope?: string;
}

/** What FreeBsdHostProps must be, for users of untyped languages. */
const FREEBSD_HOST_PROPS: Record<string, p.Kind> = {
  address: p.required(p.str('"192.0.2.10"')),
  port: p.num('22'),
  user: p.str('"root"'),
  privateKeyPath: p.str('"/home/me/.ssh/id_ed25519"'),
  hostKey: p.str('"ssh-ed25519 AAAA..."'),
  insecureAcceptAnyHostKey: p.bool,
  bastion: p.struct('BastionProps', {
    address: p.required(p.str('"jump.example.org"')),
    port: p.num('22'),
    user: p.str('"root"'),
    privateKeyPath: p.str('"/home/me/.ssh/id_ed25519"'),
    hostKey: p.str('"ssh-ed25519 AAAA..."'),
    insecureAcceptAnyHostKey: p.bool,
  }, '{ address: "jump.example.org" }'),
  privilege: p.oneOf('Privilege', Privilege),
  release: p.instanceOf(FreeBsdRelease, p.releaseLike),
  jailRootDataset: p.str('"zroot/vm"'),
  jailRootMountpoint: p.str('"/vm"'),
  connectionTimeout: p.str('"2m"'),
  ownershipScope: p.str('"my-app"'),
};

/** The id of the stack's one NullProvider when this library adds it. */
const NULL_PROVIDER_ID = 'FreeBsdJailsNullProvider';

/**
 * A FreeBSD host reached over SSH. Every step of every construct on this host connects with
 * these settings. Adds the stack's NullProvider unless the stack has one already.
 */
export class FreeBsdHost extends Construct {
  /** Address or DNS name of the host. */
  public readonly address: string;
  /** SSH port. */
  public readonly port: number;
  /** SSH user. */
  public readonly user: string;
  /** Private key path on the operator's machine, if any (else the SSH agent is used). */
  public readonly privateKeyPath?: string;
  /** Pinned host key, if any. */
  public readonly hostKey?: string;
  /** True when the app accepts any host key on purpose (no `hostKey`, no warning). */
  public readonly insecureAcceptAnyHostKey: boolean;
  /** Bastion settings, if any. */
  public readonly bastion?: BastionProps;
  /** How scripts gain root. */
  public readonly privilege: Privilege;
  /**
   * The host's release, if known.
   * @default - unknown
   */
  public readonly release?: FreeBsdRelease;
  /** The dataset under which templates and jails live, e.g. `zroot/vm`. */
  public readonly jailRootDataset: string;
  /** Mountpoint of the jail root dataset, e.g. `/vm`. */
  public readonly jailRootMountpoint: string;
  /** SSH connection timeout. */
  public readonly connectionTimeout: string;
  /** The ownership scope on the host (see FreeBsdHostProps.ownershipScope). */
  public readonly ownershipScope: string;

  constructor(scope: Construct, id: string, props: FreeBsdHostProps) {
    super(scope, id);
    const path = this.node.path;
    v.validated(path, 'construct path', () => v.fieldText(path));
    p.checkProps(path, 'FreeBsdHost', props, FREEBSD_HOST_PROPS);
    const stack = TerraformStack.of(this);
    this.ownershipScope = props.ownershipScope === undefined
      ? v.validated(path, 'ownershipScope', () => {
        try {
          return v.ownershipScope(stack.node.id);
        } catch (e) {
          throw new v.ValidationError(`the default (the stack's name ${JSON.stringify(stack.node.id)}) cannot be one: ${(e as Error).message}; give ownershipScope`);
        }
      })
      : v.validated(path, 'ownershipScope', () => v.ownershipScope(props.ownershipScope!));
    this.address = v.validated(path, 'address', () => v.hostAddress(props.address));
    this.port = v.validated(path, 'port', () => v.port(props.port ?? 22));
    // Two FreeBsdHosts for one sshd would each manage (and prune) the same host state.
    this.node.addValidation({
      validate: () => {
        const other = earlierMatch(constructsOfApp(this.node.root, FreeBsdHost), this, (h) => h.address === this.address && h.port === this.port);
        return other ? [`${path}: invalid address: ${this.address} port ${this.port} is already the host ${other.node.path}; use one FreeBsdHost per host`] : [];
      },
    });
    this.user = v.validated(path, 'user', () => v.userName(props.user ?? 'root'));
    if (props.privateKeyPath !== undefined) {
      this.privateKeyPath = v.validated(path, 'privateKeyPath', () => v.singleLine(props.privateKeyPath!));
      if (this.privateKeyPath.length === 0 || this.privateKeyPath.includes('BEGIN')) {
        throw new v.ValidationError(`${path}: invalid privateKeyPath: give the path of the key file, never the key itself`);
      }
    }
    if (props.hostKey !== undefined) this.hostKey = v.validated(path, 'hostKey', () => v.sshPublicKey(props.hostKey!));
    this.insecureAcceptAnyHostKey = hostKeyChoice(this, '', this.address, this.port, this.hostKey, props.insecureAcceptAnyHostKey);
    if (props.bastion) {
      const b = props.bastion;
      const address = v.validated(path, 'bastion.address', () => v.hostAddress(b.address));
      const port = v.validated(path, 'bastion.port', () => v.port(b.port ?? 22));
      const hostKey = b.hostKey === undefined ? undefined : v.validated(path, 'bastion.hostKey', () => v.sshPublicKey(b.hostKey!));
      this.bastion = {
        address,
        port,
        user: v.validated(path, 'bastion.user', () => v.userName(b.user ?? this.user)),
        privateKeyPath: b.privateKeyPath ?? this.privateKeyPath,
        hostKey,
        insecureAcceptAnyHostKey: hostKeyChoice(this, 'bastion.', address, port, hostKey, b.insecureAcceptAnyHostKey),
      };
    }
    this.privilege = props.privilege ?? (this.user === 'root' ? Privilege.ROOT : Privilege.SUDO);
    if (this.privilege === Privilege.ROOT && this.user !== 'root') {
      throw new v.ValidationError(`${path}: invalid privilege: Privilege.ROOT needs user "root", got ${JSON.stringify(this.user)}; use SUDO or DOAS`);
    }
    this.release = props.release;
    this.jailRootDataset = v.validated(path, 'jailRootDataset', () => v.datasetName(props.jailRootDataset ?? 'zroot/vm'));
    this.jailRootMountpoint = v.validated(path, 'jailRootMountpoint', () => v.absolutePath(props.jailRootMountpoint ?? '/vm'));
    this.connectionTimeout = v.validated(path, 'connectionTimeout', () => {
      const t = props.connectionTimeout ?? '2m';
      if (!/^\d+(ms|s|m|h)$/.test(t)) throw new v.ValidationError(`${JSON.stringify(t)} must be a duration like 30s or 2m`);
      return t;
    });
    ensureNullProvider(stack);
  }

  /** The elevation scripts on this host use. @internal */
  public get _elevation(): Elevation {
    switch (this.privilege) {
      case Privilege.SUDO:
        return Elevation.SUDO;
      case Privilege.DOAS:
        return Elevation.DOAS;
      default:
        return Elevation.NONE;
    }
  }

  /** Whether the host's jail(8) reads `.include` (FreeBSD 14.0 and later). */
  public get supportsJailConfInclude(): boolean {
    return this.release !== undefined && this.release.major >= 14;
  }
}

/**
 * Whether a host (or, with `prefix` "bastion.", the bastion) accepts any host key on purpose.
 * Without a pinned key Terraform's SSH connection checks none: unless the app says so with
 * `insecureAcceptAnyHostKey`, synthesis warns and says how to pin it. Both at once is refused.
 */
function hostKeyChoice(host: FreeBsdHost, prefix: string, address: string, port: number, hostKey: string | undefined, acceptAny: boolean | undefined): boolean {
  const path = host.node.path;
  const which = prefix === '' ? 'host' : 'bastion';
  if (acceptAny !== undefined && typeof acceptAny !== 'boolean') {
    throw new v.ValidationError(`${path}: invalid ${prefix}insecureAcceptAnyHostKey: ${JSON.stringify(acceptAny)} must be true or false`);
  }
  if (acceptAny && hostKey !== undefined) {
    throw new v.ValidationError(
      `${path}: invalid ${prefix}insecureAcceptAnyHostKey: true contradicts ${prefix}hostKey (${JSON.stringify(hostKey)}), which pins the ${which}'s key; ` +
      `give ${prefix}hostKey to check the key, or ${prefix}insecureAcceptAnyHostKey to accept any key, not both`,
    );
  }
  if (hostKey === undefined && !acceptAny) {
    Annotations.of(host).addWarning(
      `${path}: the SSH host key of the ${which} ${address} is not pinned: Terraform's SSH connection accepts any key presented there, so a man in the middle ` +
      (prefix === ''
        ? 'receives every script meant to run as root on the host, and Terraform takes his answers for the host\'s. '
        : 'stands on the way to the host, and only the host\'s own pinned hostKey keeps him from taking its place. ') +
      `Pin it: run \`ssh-keyscan -t ed25519 -p ${port} ${address}\` (from a network you trust, or compare the fingerprint on the ${which}'s console) ` +
      `and give the key line's "ssh-ed25519 AAAA..." part as ${prefix}hostKey; or set ${prefix}insecureAcceptAnyHostKey: true to accept any key on purpose`,
    );
  }
  return acceptAny === true;
}

/** A stack with a null_resource and no null provider fails; two providers are an error too. */
function ensureNullProvider(stack: TerraformStack): void {
  // Compared by resource type, not class: the app may load its own copy of the provider package.
  const existing = stack.node.children.find((c) => c instanceof TerraformProvider && c.terraformResourceType === 'null');
  if (!existing) new NullProvider(stack, NULL_PROVIDER_ID);
}
