export * from './rcconf';
