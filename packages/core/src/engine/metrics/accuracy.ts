import { RadprobeError } from '../util/errors.js';
import type { WeightedMetric } from './weighted-metric.js';

function checkLabels(what: string, labels: ArrayLike<number>, numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RadprobeError(`${what}: class count ${numClasses} must be a positive integer`);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new RadprobeError(`${what}: label of item ${i} is ${label}, not a class index in [0, ${numClasses})`);
    }
  }
}

/**
 * Whether each item's true class is among its `k` best-scored classes. Ties are broken towards the lower class
 * index: the true class's rank is the number of classes scored strictly higher plus the number scored equally
 * with a lower index, and it counts when that rank is below `k`. So with all scores equal only classes
 * `0..k-1` count, and with `k ≥ classes` every item counts. Same rule as `argmaxRows`.
 */
export function topKCorrect(scores: ArrayLike<number>, numClasses: number, labels: ArrayLike<number>, k: number): Uint8Array {
  checkLabels(`top-${k} accuracy`, labels, numClasses);
  const n = labels.length;
  if (scores.length !== n * numClasses) {
    throw new RadprobeError(`top-${k} accuracy: ${scores.length} scores do not form a [${n} items, ${numClasses} classes] matrix`);
  }
  if (!Number.isInteger(k) || k < 1) throw new RadprobeError(`top-k accuracy: k = ${k} must be a positive integer`);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * numClasses;
    const label = labels[i];
    const truth = scores[row + label];
    let rank = 0;
    for (let c = 0; c < numClasses; c++) {
      const s = scores[row + c];
      if (s > truth || (s === truth && c < label)) rank++;
    }
    correct[i] = rank < k ? 1 : 0;
  }
  return correct;
}

/** Index of each row's highest score, the lowest index among equal highest scores. */
export function argmaxRows(scores: ArrayLike<number>, numClasses: number): Int32Array {
  const n = Math.floor(scores.length / numClasses);
  const predictions = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * numClasses;
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (scores[row + c] > scores[row + best]) best = c;
    predictions[i] = best;
  }
  return predictions;
}

/** Weighted fraction of items marked correct (1) in `correct`; null when every weight is zero. */
export function accuracyMetric(correct: Uint8Array): WeightedMetric {
  return {
    evaluate(weights) {
      if (weights === null) {
        let hits = 0;
        for (let i = 0; i < correct.length; i++) hits += correct[i];
        return correct.length === 0 ? null : hits / correct.length;
      }
      let hits = 0;
      let total = 0;
      for (let i = 0; i < correct.length; i++) {
        hits += weights[i] * correct[i];
        total += weights[i];
      }
      return total === 0 ? null : hits / total;
    },
  };
}

/** Top-`k` accuracy of a row-major `[items, classes]` score matrix, ties as in `topKCorrect`. */
export function topKAccuracyMetric(scores: ArrayLike<number>, numClasses: number, labels: ArrayLike<number>, k: number): WeightedMetric {
  return accuracyMetric(topKCorrect(scores, numClasses, labels, k));
}

/**
 * Balanced accuracy: the mean, over the classes present in the truth (positive total weight), of the recall of
 * `predictions`. Null when no item has weight.
 */
export function balancedAccuracyMetric(predictions: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): WeightedMetric {
  const n = labels.length;
  if (predictions.length !== n) throw new RadprobeError(`balanced accuracy: ${predictions.length} predictions but ${n} labels`);
  checkLabels('balanced accuracy', labels, numClasses);
  const support = new Float64Array(numClasses);
  const hits = new Float64Array(numClasses);
  return {
    evaluate(weights) {
      support.fill(0);
      hits.fill(0);
      for (let i = 0; i < n; i++) {
        const w = weights === null ? 1 : weights[i];
        support[labels[i]] += w;
        if (predictions[i] === labels[i]) hits[labels[i]] += w;
      }
      let sum = 0;
      let present = 0;
      for (let c = 0; c < numClasses; c++) {
        if (support[c] > 0) {
          sum += hits[c] / support[c];
          present++;
        }
      }
      return present === 0 ? null : sum / present;
    },
  };
}
