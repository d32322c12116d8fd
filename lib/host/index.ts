export * from './host';
export * from './step';
