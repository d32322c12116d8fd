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
   * The release of its userland, when known (the template's).
   * @default - unknown
   */
  readonly release?: FreeBsdRelease;
  /** The step that makes the jail's dataset. */
  readonly datasetStep: HostStep;
  /** The step that writes the jail's configuration and starts it. */
  readonly configStep: HostStep;
}

/** What an IJail has, checked where one is given (a value from an untyped language). @internal */
export const JAIL_MEMBERS = ['name', 'host', 'path', 'datasetName', 'configStep', 'datasetStep'];
/** How to make one, for error messages. @internal */
export const JAIL_LIKE = 'new JailFromSnapshot(scope, "web", { jailHost, source: JailSource.template(template) })';
