export { IDevfsRuleset, JailDevfsRuleset, MAX_DEVFS_RULESET } from './reference';
export { DevfsRule, DevfsRuleOptions, DevfsRuleset, DevfsRulesetProps, DevfsVisibility } from './ruleset';
