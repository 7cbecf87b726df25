export { decodeImage } from './decode.js';
export { resolvePreprocessing, PREPROCESSING_PRESETS, type ResolvedPreprocessing } from './preprocessing.js';
export { preprocessInto } from './preprocess.js';
