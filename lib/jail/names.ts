/** Jail names, and the host-side names of jails (spelled in lib/shell/names.ts). */
import { jailConfBlockName } from '../render/jailconf';
import { ValidationError } from '../validate';
export { JAIL_CONF, JAIL_CONF_DIR, JAIL_NAME_PROPERTY, JAIL_ROLE, MANAGED_FILE_MARKER, REMOVAL_PROPERTY } from '../shell/names';

/**
 * Longest jail name: interface names derived from it (`e0a_NAME` of jib, `ng0_NAME` of jng,
 * the notebook's `vi0_NAME`) must fit the 15 characters of IFNAMSIZ.
 */
export const MAX_JAIL_NAME_LENGTH = 11;

/** A jail name: `[A-Za-z0-9_]`, not all digits, at most MAX_JAIL_NAME_LENGTH characters. */
export function jailName(value: string): string {
  jailConfBlockName(value);
  if (value.length > MAX_JAIL_NAME_LENGTH) {
    throw new ValidationError(`${JSON.stringify(value)} is longer than ${MAX_JAIL_NAME_LENGTH} characters (interface names derived from it must fit 15)`);
  }
  return value;
}
