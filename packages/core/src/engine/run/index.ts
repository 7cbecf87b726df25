export { runEvaluation, type RunOptions, type RunOutcome } from './run-evaluation.js';
export { entryOptions, entryNamed, openBackbone, openDataset } from './components.js';
export { type OpenedBackbone } from './checked-backbone.js';
export { extractFeatures, type ExtractionRequest, type ExtractionResult } from './extract.js';
export { cachedFeatureSource } from './feature-source.js';
export { loadRegistry, loadRegistryForConfig, type BuiltinPlugin, type RegistryOptions } from './registry.js';
export { protocolContext, type CellResources } from './protocol-context.js';
export { assertFinishedRunFolder } from './run-folder.js';
