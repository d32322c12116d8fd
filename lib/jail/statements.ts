/**
 * The typed jail.conf statements of one jail, in the order they are written: the network's
 * parameters (addresses first, as before), allow.*, mounts, System V IPC, fdescfs/procfs,
 * devfs_ruleset, depend, then the exec.* hooks appended after the host defaults.
 */
import { JailConfStatement } from '../render/jailconf';
import * as v from '../validate';
import { ALLOW_PARAMETERS, EXEC_HOOKS, expression, flag, JailAllow, JailExecHooks, literal, set, SysvIpc } from './conf';
import { devfsRulesetNumber, IDevfsRuleset } from '../devfs/reference';
import { JailNetworkParameter } from './network';
import { checkReferences } from './parameters';

/** What the statements are made of (checked values). */
export interface JailStatementInput {
  readonly networkParameters: readonly JailNetworkParameter[];
  readonly allow?: JailAllow;
  readonly fstabFile?: string;
  /** `mount` lines: DEVICE MOUNTPOINT TYPE OPTIONS 0 0. */
  readonly mountLines: readonly string[];
  readonly sysvmsg?: SysvIpc;
  readonly sysvsem?: SysvIpc;
  readonly sysvshm?: SysvIpc;
  readonly mountFdescfs?: boolean;
  readonly mountProcfs?: boolean;
  readonly devfsRuleset?: IDevfsRuleset;
  /** Names of the jails this one depends on; written only with a single /etc/jail.conf. */
  readonly depend: readonly string[];
  readonly usesConfDir: boolean;
  readonly exec?: JailExecHooks;
}

/** The statements, checked. */
export function jailStatements(i: JailStatementInput): JailConfStatement[] {
  const out: JailConfStatement[] = [];
  const seen = new Set<string>();
  for (const p of i.networkParameters) {
    if (!p.append && seen.has(p.name)) throw new v.ValidationError(`two networks set ${JSON.stringify(p.name)}; only appended (+=) parameters may repeat`);
    seen.add(p.name);
    const values = (p.values ?? []).map(literal);
    out.push(values.length > 0 ? { name: p.name, values, append: p.append } : flag(p.name, p.flag ?? true));
  }
  for (const [key, name] of ALLOW_PARAMETERS) {
    const value = i.allow?.[key];
    if (value !== undefined) out.push(flag(name, value));
  }
  if (i.fstabFile) out.push(set('mount.fstab', literal(i.fstabFile)));
  if (i.mountLines.length > 0) out.push(set('mount', ...i.mountLines.map(literal)));
  for (const [name, mode] of [['sysvmsg', i.sysvmsg], ['sysvsem', i.sysvsem], ['sysvshm', i.sysvshm]] as const) {
    if (mode !== undefined) out.push(set(name, literal(mode)));
  }
  if (i.mountFdescfs) out.push(flag('mount.fdescfs'));
  if (i.mountProcfs) out.push(flag('mount.procfs'));
  if (i.devfsRuleset !== undefined) out.push(set('devfs_ruleset', literal(String(devfsRulesetNumber(i.devfsRuleset)))));
  // jail(8) resolves depend only within the -f file: per-jail files cannot name other jails.
  if (i.depend.length > 0 && !i.usesConfDir) out.push(set('depend', ...i.depend.map(literal)));
  for (const hook of EXEC_HOOKS) {
    for (const command of i.exec?.[hook] ?? []) {
      out.push({ name: `exec.${hook}`, append: true, values: [expression(checkHook(command))] });
    }
  }
  return out;
}

function checkHook(command: string): string {
  if (command.trim() === '') throw new v.ValidationError('an exec hook command is empty');
  return checkReferences(command);
}
