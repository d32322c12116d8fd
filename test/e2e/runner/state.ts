/**
 * The runner's state file: like terraform.tfstate, the evaluated triggers and id of every
 * resource, plus its dependencies (for destroy order) and the tainted flag.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export interface ResourceState {
  readonly id: string;
  readonly triggers: Record<string, string>;
  readonly dependencies: string[];
  readonly tainted: boolean;
}

export interface StackState {
  resources: Record<string, ResourceState>;
}

export interface StateFile {
  version: 1;
  /** Incremented on every write, like terraform's serial. */
  serial: number;
  stacks: Record<string, StackState>;
}

export function emptyState(): StateFile {
  return { version: 1, serial: 0, stacks: {} };
}

export function loadState(file: string): StateFile {
  if (!fs.existsSync(file)) return emptyState();
  const s = JSON.parse(fs.readFileSync(file, 'utf8')) as StateFile;
  if (s.version !== 1 || typeof s.stacks !== 'object') throw new Error(`${file}: not a runner state file`);
  return s;
}

/** Atomic write (temp file + rename): an interrupted run never leaves half a state file. */
export function saveState(file: string, state: StateFile): void {
  state.serial++;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** A null_resource id: terraform's null provider uses a random decimal int64. */
export function newResourceId(): string {
  return BigInt.asUintN(63, crypto.randomBytes(8).readBigUInt64BE()).toString();
}

export function triggersEqual(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
