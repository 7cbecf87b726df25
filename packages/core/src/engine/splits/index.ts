export { carveValidation, rankByHash } from './carve-validation.js';
export type { CarvedSplits } from './carve-validation.js';
export { evenlySpaced } from './evenly-spaced.js';
export { splitHash } from './split-hash.js';
export { roundHalfEven } from '../util/rounding.js';
