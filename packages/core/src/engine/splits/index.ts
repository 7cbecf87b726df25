export { carveValidation } from './carve-validation.js';
export type { CarvedSplits } from './carve-validation.js';
