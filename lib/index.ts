export * from './host';
export * from './devfs';
export * from './zfs';

export * from './jail';
export * from './workload';
export * from './pf';
// The host helper's interface (named in the docs and in error messages).
export { HOST_HELPER_DIR, HOST_HELPER_PATH, HOST_HELPER_USERS_FILE, HOST_HELPER_VERSION } from './shell/helper';
export * from './release';
export * from './vnet';
