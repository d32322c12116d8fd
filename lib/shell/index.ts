export * from './quote';
export * from './names';
export * from './script';
export * from './helpers';
export * from './helper';
export * from './freebsd-update';
export * from './offline-packages';
export * from './vnet';
