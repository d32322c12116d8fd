export * from './host';
export * from './zfs';

export * from './jail';
