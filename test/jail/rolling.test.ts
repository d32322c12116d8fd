import { Testing } from 'cdktf';
import { FreeBsdHost, FreeBsdRelease, JailAddress, JailFromSnapshot, JailHealthCheck, JailHost, JailPackages, JailReplacement, JailService, JailSource } from '../../lib';
import { jailStack } from './fixtures';

type Resource = { triggers: Record<string, string>; depends_on?: string[]; provisioner: Record<string, { when?: string; inline?: string[] }>[] };

/** Three rolling jails h1 -> h2 -> h3, each with nginx and an HTTP check, on a template of `snapshot`. */
function rollingApp(snapshot: string): Record<string, Resource> {
  const { stack, jail } = jailStack();
  let previous: JailFromSnapshot | undefined;
  for (const n of [1, 2, 3]) {
    const j = jail(`h${n}`, {
      source: JailSource.snapshot(`zroot/vm/tmpl/14.3@${snapshot}`),
      addresses: [JailAddress.onInterface('lo1', `127.1.1.${n}/32`)],
      replacement: previous ? JailReplacement.after(previous) : JailReplacement.rolling(),
    });
    new JailPackages(stack, `h${n}-pkgs`, { jail: j, packages: ['nginx'] });
    new JailService(stack, `h${n}-nginx`, { jail: j, name: 'nginx', healthCheck: JailHealthCheck.http(80) });
    previous = j;
  }
  return JSON.parse(Testing.synth(stack)).resource.null_resource;
}

const key = (r: Record<string, Resource>, part: string) => {
  const found = Object.keys(r).filter((k) => k.includes(part));
  if (found.length !== 1) throw new Error(`${part}: ${found.join(', ')}`);
  return found[0];
};

describe('rolling replacement', () => {
  const before = rollingApp('p3');
  const after = rollingApp('p4');

  test('a new source replaces only steps without a destroy script', () => {
    const replaced = Object.keys(before).filter((k) => JSON.stringify(before[k].triggers) !== JSON.stringify(after[k].triggers));
    expect(replaced.map((k) => k.replace(/_[0-9A-Fa-f]{8}$/, '')).sort()).toEqual([
      'h1-nginx_run-after-roll_resource', 'h1-pkgs_install_resource', 'h1_roll_resource',
      'h2-nginx_run-after-roll_resource', 'h2-pkgs_install_resource', 'h2_roll_resource',
      'h3-nginx_run-after-roll_resource', 'h3-pkgs_install_resource', 'h3_roll_resource',
    ]);
    expect(replaced).toHaveLength(9);
    for (const k of replaced) {
      expect(after[k].provisioner.filter((pr) => pr['remote-exec']?.when === 'destroy')).toEqual([]);
    }
    // The jails' own dataset, configuration and service steps stay: their destroys never run in a roll.
    for (const part of ['h1_dataset', 'h1_config', 'h2_dataset', 'h2-nginx_run_']) {
      const k = key(after, part);
      expect(after[k].triggers).toEqual(before[k].triggers);
    }
  });

  test('a jail rolls after the previous one is back and its service healthy', () => {
    const roll2 = after[key(after, 'h2_roll')];
    const deps = roll2.depends_on ?? [];
    expect(deps).toContain(`null_resource.${key(after, 'h1_config')}`);
    expect(deps).toContain(`null_resource.${key(after, 'h1-nginx_run_')}`);
    expect(deps).toContain(`null_resource.${key(after, 'h1-nginx_run-after-roll')}`);
    expect(deps).toContain(`null_resource.${key(after, 'h1-pkgs')}`);
    // The service's work again in the new dataset: its check is in the step's create.
    const again = after[key(after, 'h2-nginx_run-after-roll')];
    expect(again.provisioner[0]['remote-exec'].inline![0]).toContain("jail-health 'h2' 'nginx'");
    expect(again.depends_on).toContain(`null_resource.${key(after, 'h2_roll')}`);
    // The dataset step names no snapshot: only the roll step does.
    expect(after[key(after, 'h2_dataset')].provisioner[0]['remote-exec'].inline![0]).not.toContain('@p4');
    expect(after[key(after, 'h2_roll')].provisioner[0]['remote-exec'].inline![0]).toContain("jail-roll 'zroot/vm/h2' ");
  });
});

test('in a rolling jail, a service after another starts again after the other passed its check again', () => {
  const { stack, jail } = jailStack();
  const app = jail('app', { addresses: [JailAddress.onInterface('lo1', '127.1.1.6/32')], replacement: JailReplacement.rolling() });
  const pg = new JailService(stack, 'pg', { jail: app, name: 'postgresql', healthCheck: JailHealthCheck.tcp(5432) });
  new JailService(stack, 'uwsgi', { jail: app, name: 'uwsgi', after: [pg] });
  const r: Record<string, Resource> = JSON.parse(Testing.synth(stack)).resource.null_resource;
  expect(r[key(r, 'uwsgi_run-after-roll')].depends_on).toContain(`null_resource.${key(r, 'pg_run-after-roll')}`);
});

describe('rolling replacement: refused at synth', () => {
  test('after a jail that does not roll', () => {
    const { jail } = jailStack();
    const h1 = jail('h1');
    expect(() => jail('h2', { replacement: JailReplacement.after(h1) })).toThrow(
      'stack/h2: invalid replacement: JailReplacement.after(stack/h1): that jail does not roll; give it replacement: JailReplacement.rolling()');
  });

  test('two jails after one', () => {
    const { jail } = jailStack();
    const h1 = jail('h1', { replacement: JailReplacement.rolling() });
    jail('h2', { replacement: JailReplacement.after(h1) });
    expect(() => jail('h3', { replacement: JailReplacement.after(h1) })).toThrow(
      'stack/h3: invalid replacement: JailReplacement.after(stack/h1): stack/h2 rolls after it already; two jails after one would roll, and be down, at once: chain them (JailReplacement.after(stack/h2))');
  });

  test('a jail of another host', () => {
    const { stack, jail } = jailStack();
    const h1 = jail('h1', { replacement: JailReplacement.rolling() });
    const other = new FreeBsdHost(stack, 'other', { address: '192.0.2.11', release: FreeBsdRelease.of('14.3') });
    const otherJails = new JailHost(stack, 'other-jails', { host: other });
    expect(() => new JailFromSnapshot(stack, 'o1', { jailHost: otherJails, source: JailSource.snapshot('zroot/vm/tmpl/14.3@p3'), replacement: JailReplacement.after(h1) })).toThrow(
      'stack/o1: invalid replacement: JailReplacement.after(stack/h1): that jail is on host stack/host, this one on stack/other: a rolling order is one host\'s');
  });

  test('a value that is no JailReplacement', () => {
    const { jail } = jailStack();
    expect(() => jail('h1', { replacement: 'rolling' as unknown as JailReplacement })).toThrow(/stack\/h1: invalid replacement/);
  });
});
