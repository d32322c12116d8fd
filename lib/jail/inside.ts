/**
 * The order of the steps that change what is inside one jail (its base system, its packages):
 * kept per jail, whichever construct made them and in whichever order, so any IJail can have them.
 */
import { HostStep } from '../host';
import { IJail } from './interfaces';

interface InsideSteps {
  readonly updates: HostStep[];
  readonly packages: HostStep[];
  /** Steps that write files and rc.conf variables into the jail. */
  readonly files: HostStep[];
  /** Steps that start the jail's services. */
  readonly services: HostStep[];
  /** Roll steps of the jails that roll after this one: they wait for every step of this one. */
  readonly followers: HostStep[];
}

const stepsOfJail = new WeakMap<IJail, InsideSteps>();

function insideSteps(jail: IJail): InsideSteps {
  let steps = stepsOfJail.get(jail);
  if (!steps) stepsOfJail.set(jail, (steps = { updates: [], packages: [], files: [], services: [], followers: [] }));
  return steps;
}

/**
 * `step` updates the jail and restarts it (a JailUpdate): every step that runs pkg in the jail
 * goes after it, whichever was made first. Run side by side, pkg found the jail gone in the
 * middle of the restart ("jail_getid: jail not found"); and packages belong on the updated base.
 * A jail's updates run one after another, in the order they were made: side by side they
 * shared the jail's freebsd-update work directory and restarted the jail under each other.
 */
export function addUpdateStep(jail: IJail, step: HostStep): void {
  const s = insideSteps(jail);
  for (const u of s.updates) step._dependOn(u);
  s.updates.push(step);
  for (const f of s.followers) f._dependOn(step);
  for (const p of s.packages) p._dependOn(step);
  for (const w of [...s.files, ...s.services]) w._dependOn(step);
}

/**
 * `step` runs pkg in the jail (a JailPackages): after every update of the jail, and after the
 * jail's earlier JailPackages (side by side they shared the jail's pkg database and an offline
 * one unmounted the other's repository in the middle of its `pkg add`).
 */
export function addPackagesStep(jail: IJail, step: HostStep): void {
  const s = insideSteps(jail);
  for (const p of s.packages) step._dependOn(p);
  s.packages.push(step);
  for (const f of s.followers) f._dependOn(step);
  for (const u of s.updates) step._dependOn(u);
  for (const w of [...s.files, ...s.services]) w._dependOn(step);
}

/**
 * `step` writes files or rc.conf variables into the jail (a JailFile, a JailRcConf): after the
 * jail's updates and packages (a package installs the directories and accounts a file needs, and
 * would overwrite a configuration file written before it), and before every service of the jail.
 */
export function addFileStep(jail: IJail, step: HostStep): void {
  const s = insideSteps(jail);
  for (const b of [...s.updates, ...s.packages]) step._dependOn(b);
  for (const svc of s.services) svc._dependOn(step);
  s.files.push(step);
  for (const f of s.followers) f._dependOn(step);
}

/**
 * `step` starts a service of the jail (a JailService): after the jail's updates, packages and
 * files, whichever was made first (a service reads its files when it starts).
 */
export function addServiceStep(jail: IJail, step: HostStep): void {
  const s = insideSteps(jail);
  for (const b of [...s.updates, ...s.packages, ...s.files]) step._dependOn(b);
  s.services.push(step);
  for (const f of s.followers) f._dependOn(step);
}

/**
 * `roll`, the roll step of a jail that rolls after `previous`, waits for every step made in
 * `previous` (whichever is made later too): its packages, files and services are back, each
 * service healthy, before the next jail stops.
 */
export function addRollFollower(previous: IJail, roll: HostStep): void {
  const s = insideSteps(previous);
  s.followers.push(roll);
  for (const b of [...s.updates, ...s.packages, ...s.files, ...s.services]) roll._dependOn(b);
}

/**
 * What the steps inside `jail` are made again on: its roll step when it rolls (a new source
 * comes through it), else its dataset step.
 */
export function jailContentHash(jail: IJail): string {
  return (jail.rollStep ?? jail.datasetStep).contentHash;
}

/**
 * The steps after which `jail` runs on its current dataset: its configuration step, and its roll
 * step when it rolls (a new source comes through it after the configuration ran).
 */
export function jailMadeSteps(jail: IJail): HostStep[] {
  return [jail.configStep, ...(jail.rollStep ? [jail.rollStep] : [])];
}
