/**
 * PfNat on the fake host (issue 11), with the administrator's own pf.conf and loaded rules in
 * place and the pf gate in front of sshd (test/e2e/host/pfgate.ts: a new SSH connection the
 * loaded rules would block or redirect never reaches sshd). Each scenario asserts the host's
 * pf state: /etc/pf.conf, the rules loaded per anchor, whether pf runs, the helper's records.
 */
import * as path from 'path';
import { NotebookStack } from '../../examples/notebook/main';
import { JailAddressFamily, PfMode, PfNat, PfNatNetwork, PfPortForward, PfPortRange } from '../../lib';
import { HOST_HELPER_PATH } from '../../lib/shell';
import { NOTEBOOK_PF_CONF } from '../support/notebook-pf';
import { parsePf, rulesOf } from '../support/pfparse';
import { diffDigests, REPO_DIR } from './host';
import { adminPf, adminPfConf, adminView, seedAdminState } from './scenarios/admin';
import { labApp } from './scenarios/apps';
import { AppBuilder, Bench, describeOnFakeHost, failureText } from './scenarios/bench';
import { expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { testMirrorDefect } from './scenarios/mirror-check';
import { pfLoaded, pfState as pfStateOf, rcConf } from './scenarios/view';

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const fakebsd = require(path.join(REPO_DIR, 'test/e2e/fakebsd/index.js'));

const figures = new Figures('PfNat scenarios on examples/notebook (root, tcsh)');
const OPERATOR = { from: '198.51.100.7', to: '192.0.2.10', port: 22, iface: 'em0' };
const ROOT = 'cdktf-freebsd-jails';

const pfState = (bench: Bench) => pfStateOf(bench.host);
const loaded = (bench: Bench, anchor: string) => pfLoaded(bench.host, anchor);

/** The notebook, plus a PfNat that forwards the SSH port to h4: it cuts the operator off. */
const lockoutApp: AppBuilder = (app, env) => {
  const nb = new NotebookStack(app, 'notebook', env);
  new PfNat(nb, 'ssh-to-h4', {
    host: nb.host,
    externalInterface: 'em0',
    portForwards: [PfPortForward.toJail(nb.jails[3], { family: JailAddressFamily.IPV4, ports: PfPortRange.port(22) })],
    rollbackSeconds: 15,
  });
};
const notebookApp: AppBuilder = (app, env) => {
  new NotebookStack(app, 'notebook', env);
};

describeOnFakeHost('PfNat on examples/notebook', () => {
  let bench: Bench;
  let admin: Record<string, unknown>;
  let adminConf: string;
  let nb: NotebookStack;

  beforeAll(async () => {
    bench = await Bench.start({ seed: (h) => h.writeFile('/usr/ports/README', 'the host\'s ports tree\n') });
    await seedAdminState(bench.host, { underJailRoot: true });
    admin = adminView(bench.host);
    adminConf = bench.host.readFile('/etc/pf.conf');
    bench.synth((app, env) => { nb = new NotebookStack(app, 'notebook', env); });
  }, 120_000);
  afterAll(async () => {
    await bench?.stop();
    figures.print();
  });

  figures.scenario('1. the notebook with PF applies: its rules in the library\'s anchor, hooks in pf.conf, the admin\'s rules untouched', async () => {
    expect(pfState(bench).enabled).toBe(false);
    const commands = bench.commandCount();
    const report = await bench.apply();
    expectOk(report);
    figures.row('fresh apply with PF', { resources: report.created.length, ...runCells(report, bench.commandCount() - commands) });
    const anchor = nb.pf.anchor;
    expect(anchor).toMatch(new RegExp(`^${ROOT}/pf-[0-9a-f]{8}$`));
    // Each rule as pfctl holds it, macros expanded: the notebook's NAT and the two forwards to h4.
    expect(loaded(bench, anchor)).toEqual([
      'nat on em0 inet from 127.1.1.0/24 to any -> (em0)',
      'nat on em0 inet6 from fd00:1:1:1::0/64 to any -> 2001:db8::1',
      'rdr pass log on em0 inet proto tcp to (em0) port 8080 -> 127.1.1.4',
      'rdr pass log on em0 inet6 proto tcp to 2001:db8::1 port 8080 -> fd00:1:1:1::4',
    ]);
    // pf.conf: the administrator's text byte for byte, plus the hooks block after their options.
    const conf = bench.host.readFile('/etc/pf.conf');
    expect(adminPfConf(bench.host)).toBe(adminConf);
    expect(conf.split('\n').slice(0, 8)).toEqual([
      'ext_if = "em0"',
      'set skip on lo0',
      `# BEGIN ${ROOT} pf-anchors`,
      `nat-anchor "${ROOT}/*"`,
      `rdr-anchor "${ROOT}/*"`,
      `anchor "${ROOT}/*"`,
      `load anchor "${anchor}" from "${nb.pf.rulesFile}"`,
      `# END ${ROOT} pf-anchors`,
    ]);
    // The running main ruleset has the hooks; pf runs; boot would do the same (rc.conf).
    expect(loaded(bench, '')).toEqual([`nat-anchor "${ROOT}/*"`, `rdr-anchor "${ROOT}/*"`, `anchor "${ROOT}/*"`, 'pass in on em0 proto tcp to port 22', 'pass out all']);
    expect(pfState(bench).enabled).toBe(true);
    expect(rcConf(bench.host).pf_enable).toBe('YES');
    expect(rcConf(bench.host).pflog_enable).toBe('YES');
    expect(bench.host.readFile(nb.pf.rulesFile)).toBe(nb.pf.rulesText);
    // The forward works as pf would evaluate it; the operator still gets in; nothing is armed.
    expect(fakebsd.pfVerdict(bench.host.root, { ...OPERATOR, port: 8080 })).toEqual({ blocked: true, reason: `redirected by "rdr pass log on em0 inet proto tcp to (em0) port 8080 -> 127.1.1.4" in anchor ${anchor}` });
    expect(fakebsd.pfVerdict(bench.host.root, OPERATOR).blocked).toBe(false);
    expect(bench.host.exists(`/var/db/${ROOT}/pf/${anchor.replace('/', '_')}.armed`)).toBe(false);
    expect(bench.host.pfRefusals()).toEqual([]);
    expect(adminView(bench.host)).toEqual(admin);
  });

  figures.scenario('2. applying again runs nothing; the PF scripts run again by hand change nothing', async () => {
    const commands = bench.commandCount();
    const report = await expectSecondApplyIdle(bench);
    figures.row('idle re-apply', { resources: report.unchanged.length, ...runCells(report, bench.commandCount() - commands) });
    await expectPfScriptsRerunChangeNothing(bench);
    expect(fakebsd.pfVerdict(bench.host.root, OPERATOR).blocked).toBe(false);
  });

  figures.scenario('3. a rule file pfctl rejects changes nothing on the host', async () => {
    const before = bench.host.stateDigest();
    const pfBefore = pfState(bench);
    const confBefore = bench.host.readFile('/etc/pf.conf');
    const r = await bench.ssh(`${'/usr/local/libexec/cdktf-freebsd-jails/helper-1'} pf-apply ${ROOT}/broken /usr/local/etc/${ROOT}/pf/broken.conf 'rdr pass on em0 inet proto tcp to port 8080 -> 127.1.1.4 port 99999' 60`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pfctl rejects the rules of cdktf-freebsd-jails\/broken \(above\); nothing on the host changed/);
    expect(bench.host.readFile('/etc/pf.conf')).toBe(confBefore);
    expect(pfState(bench)).toEqual(pfBefore);
    expect(bench.host.exists(`/usr/local/etc/${ROOT}/pf/broken.conf`)).toBe(false);
    expect(bench.host.exists(`/var/db/${ROOT}/pf/${ROOT}_broken.armed`)).toBe(false);
    expect(diffDigests(before, bench.host.stateDigest())).toEqual([]);
  });

  figures.scenario('4. a rule set that locks the operator out does, the armed rollback restores the saved rules, and the next apply says so', async () => {
    bench.synth(lockoutApp);
    const mainAnchor = nb.pf.anchor;
    const mainRules = loaded(bench, mainAnchor);
    const commands = bench.commandCount();
    const report = await bench.apply();
    expect(report.ok).toBe(false);
    const failures = failureText(report);
    // The confirming step could not get in until the host rolled back; then it says what happened.
    expect(failures).toMatch(/ssh-to-h4.*confirm/s);
    expect(failures).toMatch(/were rolled back after 15 s: no new SSH connection confirmed them/);
    const refusals = bench.host.pfRefusals();
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals[0].reason).toMatch(/^redirected by "rdr pass on em0 inet proto tcp to \(em0\) port 22 -> 127\.1\.1\.4" in anchor cdktf-freebsd-jails\/ssh-to-h4-/);
    // The rollback restored what the anchor ran before (nothing); the notebook's anchor and the admin's rules are as they were.
    const lockAnchor = Object.keys(pfState(bench).anchors).find((a) => a.startsWith(`${ROOT}/ssh-to-h4-`))!;
    expect(loaded(bench, lockAnchor)).toEqual([]);
    expect(loaded(bench, mainAnchor)).toEqual(mainRules);
    expect(fakebsd.pfVerdict(bench.host.root, OPERATOR).blocked).toBe(false);
    expect(adminView(bench.host)).toEqual(admin);
    figures.row('lockout apply (rolled back)', { refused: refusals.length, ...runCells(report, bench.commandCount() - commands) });

    const again = await bench.apply();
    expect(again.ok).toBe(false);
    expect(failureText(again)).toMatch(/the rules of cdktf-freebsd-jails\/ssh-to-h4-[0-9a-f]{8} were rolled back; change them and apply again/);
    expect(bench.host.pfRefusals()).toHaveLength(refusals.length);
  }, 600_000);

  figures.scenario('4b. a rule change that locks the operator out rolls back to the previous rules, not to none', async () => {
    // The same PfNat (one anchor) first forwards 2222 to h4's SSH, then port 22 itself: the
    // change replaces its load step, and the rollback point must be the rules that ran before.
    // (Beside scenario 4's PfNat, kept in the app so that destroy still removes it.)
    let fwd!: PfNat;
    const forwardApp = (port: number): AppBuilder => (app, env) => {
      lockoutApp(app, env);
      const stack = app.node.findChild('notebook') as NotebookStack;
      fwd = new PfNat(stack, 'fwd', {
        host: stack.host,
        externalInterface: 'em0',
        portForwards: [PfPortForward.toJail(stack.jails[3], { family: JailAddressFamily.IPV4, ports: PfPortRange.port(port), targetPort: 22 })],
        rollbackSeconds: 15,
      });
    };
    bench.synth(forwardApp(2222));
    const first = await bench.apply();
    // Only scenario 4's confirmation fails again (its rules stay rolled back); fwd loads and is confirmed.
    expect(first.failures.map((f) => f.address)).toEqual([expect.stringMatching(/ssh-to-h4.*confirm/)]);
    expect(bench.host.exists(`/var/db/${ROOT}/pf/${fwd.anchor.replace('/', '_')}.armed`)).toBe(false);
    const good = ['rdr pass on em0 inet proto tcp to (em0) port 2222 -> 127.1.1.4 port 22'];
    expect(loaded(bench, fwd.anchor)).toEqual(good);
    const refusals = bench.host.pfRefusals().length;

    bench.synth(forwardApp(22));
    const commands = bench.commandCount();
    const report = await bench.apply();
    expect(report.ok).toBe(false);
    expect(failureText(report)).toMatch(/were rolled back after 15 s: no new SSH connection confirmed them/);
    expect(bench.host.pfRefusals().length).toBeGreaterThan(refusals);
    // The anchor runs the rules of the previous, confirmed load again, and boot would load them too.
    expect(loaded(bench, fwd.anchor)).toEqual(good);
    expect(bench.host.readFile(fwd.rulesFile).trim().split('\n')).toEqual(good);
    expect(bench.host.readFile('/etc/pf.conf')).toContain(`load anchor "${fwd.anchor}" from "${fwd.rulesFile}"`);
    expect(fakebsd.pfVerdict(bench.host.root, OPERATOR).blocked).toBe(false);
    expect(fakebsd.pfVerdict(bench.host.root, { ...OPERATOR, port: 2222 }).blocked).toBe(true);
    figures.row('lockout rule change (rolled back to the previous rules)', { refused: bench.host.pfRefusals().length - refusals, ...runCells(report, bench.commandCount() - commands) });

    const again = await bench.apply();
    expect(again.ok).toBe(false);
    expect(failureText(again)).toMatch(/the rules of cdktf-freebsd-jails\/fwd-[0-9a-f]{8} were rolled back; change them and apply again/);
    expect(loaded(bench, fwd.anchor)).toEqual(good);
    expect(adminView(bench.host)).toEqual(admin);
  }, 600_000);

  figures.scenario('5. destroy flushes only the library\'s anchors and takes out the hooks; the admin\'s rules stay, pf is off again', async () => {
    const report = await bench.destroy();
    expect(report.failures).toEqual([]);
    expect(bench.host.readFile('/etc/pf.conf')).toBe(adminConf);
    const pf = pfState(bench);
    expect(Object.entries(pf.anchors).filter(([a, r]) => a.startsWith(ROOT) && (r.nat.length || r.rules.length))).toEqual([]);
    expect(adminPf(bench.host, pf as never)).toEqual({ pfConf: admin.pfConf, pf: admin.pf });
    expect(loaded(bench, '')).toEqual(['pass in on em0 proto tcp to port 22', 'pass out all']);
    expect(pf.enabled).toBe(false);
    expect(rcConf(bench.host).pf_enable).toBeUndefined();
    expect(bench.host.exists(`/var/db/${ROOT}/pf`)).toBe(false);
    expect(bench.host.exists(`/usr/local/etc/${ROOT}/pf`)).toBe(false);
    expect(adminView(bench.host)).toEqual(admin);
  }, 600_000);
}, testMirrorDefect);

/**
 * The notebook's PfNat in whole-file mode: the library owns /etc/pf.conf and writes it as the
 * notebook does; destroy puts the administrator's file back. With `lockOut`, a forward of the
 * SSH port to h4 as well (it cuts the operator off).
 */
const wholeFileApp = (lockOut: boolean, built: (pf: PfNat) => void): AppBuilder => (app, env) => {
  const stack = new NotebookStack(app, 'notebook', env);
  // The notebook's own PfNat is in anchor mode; the same one, whole-file, in its place.
  stack.node.tryRemoveChild('pf');
  const h4 = stack.jails[3];
  built(new PfNat(stack, 'pf', {
    host: stack.host,
    mode: PfMode.WHOLE_FILE,
    externalInterface: 'em0',
    externalIpv6Address: '2001:db8::1',
    natNetworks: [PfNatNetwork.ipv4('127.1.1.0/24'), PfNatNetwork.ipv6('fd00:1:1:1::0/64')],
    portForwards: [
      PfPortForward.toJail(h4, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(8080), log: true }),
      PfPortForward.toJail(h4, { family: JailAddressFamily.IPV6, ports: PfPortRange.port(8080), log: true }),
      ...(lockOut ? [PfPortForward.toJail(h4, { family: JailAddressFamily.IPV4, ports: PfPortRange.port(22) })] : []),
    ],
    rollbackSeconds: lockOut ? 15 : 120,
  }));
};

const NOTEBOOK_RULES = [
  'nat on em0 inet from 127.1.1.0/24 to any -> (em0)',
  'nat on em0 inet6 from fd00:1:1:1::0/64 to any -> 2001:db8::1',
  'rdr pass log on em0 inet proto tcp to (em0) port 8080 -> 127.1.1.4',
  'rdr pass log on em0 inet6 proto tcp to 2001:db8::1 port 8080 -> fd00:1:1:1::4',
];
const WHOLE_RECORDS = `/var/db/${ROOT}/pf`;

describeOnFakeHost('PfNat in whole-file mode on examples/notebook', () => {
  let bench: Bench;
  let admin: Record<string, unknown>;
  let adminConf: string;
  let adminRules: string[];
  let pf: PfNat;
  /** The administrator's state beside pf (whole-file mode replaces their pf.conf until destroy). */
  const besidePf = (view: Record<string, unknown>) => Object.fromEntries(Object.entries(view).filter(([k]) => k !== 'pfConf' && k !== 'pf'));

  beforeAll(async () => {
    bench = await Bench.start({ seed: (h) => h.writeFile('/usr/ports/README', 'the host\'s ports tree\n') });
    await seedAdminState(bench.host, { underJailRoot: true });
    admin = adminView(bench.host);
    adminConf = bench.host.readFile('/etc/pf.conf');
    adminRules = loaded(bench, '');
    bench.synth(wholeFileApp(false, (p) => { pf = p; }));
  }, 120_000);
  afterAll(async () => {
    await bench?.stop();
  });

  figures.scenario('W1. whole-file mode applies: /etc/pf.conf is the notebook\'s pf.conf, loaded; the administrator\'s file is kept', async () => {
    const report = await bench.apply();
    expectOk(report);
    const conf = bench.host.readFile('/etc/pf.conf');
    expect(conf).toBe(NOTEBOOK_PF_CONF);
    // Parsed, rule by rule after macro expansion, it is the notebook's.
    expect(rulesOf(parsePf(conf))).toEqual(rulesOf(parsePf(NOTEBOOK_PF_CONF)));
    expect(loaded(bench, '')).toEqual(NOTEBOOK_RULES);
    expect(pfState(bench).enabled).toBe(true);
    expect(bench.host.readFile(`${WHOLE_RECORDS}/_etc_pf.conf.original`)).toBe(adminConf);
    expect(bench.host.exists(`${WHOLE_RECORDS}/_etc_pf.conf.armed`)).toBe(false);
    expect(fakebsd.pfVerdict(bench.host.root, OPERATOR).blocked).toBe(false);
    expect(besidePf(adminView(bench.host))).toEqual(besidePf(admin));
  });

  figures.scenario('W2. applying again runs nothing; the PF scripts run again by hand change nothing', async () => {
    const report = await expectSecondApplyIdle(bench);
    expect(report.created).toEqual([]);
    await expectPfScriptsRerunChangeNothing(bench);
    expect(bench.host.readFile('/etc/pf.conf')).toBe(NOTEBOOK_PF_CONF);
  });

  figures.scenario('W3. a whole file pfctl rejects changes nothing; another owner may not claim /etc/pf.conf', async () => {
    const before = bench.host.stateDigest();
    const owner = `${pf.node.path}`;
    const scope = bench.host.readFile(`${WHOLE_RECORDS}/_etc_pf.conf.owner`).trim();
    expect(scope).toMatch(new RegExp(`:${owner}$`));
    const r = await bench.ssh(`${HOST_HELPER_PATH} pf-conf-apply '${scope}' 'rdr pass on em0 inet proto tcp to port 8080 -> 127.1.1.4 port 99999' 60`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pfctl rejects the new \/etc\/pf.conf \(above\); nothing on the host changed/);
    const other = await bench.ssh(`${HOST_HELPER_PATH} pf-conf-claim 'another-scope:other/pf'`);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`/etc/pf.conf is written by ${scope}, not another-scope:other/pf; refused`);
    const anchored = await bench.ssh(`${HOST_HELPER_PATH} pf-claim ${ROOT}/x /usr/local/etc/${ROOT}/pf/x.conf 'another-scope:other/pf'`);
    expect(anchored.code).toBe(1);
    expect(anchored.stderr).toMatch(/is written whole by .*: the anchor cdktf-freebsd-jails\/x cannot be hooked into it; refused/);
    expect(diffDigests(before, bench.host.stateDigest())).toEqual([]);
  });

  figures.scenario('W4. a whole file that locks the operator out is rolled back to the previous file and ruleset; the next apply says so', async () => {
    bench.synth(wholeFileApp(true, (p) => { pf = p; }));
    const report = await bench.apply();
    expect(report.ok).toBe(false);
    expect(failureText(report)).toMatch(/the \/etc\/pf.conf loaded at \S+ was rolled back after 15 s: no new SSH connection confirmed it/);
    expect(bench.host.pfRefusals().length).toBeGreaterThan(0);
    expect(bench.host.readFile('/etc/pf.conf')).toBe(NOTEBOOK_PF_CONF);
    expect(loaded(bench, '')).toEqual(NOTEBOOK_RULES);
    expect(fakebsd.pfVerdict(bench.host.root, OPERATOR).blocked).toBe(false);
    const again = await bench.apply();
    expect(again.ok).toBe(false);
    expect(failureText(again)).toMatch(/the rules of \/etc\/pf.conf were rolled back; change them and apply again/);
  }, 600_000);

  figures.scenario('W5. destroy puts the administrator\'s pf.conf back and loads it; pf is off again', async () => {
    const report = await bench.destroy();
    expect(report.failures).toEqual([]);
    expect(bench.host.readFile('/etc/pf.conf')).toBe(adminConf);
    expect(loaded(bench, '')).toEqual(adminRules);
    expect(pfState(bench).enabled).toBe(false);
    expect(bench.host.exists(WHOLE_RECORDS)).toBe(false);
    expect(adminView(bench.host)).toEqual(admin);
  }, 600_000);
}, testMirrorDefect);

describeOnFakeHost('PfNat on a host with no pf.conf and pf off', () => {
  figures.scenario('6. the notebook\'s PfNat applied, then destroyed, on a host that had no pf.conf: no hook stays loaded, no file of the library stays, pf is off', async () => {
    const bench = await Bench.start({ seed: (h) => h.writeFile('/usr/ports/README', 'the host\'s ports tree\n') });
    try {
      expect(bench.host.exists('/etc/pf.conf')).toBe(false);
      const before = pfState(bench);
      bench.synth(notebookApp);
      expectOk(await bench.apply());
      expect(loaded(bench, '')).toEqual([`nat-anchor "${ROOT}/*"`, `rdr-anchor "${ROOT}/*"`, `anchor "${ROOT}/*"`]);
      expect(pfState(bench).enabled).toBe(true);
      expectOk(await bench.destroy());
      // pfctl keeps one flush option (sbin/pfctl/pfctl.c: clearopt): `-F rules -F nat` flushed
      // only the translation rules, and the filter hook `anchor "cdktf-freebsd-jails/*"` stayed.
      expect(before.anchors['']).toBeUndefined();
      const main = pfState(bench).anchors[''];
      expect([main?.nat, main?.rules]).toEqual([[], []]);
      expect(pfState(bench).enabled).toBe(false);
      for (const p of ['/etc/pf.conf', `/usr/local/etc/${ROOT}`, `/var/db/${ROOT}`]) expect([p, bench.host.exists(p)]).toEqual([p, false]);
    } finally {
      await bench.stop();
    }
  }, 600_000);

  figures.scenario('7. a PfNat on an interface the host does not have (a typo) loads nothing and says so, naming the construct; fixed, it applies', async () => {
    const bench = await Bench.start();
    try {
      const app = (externalInterface: string): AppBuilder => labApp({ jails: [{ n: 1 }] }, (lab) => {
        new PfNat(lab, 'nat', { host: lab.host, externalInterface, natNetworks: [PfNatNetwork.ipv4('127.1.1.0/24')] });
      });
      bench.synth(app('vtnte0'));
      const typo = await bench.apply();
      expect(typo.ok).toBe(false);
      expect(typo.failures.map((f) => f.address)).toEqual([expect.stringMatching(/^null_resource\.nat_load_/)]);
      expect(typo.failures[0].output).toContain('error: lab/nat: externalInterface vtnte0 does not exist on host 127.0.0.1 (ifconfig -l lists its interfaces); nothing was loaded');
      expect(Object.entries(pfState(bench).anchors).filter(([, a]) => a.nat.length + a.rules.length > 0)).toEqual([]);
      bench.synth(app('em0'));
      expectOk(await bench.apply());
      expect(Object.entries(pfState(bench).anchors).filter(([n]) => n.startsWith(`${ROOT}/`)).map(([, a]) => a.nat.map((r) => r.text)))
        .toEqual([['nat on em0 inet from 127.1.1.0/24 to any -> (em0)']]);
    } finally {
      await bench.stop();
    }
  }, 600_000);

  figures.scenario('8. pf off and a host pf.conf that blocks the operator: the first PfNat loads it and enables pf; unconfirmed, the rollback disables pf again, and the operator gets back in', async () => {
    const bench = await Bench.start({ seed: (h) => h.writeFile('/etc/pf.conf', 'block in all\npass out all\n') });
    try {
      expect(pfState(bench).enabled).toBe(false);
      bench.synth(labApp({ jails: [{ n: 1 }] }, (lab) => {
        new PfNat(lab, 'nat', { host: lab.host, externalInterface: 'em0', natNetworks: [PfNatNetwork.ipv4('127.1.1.0/24')], rollbackSeconds: 10 });
      }));
      const report = await bench.apply();
      expect(report.ok).toBe(false);
      // The confirming connection was refused by the host's own rules until the rollback fired.
      expect(bench.host.pfRefusals()[0].reason).toBe('blocked by "block in all"');
      expect(failureText(report)).toMatch(/were rolled back after 10 s: no new SSH connection confirmed them .* pf, which that load had enabled, is disabled again, as it was before it\./s);
      expect(pfState(bench).enabled).toBe(false);
      expect(bench.host.exists(`/var/db/${ROOT}/pf/enabled-pf`)).toBe(false);
      // The operator is back: the next apply connects and says what happened.
      const again = await bench.apply();
      expect(failureText(again)).toMatch(/the rules of cdktf-freebsd-jails\/nat-[0-9a-f]{8} were rolled back; change them and apply again/);
    } finally {
      await bench.stop();
    }
  }, 600_000);
}, testMirrorDefect);

/**
 * Administrators' pf.conf layouts beyond pf.conf(5)'s category order that pfctl accepts
 * (sbin/pfctl/parse.y): `set` options parse.y does not order after the filter rules, and a
 * pf.conf made of `include` files (no category line in it at all). Each is seeded, loaded and
 * enabled by hand; a PfNat is applied and destroyed; the file comes back byte for byte.
 */
const LATE_SETS_PF = 'ext_if = "em0"\nnat on $ext_if inet from 10.9.0.0/24 to any -> ($ext_if)\nblock in all\npass in on $ext_if proto tcp to port 22\npass out all\n'
  + 'set skip on lo0\nset timeout { tcp.established 3600, interval 10 }\nset limit states 20000\nset state-policy if-bound\n';
const PF_PIECES: Record<string, string> = {
  '/etc/pf.d/options.conf': 'set skip on lo0\nset block-policy return\nscrub in all\n',
  '/etc/pf.d/nat.conf': 'nat on $ext_if inet from 10.9.0.0/24 to any -> ($ext_if)\n',
  '/etc/pf.d/filter.conf': 'block in all\npass in on $ext_if proto tcp to port 22\npass out all\n',
  '/etc/pf.d/all.conf': 'nat on $ext_if inet from 10.9.0.0/24 to any -> ($ext_if)\npass in on $ext_if proto tcp to port 22\npass out all\n',
};
const INCLUDES_PF = '# the pieces are in /etc/pf.d\next_if = "em0"\ninclude "/etc/pf.d/options.conf"\ninclude "/etc/pf.d/nat.conf"\n'
  + 'include "/etc/pf.d/filter.conf"\nset limit states 20000\n';
/** One file holding both translation and filter rules: the hooks would have to go inside it. */
const MIXED_INCLUDE_PF = 'ext_if = "em0"\nset skip on lo0\ninclude "/etc/pf.d/all.conf"\n';

describeOnFakeHost('PfNat with an administrator pf.conf pfctl accepts out of pf.conf(5)\'s category order', () => {
  let bench: Bench;
  let pf: PfNat;
  const hook = (kind: string) => `${kind} "${ROOT}/*"`;

  beforeAll(async () => {
    bench = await Bench.start();
    const r = await bench.host.hostExec('mkdir -p /etc/pf.d');
    expect(r.code).toBe(0);
    for (const [p, text] of Object.entries(PF_PIECES)) bench.host.writeFile(p, text);
    bench.synth(labApp({ jails: [] }, (lab) => {
      pf = new PfNat(lab, 'nat', { host: lab.host, externalInterface: 'em0', natNetworks: [PfNatNetwork.ipv4('127.1.1.0/24')] });
    }));
  }, 120_000);
  afterAll(async () => {
    await bench?.stop();
  });

  /** The admin's file seeded, loaded and pf enabled; returns their running nat and filter rules. */
  const seed = async (conf: string) => {
    bench.host.writeFile('/etc/pf.conf', conf);
    const r = await bench.host.hostExec('pfctl -f /etc/pf.conf && { pfctl -s info | grep -q "^Status: Enabled" || pfctl -e; }');
    expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
    const main = pfState(bench).anchors[''];
    return { nat: main.nat.map((x) => x.text), rules: main.rules.map((x) => x.text) };
  };

  /** Apply: the hooks after the line given, the admin's lines byte for byte, the hooks loaded around the admin's rules; destroy: all as before. */
  const roundTrip = async (conf: string, hooksAfter: string) => {
    const admin = await seed(conf);
    expect(admin.nat.length).toBeGreaterThan(0);
    const report = await bench.apply();
    expectOk(report);
    const lines = bench.host.readFile('/etc/pf.conf').split('\n');
    const at = lines.indexOf(`# BEGIN ${ROOT} pf-anchors`);
    expect(lines[at - 1]).toBe(hooksAfter);
    expect(lines.slice(at + 1, at + 5)).toEqual([hook('nat-anchor'), hook('rdr-anchor'), hook('anchor'), `load anchor "${pf.anchor}" from "${pf.rulesFile}"`]);
    expect(adminPfConf(bench.host)).toBe(conf);
    // The admin's translation first, then ours; our filter anchor before the admin's filter rules (theirs keep the last word).
    expect(loaded(bench, '')).toEqual([...admin.nat, hook('nat-anchor'), hook('rdr-anchor'), hook('anchor'), ...admin.rules]);
    expect(loaded(bench, pf.anchor)).toEqual(['nat on em0 inet from 127.1.1.0/24 to any -> (em0)']);
    expect(fakebsd.pfVerdict(bench.host.root, OPERATOR).blocked).toBe(false);
    expectOk(await bench.destroy());
    expect(bench.host.readFile('/etc/pf.conf')).toBe(conf);
    expect(loaded(bench, '')).toEqual([...admin.nat, ...admin.rules]);
    expect(pfState(bench).enabled).toBe(true); // the administrator enabled it, not the library
    expect(bench.host.exists(`/var/db/${ROOT}/pf`)).toBe(false);
  };

  figures.scenario('9. set skip, timeout, limit and state-policy after the filter rules: the hooks go after the translation; destroy restores the file byte for byte', async () => {
    await roundTrip(LATE_SETS_PF, 'nat on $ext_if inet from 10.9.0.0/24 to any -> ($ext_if)');
  }, 600_000);

  figures.scenario('10. a pf.conf made of includes: the hooks go between the include of translation rules and the include of filter rules', async () => {
    await roundTrip(INCLUDES_PF, 'include "/etc/pf.d/nat.conf"');
  }, 600_000);

  figures.scenario('11. an included file with both translation and filter rules: the load fails, naming the file, and nothing changes', async () => {
    await seed(MIXED_INCLUDE_PF);
    const before = loaded(bench, '');
    const report = await bench.apply();
    expect(report.ok).toBe(false);
    const failures = failureText(report);
    expect(failures).toContain('line 3 includes /etc/pf.d/all.conf, which holds both statements that must come before the hooks');
    // Found before anything is armed or installed: no rollback waits, no rules file, no hook.
    expect(failures).toMatch(/no place in \/etc\/pf.conf where pfctl accepts the hooks of cdktf-freebsd-jails \(above\); nothing on the host changed/);
    expect(bench.host.readFile('/etc/pf.conf')).toBe(MIXED_INCLUDE_PF);
    expect(loaded(bench, '')).toEqual(before);
    expect(loaded(bench, pf.anchor)).toEqual([]);
    expect(bench.host.exists(pf.rulesFile)).toBe(false);
    expect(bench.host.exists(`/var/db/${ROOT}/pf/${pf.anchor.replace('/', '_')}.armed`)).toBe(false);
    expectOk(await bench.destroy());
    expect(bench.host.readFile('/etc/pf.conf')).toBe(MIXED_INCLUDE_PF);
    expect(bench.host.exists(`/var/db/${ROOT}/pf`)).toBe(false);
  }, 600_000);
}, testMirrorDefect);

/** The PfNat's four create scripts (settings, claim, load, confirm) run again by hand: each succeeds and the host's state stays the same. */
async function expectPfScriptsRerunChangeNothing(bench: Bench): Promise<void> {
  const before = bench.host.stateDigest();
  const scripts = bench.createScripts().filter((s) => /null_resource\.pf_/.test(s.address));
  expect(scripts).toHaveLength(4);
  for (const s of scripts) {
    const r = await bench.runByHand(s);
    expect({ script: s.address, code: r.code, stderr: r.stderr }).toEqual({ script: s.address, code: 0, stderr: '' });
  }
  expect(diffDigests(before, bench.host.stateDigest())).toEqual([]);
}
