export * from './host';
export * from './zfs';

