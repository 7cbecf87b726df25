export type { WeightedMetric, ClassAveragedMetric } from './weighted-metric.js';
export { aurocMetric, auroc, macroAurocMetric } from './auroc.js';
export { topKCorrect, argmaxRows, accuracyMetric, topKAccuracyMetric, balancedAccuracyMetric } from './accuracy.js';
export { resamplingGroups, bootstrapInterval, metricValue } from './bootstrap.js';
export type { ResamplingGroups, BootstrapOptions, BootstrapResult } from './bootstrap.js';
export { segmentationCounts, accumulateCounts, macroOverlapMetric, volumeDiceMetric } from './segmentation.js';
export type { SegmentationCounts } from './segmentation.js';
export { acrossSeeds } from './seed-spread.js';
