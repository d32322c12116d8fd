/**
 * Host-side kinds are declared once, beside their constructs (defineHostKind): the prune step
 * runs each kind's action, in their order, and the README's prune table has a row for each.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { FreeBsdHost, FreeBsdRelease, HostSettings } from '../../lib';
import { defineHostKind, hostKinds, hostPrunePlan } from '../../lib/host/prune';
import { HOST_HELPER_FILES, HOST_HELPER_SOURCE_DIR } from '../../lib/shell/helper';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The rows of the README's table under "Prune of claims": [kind column, removed-with column]. */
function pruneTableRows(): [string, string][] {
  const section = README.slice(README.indexOf('### Prune of claims'));
  const table = section.slice(section.indexOf('| kind |'), section.indexOf('\n\n', section.indexOf('| kind |')));
  return table.split('\n').slice(2).map((row) => {
    const cells = row.split('|').map((c) => c.trim());
    return [cells[1], cells[4]];
  });
}

describe('host-side kinds', () => {
  test('every construct layer declares its kind: services in jails, jails, their limits and ZFS properties, data datasets, pf, devfs rulesets, switches, files in jails, host settings, in that order', () => {
    expect(hostKinds().map((k) => [k.name, k.pruneAction])).toEqual([
      ['jail-services', 'jail-service-prune'],
      ['jail', 'jail-prune'],
      ['jail-limits', 'jail-limits-prune'],
      ['jail-zfs-properties', 'jail-zfs-properties-prune'],
      ['data', 'data-prune'],
      ['pf', 'pf-prune'],
      ['devfs-ruleset', 'devfs-ruleset-prune'],
      ['vnet', 'vnet-prune'],
      ['jail-files', 'jail-file-prune'],
      ['host-settings', 'settings-prune'],
    ]);
  });

  test('the prune step runs each kind\'s action with the scope, in order, after the claim check', () => {
    const stack = new TerraformStack(Testing.app(), 'kinds');
    const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.1', release: FreeBsdRelease.V14_5 });
    new HostSettings(stack, 'settings', { host, rcConf: { sshd_enable: 'YES' } });
    const lines = hostPrunePlan(host, "CLAIM").create.body().filter((l) => l.startsWith('"$cfj" '));
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['claim-check', ...hostKinds().map((k) => k.pruneAction)]);
    expect(lines.every((l) => l.split(' ')[2] === "'kinds'")).toBe(true);
  });

  test("each kind's prune action is an action of its helper module, which the helper joins", () => {
    for (const kind of hostKinds()) {
      expect(HOST_HELPER_FILES).toContain(kind.helperModule);
      const text = fs.readFileSync(path.join(HOST_HELPER_SOURCE_DIR, kind.helperModule), 'utf8');
      const fn = `do_${kind.pruneAction.replace(/-/g, '_')}`;
      expect({ kind: kind.name, usage: new RegExp(`^${fn}_usage="${kind.pruneAction} SCOPE `, 'm').test(text), fn: new RegExp(`^${fn}\\(\\) \\{`, 'm').test(text) })
        .toEqual({ kind: kind.name, usage: true, fn: true });
    }
  });

  test('a kind is declared once', () => {
    const pf = hostKinds().find((k) => k.name === 'pf')!;
    expect(() => defineHostKind({ ...pf })).toThrow('host kind pf is declared twice');
  });

  test("README's prune table has a row for each kind's constructs, naming its prune action, and none for another", () => {
    const rows = pruneTableRows();
    for (const kind of hostKinds()) {
      for (const construct of kind.constructs) {
        const name = construct.split(' ')[0];
        expect({ kind: kind.name, construct, rows: rows.filter(([k, removed]) => k.includes(name) && removed.startsWith(`\`${kind.pruneAction}\``)).length > 0 })
          .toEqual({ kind: kind.name, construct, rows: true });
      }
    }
    const actions = new Set(hostKinds().map((k) => k.pruneAction));
    expect(rows.map(([, removed]) => /^`([a-z-]+)`/.exec(removed)?.[1]).filter((a) => !actions.has(a!))).toEqual([]);
  });
});
