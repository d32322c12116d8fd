export * from './host';
export * from './step';
export * from './settings';
