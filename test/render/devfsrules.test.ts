import { DevfsRulesetSpec, devfsRuleArguments, devfsShowText, renderDevfsRuleset } from '../../lib/render/devfsrules';
import { NOTEBOOK_DEVFS_RULESETS, parseDevfsRules } from '../support/devfsrules';

describe('renderDevfsRuleset', () => {
  test("the notebook's devfsrules_bpfjail=10 and devfsrules_tunjail=11, byte for byte and parsed", () => {
    const text = NOTEBOOK_DEVFS_RULESETS.map(renderDevfsRuleset).join('\n\n') + '\n';
    expect(text).toBe("[devfsrules_bpfjail=10]\nadd include $devfsrules_jail\nadd path 'bpf*' unhide\n\n[devfsrules_tunjail=11]\nadd include $devfsrules_jail\nadd path 'tun*' unhide\n");
    expect(parseDevfsRules(text)).toEqual([
      { name: 'devfsrules_bpfjail', number: 10, rules: [['add', 'include', '4'], ['add', 'path', 'bpf*', 'unhide']] },
      { name: 'devfsrules_tunjail', number: 11, rules: [['add', 'include', '4'], ['add', 'path', 'tun*', 'unhide']] },
    ]);
  });

  test('typed rules: conditions then actions; an included ruleset of ours by number', () => {
    const rs: DevfsRulesetSpec = { name: 'audio', number: 30, includes: [4, 10], unhide: ['dsp*'], rules: [{ path: 'mixer0', mode: '660', group: 'operator', visibility: 'unhide' }, { type: 'disk', visibility: 'hide' }] };
    expect(parseDevfsRules(renderDevfsRuleset(rs))).toEqual([{
      name: 'audio', number: 30,
      rules: [['add', 'include', '4'], ['add', 'include', '10'], ['add', 'path', 'dsp*', 'unhide'], ['add', 'path', 'mixer0', 'unhide', 'group', 'operator', 'mode', '0660'], ['add', 'type', 'disk', 'hide']],
    }]);
    expect(devfsShowText(rs)).toBe('100 include 4\n200 include 10\n300 path dsp* unhide\n400 path mixer0 unhide group operator mode 660\n500 type disk hide\n');
  });

  test('the rules as the words after `devfs rule -s N add`: numbers for includes, globs as given', () => {
    const [bpf] = NOTEBOOK_DEVFS_RULESETS;
    expect(devfsRuleArguments(bpf)).toEqual(['include 4', 'path bpf* unhide']);
  });
});

describe('validation', () => {
  const base: DevfsRulesetSpec = { name: 'devfsrules_x', number: 20, unhide: ['bpf*'] };
  const cases: Array<[string, Partial<DevfsRulesetSpec>, RegExp]> = [
    ['number 4 is a default', { number: 4 }, /devfs ruleset devfsrules_x: 4 is FreeBSD's default ruleset devfsrules_jail/],
    ['number 0', { number: 0 }, /0 must be a devfs ruleset number from 6 to 65535/],
    ['number too large', { number: 65536 }, /65536 must be a devfs ruleset number/],
    ['number not an integer', { number: 10.5 }, /10.5 must be a devfs ruleset number/],
    ['name with a dash', { name: 'my-rules' }, /"my-rules" must be a devfs ruleset name/],
    ["a default's name", { name: 'devfsrules_jail' }, /"devfsrules_jail" is the name of one of FreeBSD's default rulesets/],
    ['absolute path', { unhide: ['/dev/bpf*'] }, /"\/dev\/bpf\*" must be relative to \/dev/],
    ['path with a space', { unhide: ['bpf *'] }, /"bpf \*" may only contain/],
    ['path with a quote', { unhide: ["bpf'*"] }, /may only contain/],
    ['path with ..', { unhide: ['../etc'] }, /"\.\.\/etc" must not have empty, \. or \.\. components/],
    ['bad mode', { rules: [{ path: 'x', mode: '0999' }] }, /"0999" must be an octal mode/],
    ['bad group', { rules: [{ path: 'x', group: 'wheel;id' }] }, /"wheel;id" must be a user or group name/],
    ['rule without action', { rules: [{ path: 'x' }] }, /a rule for x needs an action/],
    ['include itself', { includes: [20] }, /includes itself/],
    ['include 0', { includes: [0] }, /include 0 is not a ruleset number/],
  ];
  test.each(cases)('%s', (_n, patch, err) => {
    const rs = { ...base, ...patch };
    expect(() => renderDevfsRuleset(rs)).toThrow(err);
    expect(() => devfsRuleArguments(rs)).toThrow(err);
  });
});
