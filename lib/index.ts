export * from './host';
export * from './zfs';

export * from './jail';
export * from './release';
