/**
 * The host prune step: one per FreeBsdHost, fed by every construct kind that makes or claims
 * things on the host (jails, PfNat, DevfsRuleset, VnetBridge, and every holder of host settings:
 * HostSettings, JailHost, offline JailPackages).
 *
 * Terraform runs no destroy provisioner for a resource whose block left the configuration, so a
 * construct taken out of the app would leave on the host what its destroy removes. Each such
 * kind records a claim of its owner on the host (lib/shell/prune.ts says where); each tells
 * its host what the app keeps (`keepHostClaim`). This step runs the helper's prune action of each
 * kind with the host's ownership scope and those keep-lists: every claim of this scope that the
 * app no longer has is removed by the kind's own destroy code, exactly; nothing without a claim of
 * this scope is touched, and nothing at all when this Terraform state does not hold the scope.
 *
 * Why one host-level step: the step must exist even when the app has none of these constructs
 * left (the last one removed is the one to prune), and a JailHost removed with its jails has no
 * step of its own left to prune them: jails are pruned here too, as a kind (their datasets'
 * owner marks are their claims). It is made once the
 * tree is complete (step.ts `hostPruneStep`, by an aspect added with the host's helper step,
 * which every host with a step has), so
 * its keep-lists are final; its triggers change only when they change, so an idle re-apply runs
 * nothing. Adding a construct replaces the step (its keep-lists change); it has no destroy, so
 * that replacement is only a run of its create.
 *
 * Order: jails first, in the script (a switch goes only once the jails on it are gone); the step
 * runs before every step registered with `pruneHostBefore` (each jail's dataset step: a new jail
 * with a removed one's name or address would be refused or clash while the old one runs; the
 * kinds' claim steps: a new claim of a removed construct's anchor, pf.conf, ruleset name or switch
 * name would be refused while the old claim is there).
 */
import { IConstruct } from 'constructs';
import { helperCall, helperCallWords, ScriptBuilder, shellQuoteAlways } from '../shell';
import { FreeBsdHost } from './host';

/**
 * A kind of thing that constructs make or claim on a host and that the host prune step removes
 * once the app no longer has it, declared once by the module of its construct
 * (`defineHostKind`): the prune step's action for it, the keep-lists and the docs' table follow
 * from the declaration. @internal
 */
export interface HostKind {
  /** Its name, like `pf`: one declaration per name. */
  readonly name: string;
  /** What its claims are, plural, in the prune step's log: `pf anchors and whole-file pf.conf`. */
  readonly claims: string;
  /**
   * How the prune removes one, when the log should say: `teardown, then the dataset by its removal policy`.
   * @default - not said
   */
  readonly how?: string;
  /** The same, short, in the prune step's title: `claimed pf anchors`. */
  readonly title: string;
  /** The helper action that removes the claims of a scope that are not kept: `pf-prune`. */
  readonly pruneAction: string;
  /** Its arguments between the scope and the keys kept (a jail's root dataset and mountpoint). */
  readonly pruneArguments?: (host: FreeBsdHost) => string[];
  /**
   * Its place in the prune step: lower first. Jails go first (a switch goes only once the jails
   * on it are gone); host settings last (what other kinds' removals may still need).
   */
  readonly pruneOrder: number;
  /**
   * The helper's module (lib/shell/helper/) that holds its actions, its prune action among them:
   * `pf.sh`. The helper joins every module of that folder.
   */
  readonly helperModule: string;
  /** The constructs that claim it, for the docs: `PfNat`. */
  readonly constructs: string[];
}

const HOST_KINDS = new Map<string, HostKind>();

/** Declares a host-side kind (once, where its construct is defined). @internal */
export function defineHostKind(kind: HostKind): HostKind {
  if (HOST_KINDS.has(kind.name)) throw new Error(`host kind ${kind.name} is declared twice`);
  HOST_KINDS.set(kind.name, kind);
  return kind;
}

/** Every declared host-side kind, in prune order. @internal */
export function hostKinds(): HostKind[] {
  return [...HOST_KINDS.values()].sort((a, b) => a.pruneOrder - b.pruneOrder || a.name.localeCompare(b.name));
}

/** Id of the prune step under each FreeBsdHost. @internal */
export const HOST_PRUNE_STEP_ID = 'prune';

/**
 * A step as the order needs it (HostStep; named here by shape, so this module needs no import of
 * step.ts, which makes the prune step from it). @internal
 */
export interface OrderedStep {
  _dependOn(step: OrderedStep): void;
}

interface Kept { readonly key: string; readonly by: IConstruct }

/** What a host's prune step needs, gathered while the tree is built. */
class HostPrune {
  public step?: OrderedStep;
  public readonly kept = new Map<HostKind, Kept[]>();
  public readonly before: OrderedStep[] = [];
}

const PRUNES = new WeakMap<FreeBsdHost, HostPrune>();

function pruneOf(host: FreeBsdHost): HostPrune {
  let p = PRUNES.get(host);
  if (!p) {
    p = new HostPrune();
    PRUNES.set(host, p);
  }
  return p;
}

/** `by` (a construct of the app) keeps its claim `key` of `kind` on `host`. @internal */
export function keepHostClaim(host: FreeBsdHost, kind: HostKind, key: string, by: IConstruct): void {
  const p = pruneOf(host);
  p.kept.set(kind, [...(p.kept.get(kind) ?? []), { key, by }]);
}

/** `step` (a jail's dataset step, a claim step) runs after the host prune step. @internal */
export function pruneHostBefore(host: FreeBsdHost, step: OrderedStep): void {
  const p = pruneOf(host);
  if (p.step) step._dependOn(p.step);
  else p.before.push(step);
}

/** Still in the tree (a construct taken out with tryRemoveChild synthesizes nothing). */
function inTree(c: IConstruct): boolean {
  const parent = c.node.scope;
  return parent === undefined || (parent.node.tryFindChild(c.node.id) === c && inTree(parent));
}

/** The keep-list of one kind: sorted and without repeats, so only a real change changes the step. */
function keys(p: HostPrune, kind: HostKind): string[] {
  return [...new Set((p.kept.get(kind) ?? []).filter((k) => inTree(k.by)).map((k) => k.key))].sort();
}

/** What the host's prune step is made of, once the tree is complete (step.ts makes it). @internal */
export interface HostPrunePlan {
  readonly create: ScriptBuilder;
  readonly description: string;
  /** Records the step made and puts the waiting claim steps after it. */
  made(step: OrderedStep): void;
}

/** The plan of the host's prune step: its script from the final keep-lists, and its order. @internal */
export function hostPrunePlan(host: FreeBsdHost, scopeClaimId: string): HostPrunePlan {
  const p = pruneOf(host);
  const scope = host.ownershipScope;
  const kinds = hostKinds();
  const create = new ScriptBuilder('prune')
    .action(`checking that this Terraform state holds the ownership scope ${scope}`,
      '# shellcheck disable=SC2016 # Terraform puts the claim id in place of the expression',
      helperCallWords('claim-check', shellQuoteAlways(scope), `'${scopeClaimId}'`));
  for (const kind of kinds) {
    const kept = keys(p, kind);
    create.action(`${kind.claims} of the scope ${scope} no longer in the app (${kept.length} kept)${kind.how ? `: ${kind.how}` : ''}`,
      helperCall(kind.pruneAction, scope, ...(kind.pruneArguments?.(host) ?? []), ...kept));
  }
  const titles = kinds.map((k) => k.title);
  return {
    create,
    description: `prune ${titles.length > 1 ? `${titles.slice(0, -1).join(', ')} and ${titles[titles.length - 1]}` : titles.join('')} no longer in the app`,
    made: (step) => {
      p.step = step;
      for (const s of p.before) s._dependOn(step);
    },
  };
}
