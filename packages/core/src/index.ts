/**
 * @radprobe/core: what a plugin codes against. The contracts every backbone, dataset and protocol implements (types
 * only, in `contracts/`), `definePlugin()`, the errors a user can act on, and the helpers protocols share so that
 * their numbers are comparable: metrics with bootstrap intervals, VAL carving, resampling groups, TEST rows merged
 * across seeds, seeded randomness, the compute backend and training on tfjs; and for dataset plugins, image decoding
 * under the run's decode limits and printable paths for messages. Progress and cancellation come with the
 * `ProtocolContext` a protocol is given.
 *
 * The engine that loads plugins and runs evaluations (config, registry, feature cache, run folders, scale-out) is
 * `@radprobe/core/engine`, for hosts (the CLI, the editor extension, the report). A name is exported by one entry
 * only. The compute and training helpers load tfjs (`@tensorflow/tfjs-core`, `@tensorflow/tfjs-backend-wasm`,
 * optional peer dependencies) when first called: a plugin that uses only types and pure helpers does not install it.
 */
export type * from './contracts/index.js';
export { CONTRACTS_VERSION } from './contracts/version.js';
export { definePlugin, checkPluginPackage, type PluginPackageJson } from './engine/plugins/define-plugin.js';

export { RadprobeError, SourceUnavailableError, errorMessage } from './engine/util/errors.js';
export { Random } from './engine/util/random.js';
export { SPLITS } from './engine/util/splits.js';
export { sha256, sha256File, canonicalJson } from './engine/util/hash.js';
export { writeFileAtomic } from './engine/util/atomic.js';
export { printablePath } from './engine/util/printable-path.js';

export { decodeImage } from './engine/image/decode.js';
export { decodeLabelImage, type LabelImage } from './engine/image/label-image.js';
export { checkDeclaredSize, DEFAULT_DECODE_LIMITS, type DeclaredSize } from './engine/image/decode-limits.js';

export { checkedOptionList } from './engine/config/option-list.js';
export { validateOptions } from './engine/config/validate-options.js';
export { MAX_INPUT_SIDE, MAX_SEED } from './engine/config/core-schema.js';
export { formatSetting } from './engine/results/format.js';

export type { WeightedMetric, ClassAveragedMetric } from './engine/metrics/weighted-metric.js';
export { aurocMetric, auroc, macroAurocMetric } from './engine/metrics/auroc.js';
export { topKCorrect, argmaxRows, accuracyMetric, topKAccuracyMetric, balancedAccuracyMetric } from './engine/metrics/accuracy.js';
export { resamplingGroups, bootstrapInterval, metricValue, type ResamplingGroups, type BootstrapOptions, type BootstrapResult } from './engine/metrics/bootstrap.js';
export { segmentationCounts, accumulateCounts, macroOverlapMetric, volumeDiceMetric, type SegmentationCounts } from './engine/metrics/segmentation.js';
export { acrossSeeds, testRowAcrossSeeds } from './engine/metrics/seed-spread.js';
export {
  classificationPrimaryMetric, classificationValidationValue, classificationTestValues, type ClassificationTruth, type ClassificationScores,
} from './engine/metrics/classification-task.js';
export { classificationDiagnostics, type DiagnosedScores } from './engine/metrics/classification-diagnostics.js';

export { carveValidation, rankByHash, type CarvedSplits } from './engine/splits/carve-validation.js';
export { evenlySpaced } from './engine/splits/evenly-spaced.js';
export { roundHalfEven } from './engine/util/rounding.js';

export { computeBackend, type ComputeBackend, type TensorFlow } from './engine/compute/backend.js';
export { topKSimilarities, type TopKOptions, type TopKResult } from './engine/compute/top-k.js';
export {
  trainWithSgd, trainingBackend, describeTrainingBackend, trainableGradientModel, type TrainableModel, type TrainingOptions, type TrainingSummary,
  type RowsPiece,
} from './engine/train/train-loop.js';
export {
  dataParallel, splitEvenly, type BatchGradients, type DataParallel, type GradientModel, type GradientModelFactory, type GradientModelSource,
  type ParallelTraining, type PieceGradients,
} from './engine/train/data-parallel.js';
export { parallelTraining, type TrainingWorkers } from './engine/train/workers.js';
export { SgdMomentum, type ParameterGroup } from './engine/train/sgd.js';
export { cosineFactor } from './engine/train/schedule.js';
export { epochBatches, batchesPerEpoch } from './engine/train/batches.js';
export { bceWithLogitsLoss, crossEntropyLoss } from './engine/train/losses.js';
export { BatchNorm, batchNormTraining, type BatchNormOptions } from './engine/train/batch-norm.js';
export { bilinearResizeMatrix } from './engine/train/resize-bilinear.js';
export { symmetricEigen, type SymmetricEigen } from './engine/pca/symmetric-eigen.js';
export { axisWeights, type AxisWeights } from './engine/image/resample.js';
