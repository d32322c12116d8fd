/**
 * The host prune of claims (lib/host/prune.ts, lib/shell/prune.ts) on the fake host: Terraform
 * runs no destroy provisioner for a resource whose block left the configuration, so taking a
 * PfNat, a DevfsRuleset, a VnetBridge, offline JailPackages, or a JailHost with its jails out of
 * the app must still clean the host. Beside the
 * administrator's own pf.conf (loaded) and devfs.rules (ruleset 7), and a second app (another
 * ownership scope) with a switch, a ruleset and an anchor of its own. Asserts host state: the
 * anchor flushed and its hooks gone, the devfs block and loaded ruleset gone, the netgraph switch
 * gone, every claim file gone, the administrator's files byte for byte, the second app's claims
 * untouched, an idle re-apply running nothing; a new PfNat claiming a removed one's anchor in the
 * same apply; a whole-file PfNat replaced by an anchor one, then removed: the administrator's
 * pf.conf back and loaded.
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { notebookHostProps } from '../../examples/notebook/main';
import { DevfsRuleset, FreeBsdHost, JailDevfsRuleset, JailFromSnapshot, JailPackages, JailRemovalPolicy, JailSource, JailVnetNetwork, PfMode, PfNat, PfNatNetwork, VnetBridge } from '../../lib';
import { LabStack, labApp } from './scenarios/apps';
import { AppBuilder, Bench, describeOnFakeHost } from './scenarios/bench';
import { expectJail, expectJailGone, expectOk, expectSecondApplyIdle } from './scenarios/expect';
import { Figures, runCells } from './scenarios/figures';
import { pfLoaded, rawState, rcConf, runningJails } from './scenarios/view';

const figures = new Figures('prune: PfNat, DevfsRuleset, VnetBridge, offline JailPackages, a JailHost with its jail taken out of the app (root, tcsh)');
const ROOT = 'cdktf-freebsd-jails';
const STATE = `/var/db/${ROOT}`;
const ADMIN_PF = 'ext_if = "em0"\nset skip on lo0\npass in on $ext_if proto tcp to port 22\npass out all\n';
const ADMIN_PF_RULES = ['pass in on em0 proto tcp to port 22', 'pass out all'];
const PKG_CACHE = `/var/cache/${ROOT}`;
const ADMIN_DEVFS = "# the administrator's own rules\n[devfsrules_mine=7]\nadd include $devfsrules_jail\nadd path 'ugen*' unhide\n";

const loaded = (bench: Bench, anchor: string) => pfLoaded(bench.host, anchor);
const HOOKS = [`nat-anchor "${ROOT}/*"`, `rdr-anchor "${ROOT}/*"`, `anchor "${ROOT}/*"`];

/** What the first app has beside its kept jail h1 (all optional, so a phase can take them out). */
interface Extras {
  /** PfNat construct id and its anchor name (anchor mode), or whole-file mode. */
  readonly pf?: { id: string; anchorName?: string; whole?: boolean; net: string };
  readonly devfs?: boolean;
  /** Switch vi1 with the VNET jail v1 on it. */
  readonly vnet?: boolean;
  /** Packages in h1, offline (their host directory is a host setting of theirs). */
  readonly packages?: boolean;
}

function firstApp(x: Extras): AppBuilder {
  return labApp({ jails: [{ n: 1 }], removalPolicy: JailRemovalPolicy.DESTROY }, (lab: LabStack) => {
    if (x.pf) {
      new PfNat(lab, x.pf.id, {
        host: lab.host, externalInterface: 'em0', natNetworks: [PfNatNetwork.ipv4(x.pf.net)],
        ...(x.pf.whole ? { mode: PfMode.WHOLE_FILE, skipInterfaces: ['lo0'] } : { anchorName: x.pf.anchorName }),
      });
    }
    if (x.devfs) {
      new DevfsRuleset(lab, 'bpf', { host: lab.host, rulesetName: 'devfsrules_bpfjail', rulesetNumber: 10, includes: [JailDevfsRuleset.DEVFSRULES_JAIL], unhide: ['bpf*'] });
    }
    if (x.packages) new JailPackages(lab, 'h1-packages', { jail: lab.jails[0], packages: ['git-lite'], offline: true });
    if (x.vnet) {
      const vi1 = new VnetBridge(lab, 'vi1', { host: lab.host });
      new JailFromSnapshot(lab, 'v1', {
        jailHost: lab.jailHost!, source: JailSource.template(lab.template), removalPolicy: JailRemovalPolicy.DESTROY,
        networks: [new JailVnetNetwork({ interfaces: [{ bridge: vi1, addresses: ['10.9.0.1/24'] }] })],
      });
    }
  });
}

/** The second app (stack and scope "other"): a switch, a ruleset and an anchor, no jails. */
class OtherStack extends TerraformStack {
  constructor(scope: Construct, id: string, env: Record<string, string>) {
    super(scope, id);
    const host = new FreeBsdHost(this, 'host', notebookHostProps(env));
    new VnetBridge(this, 'vi2', { host });
    new DevfsRuleset(this, 'tun', { host, rulesetName: 'devfsrules_tunjail', rulesetNumber: 20, includes: [JailDevfsRuleset.DEVFSRULES_JAIL], unhide: ['tun*'] });
    new PfNat(this, 'nat', { host, externalInterface: 'em0', anchorName: 'other', natNetworks: [PfNatNetwork.ipv4('127.1.5.0/24')] });
  }
}

describeOnFakeHost('prune of claims on the fake host', () => {
  let first: Bench;
  let second: Bench;
  let pristineRc: Record<string, string>;
  const show = async (n: number) => {
    const r = await first.host.hostExec(`devfs rule -s ${n} show`);
    expect(r.code).toBe(0);
    return r.stdout;
  };
  const exists = (p: string) => first.host.exists(p);
  const owner = (p: string) => first.host.readFile(p).trim();
  const ngNodes = () => Object.values((rawState(first.host) as unknown as { ng?: { nodes: Record<string, { type: string; name: string }> } }).ng?.nodes ?? {})
    .filter((n) => n.type === 'bridge' || n.type === 'eiface').map((n) => n.name).sort();
  /** The second app's claims, all of them, as files and loaded state. */
  const secondAppIntact = async () => {
    expect(owner(`${STATE}/vnet/vi2.owner`)).toBe('other:other/vi2');
    expect(owner(`${STATE}/pf/${ROOT}_other.owner`)).toBe('other:other/nat');
    expect(loaded(first, `${ROOT}/other`)).toEqual(['nat on em0 inet from 127.1.5.0/24 to any -> (em0)']);
    expect(first.host.readFile('/etc/devfs.rules')).toContain(`# BEGIN ${ROOT} devfs ruleset 20 of other\n`);
    expect(await show(20)).toBe('100 include 4\n200 path tun* unhide\n');
  };
  const applied = async (bench: Bench, label: string) => {
    const commands = bench.commandCount();
    const report = await bench.apply();
    expectOk(report);
    figures.row(label, { resources: report.created.length + report.replaced.length, ...runCells(report, bench.commandCount() - commands) });
    return report;
  };

  beforeAll(async () => {
    first = await Bench.start({
      seed: (h) => {
        h.writeFile('/etc/devfs.rules', ADMIN_DEVFS);
        h.writeFile('/etc/pf.conf', ADMIN_PF);
      },
    });
    const r = await first.host.hostExec('pfctl -f /etc/pf.conf && service devfs restart');
    expect([r.code, r.stderr]).toEqual([0, '']);
    second = first.anotherApp();
    pristineRc = rcConf(first.host);
  }, 120_000);
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    figures.print();
  });

  figures.scenario('P1. both apps apply: anchors, hooks, devfs blocks, switches and claims of two scopes', async () => {
    first.synth(firstApp({ pf: { id: 'nat', anchorName: 'web', net: '127.1.1.0/24' }, devfs: true, vnet: true, packages: true }));
    await applied(first, 'first app, fresh');
    second.synth((app, env) => { new OtherStack(app, 'other', env); });
    await applied(second, 'second app, fresh');
    expect(owner(`${STATE}/pf/${ROOT}_web.owner`)).toBe('lab:lab/nat');
    expect(loaded(first, `${ROOT}/web`)).toEqual(['nat on em0 inet from 127.1.1.0/24 to any -> (em0)']);
    expect(owner(`${STATE}/vnet/vi1.owner`)).toBe('lab:lab/vi1');
    expect(ngNodes()).toEqual(['vi1_v1', 'vi1br']);
    expect(await show(10)).toBe('100 include 4\n200 path bpf* unhide\n');
    expect(runningJails(first.host)).toEqual(['h1', 'v1']);
    expect(exists(PKG_CACHE)).toBe(true);
    await secondAppIntact();
  });

  figures.scenario('P2. a new PfNat claims the anchor of one taken out in the same apply: the prune goes first, the anchor runs the new rules', async () => {
    first.synth(firstApp({ pf: { id: 'nat2', anchorName: 'web', net: '127.1.2.0/24' }, devfs: true, vnet: true, packages: true }));
    await applied(first, 'PfNat replaced, same anchor');
    expect(owner(`${STATE}/pf/${ROOT}_web.owner`)).toBe('lab:lab/nat2');
    expect(loaded(first, `${ROOT}/web`)).toEqual(['nat on em0 inet from 127.1.2.0/24 to any -> (em0)']);
    await secondAppIntact();
  });

  figures.scenario('P3. PfNat, DevfsRuleset, VnetBridge and its jail, offline JailPackages taken out: anchor, hooks, block, loaded ruleset, switch, package directory and claims go; nothing else', async () => {
    first.synth(firstApp({}));
    await applied(first, 'constructs taken out');
    // pf: the anchor flushed, its rules file and records gone; the hooks load only the other app's anchor.
    expect(loaded(first, `${ROOT}/web`)).toEqual([]);
    expect(exists(`/usr/local/etc/${ROOT}/pf/web.conf`)).toBe(false);
    expect(first.host.readFile('/etc/pf.conf')).toBe(ADMIN_PF.replace('set skip on lo0\n', [
      'set skip on lo0', `# BEGIN ${ROOT} pf-anchors`, ...HOOKS, `load anchor "${ROOT}/other" from "/usr/local/etc/${ROOT}/pf/other.conf"`, `# END ${ROOT} pf-anchors`, '',
    ].join('\n')));
    expect((first.host.readFile(`${STATE}/pf/anchors`))).toBe(`${ROOT}/other /usr/local/etc/${ROOT}/pf/other.conf\n`);
    // devfs: the block and the loaded ruleset gone; the administrator's lines and ruleset 7 stay.
    expect(first.host.readFile('/etc/devfs.rules').startsWith(ADMIN_DEVFS)).toBe(true);
    expect(first.host.readFile('/etc/devfs.rules')).not.toContain('devfs ruleset 10 of lab');
    expect(await show(10)).toBe('');
    expect(await show(7)).toBe('100 include 4\n200 path ugen* unhide\n');
    // VNET: the jail pruned first, then the switch; the claim gone.
    expectJailGone(first, 'v1');
    expect(ngNodes()).toEqual([]);
    expect(exists(`${STATE}/vnet/vi1.owner`)).toBe(false);
    // Exactly these claims went: the other app's are all there, the kept jail runs.
    expect(exists(`${STATE}/pf/${ROOT}_web.owner`)).toBe(false);
    await secondAppIntact();
    // The offline packages' directory (made for them, a host setting of theirs) went with them.
    expect(exists(PKG_CACHE)).toBe(false);
    // pf_enable is still needed by the other app's PfNat: its change is kept.
    expect(rcConf(first.host).pf_enable).toBe('YES');
    expectJail(first, { name: 'h1', owner: 'lab:lab/h1', origin: 'zroot/vm/tmpl/14.3@p3', ip4: '127.1.1.1' });
  });

  figures.scenario('P4. applying again runs nothing (the prune step changes only with its keep-lists)', async () => {
    await expectSecondApplyIdle(first);
  });

  figures.scenario('P5. the second app destroyed: the administrator\'s pf.conf, loaded rules and devfs.rules byte for byte', async () => {
    expectOk(await second.destroy());
    expect(first.host.readFile('/etc/pf.conf')).toBe(ADMIN_PF);
    expect(loaded(first, '')).toEqual(ADMIN_PF_RULES);
    expect(first.host.readFile('/etc/devfs.rules')).toBe(ADMIN_DEVFS);
    expect(exists(`${STATE}/vnet`)).toBe(false);
    expect(exists(`${STATE}/pf`)).toBe(false);
  });

  figures.scenario('P6. a whole-file PfNat replaced by an anchor one in one apply, then taken out: the administrator\'s pf.conf back and loaded', async () => {
    first.synth(firstApp({ pf: { id: 'whole', whole: true, net: '127.1.1.0/24' } }));
    await applied(first, 'whole-file PfNat added');
    expect(first.host.readFile('/etc/pf.conf')).toContain('nat on $XIF inet from $JAILNET_V4 to any -> ($XIF)');
    expect(owner(`${STATE}/pf/_etc_pf.conf.owner`)).toBe('lab:lab/whole');
    // An anchor-mode PfNat in its place: refused while pf.conf is claimed whole, so the prune runs first.
    first.synth(firstApp({ pf: { id: 'nat3', anchorName: 'web', net: '127.1.3.0/24' } }));
    await applied(first, 'whole-file replaced by anchor');
    expect(exists(`${STATE}/pf/_etc_pf.conf.owner`)).toBe(false);
    expect(first.host.readFile('/etc/pf.conf')).toContain(`load anchor "${ROOT}/web" from`);
    expect(loaded(first, `${ROOT}/web`)).toEqual(['nat on em0 inet from 127.1.3.0/24 to any -> (em0)']);
    // And back to whole-file (anchors replaced by it), then nothing.
    first.synth(firstApp({ pf: { id: 'whole', whole: true, net: '127.1.1.0/24' } }));
    await applied(first, 'anchor replaced by whole-file');
    expect(owner(`${STATE}/pf/_etc_pf.conf.owner`)).toBe('lab:lab/whole');
    expect(loaded(first, `${ROOT}/web`)).toEqual([]);
    first.synth(firstApp({}));
    await applied(first, 'whole-file PfNat taken out');
    expect(first.host.readFile('/etc/pf.conf')).toBe(ADMIN_PF);
    expect(loaded(first, '')).toEqual(ADMIN_PF_RULES);
    expect(exists(`${STATE}/pf`)).toBe(false);
    // The PfNats' host settings went with them (pruned, as their destroy undoes them): pf_enable
    // and pflog_enable, set for them only, are out of rc.conf again; jail_enable, the JailHost's, stays.
    expect([rcConf(first.host).pf_enable, rcConf(first.host).pflog_enable, rcConf(first.host).jail_enable]).toEqual([undefined, undefined, 'YES']);
    await expectSecondApplyIdle(first);
  }, 600_000);

  figures.scenario('P7. the JailHost taken out with its jail (no step of its own is left to prune it): the jail torn down, its dataset destroyed by its policy, the JailHost\'s settings undone', async () => {
    first.synth(labApp({ jails: [] }));
    await applied(first, 'JailHost and its jail taken out');
    expectJailGone(first, 'h1');
    expect(exists('/etc/jail.conf.d')).toBe(false);
    expect([rcConf(first.host).jail_enable, rcConf(first.host).jail_list]).toEqual([pristineRc.jail_enable, pristineRc.jail_list]);
    await expectSecondApplyIdle(first);
  });

  figures.scenario('P8. destroy: nothing of the library is left beside the administrator\'s files', async () => {
    expectOk(await first.destroy());
    expect(first.host.readFile('/etc/pf.conf')).toBe(ADMIN_PF);
    expect(first.host.readFile('/etc/devfs.rules')).toBe(ADMIN_DEVFS);
    expect(exists(STATE)).toBe(false);
  });
});
