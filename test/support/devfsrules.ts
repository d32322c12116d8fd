import { DevfsRulesetSpec } from '../../lib/render/devfsrules';
/** Reading /etc/devfs.rules back in tests. */

/** devfs.rules(5) read as rc.subr does: headers, then rule lines with $names expanded and quotes removed. */
export function parseDevfsRules(text: string): Array<{ name: string; number: number; rules: string[][] }> {
  const names: Record<string, number> = { devfsrules_hide_all: 1, devfsrules_unhide_basic: 2, devfsrules_unhide_login: 3, devfsrules_jail: 4, devfsrules_jail_vnet: 5 };
  const sets: Array<{ name: string; number: number; rules: string[][] }> = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const h = /^\[([A-Za-z_][A-Za-z0-9_]*)=(\d+)\]$/.exec(line);
    if (h) {
      names[h[1]] = Number(h[2]);
      sets.push({ name: h[1], number: Number(h[2]), rules: [] });
      continue;
    }
    if (!sets.length) throw new Error(`rule before any ruleset: ${line}`);
    const words = (line.match(/'[^']*'|\S+/g) ?? []).map((w) => {
      if (w.startsWith("'")) return w.slice(1, -1);
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(w);
      if (m) {
        if (names[m[1]] === undefined) throw new Error(`unknown ruleset name ${w}`);
        return String(names[m[1]]);
      }
      if (/[*?[]/.test(w)) throw new Error(`unquoted glob ${w} would be expanded by sh`);
      return w;
    });
    sets[sets.length - 1].rules.push(words);
  }
  return sets;
}

/** The notebook's rulesets for its VNET lab (tcpdump needs bpf, the VPN routers tun). */
export const NOTEBOOK_DEVFS_RULESETS: readonly DevfsRulesetSpec[] = [
  { name: 'devfsrules_bpfjail', number: 10, includes: [4], unhide: ['bpf*'] },
  { name: 'devfsrules_tunjail', number: 11, includes: [4], unhide: ['tun*'] },
];
