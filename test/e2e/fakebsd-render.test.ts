// The renderers' output on the fake host: what PfNat and DevfsRuleset will write and run is
// what FreeBSD (as strict as the fake models it) accepts, and does what the renderer says.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { devfsRuleArguments, devfsShowText, renderDevfsRuleset } from '../../lib/render/devfsrules';
import { shellCommand, shellQuote } from '../../lib/shell/quote';
import { NOTEBOOK_DEVFS_RULESETS } from '../support/devfsrules';
import { pfAnchorFor, renderPfAnchorRules } from '../../lib/render/pfconf';
import { pfHookLines, pfHookMarkers, pfHooksAwk } from '../support/helper';
import { F, shimsAt } from './fakebsd-support';

let root: string;
const { ok, write } = shimsAt(() => root);

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fakebsd-render-'));
  F.initHost(root, {});
  F.installShims(root, { only: ['pfctl', 'devfs'], nodePath: process.execPath });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** Run a rendered command line with the shims first on PATH, as a step script would. */
function run(cmd: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8', cwd: root, env: { ...process.env, PATH: `${root}/sbin:/usr/bin:/bin`, FAKEBSD_ROOT: root } });
}

const ADMIN_PF = 'ext_if = "em0"\nset skip on lo0\nblock in all\npass in on $ext_if proto tcp to port 22\npass out all keep state\n';

function hook(text: string): string {
  const { begin, end } = pfHookMarkers();
  const r = spawnSync('awk', [pfHooksAwk()], { input: text, encoding: 'utf8', env: { ...process.env, BEGIN_LINE: begin, END_LINE: end, HOOKS: pfHookLines().join('\n') } });
  return r.stdout;
}

const NOTEBOOK_ANCHOR_RULES = renderPfAnchorRules({
  macros: [{ name: 'XIF', value: 'em0' }],
  nat: [{ interface: '$XIF', family: 'inet', source: '127.1.1.0/24', translation: { interface: '$XIF' } }],
  redirects: [{ interface: '$XIF', family: 'inet', protocol: 'tcp', destination: { interface: '$XIF' }, ports: 8080, target: '127.1.1.4', log: true }],
});

describe('pf', () => {
  test("the library's hooks in the admin's pf.conf, its rules in its anchor, flushed alone", () => {
    write('/etc/pf.conf', hook(ADMIN_PF));
    ok('pfctl', '-nf', '/etc/pf.conf');
    ok('pfctl', '-f', '/etc/pf.conf');
    const anchor = pfAnchorFor('notebook');
    write('/tmp/nb.pf', NOTEBOOK_ANCHOR_RULES);
    ok('pfctl', '-a', anchor, '-nf', '/tmp/nb.pf');
    expect(ok('pfctl', '-a', anchor, '-s', 'nat')).toBe('');
    ok('pfctl', '-a', anchor, '-f', '/tmp/nb.pf');
    expect(ok('pfctl', '-a', anchor, '-s', 'nat')).toBe('nat on em0 inet from 127.1.1.0/24 to any -> (em0)\nrdr pass log on em0 inet proto tcp to (em0) port 8080 -> 127.1.1.4\n');
    expect(ok('pfctl', '-s', 'Anchors')).toBe('  cdktf-freebsd-jails\n');
    expect(ok('pfctl', '-a', 'cdktf-freebsd-jails', '-s', 'Anchors')).toBe(`  ${anchor}\n`);
    const admin = ok('pfctl', '-s', 'rules');
    ok('pfctl', '-a', anchor, '-F', 'all');
    expect(ok('pfctl', '-a', anchor, '-s', 'nat')).toBe('');
    expect(ok('pfctl', '-s', 'rules')).toBe(admin);
  });

  test('the anchor commands: check refuses a bad file, save and load bring the running rules back', () => {
    write('/etc/pf.conf', hook(ADMIN_PF));
    ok('pfctl', '-f', '/etc/pf.conf');
    // pfctl(8) lines for one anchor, as the helper's pf module runs them.
    const a = (...w: string[]) => shellCommand('pfctl', '-a', pfAnchorFor('nb'), ...w);
    const cmds = {
      check: (file: string) => a('-n', '-f', file),
      load: (file: string) => a('-f', file),
      save: (file: string) => `{ ${a('-s', 'nat')} && ${a('-s', 'rules')}; } > ${shellQuote(file)}`,
      flush: a('-F', 'all'),
    };
    write('/tmp/nb.pf', NOTEBOOK_ANCHOR_RULES);
    write('/tmp/bad.pf', 'pass all\nnat on em0 from any to any -> (em0)\n');
    expect(run(cmds.check('/tmp/nb.pf')).status).toBe(0);
    expect(run(cmds.check('/tmp/bad.pf'))).toMatchObject({ status: 1, stderr: expect.stringContaining('pf rules not loaded') });
    expect(run(cmds.load('/tmp/nb.pf')).status).toBe(0);
    const running = F.readState(root).pf.anchors[pfAnchorFor('nb')];
    // sh's redirection writes the real path here (the rig's namespace makes the fake root /).
    expect(run(cmds.save(path.join(root, 'tmp/saved.pf')))).toMatchObject({ status: 0, stderr: '' });
    expect(run(cmds.load('/tmp/bad.pf')).status).toBe(1);
    expect(F.readState(root).pf.anchors[pfAnchorFor('nb')]).toEqual(running);
    expect(run(cmds.flush).status).toBe(0);
    expect(ok('pfctl', '-a', pfAnchorFor('nb'), '-s', 'nat')).toBe('');
    expect(run(cmds.load('/tmp/saved.pf')).status).toBe(0);
    expect(F.readState(root).pf.anchors[pfAnchorFor('nb')]).toEqual(running);
  });
});

describe('devfs', () => {
  test("the rules' words load as the helper adds them and show what devfsShowText says", () => {
    for (const rs of NOTEBOOK_DEVFS_RULESETS) {
      const n = String(rs.number);
      for (const cmd of [shellCommand('devfs', 'rule', '-s', n, 'delset'), ...devfsRuleArguments(rs).map((a) => shellCommand('devfs', 'rule', '-s', n, 'add', ...a.split(' ')))]) {
        const r = run(cmd);
        expect([cmd, r.status, r.stderr]).toEqual([cmd, 0, '']);
      }
      expect(ok('devfs', 'rule', '-s', String(rs.number), 'show')).toBe(devfsShowText(rs));
    }
    expect(ok('devfs', 'rule', '-s', '10', 'show')).toBe('100 include 4\n200 path bpf* unhide\n');
  });
  test("the notebook's rulesets, rendered, load through service devfs restart", () => {
    write('/etc/devfs.rules', NOTEBOOK_DEVFS_RULESETS.map(renderDevfsRuleset).join('\n\n') + '\n');
    ok('service', 'devfs', 'restart');
    expect(ok('devfs', 'rule', '-s', '11', 'show')).toBe('100 include 4\n200 path tun* unhide\n');
  });

});
