/**
 * Assertions the scenarios share: what a managed jail looks like on the host, and that a run
 * went as expected (with the provisioners' output in the message when it did not).
 */
import { diffDigests } from '../host';
import { RunReport } from '../runner';
import { Bench, failureText } from './bench';
import { datasets, hostsEntries, jailConf, rcWords, runningJails } from './view';

export function expectOk(report: RunReport): void {
  if (!report.ok) throw new Error(`the run failed:\n${failureText(report)}`);
}

export interface JailExpectation {
  readonly name: string;
  /** The owner mark of the dataset (scope:construct path), like notebook:notebook/h1. */
  readonly owner: string;
  /** The origin snapshot (clone), or null (send/receive). */
  readonly origin: string | null;
  readonly ip4: string;
}

/** A managed jail is there: its dataset and marks, conf, hosts line, jail_list word, and it runs. */
export function expectJail(bench: Bench, j: JailExpectation): void {
  const ds = datasets(bench.host)[`zroot/vm/${j.name}`];
  expect(ds).toBeDefined();
  expect(ds.origin).toBe(j.origin);
  expect(ds.props['cdktf-freebsd-jails:owner']).toBe(j.owner);
  expect(ds.props['cdktf-freebsd-jails:role']).toBe('jail');
  const conf = jailConf(bench.host)[j.name];
  expect(conf).toBeDefined();
  expect(conf.path).toEqual([`/vm/${j.name}`]);
  expect(conf['ip4.addr']).toContain(`lo1|${j.ip4}/32`);
  expect(hostsEntries(bench.host)).toContainEqual([j.ip4, j.name]);
  expect(rcWords(bench.host, 'jail_list')).toContain(j.name);
  expect(runningJails(bench.host)).toContain(j.name);
}

/** Nothing of a managed jail is left but (maybe) its retired dataset. */
export function expectJailGone(bench: Bench, name: string): void {
  const host = bench.host;
  expect({
    name,
    dataset: Object.keys(datasets(host)).includes(`zroot/vm/${name}`),
    inJailConf: jailConf(host)[name] !== undefined,
    confFile: host.exists(`/etc/jail.conf.d/${name}.conf`),
    hostsLines: hostsEntries(host).filter((e) => e.includes(name)),
    inJailList: rcWords(host, 'jail_list').includes(name),
    running: runningJails(host).includes(name),
  }).toEqual({ name, dataset: false, inJailConf: false, confFile: false, hostsLines: [], inJailList: false, running: false });
}

/** The key of every difference line (diffViews) names one of `names` (as a path part or a word). */
export function expectOnlyTouched(diff: string[], names: string[]): void {
  const re = new RegExp(`(^|[^A-Za-z0-9_])(${names.join('|')})([^A-Za-z0-9_]|$)`);
  expect(diff.filter((d) => !re.test(d.split(': ')[0]))).toEqual([]);
}

/** Scenario 2: a second apply runs no provisioner, opens no SSH connection and changes nothing on the host. Returns its report. */
export async function expectSecondApplyIdle(bench: Bench): Promise<RunReport> {
  const before = bench.host.stateDigest();
  const report = await bench.apply();
  expectOk(report);
  expect(report.provisionerRuns).toBe(0);
  expect(report.sshConnections).toBe(0);
  expect(report.created.length + report.replaced.length + report.destroyed.length).toBe(0);
  expect(diffDigests(before, bench.host.stateDigest())).toEqual([]);
  return report;
}

/** Scenario 2b: every create script of cdktf.out, run again by hand over SSH, succeeds and changes nothing. Returns how many ran. */
export async function expectCreateScriptsRerunIdle(bench: Bench): Promise<number> {
  const scripts = bench.createScripts();
  expect(scripts.length).toBeGreaterThan(0);
  const before = bench.host.stateDigest();
  for (const script of scripts) {
    const r = await bench.runByHand(script);
    expect({ script: script.address, code: r.code, stderr: r.stderr }).toEqual({ script: script.address, code: 0, stderr: '' });
  }
  expect(diffDigests(before, bench.host.stateDigest())).toEqual([]);
  return scripts.length;
}
