/**
 * The host helper's prune actions (lib/shell/prune.ts) and its one owner claim (owner_claim),
 * run for real by /bin/sh with the helper's state, /etc/pf.conf, /etc/devfs.rules and the
 * rules directory moved into a temporary directory, and logging stand-ins for pfctl, devfs,
 * ngctl and ifconfig. Asserts files and the commands run: exactly the claims of the scope that
 * are not kept go, by their kind's destroy code; other scopes, a scope that only starts like
 * ours, owners that only start like a kept one, and the administrator's lines are left byte for
 * byte; a second run changes nothing. The fake FreeBSD host runs the same actions end to end
 * (test/e2e/scenarios-prune.test.ts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DEVFS_RULES_FILE, HOST_HELPER_PROGRAM, PRUNE_STATE_DIR, SCRIPT_PATH, SETTINGS_CHANGES_FILE_NAME, SETTINGS_STATE_DIR, STATE_DIR, VNET_CLAIM_DIR } from '../../lib/shell';
import { PF_CONF, PF_RULES_DIR, PF_STATE_DIR } from '../../lib/shell/names';
import { haveCommand, tempDir } from '../support/sh';

/** Logging stand-ins; each answers only what the actions ask. */
const FAKES: Record<string, string> = {
  lockf: 'while getopts kst: opt; do :; done\nshift $((OPTIND - 1))\nf=$(basename "$1"); shift\nexec flock "$RIG/$f" "$@"',
  // sbin/pfctl/pfctl.c: -s info prints "Status: ..."; -n -f parses only; nothing runs here.
  // A flush fails while $RIG/fail-flush exists (a fault, to check convergence).
  // A check (-n -f FILE) fails while $RIG/fail-check exists (a pf.conf pfctl rejects).
  pfctl: 'echo "pfctl $*" >> "$RIG/log"\ncase "$*" in "-s info") echo "Status: Enabled" ;; *"-F all") [ ! -e "$RIG/fail-flush" ] || exit 1 ;; "-n -f "*) [ ! -e "$RIG/fail-check" ] || exit 1 ;; esac\nexit 0',
  // sbin/devfs/rule.c: `rule -s N show` prints the set's rules (none here), delset deletes it.
  devfs: 'echo "devfs $*" >> "$RIG/log"',
  // usr.sbin/ngctl: `info PATH` fails for a node that does not exist; show lists its hooks.
  ngctl: 'echo "ngctl $*" >> "$RIG/log"\ncase "$1" in info) [ -e "$RIG/ng.${2%:}" ] ;; show) : ;; shutdown) rm -f "$RIG/ng.${2%:}" ;; esac',
  // sbin/ifconfig: an interface that does not exist is an error.
  ifconfig: 'echo "ifconfig $*" >> "$RIG/log"\nexit 1',
  kill: ':',
  // usr.sbin/sysrc: -x removes a variable (what settings-undo runs here); logged only.
  sysrc: 'echo "sysrc $*" >> "$RIG/log"',
};

interface PruneRig {
  dir: string;
  state: string;
  pfConf: string;
  devfsRules: string;
  run(...args: string[]): { status: number; stdout: string; stderr: string };
  calls(): string[];
  clearCalls(): void;
}

function rig(): PruneRig {
  const dir = tempDir('cdktf-prune-');
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  for (const [name, body] of Object.entries(FAKES)) fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  const state = path.join(dir, 'state');
  const pfConf = path.join(dir, 'pf.conf');
  const devfsRules = path.join(dir, 'devfs.rules');
  // The longest paths first: PF_RULES_DIR holds no other, STATE_DIR is in PF_STATE_DIR and VNET_CLAIM_DIR.
  let text = HOST_HELPER_PROGRAM.replace(`PATH=${SCRIPT_PATH}\n`, `PATH=${bin}:${SCRIPT_PATH}\n`);
  for (const [from, to] of [[PF_RULES_DIR, path.join(dir, 'rules')], [STATE_DIR, state], [PF_CONF, pfConf], [DEVFS_RULES_FILE, devfsRules]]) text = text.split(from).join(to);
  for (const p of [STATE_DIR, PF_CONF, DEVFS_RULES_FILE, PF_RULES_DIR]) expect(text).not.toContain(p);
  const helper = path.join(dir, 'helper-1');
  fs.writeFileSync(helper, text, { mode: 0o755 });
  const log = path.join(dir, 'log');
  return {
    dir, state, pfConf, devfsRules,
    run: (...args) => {
      const r = spawnSync(helper, args, { encoding: 'utf8', env: { ...process.env, RIG: dir } });
      return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
    clearCalls: () => fs.rmSync(log, { force: true }),
  };
}

const t = haveCommand('flock') ? test : test.skip;
const read = (f: string) => fs.readFileSync(f, 'utf8');

describe('host helper: owner_claim', () => {
  t('pf-claim, pf-conf-claim and vnet-claim share it: once for an owner, silent when held by it, another owner refused in the kind\'s own words with the file kept', () => {
    const h = rig();
    const pfState = PF_STATE_DIR.replace(STATE_DIR, h.state);
    const anchorRecord = path.join(pfState, 'cdktf-freebsd-jails_web.owner');
    const first = h.run('pf-claim', 'cdktf-freebsd-jails/web', '/r/web.conf', 'lab:s/web');
    expect([first.status, first.stdout]).toEqual([0, '==> pf anchor cdktf-freebsd-jails/web (rules in /r/web.conf) claimed for lab:s/web\n']);
    expect(read(anchorRecord)).toBe('lab:s/web\n');
    expect(h.run('pf-claim', 'cdktf-freebsd-jails/web', '/r/web.conf', 'lab:s/web')).toEqual({ status: 0, stdout: '', stderr: '' });
    // An owner that starts like the holder is another owner.
    expect(h.run('pf-claim', 'cdktf-freebsd-jails/web', '/r/web.conf', 'lab:s/we')).toEqual({ status: 1, stdout: '', stderr: 'helper-1: error: pf anchor cdktf-freebsd-jails/web belongs to lab:s/web, not lab:s/we; refused\n' });
    expect(read(anchorRecord)).toBe('lab:s/web\n');
    expect(fs.readdirSync(pfState).sort()).toEqual(['cdktf-freebsd-jails_web.owner']);

    // Whole-file: refused while an anchor is hooked; the original file is kept on the first claim only.
    expect(h.run('pf-remove', 'cdktf-freebsd-jails/web', '/r/web.conf', 'lab:s/web').status).toBe(0);
    fs.writeFileSync(h.pfConf, 'pass all\n');
    const conf = h.run('pf-conf-claim', 'lab:s/pf');
    expect([conf.status, conf.stdout]).toEqual([0, `==> ${h.pfConf} claimed for lab:s/pf (the file that was there is kept, for destroy)\n`]);
    fs.writeFileSync(h.pfConf, 'block all\n');
    expect(h.run('pf-conf-claim', 'lab:s/pf')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(read(path.join(pfState, `${h.pfConf.replace(/\//g, '_')}.original`))).toBe('pass all\n');
    expect(h.run('pf-conf-claim', 'other:s/pf').stderr).toBe(`helper-1: error: ${h.pfConf} is written by lab:s/pf, not other:s/pf; refused\n`);

    const vnet = h.run('vnet-claim', 'vi1', 'lab:s/vi1');
    expect([vnet.status, vnet.stdout]).toEqual([0, '==> switch vi1 claimed for lab:s/vi1\n']);
    const vnetRecord = path.join(VNET_CLAIM_DIR.replace(STATE_DIR, h.state), 'vi1.owner');
    expect(read(vnetRecord)).toBe('lab:s/vi1\n');
    expect(h.run('vnet-claim', 'vi1', 'lab:s/vi1')).toEqual({ status: 0, stdout: '', stderr: '' });
    // Each action keeps its usage check.
    for (const args of [['vnet-claim', 'vi1'], ['pf-claim', 'a', 'b'], ['pf-conf-claim'], ['claim', 'lab']]) expect([args, h.run(...args).status]).toEqual([args, 64]);
    expect(h.run('vnet-claim', 'vi1', 'lab:s/vi2').stderr).toBe(`helper-1: error: switch vi1 on this host belongs to lab:s/vi1, not to lab:s/vi2: give this switch another name, or destroy the other first; if nothing owns it any more, remove ${vnetRecord}\n`);
  });
});

describe('host helper: prune of claims', () => {
  t('pf-remove: pf.conf loses the anchor\'s load line before the anchor\'s file goes; a rewrite pfctl rejects leaves both, and the next run finishes', () => {
    const h = rig();
    const file = path.join(h.dir, 'rules', 'web.conf');
    expect(h.run('pf-claim', 'cdktf-freebsd-jails/web', file, 'lab:s/web').status).toBe(0);
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, 'nat on em0 from 10.0.0.0/24 to any -> (em0)\n');
    fs.writeFileSync(h.pfConf, 'pass all\n');
    fs.writeFileSync(path.join(PF_STATE_DIR.replace(STATE_DIR, h.state), 'anchors'), `cdktf-freebsd-jails/web ${file}\n`);
    expect(h.run('pf-hooks').status).toBe(0);
    const load = `load anchor "cdktf-freebsd-jails/web" from "${file}"`;
    expect(read(h.pfConf)).toContain(load);
    fs.writeFileSync(path.join(h.dir, 'fail-check'), '');
    const failed = h.run('pf-remove', 'cdktf-freebsd-jails/web', file, 'lab:s/web');
    expect(failed.status).toBe(1);
    // Boot's pfctl -f /etc/pf.conf still finds the file its load line names.
    expect([read(h.pfConf).includes(load), fs.existsSync(file)]).toEqual([true, true]);
    fs.rmSync(path.join(h.dir, 'fail-check'));
    expect(h.run('pf-remove', 'cdktf-freebsd-jails/web', file, 'lab:s/web').status).toBe(0);
    expect([read(h.pfConf), fs.existsSync(file)]).toEqual(['pass all\n', false]);
  });

  t('pf-prune: the anchors of the scope not kept are removed as pf-remove does; other scopes, look-alike scopes and owners stay', () => {
    const h = rig();
    const claims: Array<[string, string]> = [
      ['a', 'lab:s/a'], // kept
      ['b', 'lab:s/b'], // pruned
      ['ax', 'lab:s/a/x'], // starts like a kept owner: pruned
      ['c', 'other:s/c'], // another app
      ['d', 'lab2:s/d'], // a scope that starts like ours
    ];
    for (const [name, owner] of claims) {
      expect(h.run('pf-claim', `cdktf-freebsd-jails/${name}`, `${h.dir}/rules/${name}.conf`, owner).status).toBe(0);
    }
    // Two were loaded (pf-apply records them for the hooks block); b's rules file lives elsewhere.
    const pfState = PF_STATE_DIR.replace(STATE_DIR, h.state);
    fs.writeFileSync(path.join(pfState, 'anchors'), `cdktf-freebsd-jails/a ${h.dir}/rules/a.conf\ncdktf-freebsd-jails/b ${h.dir}/elsewhere/b.conf\n`);
    fs.mkdirSync(path.join(h.dir, 'elsewhere'));
    fs.writeFileSync(path.join(h.dir, 'elsewhere', 'b.conf'), 'pass\n');
    fs.writeFileSync(h.pfConf, "# the administrator's\npass all\n");
    h.clearCalls();

    const r = h.run('pf-prune', 'lab', 'lab:s/a');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('==> pruning pf anchor cdktf-freebsd-jails/b of lab:s/b: no longer in the app\n');
    expect(r.stdout).toContain('==> pruning pf anchor cdktf-freebsd-jails/ax of lab:s/a/x: no longer in the app\n');
    expect(h.calls().filter((c) => c.includes('-F all'))).toEqual(['pfctl -a cdktf-freebsd-jails/ax -F all', 'pfctl -a cdktf-freebsd-jails/b -F all']);
    expect(fs.readdirSync(pfState).filter((f) => f.endsWith('.owner')).sort()).toEqual(['cdktf-freebsd-jails_a.owner', 'cdktf-freebsd-jails_c.owner', 'cdktf-freebsd-jails_d.owner']);
    expect(read(path.join(pfState, 'anchors'))).toBe(`cdktf-freebsd-jails/a ${h.dir}/rules/a.conf\n`);
    expect(fs.existsSync(path.join(h.dir, 'elsewhere', 'b.conf'))).toBe(false);
    // The administrator's lines stay; the hooks block loads a, and only a.
    expect(read(h.pfConf)).toBe([
      "# the administrator's", '# BEGIN cdktf-freebsd-jails pf-anchors', 'nat-anchor "cdktf-freebsd-jails/*"', 'rdr-anchor "cdktf-freebsd-jails/*"', 'anchor "cdktf-freebsd-jails/*"',
      `load anchor "cdktf-freebsd-jails/a" from "${h.dir}/rules/a.conf"`, '# END cdktf-freebsd-jails pf-anchors', 'pass all', '',
    ].join('\n'));

    h.clearCalls();
    expect(h.run('pf-prune', 'lab', 'lab:s/a')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(h.calls()).toEqual([]);
    // Everything of the scope kept: nothing goes; an empty keep-list prunes the rest of it.
    expect(h.run('pf-prune', 'lab').stdout).toBe(`==> pruning pf anchor cdktf-freebsd-jails/a of lab:s/a: no longer in the app\n==> flushing anchor cdktf-freebsd-jails/a\n==> ${h.pfConf}: hooks removed\n`);
    expect(fs.readdirSync(pfState).filter((f) => f.endsWith('.owner')).sort()).toEqual(['cdktf-freebsd-jails_c.owner', 'cdktf-freebsd-jails_d.owner']);
    expect(read(h.pfConf)).toBe("# the administrator's\npass all\n");
  });

  t('pf-prune: a run that fails half way (the flush) keeps the claim; the next run removes the anchor', () => {
    const h = rig();
    const pfState = PF_STATE_DIR.replace(STATE_DIR, h.state);
    expect(h.run('pf-claim', 'cdktf-freebsd-jails/b', `${h.dir}/rules/b.conf`, 'lab:s/b').status).toBe(0);
    fs.writeFileSync(path.join(h.dir, 'fail-flush'), '');
    expect(h.run('pf-prune', 'lab').status).not.toBe(0);
    expect(read(path.join(pfState, 'cdktf-freebsd-jails_b.owner'))).toBe('lab:s/b\n');
    fs.rmSync(path.join(h.dir, 'fail-flush'));
    h.clearCalls();
    expect(h.run('pf-prune', 'lab').status).toBe(0);
    expect(h.calls().filter((c) => c.includes('-F all'))).toEqual(['pfctl -a cdktf-freebsd-jails/b -F all']);
    expect(fs.existsSync(pfState)).toBe(false);
  });

  t('pf-prune: a whole-file pf.conf of the scope not kept is put back as pf-conf-remove does; kept or another scope\'s, it stays', () => {
    const h = rig();
    fs.writeFileSync(h.pfConf, "# the administrator's\npass all\n");
    expect(h.run('pf-conf-claim', 'lab:s/pf').status).toBe(0);
    fs.writeFileSync(h.pfConf, 'written whole\n');
    expect(h.run('pf-prune', 'lab', 'lab:s/pf')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(h.run('pf-prune', 'other', 'other:s/pf')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(read(h.pfConf)).toBe('written whole\n');
    const r = h.run('pf-prune', 'lab');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`==> pruning ${h.pfConf} written whole by lab:s/pf: no longer in the app\n`);
    expect(read(h.pfConf)).toBe("# the administrator's\npass all\n");
    expect(fs.existsSync(PF_STATE_DIR.replace(STATE_DIR, h.state))).toBe(false);
  });

  t('devfs-ruleset-prune: the blocks of the scope whose number is not kept are unloaded and removed; every other line stays', () => {
    const h = rig();
    const block = (n: number, scope: string) => `# BEGIN cdktf-freebsd-jails devfs ruleset ${n} of ${scope}\n[r${n}=${n}]\nadd path 'bpf*' unhide\n# END cdktf-freebsd-jails devfs ruleset ${n} of ${scope}\n`;
    const admin = "# the administrator's\n[mine=7]\nadd include $devfsrules_jail\n";
    fs.writeFileSync(h.devfsRules, admin + block(10, 'lab') + block(11, 'lab') + block(12, 'lab2') + block(13, 'other') + block(110, 'lab'));
    const r = h.run('devfs-ruleset-prune', 'lab', '10', '1');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('==> pruning devfs ruleset 11 of lab: no longer in the app\n==> unloading devfs ruleset 11\n==> pruning devfs ruleset 110 of lab: no longer in the app\n==> unloading devfs ruleset 110\n');
    expect(h.calls()).toEqual(['devfs rule -s 11 delset', 'devfs rule -s 110 delset']);
    expect(read(h.devfsRules)).toBe(admin + block(10, 'lab') + block(12, 'lab2') + block(13, 'other'));
    h.clearCalls();
    expect(h.run('devfs-ruleset-prune', 'lab', '10')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(h.calls()).toEqual([]);
  });

  t('vnet-prune: the switches of the scope not kept are released as vnet-release does, by the backend whose bridge exists; the others stay', () => {
    const h = rig();
    for (const [net, owner] of [['vi1', 'lab:s/vi1'], ['vi2', 'lab:s/vi2'], ['vi3', 'other:s/vi3'], ['vi4', 'lab:s/vi1x'], ['vi5', 'lab2:s/vi5']]) {
      expect(h.run('vnet-claim', net, owner).status).toBe(0);
    }
    // vi2's netgraph bridge is still there (no jail interface left on it); vi4 has none any more.
    for (const n of ['vi1br', 'vi2br', 'vi3br']) fs.writeFileSync(path.join(h.dir, `ng.${n}`), '');
    h.clearCalls();
    const r = h.run('vnet-prune', 'lab', 'lab:s/vi1');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe([
      '==> pruning switch vi2 of lab:s/vi2 (netgraph): no longer in the app',
      '==> switch vi2br: no jail interface left, removing the switch',
      '==> switch vi2 given up by lab:s/vi2',
      '==> pruning switch vi4 of lab:s/vi1x (if_bridge): no longer in the app',
      '==> switch vi4 given up by lab:s/vi1x',
      '',
    ].join('\n'));
    expect(h.calls().filter((c) => /shutdown|destroy/.test(c))).toEqual(['ngctl shutdown vi2br:']);
    const dir = VNET_CLAIM_DIR.replace(STATE_DIR, h.state);
    expect(fs.readdirSync(dir).sort()).toEqual(['vi1.owner', 'vi3.owner', 'vi5.owner']);
    expect(['vi1br', 'vi3br'].map((n) => fs.existsSync(path.join(h.dir, `ng.${n}`)))).toEqual([true, true]);
    h.clearCalls();
    expect(h.run('vnet-prune', 'lab', 'lab:s/vi1')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(h.calls().filter((c) => /shutdown|destroy/.test(c))).toEqual([]);
  });

  t('a claim file that holds no owner mark of the scope (empty, the bare scope), or whose name is no name of ours, is never pruned', () => {
    const h = rig();
    const dir = VNET_CLAIM_DIR.replace(STATE_DIR, h.state);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'vi1.owner'), '');
    fs.writeFileSync(path.join(dir, 'vi2.owner'), 'lab\n');
    // A file no claim of ours could be (its name is no switch name): never read as one.
    fs.writeFileSync(path.join(dir, 'v i*.owner'), 'lab:s/x\n');
    expect(h.run('vnet-prune', 'lab')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(fs.readdirSync(dir).sort()).toEqual(['v i*.owner', 'vi1.owner', 'vi2.owner']);
  });

  t('settings-prune: only state files this scope kept before and keeps no more are undone (settings other owners hold stay); the record goes with the scope\'s claim', () => {
    const h = rig();
    const dir = SETTINGS_STATE_DIR.replace(STATE_DIR, h.state);
    const record = path.join(PRUNE_STATE_DIR.replace(STATE_DIR, h.state), 'lab.settings');
    const [s1, s2, s3] = ['aaaa', 'bbbb', 'cccc'].map((d) => path.join(dir, `${d}.state`));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(s1, 'hold rc jail_enable YES\n');
    fs.writeFileSync(s2, 'hold rc pf_enable YES\n');
    // Another scope's (or an earlier version's) holder of jail_enable: never in lab's record.
    fs.writeFileSync(s3, 'hold rc jail_enable YES\n');
    fs.writeFileSync(path.join(dir, SETTINGS_CHANGES_FILE_NAME), 'rc jail_enable YES rc_set jail_enable\nrc pf_enable YES rc_set pf_enable\n');
    // The first run knows nothing yet: it only records what it keeps.
    expect(h.run('settings-prune', 'lab', s1, s2)).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(read(record)).toBe(`${s1}\n${s2}\n`);
    expect(h.calls()).toEqual([]);

    const r = h.run('settings-prune', 'lab', s1);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`==> pruning host settings ${s2} of lab: no longer in the app\n==> host settings that other owners still hold are kept\n`);
    expect(h.calls()).toEqual(['sysrc -x pf_enable']);
    expect([s1, s2, s3].map((f) => fs.existsSync(f))).toEqual([true, false, true]);
    expect(read(record)).toBe(`${s1}\n`);
    h.clearCalls();
    expect(h.run('settings-prune', 'lab', s1)).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(h.calls()).toEqual([]);

    // The last one out: jail_enable stays, s3 still holds it; the record goes.
    expect(h.run('settings-prune', 'lab').stdout).toBe(`==> pruning host settings ${s1} of lab: no longer in the app\n==> host settings that other owners still hold are kept\n`);
    expect(h.calls()).toEqual([]);
    expect([s1, s3].map((f) => fs.existsSync(f))).toEqual([false, true]);
    expect(fs.existsSync(path.dirname(record))).toBe(false);

    // A line that is no settings state file is never acted on; unclaim takes the record with the claim.
    fs.mkdirSync(path.dirname(record));
    fs.writeFileSync(record, `${h.dir}/elsewhere.state\n${s3}x\n`);
    expect(h.run('settings-prune', 'lab', s3)).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(h.run('claim', 'lab', '111').status).toBe(0);
    expect(h.run('unclaim', 'lab', '222').status).toBe(0);
    expect(read(record)).toBe(`${s3}\n`);
    expect(h.run('unclaim', 'lab', '111').status).toBe(0);
    expect(fs.existsSync(record)).toBe(false);
    expect(fs.existsSync(s3)).toBe(true);
  });
});
