/**
 * Snapshots before change (issue 23): a JailUpdate's create takes one of the jail's dataset
 * before freebsd-update, with an id of its run; a jail records on its dataset whether it is
 * snapshotted as it is retired. Every validation error names the construct, the prop and the value.
 */
import { TerraformStack } from 'cdktf';
import { FreeBsdRelease, JailRemovalPolicy, JailSnapshotPolicy, JailUpdate } from '../../lib';
import { messageOf } from '../support/errors';
import { createScript, nullResources } from '../support/synth';
import { jailStack } from './fixtures';

const script = (stack: TerraformStack, prefix: string) => createScript(nullResources(stack).find((x) => x.name.startsWith(prefix))!);

/** The arguments of the create's `snapshot-before` call, unquoted; undefined when there is none. */
function snapshotCall(stack: TerraformStack, prefix = 'update_resource'): string[] | undefined {
  const line = script(stack, prefix).split('\n').find((l) => l.startsWith('"$cfj" snapshot-before '));
  if (!line) return undefined;
  return [...line.slice('"$cfj" snapshot-before '.length).matchAll(/'((?:[^']|'\\'')*)'/g)].map((m) => m[1].replace(/'\\''/g, '\''));
}

function update(props: Partial<ConstructorParameters<typeof JailUpdate>[2]> = {}, jailProps = {}) {
  const { stack, jail } = jailStack();
  const h1 = jail('h1', jailProps);
  new JailUpdate(stack, 'update', { jail: h1, ...props });
  return stack;
}

describe('JailUpdate: a snapshot before freebsd-update', () => {
  test('by default one of the jail\'s dataset, marked as this JailUpdate\'s, two kept, before freebsd-update runs', () => {
    const stack = update({ targetRelease: FreeBsdRelease.V15_1, runId: '2026-12' });
    const [dataset, owner, kind, change, keep, reason] = snapshotCall(stack)!;
    expect([dataset, owner, kind, keep]).toEqual(['zroot/vm/h1', 'stack:stack/update', 'before-update', '2']);
    expect(change).toMatch(/^[0-9a-f]{12}$/);
    expect(reason).toBe('freebsd-update of jail h1 to 15.1-RELEASE (run 2026-12)');
    const text = script(stack, 'update_resource');
    expect(text.indexOf('snapshot-before')).toBeLessThan(text.indexOf('fu_base='));
  });

  test('the run id of the snapshot is the same for the same inputs and another for another run, release or source', () => {
    const change = (props = {}, jailProps = {}) => snapshotCall(update(props, jailProps))![3];
    expect(change({ runId: 'a' })).toBe(change({ runId: 'a' }));
    const all = [change({ runId: 'a' }), change({ runId: 'b' }), change({ runId: 'a', targetRelease: FreeBsdRelease.V15_1 }), change({ runId: 'a' }, { name: 'h2' })];
    expect(new Set(all).size).toBe(all.length);
  });

  test('keep(n) keeps n; none() takes none', () => {
    expect(snapshotCall(update({ snapshotPolicy: JailSnapshotPolicy.keep(5) }))![4]).toBe('5');
    expect(snapshotCall(update({ snapshotPolicy: JailSnapshotPolicy.none() }))).toBeUndefined();
    expect(script(update({ snapshotPolicy: JailSnapshotPolicy.none() }), 'update_resource')).toContain('freebsd-update');
  });

  test.each([0.5, 0 - 1, 101, Number.NaN])('keep(%p) is refused with the construct, the prop and the value', (n) => {
    expect(messageOf(() => update({ snapshotPolicy: JailSnapshotPolicy.keep(n) }))).toBe(
      `stack/update: invalid snapshotPolicy: JailSnapshotPolicy.keep(${n}): the count is a whole number from 1 to 100; JailSnapshotPolicy.none() takes no snapshot`);
  });

  test('a construct path that cannot be an owner mark read back from zfs list -H is refused', () => {
    const { stack, jail } = jailStack();
    const h1 = jail('h1');
    expect(messageOf(() => new JailUpdate(stack, 'up\tdate', { jail: h1 }))).toMatch(/^stack\/up\tdate: invalid construct path: /);
  });

  test('values of the wrong type from untyped languages are refused', () => {
    expect(messageOf(() => JailSnapshotPolicy.keep('2' as any))).toMatch(/^JailSnapshotPolicy\.keep: invalid count: /);
    expect(messageOf(() => update({ snapshotPolicy: 'keep' as any }))).toMatch(/^stack\/update: invalid snapshotPolicy: .*JailSnapshotPolicy\.keep\(2\) or JailSnapshotPolicy\.none\(\)/);
  });
});

describe('JailFromSnapshot: a snapshot before its dataset is retired', () => {
  const recorded = (jailProps = {}) => {
    const { stack, jail } = jailStack();
    jail('h1', jailProps);
    return /^zfs set '?cdktf-freebsd-jails:removal=([\w-]+)'? '?zroot\/vm\/h1'?$/m.exec(script(stack, 'h1_config'))?.[1];
  };

  test('the configuration records it on the dataset in the removal policy (jail-dataset-remove reads it); the default\'s line is the one before snapshots', () => {
    expect(recorded()).toBe('retain');
    expect(recorded({ snapshotPolicy: JailSnapshotPolicy.keep(1) })).toBe('retain');
    expect(recorded({ snapshotPolicy: JailSnapshotPolicy.none() })).toBe('retain-no-snapshot');
    expect(recorded({ removalPolicy: JailRemovalPolicy.DESTROY })).toBe('destroy');
    expect(recorded({ removalPolicy: JailRemovalPolicy.DESTROY, snapshotPolicy: JailSnapshotPolicy.none() })).toBe('destroy');
  });

  test('a snapshot asked for with DESTROY is refused: zfs destroy -r would take it along', () => {
    const { jail } = jailStack();
    expect(messageOf(() => jail('h1', { removalPolicy: JailRemovalPolicy.DESTROY, snapshotPolicy: JailSnapshotPolicy.keep(1) }))).toBe(
      'stack/h1: invalid snapshotPolicy: JailSnapshotPolicy.keep(1) with removalPolicy JailRemovalPolicy.DESTROY: zfs destroy -r takes the snapshot along with the dataset; '
      + 'use JailRemovalPolicy.RETAIN to keep the old dataset with its snapshot, or leave snapshotPolicy out');
    expect(messageOf(() => jail('h2', { snapshotPolicy: JailSnapshotPolicy.keep(0) }))).toBe(
      'stack/h2: invalid snapshotPolicy: JailSnapshotPolicy.keep(0): the count is a whole number from 1 to 100; JailSnapshotPolicy.none() takes no snapshot');
  });
});
