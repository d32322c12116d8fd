/**
 * What constructs see of a jail host and of a jail: the interfaces other constructs accept
 * (JailPackages, JailUpdate, PfNat's forwards, a jail's `depend`, networks), so they hold no
 * concrete class and every jsii language can pass its own implementation.
 */
import { IConstruct } from 'constructs';
import { FreeBsdHost, HostStep } from '../host';
import { FreeBsdRelease } from '../release';
import { JailAddress } from './address';
import { JailDefaults } from './conf';

/** A host's jail settings, as jails use them (JailHost). */
export interface IJailHost extends IConstruct {
  /** The host. */
  readonly host: FreeBsdHost;
  /** The defaults every jail on this host gets. */
  readonly defaults: JailDefaults;
  /** The step that applies the host's jail settings: every jail's steps come after it. */
  readonly step: HostStep;
}

/**
 * An address of a jail as the jail's host sees it: whether traffic the host translates (a pf
 * port forward's `rdr`) reaches the jail there and comes back through the host.
 */
export interface JailForwardTarget {
  /** The address. */
  readonly address: JailAddress;
  /** Where it is, for messages, like `an alias on lo1` or `vi0_web on routed switch app/vi0`. */
  readonly where: string;
  /**
   * Why a forward on the host cannot reach the jail at this address, and what to do instead.
   * @default - it can: the host routes to it and the jail's replies come back through the host
   */
  readonly unreachable?: string;
}

/** A jail, as other constructs use it (JailFromSnapshot). */
export interface IJail extends IConstruct {
  /** The jail's name. */
  readonly name: string;
  /** The host. */
  readonly host: FreeBsdHost;
  /** The jail's root on the host, like `/vm/h1`. */
  readonly path: string;
  /** The jail's dataset, like `zroot/vm/h1`. */
  readonly datasetName: string;
  /** Its addresses on the host (aliased addresses; a VNET jail's are inside its own stack). */
  readonly addresses: JailAddress[];
  /**
   * Its addresses as a port forward on its host sees them: which ones traffic the host
   * translates reaches (aliases; a VNET jail's addresses on a routed switch), and why not the others.
   * @default - `addresses`, each reachable
   */
  readonly forwardTargets?: JailForwardTarget[];
  /**
   * The release of its userland, when known (the template's).
   * @default - unknown
   */
  readonly release?: FreeBsdRelease;
  /** The step that makes the jail's dataset. */
  readonly datasetStep: HostStep;
  /** The step that writes the jail's configuration and starts it. */
  readonly configStep: HostStep;
  /**
   * The step that moves a rolling jail to a new source (JailReplacement.rolling): what is made
   * inside the jail is made again when it is replaced.
   * @default - none: the jail does not roll; its dataset step is what is made again
   */
  readonly rollStep?: HostStep;
}

/** What an IJail has, checked where one is given (a value from an untyped language). @internal */
export const JAIL_MEMBERS = ['name', 'host', 'path', 'datasetName', 'configStep', 'datasetStep'];
/** How to make one, for error messages. @internal */
export const JAIL_LIKE = 'new JailFromSnapshot(scope, "web", { jailHost, source: JailSource.template(template) })';
