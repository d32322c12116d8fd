export { VnetBackend, VnetBridge, VnetBridgeMode, VnetBridgeProps, VnetRoutedOptions } from './bridge';
export { TopologyInterface, TopologySwitch } from '../render/topology';
export { VnetTopologyNames } from './bridge';
export { JailVnetInterface, JailVnetNetwork, JailVnetNetworkProps } from './jail-network';
