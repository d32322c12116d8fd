/** DevfsRuleset: its block of /etc/devfs.rules read back as rc.subr reads it, its step, a jail using it, every synth error. */
import { spawnSync } from 'child_process';
import { Testing, TerraformStack } from 'cdktf';
import { NotebookStack } from '../../examples/notebook/main';
import { DevfsRule, DevfsRuleset, DevfsRulesetProps, DevfsVisibility, FreeBsdHost, JailAddress, JailDevfsRuleset } from '../../lib';
import { devfsAccountChecks } from '../../lib/devfs/ruleset';
import { parseDevfsRules } from '../support/devfsrules';
import { messageOf } from '../support/errors';
import { createScript, destroyScript, nullResources } from '../support/synth';
import { jailStack, synthValidated } from '../jail/fixtures';
import { effectiveParameters, parseJailConf } from '../jail/jailconf-parser';

const bpf = (host: FreeBsdHost, extra: Partial<DevfsRulesetProps> = {}): DevfsRulesetProps => ({
  host, rulesetName: 'devfsrules_bpfjail', rulesetNumber: 10, includes: [JailDevfsRuleset.DEVFSRULES_JAIL], unhide: ['bpf*'], ...extra,
});

describe("the notebook's rulesets", () => {
  const nb = new NotebookStack(Testing.app(), 'notebook', { FREEBSD_HOST: '192.0.2.10' });

  test('[devfsrules_bpfjail=10] and [devfsrules_tunjail=11] read back as the notebook wrote them', () => {
    expect(nb.bpfJailRuleset.rulesText).toBe("[devfsrules_bpfjail=10]\nadd include $devfsrules_jail\nadd path 'bpf*' unhide");
    expect(nb.tunJailRuleset.rulesText).toBe("[devfsrules_tunjail=11]\nadd include $devfsrules_jail\nadd path 'tun*' unhide");
    expect(parseDevfsRules(`${nb.bpfJailRuleset.rulesText}\n\n${nb.tunJailRuleset.rulesText}\n`)).toEqual([
      { name: 'devfsrules_bpfjail', number: 10, rules: [['add', 'include', '4'], ['add', 'path', 'bpf*', 'unhide']] },
      { name: 'devfsrules_tunjail', number: 11, rules: [['add', 'include', '4'], ['add', 'path', 'tun*', 'unhide']] },
    ]);
    expect(nb.bpfJailRuleset.expectedShow).toBe('100 include 4\n200 path bpf* unhide\n');
    expect([nb.bpfJailRuleset.rulesetNumber, nb.tunJailRuleset.rulesetNumber]).toEqual([10, 11]);
  });

  test('one step each: the helper writes the block and loads the rules with numbers; destroy unloads and removes', () => {
    const r = nullResources(nb).find((x) => x.name.startsWith('devfsrules_bpfjail_rules'))!;
    const create = createScript(r);
    expect(create).toContain(`"$cfj" devfs-ruleset-apply 'notebook' '10' 'devfsrules_bpfjail' '[devfsrules_bpfjail=10]\nadd include $devfsrules_jail\nadd path '\\''bpf*'\\'' unhide' '100 include 4\n200 path bpf* unhide' 'include 4' 'path bpf* unhide'`);
    expect(destroyScript(r)).toContain(`"$cfj" devfs-ruleset-remove 'notebook' '10'`);
    // After the host's prune of claims: a removed ruleset's block goes before this one is written.
    expect(r.depends_on).toEqual([expect.stringMatching(/^null_resource\.host_helper/), expect.stringMatching(/^null_resource\.host_prune/)]);
  });
});

describe('rules', () => {
  test('includes (a default by name, another ruleset of ours by number), unhide paths, typed rules in order', () => {
    const { stack, host } = jailStack();
    const base = new DevfsRuleset(stack, 'bpf', bpf(host));
    const audio = new DevfsRuleset(stack, 'audio', {
      host,
      rulesetName: 'devfsrules_audio',
      rulesetNumber: 30,
      includes: [JailDevfsRuleset.DEVFSRULES_JAIL, base, JailDevfsRuleset.fromNumber(7)],
      unhide: ['dsp*', 'pts/*'],
      rules: [
        DevfsRule.path('mixer*', { visibility: DevfsVisibility.UNHIDE, group: 'operator', mode: '0660' }),
        DevfsRule.path('sndstat', { user: 'root', mode: '644' }),
        DevfsRule.hide('dsp9'),
        DevfsRule.unhide('midi*'),
      ],
    });
    expect(parseDevfsRules(`${base.rulesText}\n${audio.rulesText}\n`)[1]).toEqual({
      name: 'devfsrules_audio',
      number: 30,
      rules: [
        ['add', 'include', '4'], ['add', 'include', '10'], ['add', 'include', '7'],
        ['add', 'path', 'dsp*', 'unhide'], ['add', 'path', 'pts/*', 'unhide'],
        ['add', 'path', 'mixer*', 'unhide', 'group', 'operator', 'mode', '0660'],
        ['add', 'path', 'sndstat', 'user', 'root', 'mode', '0644'],
        ['add', 'path', 'dsp9', 'hide'],
        ['add', 'path', 'midi*', 'unhide'],
      ],
    });
    expect(audio.expectedShow).toBe('100 include 4\n200 include 10\n300 include 7\n400 path dsp* unhide\n500 path pts/* unhide\n'
      + '600 path mixer* unhide group operator mode 660\n700 path sndstat user root mode 644\n800 path dsp9 hide\n900 path midi* unhide\n');
    // Loaded after the ruleset it includes, and written again after it when that one is replaced.
    const r = nullResources(stack).find((x) => x.name.startsWith('audio_rules'))!;
    expect(r.depends_on).toContain(`null_resource.${nullResources(stack).find((x) => x.name.startsWith('bpf_rules'))!.name}`);
    expect(r.triggers.input_include_10).toBe(base.step.contentHash);
  });

  test('hideAll is `add hide`', () => {
    const { stack, host } = jailStack();
    const rs = new DevfsRuleset(stack, 'dark', { host, rulesetName: 'dark', rulesetNumber: 40, rules: [DevfsRule.hideAll()], unhide: [] });
    expect(rs.rulesText).toBe('[dark=40]\nadd hide');
  });
});

describe('a jail that uses a ruleset', () => {
  test('an aliased jail with devfsRuleset gets devfs_ruleset = 10; its configuration waits for the ruleset and restarts with its change', () => {
    const { stack, host, jail } = jailStack();
    const ruleset = new DevfsRuleset(stack, 'bpf', bpf(host));
    const r1 = jail('r1', { addresses: [JailAddress.onInterface('lo1', '127.1.1.9/32')], devfsRuleset: ruleset });
    const p = effectiveParameters(parseJailConf(r1.confText), 'r1');
    expect(p.devfs_ruleset).toEqual(['10']);
    expect(p['ip4.addr']).toEqual(['lo1|127.1.1.9/32']);
    const resources = nullResources(stack);
    const config = resources.find((x) => x.name.startsWith('r1_config'))!;
    const rulesName = resources.find((x) => x.name.startsWith('bpf_rules'))!.name;
    expect(config.depends_on).toContain(`null_resource.${rulesName}`);
    expect(config.triggers.input_devfs_ruleset).toBe(ruleset.step.contentHash);
    expect(() => synthValidated(stack)).not.toThrow();
  });

  test('a ruleset the host has already: a number, no step to wait for', () => {
    const { stack, jail } = jailStack();
    const j = jail('plain', { devfsRuleset: JailDevfsRuleset.DEVFSRULES_JAIL_VNET });
    expect(effectiveParameters(parseJailConf(j.confText), 'plain').devfs_ruleset).toEqual(['5']);
    expect(nullResources(stack).find((x) => x.name.startsWith('plain_config'))!.triggers.input_devfs_ruleset).toBeUndefined();
  });
});

describe('synth errors', () => {
  const make = (extra: Partial<DevfsRulesetProps>) => {
    const { stack, host } = jailStack();
    return () => new DevfsRuleset(stack, 'rs', bpf(host, extra));
  };

  test.each([
    ['a default number', { rulesetNumber: 4 }, `stack/rs: invalid rulesetNumber: 4 is FreeBSD's default ruleset devfsrules_jail (etc/defaults/devfs.rules); use 6 to 65535`],
    ['the first default', { rulesetNumber: 1 }, `stack/rs: invalid rulesetNumber: 1 is FreeBSD's default ruleset devfsrules_hide_all (etc/defaults/devfs.rules); use 6 to 65535`],
    ['number 0', { rulesetNumber: 0 }, 'stack/rs: invalid rulesetNumber: 0 must be a devfs ruleset number from 6 to 65535'],
    ['number too large', { rulesetNumber: 65536 }, 'stack/rs: invalid rulesetNumber: 65536 must be a devfs ruleset number from 6 to 65535'],
    ['a name with a dash', { rulesetName: 'bpf-jail' }, 'stack/rs: invalid rulesetName: "bpf-jail" must be a devfs ruleset name ([A-Za-z_][A-Za-z0-9_]*, at most 64)'],
    ["a default's name", { rulesetName: 'devfsrules_jail' }, `stack/rs: invalid rulesetName: "devfsrules_jail" is the name of one of FreeBSD's default rulesets`],
    ['an absolute path', { unhide: ['/dev/bpf*'] }, 'stack/rs: invalid unhide[0]: "/dev/bpf*" must be relative to /dev (no leading /)'],
    ['a path with a space', { unhide: ['bpf', 'tun *'] }, 'stack/rs: invalid unhide[1]: "tun *" may only contain letters, digits, _ . - + : @ / and the glob characters * ? [ ] !'],
    ['a path with a quote', { unhide: ["bpf'*"] }, `stack/rs: invalid unhide[0]: "bpf'*" may only contain letters, digits, _ . - + : @ / and the glob characters * ? [ ] !`],
    ['a path with ..', { unhide: ['../etc'] }, 'stack/rs: invalid unhide[0]: "../etc" must not have empty, . or .. components'],
    ['a rule path with $', { rules: [DevfsRule.unhide('$(reboot)')] }, 'stack/rs: invalid rules[0]: "$(reboot)" may only contain letters, digits, _ . - + : @ / and the glob characters * ? [ ] !'],
    ['a bad mode', { rules: [DevfsRule.path('tun*', { mode: '0999' })] }, 'stack/rs: invalid rules[0]: "0999" must be an octal mode of 3 or 4 digits, like 0660'],
    ['a symbolic mode', { rules: [DevfsRule.path('tun*', { mode: 'u+rw' })] }, 'stack/rs: invalid rules[0]: "u+rw" must be an octal mode of 3 or 4 digits, like 0660'],
    ['a bad group', { rules: [DevfsRule.path('tun*', { group: 'wheel;id' })] }, 'stack/rs: invalid rules[0]: "wheel;id" must be a user or group name ([a-z_][a-z0-9_.-], at most 32) or a number'],
    ['a bad user', { rules: [DevfsRule.path('tun*', { user: 'Root Admin' })] }, 'stack/rs: invalid rules[0]: "Root Admin" must be a user or group name ([a-z_][a-z0-9_.-], at most 32) or a number'],
    ['an id beyond devfs\'s int', { rules: [DevfsRule.path('tun*', { user: '2147483648' })] }, 'stack/rs: invalid rules[0]: "2147483648" is an id beyond 2147483647: devfs reads ids as an int (sbin/devfs/devfs.c eatoi)'],
    ['a # in a group name', { rules: [DevfsRule.path('tun*', { group: 'wheel#1' })] }, 'stack/rs: invalid rules[0]: "wheel#1" must be a user or group name ([a-z_][a-z0-9_.-], at most 32) or a number'],
    ['a # in a path', { unhide: ['bpf#*'] }, 'stack/rs: invalid unhide[0]: "bpf#*" may only contain letters, digits, _ . - + : @ / and the glob characters * ? [ ] !'],
    ['a rule without an action', { rules: [DevfsRule.path('tun*', {})] }, 'stack/rs: invalid rules[0]: the rule for "tun*" needs an action: a visibility, user, group or mode'],
    ['an include of itself', { includes: [JailDevfsRuleset.fromNumber(10)] }, 'stack/rs: invalid includes[0]: 10 is this ruleset itself'],
    ['an include of 0', { includes: [JailDevfsRuleset.fromNumber(0)] }, 'stack/rs: invalid includes[0]: 0 is "no ruleset" and cannot be included'],
    ['an include out of range', { includes: [JailDevfsRuleset.fromNumber(70000)] }, 'stack/rs: invalid includes[0]: devfsRuleset 70000 must be an integer from 0 to 65535'],
  ] as Array<[string, Partial<DevfsRulesetProps>, string]>)('%s', (_what, extra, message) => {
    expect(messageOf(make(extra))).toBe(message);
  });

  test('an include of a ruleset of another host', () => {
    const { stack, host } = jailStack();
    const other = new FreeBsdHost(stack, 'other', { address: '192.0.2.11' });
    const there = new DevfsRuleset(stack, 'there', bpf(other));
    expect(messageOf(() => new DevfsRuleset(stack, 'here', bpf(host, { rulesetNumber: 12, includes: [there] })))).toBe(
      'stack/here: invalid includes[0]: stack/there is a ruleset of host 192.0.2.11, not of 192.0.2.10');
  });

  test('two rulesets of one host with one number, or one name: the later names both', () => {
    const { stack, host } = jailStack();
    new DevfsRuleset(stack, 'bpf', bpf(host));
    new DevfsRuleset(stack, 'tun', bpf(host, { rulesetName: 'devfsrules_tunjail', unhide: ['tun*'] }));
    new DevfsRuleset(stack, 'again', bpf(host, { rulesetNumber: 12 }));
    const message = messageOf(() => synthValidated(stack));
    expect(message).toContain('stack/tun: invalid rulesetNumber: 10 is already the devfs ruleset stack/bpf (devfsrules_bpfjail) on host 192.0.2.10');
    expect(message).toContain('stack/again: invalid rulesetName: devfsrules_bpfjail is already the name of the devfs ruleset stack/bpf (10) on host 192.0.2.10');
    expect(message).not.toContain('stack/bpf: invalid');
  });

  test('one number on two hosts is fine, in one stack or in two stacks of one app', () => {
    const { stack, host } = jailStack();
    const other = new FreeBsdHost(stack, 'other', { address: '192.0.2.11' });
    new DevfsRuleset(stack, 'bpf', bpf(host));
    new DevfsRuleset(stack, 'bpf2', bpf(other));
    expect(() => synthValidated(stack)).not.toThrow();

    const app = Testing.app();
    const a = new TerraformStack(app, 'a');
    const b = new TerraformStack(app, 'b');
    new DevfsRuleset(a, 'bpf', bpf(new FreeBsdHost(a, 'host', { address: '192.0.2.10' })));
    const hostB = new FreeBsdHost(b, 'host', { address: '192.0.2.12' });
    new DevfsRuleset(b, 'bpf', bpf(hostB));
    expect(() => Testing.synth(b, true)).not.toThrow();
  });
});

describe('users and groups are checked on the host before anything changes (sbin/devfs/rule.c)', () => {
  const run = (lines: string[]) => spawnSync('sh', ['-c', ['set -eu', ...lines].join('\n')], { encoding: 'utf8' });

  test('the step checks each user and group once, before the helper loads the rules', () => {
    const { stack, host } = jailStack();
    const rs = new DevfsRuleset(stack, 'rs', bpf(host, { rules: [DevfsRule.path('tun*', { user: 'root', group: 'operator' }), DevfsRule.path('tap*', { group: 'operator', mode: '0660' })] }));
    const script = rs.step.createScript;
    expect(script.match(/getent passwd root /g)).toHaveLength(1);
    expect(script.match(/getent group operator /g)).toHaveLength(1);
    expect(script.indexOf('getent group operator ')).toBeLessThan(script.indexOf('devfs-ruleset-apply'));
    expect(devfsAccountChecks('x', [{ path: 'bpf*', visibility: 'unhide' }])).toEqual([]);
  });

  test('a name that is no account stops the step with devfs\'s reason; an id with an account asks for the name', () => {
    const missing = run(devfsAccountChecks('devfs ruleset 10 (r)', [{ path: 'tun*', user: 'no_such_user_x' }]));
    expect([missing.status, missing.stderr]).toEqual([1, 'devfs ruleset 10 (r): user no_such_user_x is no account of this host: devfs rule would refuse it (error converting to integer: no_such_user_x)\n']);
    const byId = run(devfsAccountChecks('devfs ruleset 10 (r)', [{ path: 'tun*', user: '0' }]));
    expect([byId.status, byId.stderr]).toEqual([1, 'devfs ruleset 10 (r): user id 0 is root on this host, and devfs rule show prints that name: write user root\n']);
    expect(run(devfsAccountChecks('r', [{ path: 'tun*', user: 'root', group: '4242424' }])).status).toBe(0);
  });
});
