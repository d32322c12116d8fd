export * from './quote';
export * from './script';
export * from './helpers';
export * from './freebsd-update';
export * from './offline-packages';
