/** Jail names and the ZFS user properties that mark a jail's dataset as managed. */
import { jailConfBlockName } from '../render/jailconf';
import { ValidationError } from '../validate';

/**
 * Longest jail name: interface names derived from it (`e0a_NAME` of jib, `ng0_NAME` of jng,
 * the notebook's `vi0_NAME`) must fit the 15 characters of IFNAMSIZ.
 */
export const MAX_JAIL_NAME_LENGTH = 11;

/** ZFS user property with the jail's name on its dataset (what prune reads). */
export const JAIL_NAME_PROPERTY = 'cdktf-freebsd-jails:jail';
/** ZFS user property with the dataset's removal policy (what prune obeys). */
export const REMOVAL_PROPERTY = 'cdktf-freebsd-jails:removal';
/** Role value of a jail's dataset (ROLE_PROPERTY). */
export const JAIL_ROLE = 'jail';

/** A jail name: `[A-Za-z0-9_]`, not all digits, at most MAX_JAIL_NAME_LENGTH characters. */
export function jailName(value: string): string {
  jailConfBlockName(value);
  if (value.length > MAX_JAIL_NAME_LENGTH) {
    throw new ValidationError(`${JSON.stringify(value)} is longer than ${MAX_JAIL_NAME_LENGTH} characters (interface names derived from it must fit 15)`);
  }
  return value;
}

/** Where per-jail configuration files live (FreeBSD 14.0 and later). */
export const JAIL_CONF_DIR = '/etc/jail.conf.d';
/** The host's main jail configuration. */
export const JAIL_CONF = '/etc/jail.conf';
/** Marker on the first line of every file this library writes for a jail. */
export const MANAGED_FILE_MARKER = '# Managed by cdktf-freebsd-jails';
