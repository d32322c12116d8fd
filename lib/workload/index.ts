export { IJailServiceInput } from './common';
export { JailFile, JailFileProps } from './file';
export { JailHealthCheck, JailHealthCheckKind, JailHealthCheckOptions, JailHttpCheckOptions, JailNetworkCheckOptions } from './health';
export { JailRcConf, JailRcConfProps } from './rcconf';
export { JailService, JailServiceInitialization, JailServiceProps } from './service';
