export { computeBackend } from './backend.js';
export type { ComputeBackend, TensorFlow } from './backend.js';
export { topKSimilarities } from './top-k.js';
export type { TopKOptions, TopKResult } from './top-k.js';
