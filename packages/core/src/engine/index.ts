/**
 * @radprobe/core/engine: what runs evaluations, for hosts (the CLI, the editor extension, the report, the test kit):
 * config loading and validation, the plugin registry, image decoding and preprocessing, the feature cache, run
 * folders and results, patch PCA, scale-out. Plugins code against the main entry, `@radprobe/core`; a name is
 * exported by one entry only, so a host imports the contracts and shared helpers from there.
 */
export { mapConcurrent } from './util/concurrency.js';
export { isFileSystemError } from './util/path-problems.js';
export { parseImageHeader, type ImageHeader } from './image/image-header.js';
export { jpegJsLimits } from './image/jpeg.js';
export { resolvePreprocessing, preprocessingSteps, PREPROCESSING_PRESETS, type ResolvedPreprocessing } from './image/preprocessing.js';
export { preprocessInto } from './image/preprocess.js';
export { labelMapToSource, resampleLabelMap } from './image/label-map.js';
export {
  applyIntensitySteps, applyPercentileClip, applyWindow, clipOptionSchema, CT_WINDOW_PRESETS, describeIntensitySteps, percentiles, resolveClip,
  resolveWindow, windowFromLevel, windowOptionSchema, type ClipOption, type CtWindowPreset, type IntensitySteps, type IntensityWindow,
  type PercentileClip, type WindowOption,
} from './image/intensity.js';
export { coreConfigSchema, defaultCacheFolder } from './config/core-schema.js';
export { resolveTrainingWorkers, TRAINING_WORKERS_VARIABLE } from './train/workers.js';
export { composeConfigSchema, writeConfigSchema } from './config/compose-schema.js';
export { validateConfigText, validateConfigSource, type ValidatedConfig } from './config/validate.js';
export { checkConfigFiles, PATH_ANNOTATION, type ConfigToCheck } from './config/check-files.js';
export { loadConfig, type LoadedConfig } from './config/load.js';
export { configHash } from './config/config-hash.js';
export { ConfigError, formatIssue, type ConfigIssue, type ConfigCheck } from './config/config-error.js';
export { editDistance, closestMatch } from './config/did-you-mean.js';
export { resolveModelStore } from './config/model-store.js';
export { discoverPlugins, findPackageDir, type PluginPackage } from './plugins/discover.js';
export type {
  PluginRegistry, BuiltinPlugin, PluginFailure, RegistrationSource, ProtocolRegistration, BackboneRegistration, DatasetRegistration,
} from './plugins/registry.js';
export { firstPartyPlugins, firstPartyPackageOf } from './plugins/first-party.js';
export { componentSections, type ComponentSection } from './plugins/sections.js';
export { resultsSchema, assertValidRunResults } from './results/schema.js';
export { writeRunResults, resultsJson } from './results/write.js';
export { renderResultsMarkdown, markdownTable, escapeInline as escapeMarkdownInline } from './results/markdown.js';
export { renderResultsCsv, csvField } from './results/csv.js';
export { formatResultsTable } from './results/table.js';
export { formatInterval, formatMetricValue, formatParameterShare } from './results/format.js';
export { cellSummary, headlineRow } from './results/cell-summary.js';
export { collectProvenance, packageVersions, gitHead, type ProvenanceInput } from './results/provenance.js';
export { describeWorkerPlacement, workerPlacement } from './results/worker.js';
export { FeatureCache, cacheEntryIdentity, type CacheEntryIdentity, type CacheEntryFile } from './cache/feature-cache.js';
export { ShardStore, type ShardProblem } from './cache/shard-store.js';
export type { ShardManifest } from './cache/shard-manifest.js';
export { groupsFor, mergeNeeds, recordFloats, groupDirectoryName, type FeatureGroup } from './cache/layout.js';
export { CACHE_MARKER } from './cache/cache-marker.js';
export {
  listCache, pruneCache, type CacheEntrySummary, type CacheGroupSummary, type CacheSummary, type PruneOptions, type PruneReport,
} from './cache/cache-admin.js';
export { cacheOfConfig, locateCache, type CacheLocation } from './cache/cache-location.js';
export { claimAlive, claimPart, itemIdHash, readWork, type DoneRecord, type WorkerClaim } from './cache/work-records.js';
export { runEvaluation, type RunOptions, type RunOutcome } from './run/run-evaluation.js';
export { entryOptions, entryNamed, openBackbone, openDataset } from './run/components.js';
export type { OpenedBackbone } from './run/checked-backbone.js';
export { extractFeatures, type ExtractionRequest, type ExtractionResult } from './run/extract.js';
export { cachedFeatureSource } from './run/feature-source.js';
export { loadRegistry, loadRegistryForConfig, type RegistryOptions } from './run/registry.js';
export { protocolContext, type CellResources } from './run/protocol-context.js';
export { RunFolder, assertFinishedRunFolder } from './run/run-folder.js';
export { runExtraction, type ExtractionRunOptions, type PairExtraction } from './run/run-extraction.js';
export { cacheStatus, type PairCoverage } from './run/cache-status.js';
export { splitHash } from './splits/split-hash.js';
export { principalComponents, projectRows, type PrincipalComponents } from './pca/principal-components.js';
export {
  patchPca, DEFAULT_PATCH_PCA_OPTIONS, type ForegroundSide, type PatchGrid, type PatchPcaFigure, type PatchPcaImage, type PatchPcaOptions,
} from './pca/patch-pca.js';
export { pcaImagePng, type PcaImageOptions } from './pca/pca-image.js';
export { itemPatchTokens, type ItemPatchTokens, type ItemPatchTokensRequest } from './pca/item-patch-tokens.js';
export { assertValidPcaManifest, pcaManifestSchema, type PcaManifest, type PcaManifestImage, type PcaManifestPair } from './pca/pca-manifest.js';
export {
  formatIndexRanges, formatPart, parsePart, partitionItems, shardFromEnvironment, type ItemWeight, type PartRef, type PartSource,
} from './scale/partition.js';
export { itemsOfPart, readItemList, type ItemList } from './scale/item-list.js';
