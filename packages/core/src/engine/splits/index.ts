export { carveValidation, rankByHash } from './carve-validation.js';
export type { CarvedSplits } from './carve-validation.js';
export { evenlySpaced, roundHalfEven } from './evenly-spaced.js';
