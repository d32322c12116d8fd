/**
 * An administrator's own state, made on the host before the first apply (scenario 7): a
 * dataset zroot/data at /data, optionally a dataset made by hand under the jail root
 * (zroot/vm/h9, which makes zroot/vm the administrator's too), a running jail "adm" in
 * /etc/jail.conf, rc.conf lines, an /etc/hosts line and loaded pf rules. adminView() is what
 * must stay equal through apply, change, prune and destroy.
 */
import { FakeHost } from '../host';
import { datasets, hostsEntries, jailConf, rawState, rcConf, runningJails } from './view';

export interface AdminOptions {
  /** Also make zroot/vm (at /vm) and zroot/vm/h9 by hand, with the admin jail living there. */
  readonly underJailRoot: boolean;
}

const RC_CONF = 'hostname="fakebsd"\nsshd_enable="YES"\njail_enable="YES"\njail_list="adm"\n';
const PF_CONF = 'ext_if = "em0"\nset skip on lo0\npass in on $ext_if proto tcp to port 22\npass out all\n';

/** Runs inside the fake host through the shims (so FreeBSD's refusals apply to the seed as well). */
export async function seedAdminState(host: FakeHost, opts: AdminOptions): Promise<void> {
  const jailPath = opts.underJailRoot ? '/vm/h9' : '/data/adm';
  const script = [
    'set -eu',
    'zfs create -o mountpoint=/data zroot/data',
    'echo "the administrator\'s data" > /data/README',
    ...(opts.underJailRoot
      ? ['zfs create -o mountpoint=/vm zroot/vm', 'zfs create zroot/vm/h9']
      : ['mkdir -p /data/adm']),
    `mkdir -p ${jailPath}/etc && echo adm > ${jailPath}/etc/myname`,
    `cat > /etc/jail.conf <<'EOF'\n# the administrator's jail\nadm {\n  path = "${jailPath}";\n  host.hostname = "adm";\n  persist;\n  ip4.addr = "lo0|127.0.0.9/32";\n}\nEOF`,
    `printf '%s' '${RC_CONF}' >> /etc/rc.conf`,
    'echo "10.0.0.5 nas nas.example.org" >> /etc/hosts',
    `printf '%s' '${PF_CONF}' > /etc/pf.conf`,
    'pfctl -f /etc/pf.conf',
    'jail -f /etc/jail.conf -c adm',
  ].join('\n');
  const r = await host.hostExec(script);
  if (r.code !== 0) throw new Error(`seeding the administrator's state failed: ${r.stdout}${r.stderr}`);
}

/** The administrator's things as the scenarios compare them. */
export function adminView(host: FakeHost): Record<string, unknown> {
  const ds = datasets(host);
  const rc = rcConf(host);
  const state = rawState(host);
  return {
    datasets: Object.fromEntries(['zroot/data', 'zroot/vm/h9'].filter((n) => ds[n]).map((n) => [n, ds[n]])),
    readme: host.readFile('/data/README'),
    myname: host.exists('/vm/h9/etc/myname') ? host.readFile('/vm/h9/etc/myname') : host.readFile('/data/adm/etc/myname'),
    rc: { hostname: rc.hostname, sshd_enable: rc.sshd_enable, jail_enable: rc.jail_enable, admInJailList: (rc.jail_list ?? '').split(/\s+/).includes('adm') },
    jailConf: jailConf(host).adm,
    running: runningJails(host).includes('adm'),
    hosts: hostsEntries(host).filter((e) => e[1] === 'nas'),
    ...adminPf(host, state.pf as PfState),
  };
}

interface PfRecord { text: string; [k: string]: unknown }
interface PfState { enabled: boolean; anchors: Record<string, { nat: PfRecord[]; rules: PfRecord[]; [k: string]: unknown }> }

const LIBRARY_ANCHORS = 'cdktf-freebsd-jails';
const HOOK = new RegExp(`^(nat-anchor|rdr-anchor|anchor) "${LIBRARY_ANCHORS}/\\*"`);

/** /etc/pf.conf without the library's hooks block (what the administrator wrote, byte for byte). */
export function adminPfConf(host: FakeHost): string {
  const out: string[] = [];
  let inBlock = false;
  for (const line of host.readFile('/etc/pf.conf').split(/(?<=\n)/)) {
    if (line === `# BEGIN ${LIBRARY_ANCHORS} pf-anchors\n`) { inBlock = true; continue; }
    if (inBlock) { if (line === `# END ${LIBRARY_ANCHORS} pf-anchors\n`) inBlock = false; continue; }
    out.push(line);
  }
  return out.join('');
}

/**
 * The administrator's pf: their pf.conf and their loaded rules (every anchor not under the
 * library's, the main ruleset without the library's three hooks). Whether pf runs is not part
 * of it: PfNat enables pf and disables it again on destroy (scenarios-pf asserts that).
 */
export function adminPf(host: FakeHost, pf: PfState): { pfConf: string; pf: Record<string, unknown> } {
  const anchors = Object.entries(pf.anchors)
    .filter(([name]) => name !== LIBRARY_ANCHORS && !name.startsWith(`${LIBRARY_ANCHORS}/`))
    .map(([name, a]) => [name, { ...a, nat: a.nat.filter((r) => !HOOK.test(r.text)), rules: a.rules.filter((r) => !HOOK.test(r.text)) }]);
  return { pfConf: adminPfConf(host), pf: Object.fromEntries(anchors) };
}
