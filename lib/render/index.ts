export * from './rcconf';
export * from './jailconf';
export * from './fstab';
export * from './hosts';
export * from './topology';
