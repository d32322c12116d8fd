/**
 * devfs.rules(5) rulesets and the devfs(8) commands that load them. The file form is what
 * rc.subr's devfs_rulesets_from_file reads at boot: a `[name=N]` header (which also runs
 * `devfs rule -s N delset`), then one `devfs rule -s N` argument list a line, passed through
 * `eval` so `$devfsrules_jail` names a ruleset defined earlier. The command form loads the
 * same rules now, with numbers instead of names (nothing defines those variables in a script).
 */
import { ValidationError } from '../validate';
import { DEFAULT_DEVFS_RULESETS, accountName, devfsPathPattern, devfsRulesetName, fileModeOctal, ownDevfsRulesetNumber } from '../validate/net';

/** A rule beyond include and unhide (sbin/devfs/rule.c: conditions path/type, then actions). */
export interface DevfsRuleSpec {
  /** Pattern under /dev (fnmatch), like `bpf*`. */
  readonly path?: string;
  /** Device type condition. @default - none */
  readonly type?: 'disk' | 'mem' | 'tape' | 'tty';
  /** @default - neither */
  readonly visibility?: 'hide' | 'unhide';
  /** @default - unchanged */
  readonly user?: string;
  /** @default - unchanged */
  readonly group?: string;
  /** Octal mode like `0660`. @default - unchanged */
  readonly mode?: string;
}

/** One numbered ruleset, as the notebook's `[devfsrules_bpfjail=10]` (the DevfsRuleset construct's input). */
export interface DevfsRulesetSpec {
  readonly name: string;
  readonly number: number;
  /** Rulesets included first, by number; FreeBSD's defaults are written by name (`$devfsrules_jail`). */
  readonly includes?: readonly number[];
  /** Paths to unhide, like `bpf*`. */
  readonly unhide?: readonly string[];
  /** Further rules, after the unhide ones. */
  readonly rules?: readonly DevfsRuleSpec[];
}

/** The argument words of each rule (after `add`), in rule.c's order; names of defaults kept. */
function ruleWords(rs: DevfsRulesetSpec, includeName: (n: number) => string): string[][] {
  const out: string[][] = [];
  for (const n of rs.includes ?? []) {
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ValidationError(`devfs ruleset ${rs.name}: include ${JSON.stringify(n)} is not a ruleset number`);
    if (n === rs.number) throw new ValidationError(`devfs ruleset ${rs.name}: includes itself`);
    out.push(['include', includeName(n)]);
  }
  for (const p of rs.unhide ?? []) out.push(['path', devfsPathPattern(p), 'unhide']);
  for (const r of rs.rules ?? []) {
    const w: string[] = [];
    if (r.type) w.push('type', r.type);
    if (r.path !== undefined) w.push('path', devfsPathPattern(r.path));
    if (r.visibility) w.push(r.visibility);
    if (r.user !== undefined) w.push('user', accountName(r.user));
    if (r.group !== undefined) w.push('group', accountName(r.group));
    if (r.mode !== undefined) w.push('mode', fileModeOctal(r.mode));
    if (!r.visibility && r.user === undefined && r.group === undefined && r.mode === undefined) {
      throw new ValidationError(`devfs ruleset ${rs.name}: a rule${r.path ? ` for ${r.path}` : ''} needs an action (hide, unhide, user, group or mode)`);
    }
    out.push(w);
  }
  return out;
}

function checked(rs: DevfsRulesetSpec): DevfsRulesetSpec {
  devfsRulesetName(rs.name);
  try {
    ownDevfsRulesetNumber(rs.number);
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError(`devfs ruleset ${rs.name}: ${e.message}`);
    throw e;
  }
  return rs;
}

/** Glob characters make rc.subr's eval see a pattern; quote those as etc/defaults/devfs.rules does. */
const fileWord = (w: string): string => (/[*?[\]!]/.test(w) ? `'${w}'` : w);

/** The ruleset's lines for /etc/devfs.rules (header included, no trailing newline). */
export function renderDevfsRuleset(rs: DevfsRulesetSpec): string {
  checked(rs);
  const names = DEFAULT_DEVFS_RULESETS;
  const lines = [`[${rs.name}=${rs.number}]`];
  for (const w of ruleWords(rs, (n) => (names[n] ? `$${names[n]}` : String(n)))) lines.push(['add', ...w.map(fileWord)].join(' '));
  return lines.join('\n');
}

/**
 * The rules as the words after `devfs rule -s N add`, one string a rule, words separated by
 * single spaces (every word is validated: no blanks, no quotes), numbers for included rulesets.
 */
export function devfsRuleArguments(rs: DevfsRulesetSpec): string[] {
  checked(rs);
  return ruleWords(rs, String).map((w) => w.join(' '));
}

/**
 * What `devfs rule -s N show` prints once loaded: auto-numbered rules (100, 200, ...), each in
 * rule.c's rulespec_outfp order (type, path, hide/unhide, user, group, mode, include), modes
 * without the leading zero. User and group are shown as given (rule.c prints names it resolves).
 */
export function devfsShowText(rs: DevfsRulesetSpec): string {
  checked(rs);
  return ruleWords(rs, String)
    .map((w, i) => {
      const get = (k: string) => { const j = w.indexOf(k); return j < 0 ? undefined : w[j + 1]; };
      const parts = [String((i + 1) * 100)];
      if (get('type')) parts.push('type', get('type')!);
      if (get('path')) parts.push('path', get('path')!);
      if (w.includes('hide')) parts.push('hide');
      if (w.includes('unhide')) parts.push('unhide');
      if (get('user')) parts.push('user', get('user')!);
      if (get('group')) parts.push('group', get('group')!);
      if (get('mode')) parts.push('mode', Number.parseInt(get('mode')!, 8).toString(8));
      if (get('include')) parts.push('include', get('include')!);
      return parts.join(' ') + '\n';
    })
    .join('');
}
