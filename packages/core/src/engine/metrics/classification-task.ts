import type { DatasetView, MetricValue, TaskType } from '../../contracts/index.js';
import { argmaxRows, balancedAccuracyMetric, topKAccuracyMetric } from './accuracy.js';
import { aurocMetric, macroAurocMetric } from './auroc.js';
import { metricValue, type BootstrapOptions, type ResamplingGroups } from './bootstrap.js';
import type { ClassAveragedMetric, WeightedMetric } from './weighted-metric.js';

/** What a classification head is scored against, row for row: class indices, or multi-hot rows (multi-label). */
export type ClassificationTruth = { labels: Int32Array } | { targets: Float32Array };

/** Scores of a classification head: `[rows, outputs]` logits (binary: one output) and the truth of those rows. */
export interface ClassificationScores {
  outputs: number;
  logits: Float32Array;
  truth: ClassificationTruth;
}

/** The metric that selects settings and ranks them: macro AUROC (multi-label, binary) or top-1 (multiclass). */
export function classificationPrimaryMetric(task: TaskType): 'auroc' | 'top1' {
  return task === 'multiclass' ? 'top1' : 'auroc';
}

/**
 * The task's metrics of a head's logits, keyed by name, primary first: macro AUROC (multi-label), AUROC (binary,
 * logit > 0 for balanced accuracy), top-1 (multiclass; with `all`, top-5 when there are 5 classes or more, and
 * balanced accuracy).
 */
function classificationMetrics(dataset: Pick<DatasetView, 'task' | 'classes'>, scores: ClassificationScores, all: boolean): Record<string, WeightedMetric | ClassAveragedMetric> {
  const { outputs, logits, truth } = scores;
  if ('targets' in truth) return { auroc: macroAurocMetric(logits, truth.targets, dataset.classes) };
  const { labels } = truth;
  if (dataset.task === 'binary') {
    const metrics: Record<string, WeightedMetric> = { auroc: aurocMetric(logits, labels) };
    if (all) metrics.balancedAccuracy = balancedAccuracyMetric(Int32Array.from(logits, (z) => (z > 0 ? 1 : 0)), labels, 2);
    return metrics;
  }
  const metrics: Record<string, WeightedMetric> = { top1: topKAccuracyMetric(logits, outputs, labels, 1) };
  if (all && outputs >= 5) metrics.top5 = topKAccuracyMetric(logits, outputs, labels, 5);
  if (all) metrics.balancedAccuracy = balancedAccuracyMetric(argmaxRows(logits, outputs), labels, outputs);
  return metrics;
}

/** The primary metric of a head on VAL; null when its logits are not finite (training diverged). */
export function classificationValidationValue(dataset: Pick<DatasetView, 'task' | 'classes'>, scores: ClassificationScores): number | null {
  if (!scores.logits.every(Number.isFinite)) return null;
  return classificationMetrics(dataset, scores, false)[classificationPrimaryMetric(dataset.task)].evaluate(null);
}

/**
 * Every TEST metric of the task with its bootstrap interval over `groups` (patients, else volumes, else items); a
 * note for each metric some resamples could not define.
 */
export function classificationTestValues(
  dataset: Pick<DatasetView, 'task' | 'classes'>,
  scores: ClassificationScores,
  groups: ResamplingGroups,
  bootstrap: BootstrapOptions,
  notes: string[],
): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const [name, metric] of Object.entries(classificationMetrics(dataset, scores, true))) {
    const { value, skippedNote } = metricValue(metric, groups, bootstrap);
    out[name] = value;
    if (skippedNote) notes.push(`seed ${bootstrap.seed}, ${name}: ${skippedNote}`);
  }
  return out;
}
