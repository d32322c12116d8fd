export {
  PfDirection, PfFilterRule, PfFilterRuleOptions, PfMode, PfNat, PfNatNetwork, PfNatProps, PfPortForward, PfPortForwardOptions, PfPortRange, PfProtocol,
} from './nat';
