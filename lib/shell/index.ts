export * from './quote';
export * from './script';
export * from './helpers';
