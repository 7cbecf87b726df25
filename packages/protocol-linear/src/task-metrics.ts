import {
  aurocMetric,
  balancedAccuracyMetric,
  macroAurocMetric,
  metricValue,
  resamplingGroups,
  topKAccuracyMetric,
  type BootstrapOptions,
  type ClassAveragedMetric,
  type DatasetView,
  type MetricValue,
  type WeightedMetric,
} from '@radprobe/core';
import type { Samples } from './samples.js';

/** The metric that selects heads and ranks settings: macro AUROC (multi-label, binary) or top-1 (multiclass). */
export function primaryMetricOf(dataset: DatasetView): 'auroc' | 'top1' {
  return dataset.task === 'multiclass' ? 'top1' : 'auroc';
}

/** Logits of `rows` samples (`[rows, outputs]`) as the task's metrics, keyed by metric name; primary first. */
function metricsOf(dataset: DatasetView, samples: Samples, rows: readonly number[], logits: Float32Array, all: boolean): Record<string, WeightedMetric | ClassAveragedMetric> {
  const k = samples.outputs;
  if (dataset.task === 'multilabel') {
    const targets = new Float32Array(rows.length * k);
    rows.forEach((s, r) => targets.set(samples.targets.subarray(s * k, (s + 1) * k), r * k));
    return { auroc: macroAurocMetric(logits, targets, dataset.classes) };
  }
  const labels = Int32Array.from(rows, (s) => samples.labels[s]);
  if (dataset.task === 'binary') {
    const metrics: Record<string, WeightedMetric> = { auroc: aurocMetric(logits, labels) };
    if (all) metrics.balancedAccuracy = balancedAccuracyMetric(Int32Array.from(logits, (z) => (z > 0 ? 1 : 0)), labels, 2);
    return metrics;
  }
  const metrics: Record<string, WeightedMetric> = { top1: topKAccuracyMetric(logits, k, labels, 1) };
  if (all && k >= 5) metrics.top5 = topKAccuracyMetric(logits, k, labels, 5);
  if (all) {
    const predictions = Int32Array.from({ length: rows.length }, (_, r) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (logits[r * k + c] > logits[r * k + best]) best = c;
      return best;
    });
    metrics.balancedAccuracy = balancedAccuracyMetric(predictions, labels, k);
  }
  return metrics;
}

/** The primary metric of a head on VAL; null when its logits are not finite (the head diverged). */
export function validationValue(dataset: DatasetView, samples: Samples, rows: readonly number[], logits: Float32Array): number | null {
  if (!logits.every(Number.isFinite)) return null;
  const metrics = metricsOf(dataset, samples, rows, logits, false);
  return metrics[primaryMetricOf(dataset)].evaluate(null);
}

/** Every TEST metric of the task with its bootstrap interval (by patient, else scan, else sample). */
export function testValues(
  dataset: DatasetView,
  samples: Samples,
  rows: readonly number[],
  logits: Float32Array,
  bootstrap: BootstrapOptions,
  notes: string[],
): Record<string, MetricValue> {
  const groups = resamplingGroups(rows.map((s) => samples.representatives[s]));
  const out: Record<string, MetricValue> = {};
  for (const [name, metric] of Object.entries(metricsOf(dataset, samples, rows, logits, true))) {
    const { value, skipped } = metricValue(metric, groups, bootstrap);
    out[name] = value;
    if (skipped > 0) notes.push(`seed ${bootstrap.seed}, ${name}: ${skipped} of ${bootstrap.samples} bootstrap resamples left out of the interval (metric undefined on them).`);
  }
  return out;
}
