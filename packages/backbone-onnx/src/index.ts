import { definePlugin } from '@radprobe/core';
import { onnxBackboneFactory } from './onnx-backbone.js';

export {
  describeExecutionProviders,
  probeBinding,
  selectExecutionProviders,
  type BindingCapabilities,
  type Device,
  type ExecutionProviderChoice,
  type ExecutionProviderStatus,
} from './execution-providers.js';
export { onnxBackboneFactory, onnxBackboneOptionsSchema, type OnnxBackboneOptions } from './onnx-backbone.js';
export { onnxManifestSchema, readOnnxManifest, checkOnnxManifest, type OnnxManifest } from './onnx-manifest.js';
export {
  KNOWN_MODELS,
  listStore,
  readStoreEntry,
  repositoryFor,
  resolveModel,
  storeFolder,
  variantFile,
  type ModelVariant,
  type StoreEntry,
  type StoredFile,
} from './model-store.js';
export { pullModel, type PullOptions, type PullProgress } from './hub-download.js';

const plugin = definePlugin({ backbones: [onnxBackboneFactory] });
export default plugin;
