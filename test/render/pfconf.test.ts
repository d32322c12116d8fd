import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  PfConf, PfRuleset, pfAnchorFor, renderPfAnchorRules, renderPfConf,
} from '../../lib/render/pfconf';
import { PF_ANCHOR_ROOT } from '../../lib/shell/names';
import { pfHookLines, pfHookMarkers, pfHooksAwk } from '../support/helper';
import { NOTEBOOK_PF_CONF } from '../support/notebook-pf';
import { checkOrder, parsePf, rulesOf } from '../support/pfparse';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fakePfctl = require('../e2e/fakebsd/commands/pfctl');


/** The notebook's rules as typed values: what a PfNat construct will hand the renderer. */
const NOTEBOOK_RULES: PfRuleset = {
  macros: [
    { name: 'XIF', value: 'em0' },
    { name: 'JAILNET_V4', value: '127.1.1.0/24' },
    { name: 'JAILNET_V6', value: 'fd00:1:1:1::0/64' },
    { name: 'EXT_V6ADDR', value: '2001:db8::1' },
  ],
  nat: [
    { interface: '$XIF', family: 'inet', source: '$JAILNET_V4', translation: { interface: '$XIF' } },
    { interface: '$XIF', family: 'inet6', source: '$JAILNET_V6', translation: { address: '$EXT_V6ADDR' } },
  ],
  redirects: [
    { interface: '$XIF', family: 'inet', protocol: 'tcp', destination: { interface: '$XIF' }, ports: 8080, target: '127.1.1.4', log: true },
    { interface: '$XIF', family: 'inet6', protocol: 'tcp', destination: { address: '$EXT_V6ADDR' }, ports: 8080, target: 'fd00:1:1:1::4', log: true },
  ],
};

const fakeCheck = (text: string) => fakePfctl.parse(text, 'pf.conf');

describe('whole-file mode', () => {
  test('the notebook pf.conf is reproduced rule by rule, and byte for byte', () => {
    const text = renderPfConf(NOTEBOOK_RULES);
    const mine = parsePf(text);
    const notebook = parsePf(NOTEBOOK_PF_CONF);
    expect(mine.macros).toEqual(notebook.macros);
    expect(mine.statements.map((s) => s.text)).toEqual(notebook.statements.map((s) => s.text));
    expect(rulesOf(mine)).toEqual(rulesOf(notebook));
    expect(text).toBe(NOTEBOOK_PF_CONF);
  });

  test('each rule after macro expansion', () => {
    const p = parsePf(renderPfConf(NOTEBOOK_RULES));
    expect(rulesOf(p)).toEqual([
      { kind: 'nat', interface: 'em0', family: 'inet', from: '127.1.1.0/24', to: 'any', target: '(em0)' },
      { kind: 'nat', interface: 'em0', family: 'inet6', from: 'fd00:1:1:1::0/64', to: 'any', target: '2001:db8::1' },
      { kind: 'rdr', pass: true, log: true, interface: 'em0', family: 'inet', proto: 'tcp', to: '(em0)', port: '8080', target: '127.1.1.4' },
      { kind: 'rdr', pass: true, log: true, interface: 'em0', family: 'inet6', proto: 'tcp', to: '2001:db8::1', port: '8080', target: 'fd00:1:1:1::4' },
    ]);
  });

  test('every category in pf.conf(5) order: options, normalization, translation, filtering', () => {
    const conf: PfConf = {
      ...NOTEBOOK_RULES,
      skipInterfaces: ['lo0', 'lo1'],
      blockPolicy: 'return',
      scrubIncoming: true,
      filters: [
        { action: 'block', direction: 'in', log: true, interface: '$XIF' },
        { action: 'pass', direction: 'in', quick: true, interface: '$XIF', family: 'inet', protocol: 'tcp', ports: 22 },
        { action: 'pass', direction: 'out' },
      ],
    };
    const text = renderPfConf(conf);
    const p = parsePf(text);
    expect(checkOrder(p)).toEqual(['options', 'options', 'normalization', 'translation', 'translation', 'translation', 'translation', 'filtering', 'filtering', 'filtering']);
    expect(p.statements.filter((s) => s.category === 'options').map((s) => s.text)).toEqual(['set skip on { lo0 lo1 }', 'set block-policy return']);
    expect(rulesOf(p).slice(4)).toEqual([
      { kind: 'block', direction: 'in', log: true, interface: 'em0', from: 'any', to: 'any' },
      { kind: 'pass', direction: 'in', quick: true, interface: 'em0', family: 'inet', proto: 'tcp', from: 'any', to: 'any', port: '22' },
      { kind: 'pass', direction: 'out', from: 'any', to: 'any' },
    ]);
    expect(() => fakeCheck(text)).not.toThrow();
  });

  test('port ranges: a forward of a range onto a range of the same size', () => {
    const text = renderPfConf({
      redirects: [{ interface: 'em0', family: 'inet', protocol: 'udp', destination: { interface: 'em0' }, ports: { from: 60000, to: 60010 }, target: '127.1.1.2', targetPort: 50000, pass: false }],
    });
    expect(rulesOf(parsePf(text))).toEqual([
      { kind: 'rdr', interface: 'em0', family: 'inet', proto: 'udp', to: '(em0)', port: '60000:60010', target: '127.1.1.2', targetPort: '50000:*' },
    ]);
    expect(() => fakeCheck(text)).not.toThrow();
  });
});

describe('anchor mode', () => {
  test('the rules file: macros, translation, then filtering, nothing of the main ruleset', () => {
    const text = renderPfAnchorRules({ ...NOTEBOOK_RULES, filters: [{ action: 'pass', direction: 'out', interface: '$XIF', family: 'inet', from: '$JAILNET_V4' }] });
    const p = parsePf(text);
    expect(p.statements.map((s) => s.category)).toEqual(['macro', 'macro', 'macro', 'macro', 'translation', 'translation', 'translation', 'translation', 'filtering']);
    expect(rulesOf(p).map((r) => r.kind)).toEqual(['nat', 'nat', 'rdr', 'rdr', 'pass']);
    expect(rulesOf(p)[4]).toEqual({ kind: 'pass', direction: 'out', interface: 'em0', family: 'inet', from: '127.1.1.0/24', to: 'any' });
    expect(rulesOf(p).slice(0, 4)).toEqual(rulesOf(parsePf(NOTEBOOK_PF_CONF)));
    expect(text).not.toMatch(/^(set|scrub)/m);
    expect(() => fakeCheck(text)).not.toThrow();
  });

  test('anchors live under the library root; the helper hooks point at all of them', () => {
    expect(pfAnchorFor('web')).toBe(`${PF_ANCHOR_ROOT}/web`);
    expect(pfHookLines()).toEqual([
      'nat-anchor "cdktf-freebsd-jails/*"',
      'rdr-anchor "cdktf-freebsd-jails/*"',
      'anchor "cdktf-freebsd-jails/*"',
    ]);
    expect(() => pfAnchorFor('_x')).toThrow(/not starting with _/);
    expect(() => pfAnchorFor('a//b')).toThrow(/single slashes/);
    expect(() => pfAnchorFor('a b')).toThrow(/"cdktf-freebsd-jails\/a b"/);
  });
});

/**
 * The program runs on the host under FreeBSD's awk (one-true-awk, Debian's original-awk):
 * every awk found here runs the cases, so a gawk or mawk extension would show.
 */
const AWKS = ['awk', 'original-awk', 'busybox'].filter((a) => spawnSync('sh', ['-c', `command -v ${a}`]).status === 0);

describe.each(AWKS)('hooks in an administrator pf.conf (pfHooksAwk() under %s)', (awk) => {
  const { begin, end } = pfHookMarkers();
  const block = [begin, ...pfHookLines(), end];
  const insert = (text: string, hooks = pfHookLines().join('\n')): string => {
    const r = spawnSync(awk, [...(awk === 'busybox' ? ['awk'] : []), pfHooksAwk()], { input: text, encoding: 'utf8', env: { ...process.env, BEGIN_LINE: begin, END_LINE: end, HOOKS: hooks } });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout;
  };
  /** The output without our block equals the input: the administrator's lines byte for byte. */
  const withoutBlock = (text: string) => {
    const l = text.split('\n');
    const i = l.indexOf(begin);
    return i < 0 ? text : [...l.slice(0, i), ...l.slice(i + block.length)].join('\n');
  };
  const hookLine = (text: string) => text.split('\n').indexOf(begin) + 1;

  const CASES: Record<string, { text: string; after: string | null }> = {
    'the notebook pf.conf: after the last rdr, before the filtering comment': { text: NOTEBOOK_PF_CONF, after: 'rdr pass log on $XIF inet6 proto tcp to $EXT_V6ADDR port 8080 -> fd00:1:1:1::4' },
    'options, scrub and filter rules, no translation: after scrub': {
      text: 'ext_if = "em0"\nset skip on lo0\nscrub in all\n\nblock in all\npass out all keep state\npass in on $ext_if proto tcp to port 22\n',
      after: 'scrub in all',
    },
    'only macros and filter rules: before the first filter rule': {
      text: 'ext_if = "em0"\n# my rules\nblock in log all\npass in on $ext_if proto tcp to port { 22 80 }\n',
      after: '# my rules',
    },
    'a nat rule continued over lines, a brace list over lines, an inline anchor': {
      text: 'table <ok> { 192.0.2.1 \\\n 192.0.2.2 }\nnat on em0 inet from 10.0.0.0/8 \\\n  to any -> (em0)\nanchor "admin" {\n  pass in proto tcp to port 22\n}\npass out all\n',
      after: '  to any -> (em0)',
    },
    'a comment mentioning pass after translation is no rule': { text: 'rdr on em0 proto tcp to port 80 -> 10.0.0.2 # pass it on\n# block later\npass all\n', after: 'rdr on em0 proto tcp to port 80 -> 10.0.0.2 # pass it on' },
    'an empty file: the block alone': { text: '', after: null },
  };

  test.each(Object.entries(CASES))('%s', (_name, { text, after }) => {
    const out = insert(text);
    expect(withoutBlock(out)).toBe(text === '' ? '' : text);
    const lines = out.split('\n');
    const at = lines.indexOf(begin);
    expect(lines.slice(at, at + block.length)).toEqual(block);
    if (after === null) expect(at).toBe(0);
    else expect(lines[at - 1]).toBe(after);
    // pfctl's order holds: the test parser and the fake pfctl both accept the result.
    expect(() => checkOrder(parsePf(out, { rules: false }))).not.toThrow();
    expect(() => fakeCheck(out)).not.toThrow();
    // Converged: a second run changes nothing.
    expect(insert(out)).toBe(out);
  });

  test('a block of ours in the wrong place is moved; empty hooks remove it and nothing else', () => {
    const admin = 'nat on em0 from 10.0.0.0/8 to any -> (em0)\npass all\n';
    const misplaced = admin + block.join('\n') + '\n';
    expect(() => checkOrder(parsePf(misplaced, { rules: false }))).toThrow(/Rules must be in order/);
    const fixed = insert(misplaced);
    expect(hookLine(fixed)).toBe(2);
    expect(withoutBlock(fixed)).toBe(admin);
    expect(insert(fixed, '')).toBe(admin);
  });

  // parse.y orders only some `set` options; an include splices its file in, order and all.
  describe('layouts parse.y accepts beyond the category order', () => {
    let dir: string;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfhooks-')); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, text: string) => { fs.writeFileSync(path.join(dir, name), text); return path.join(dir, name); };
    /** The hooks go in, the admin's lines stay, the fake pfctl (parse.y's order, includes read) accepts it, a second run changes nothing. */
    const accepted = (text: string): string[] => {
      expect(() => fakeCheck(text)).not.toThrow();
      const out = insert(text);
      expect(withoutBlock(out)).toBe(text);
      expect(() => fakeCheck(out)).not.toThrow();
      expect(insert(out)).toBe(out);
      return out.split('\n');
    };
    const placedAfter = (lines: string[]) => lines[lines.indexOf(begin) - 1];

    test('set skip, timeout, limit, state-policy after the filter rules: the block stays after the translation', () => {
      const lines = accepted('ext_if = "em0"\nset skip on lo0\nnat on $ext_if from 10.0.0.0/8 to any -> ($ext_if)\npass in all\n'
        + 'set skip on lo1\nset timeout { tcp.established 3600, interval 10 }\nset limit states 20000\nset state-policy if-bound\n');
      expect(placedAfter(lines)).toBe('nat on $ext_if from 10.0.0.0/8 to any -> ($ext_if)');
    });

    test('only filter rules, then late set options: the block goes before the first filter rule', () => {
      const lines = accepted('block in all\npass out all\nset skip on lo0\nset limit { states 10000, frags 5000 }\n');
      expect(lines.indexOf(begin)).toBe(0);
    });

    test('a pf.conf of includes: the block goes between the include of translation rules and the include of filter rules', () => {
      const nat = file('nat.conf', 'nat on $ext from 10.0.0.0/8 to any -> ($ext)\nrdr pass on $ext proto tcp to port 8080 -> 10.0.0.2\n');
      const filter = file('filter.conf', 'block in all\npass in on $ext proto tcp to port 22\n');
      const opts = file('options.conf', 'set block-policy return\nset skip on lo0\nscrub in all\n');
      const lines = accepted(`ext = "em0"\ninclude "${opts}"\ninclude "${nat}"\ninclude "${filter}"\nset limit states 20000\n`);
      expect(placedAfter(lines)).toBe(`include "${nat}"`);
    });

    test('includes of filter rules only, and of options only', () => {
      const filter = file('filter.conf', 'pass all\n');
      expect(accepted(`include "${filter}"\nset timeout interval 10\n`).indexOf(begin)).toBe(0);
      const opts = file('options.conf', 'set block-policy drop\n');
      const lines = accepted(`include "${opts}"\ninclude "${filter}"\n`);
      expect(placedAfter(lines)).toBe(`include "${opts}"`);
    });

    test('nested includes count at the line of the outer include', () => {
      const nat = file('nat.conf', 'nat on em0 from 10.0.0.0/8 to any -> (em0)\n');
      const outer = file('outer.conf', `set skip on lo0\ninclude "${nat}"\n`);
      const lines = accepted(`include "${outer}"\npass all\n`);
      expect(placedAfter(lines)).toBe(`include "${outer}"`);
    });

    test('an included file with both translation and filter rules: no place, the program says so (naming it) and prints nothing', () => {
      const mixed = file('rules.conf', 'nat on em0 from 10.0.0.0/8 to any -> (em0)\npass all\n');
      const text = `set skip on lo0\ninclude "${mixed}"\n`;
      expect(() => fakeCheck(text)).not.toThrow();
      const r = spawnSync(awk, [...(awk === 'busybox' ? ['awk'] : []), pfHooksAwk()], { input: text, encoding: 'utf8', env: { ...process.env, BEGIN_LINE: begin, END_LINE: end, HOOKS: pfHookLines().join('\n') } });
      expect([r.status, r.stdout]).toEqual([3, '']);
      expect(r.stderr).toContain(`line 2 includes ${mixed}, which holds both statements that must come before the hooks`);
      expect(r.stderr).toMatch(/Split the included file in two .* the hooks go between them\n$/);
      // Taking a block out needs no place: that still works.
      expect(insert(text, '')).toBe(text);
      // With the order check off (set require-order no), the block goes after it, and pfctl accepts that.
      expect(placedAfter(accepted(`set require-order no\ninclude "${mixed}"\n`))).toBe(`include "${mixed}"`);
    });
  });
});

describe('validation names the value', () => {
  const base = (patch: Partial<PfRuleset>): PfRuleset => ({ ...NOTEBOOK_RULES, ...patch });
  const cases: Array<[string, PfRuleset, RegExp]> = [
    ['interface over 15 characters', base({ nat: [{ interface: 'averyveryverylongif0', family: 'inet', source: '10.0.0.0/8', translation: { interface: 'em0' } }] }), /nat rule 1 interface: "averyveryverylongif0" must be 1 to 15 characters/],
    ['undefined macro', base({ nat: [{ interface: '$EXT', family: 'inet', source: '10.0.0.0/8', translation: { interface: 'em0' } }] }), /nat rule 1 interface: macro "\$EXT" is not defined/],
    ['network of the wrong family', base({ nat: [{ interface: 'em0', family: 'inet', source: '$JAILNET_V6', translation: { interface: 'em0' } }] }), /nat rule 1 source: \$JAILNET_V6 = "fd00:1:1:1::0\/64" is not an IPv4 network/],
    ['host bits set', base({ nat: [{ interface: 'em0', family: 'inet', source: '127.1.1.1/24', translation: { interface: 'em0' } }] }), /"127.1.1.1\/24" has host bits set/],
    ['prefix too long', base({ nat: [{ interface: 'em0', family: 'inet6', source: 'fd00::/129', translation: { address: '2001:db8::1' } }] }), /"fd00::\/129" has a prefix longer than 128/],
    ['translation address of the other family', base({ nat: [{ interface: 'em0', family: 'inet6', source: 'fd00::/64', translation: { address: '192.0.2.1' } }] }), /nat rule 1 translation: "192.0.2.1" is not an IPv6 address/],
    ['port 0', base({ redirects: [{ interface: 'em0', family: 'inet', protocol: 'tcp', destination: { interface: 'em0' }, ports: 0, target: '127.1.1.4' }] }), /port forward 1 ports: 0 must be a port/],
    ['port 65536', base({ redirects: [{ interface: 'em0', family: 'inet', protocol: 'tcp', destination: { interface: 'em0' }, ports: 65536, target: '127.1.1.4' }] }), /65536 must be a port/],
    ['range backwards', base({ redirects: [{ interface: 'em0', family: 'inet', protocol: 'tcp', destination: { interface: 'em0' }, ports: { from: 90, to: 80 }, target: '127.1.1.4' }] }), /"90:80" is a port range whose start is after its end/],
    ['target range past 65535', base({ redirects: [{ interface: 'em0', family: 'inet', protocol: 'tcp', destination: { interface: 'em0' }, ports: { from: 80, to: 90 }, target: '127.1.1.4', targetPort: 65530 }] }), /65530 maps 80:90 beyond 65535/],
    ['forward to a network', base({ redirects: [{ interface: 'em0', family: 'inet', protocol: 'tcp', destination: { interface: 'em0' }, ports: 80, target: '127.1.1.0/24' }] }), /port forward 1 target: "127.1.1.0\/24" is not an IPv4 or IPv6 address/],
    ['forward target of the other family', base({ redirects: [{ interface: 'em0', family: 'inet6', protocol: 'tcp', destination: { address: '2001:db8::1' }, ports: 80, target: '127.1.1.4' }] }), /port forward 1 target: "127.1.1.4" is not an IPv6 address/],
    ['bad macro name', base({ macros: [{ name: 'X-IF', value: 'em0' }] }), /"X-IF" must be a pf macro name/],
    ['macro value with a quote', base({ macros: [{ name: 'XIF', value: 'em0" pass all "' }] }), /pf macro XIF: .* must be a non-empty value/],
    ['macro twice', base({ macros: [{ name: 'XIF', value: 'em0' }, { name: 'XIF', value: 'em1' }] }), /pf macro XIF is defined twice/],
    ['filter port without protocol', base({ filters: [{ action: 'pass', ports: 22 }] }), /filter rule 1: a port needs a protocol/],
    ['filter families differ', base({ filters: [{ action: 'pass', from: '10.0.0.0/8', to: 'fd00::1' }] }), /filter rule 1 to: "fd00::1" is not an IPv4 address/],
    ['filter address garbage', base({ filters: [{ action: 'block', from: 'any; pass' }] }), /filter rule 1 from: "any; pass" is not an IPv4 or IPv6 address/],
  ];
  test.each(cases)('%s', (_n, rs, err) => {
    expect(() => renderPfAnchorRules(rs)).toThrow(err);
    expect(() => renderPfConf(rs)).toThrow(err);
  });

  test('skip interfaces are interface names', () => {
    expect(() => renderPfConf({ skipInterfaces: ['lo0 }'] })).toThrow(/"lo0 }" must be a letter/);
  });
});
