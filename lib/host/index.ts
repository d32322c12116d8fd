export * from './host';
export * from './step';
export * from './settings';
export * from './app-index';
