import type { ClassCurves, ClassDecisionStats, ClassificationDiagnostics, DatasetView, MetricValue } from '../../contracts/index.js';
import { RadprobeError } from '../util/errors.js';
import { argmaxRows } from './accuracy.js';
import { aurocMetric } from './auroc.js';
import { metricValue, type BootstrapOptions, type ResamplingGroups } from './bootstrap.js';
import { classCurves } from './curves.js';
import type { WeightedMetric } from './weighted-metric.js';

/**
 * TEST scores of a classifier, row for row with the truth (`ClassificationScores` is one): `[rows, outputs]` scores
 * in `logits` (logits, probabilities or votes; higher means more likely). A binary task has one output (the positive class's logit, decided at > 0) or
 * one per class (decided by the higher); a multi-label one has one per class.
 */
export interface DiagnosedScores {
  outputs: number;
  logits: ArrayLike<number>;
  truth: { labels: ArrayLike<number> } | { targets: ArrayLike<number> };
}

/**
 * Weighted share `hits / total` over the items where `counted` is set: sensitivity (counted: truly the class; hit:
 * predicted it), specificity (counted: truly another class; hit: predicted another) and PPV (counted: predicted the
 * class; hit: truly it). Each resample passes over the counted items only. Null when they weigh nothing.
 */
function shareMetric(counted: Uint8Array, hit: Uint8Array, reason: string): WeightedMetric {
  const listed: number[] = [];
  counted.forEach((flag, i) => {
    if (flag) listed.push(i);
  });
  const items = Int32Array.from(listed);
  return {
    evaluate(weights) {
      let total = 0;
      let hits = 0;
      for (const i of items) {
        const w = weights === null ? 1 : weights[i];
        total += w;
        if (hit[i]) hits += w;
      }
      return total === 0 ? null : hits / total;
    },
    undefinedReason: () => reason,
  };
}

/** A class's curves with its AUROC's bootstrap interval; null without positives or negatives. */
function curvesWithInterval(className: string, scores: Float64Array, positive: Uint8Array, groups: ResamplingGroups, bootstrap: BootstrapOptions): ClassCurves | null {
  const curves = classCurves(className, scores, positive);
  if (!curves) return null;
  const { ci } = metricValue(aurocMetric(scores, positive), groups, bootstrap).value;
  return ci ? { ...curves, aurocInterval: ci } : curves;
}

/** A metric's value with its interval, or null where it is undefined on all TEST items. */
function valueOrNull(metric: WeightedMetric, groups: ResamplingGroups, bootstrap: BootstrapOptions): MetricValue | null {
  return metric.evaluate(null) === null ? null : metricValue(metric, groups, bootstrap).value;
}

function decisionStats(classes: readonly string[], labels: ArrayLike<number>, predictions: ArrayLike<number>, groups: ResamplingGroups, bootstrap: BootstrapOptions): ClassDecisionStats[] {
  const n = labels.length;
  return classes.map((className, c) => {
    const isClass = Uint8Array.from({ length: n }, (_, i) => (labels[i] === c ? 1 : 0));
    const predicted = Uint8Array.from({ length: n }, (_, i) => (predictions[i] === c ? 1 : 0));
    const notClass = isClass.map((flag) => 1 - flag);
    const notPredicted = predicted.map((flag) => 1 - flag);
    return {
      className,
      sensitivity: valueOrNull(shareMetric(isClass, predicted, `no positives of ${className}`), groups, bootstrap),
      specificity: valueOrNull(shareMetric(notClass, notPredicted, `no negatives of ${className}`), groups, bootstrap),
      ppv: valueOrNull(shareMetric(predicted, isClass, `${className} never predicted`), groups, bootstrap),
    };
  });
}

/**
 * What a classification TEST row shows beyond its metrics (`ResultRow.classification`), from the same scores:
 * multi-label, a ROC and PR curve per class that has positives and negatives; binary, the positive class's curves;
 * single-label tasks, the confusion matrix and each class's sensitivity, specificity and PPV (one class against the
 * rest) with bootstrap intervals over `groups` (patients resampled together). `bootstrap.seed` is the run's seed.
 */
export function classificationDiagnostics(
  dataset: Pick<DatasetView, 'task' | 'classes'>,
  input: DiagnosedScores,
  groups: ResamplingGroups,
  bootstrap: BootstrapOptions,
): ClassificationDiagnostics {
  const { outputs, logits: scores, truth } = input;
  const numClasses = dataset.classes.length;
  if (scores.length % outputs !== 0) throw new RadprobeError(`classification diagnostics: ${scores.length} scores do not form rows of ${outputs} outputs`);
  const n = scores.length / outputs;
  const column = (c: number) => Float64Array.from({ length: n }, (_, i) => scores[i * outputs + c]);
  if ('targets' in truth) {
    if (outputs !== numClasses || truth.targets.length !== scores.length) throw new RadprobeError(`classification diagnostics: multi-label scores need one output per class (${numClasses}) and targets of the same shape`);
    const curves = dataset.classes.flatMap((className, c) => {
      const found = curvesWithInterval(className, column(c), Uint8Array.from({ length: n }, (_, i) => (truth.targets[i * outputs + c] ? 1 : 0)), groups, bootstrap);
      return found ? [found] : [];
    });
    return { seed: bootstrap.seed, curves };
  }
  const { labels } = truth;
  if (labels.length !== n) throw new RadprobeError(`classification diagnostics: ${n} score rows but ${labels.length} labels`);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(labels[i]) || labels[i] < 0 || labels[i] >= numClasses) throw new RadprobeError(`classification diagnostics: label of item ${i} is ${labels[i]}, not a class index in [0, ${numClasses})`);
  }
  let predictions: Int32Array;
  let decision: string;
  const curves: ClassCurves[] = [];
  if (dataset.task === 'binary') {
    if (outputs !== 1 && outputs !== 2) throw new RadprobeError(`classification diagnostics: a binary task has 1 or 2 outputs, got ${outputs}`);
    const positiveScores = outputs === 1 ? column(0) : column(1);
    predictions = outputs === 1 ? Int32Array.from(positiveScores, (z) => (z > 0 ? 1 : 0)) : argmaxRows(scores, 2);
    decision = outputs === 1 ? `${dataset.classes[1]} where its logit is above 0` : 'the higher of the two scores (ties to the first class)';
    const found = curvesWithInterval(dataset.classes[1], positiveScores, Uint8Array.from({ length: n }, (_, i) => (labels[i] === 1 ? 1 : 0)), groups, bootstrap);
    if (found) curves.push(found);
  } else {
    if (outputs !== numClasses) throw new RadprobeError(`classification diagnostics: ${outputs} outputs for ${numClasses} classes`);
    predictions = argmaxRows(scores, outputs);
    decision = 'the highest score (ties to the lower class index)';
  }
  const counts = dataset.classes.map(() => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < n; i++) counts[labels[i]][predictions[i]]++;
  return {
    seed: bootstrap.seed,
    decision,
    ...(curves.length ? { curves } : {}),
    confusion: { classes: [...dataset.classes], counts },
    decisions: decisionStats(dataset.classes, labels, predictions, groups, bootstrap),
  };
}
