/**
 * @radprobe/core: the contracts every plugin implements (types only, in `contracts/`) and the engine that runs
 * them (`engine/`). Plugins import only from this entry point.
 */
export type * from './contracts/index.js';
export * from './engine/util/index.js';
export * from './engine/metrics/index.js';
export * from './engine/compute/index.js';
export * from './engine/image/index.js';
export * from './engine/config/index.js';
export * from './engine/plugins/index.js';
export * from './engine/results/index.js';
export * from './engine/cache/index.js';
export * from './engine/run/index.js';
export * from './engine/train/index.js';
export * from './engine/splits/index.js';
export * from './engine/pca/index.js';
export * from './engine/scale/index.js';
