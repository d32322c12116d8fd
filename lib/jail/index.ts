export { JailAddress, JailAddressFamily } from './address';
export { JailAllow, JailExecHooks, SysvIpc } from './conf';
export { JailDefaults, JailHost, JailHostProps } from './host';
export { JailCreationMethod, JailFromSnapshot, JailFromSnapshotProps, JailRemovalPolicy } from './jail';
export { JailMount, JailNullfsMount } from './mounts';
export { IJail, IJailNetwork, JailAliasesOptions, JailHostsEntry, JailNetwork, JailNetworkConfig, JailNetworkParameter } from './network';
export { JailParameter } from './parameters';
export { JailPackages, JailPackagesProps } from './packages';
export { JailUpdate, JailUpdateProps } from './update';
