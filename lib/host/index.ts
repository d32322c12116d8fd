export * from './host';
export * from './step';
export * from './settings';
export { HOST_HELPER_ASSET } from './helper-asset';
export { STEP_OUTLINES_FILE } from './step-outlines';
