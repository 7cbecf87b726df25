import { RadprobeError } from '../util/errors.js';
import type { ClassAveragedMetric, WeightedMetric } from './weighted-metric.js';

/**
 * Exact AUROC of one binary problem in the Mann–Whitney form, ties counted one half (the midrank statistic):
 * `AUROC = Σ_{pos p, neg n} ([s_p > s_n] + ½[s_p = s_n]) / (P·N)`. The scores are sorted once (O(n log n)); each
 * evaluation, under any weights, is one pass over the tie groups in score order. Null when the (weighted) items
 * lack positives or negatives.
 */
export function aurocMetric(scores: ArrayLike<number>, positive: ArrayLike<number | boolean>): WeightedMetric {
  const n = scores.length;
  if (positive.length !== n) {
    throw new RadprobeError(`AUROC: ${n} scores but ${positive.length} labels`);
  }
  const sortedItem = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) throw new RadprobeError(`AUROC: score of item ${i} is ${scores[i]}, not a finite number`);
    sortedItem[i] = i;
  }
  sortedItem.sort((a, b) => scores[a] - scores[b]);

  const sortedPositive = new Uint8Array(n);
  // groupEnd[g] is one past the last sorted position of the g-th run of equal scores.
  const groupEnds: number[] = [];
  for (let r = 0; r < n; r++) {
    sortedPositive[r] = positive[sortedItem[r]] ? 1 : 0;
    if (r + 1 === n || scores[sortedItem[r + 1]] !== scores[sortedItem[r]]) groupEnds.push(r + 1);
  }
  const groupEnd = Int32Array.from(groupEnds);

  return {
    evaluate(weights) {
      let negativesBelow = 0;
      let positives = 0;
      let pairs = 0;
      let r = 0;
      for (let g = 0; g < groupEnd.length; g++) {
        let groupPositives = 0;
        let groupNegatives = 0;
        for (const end = groupEnd[g]; r < end; r++) {
          const w = weights === null ? 1 : weights[sortedItem[r]];
          if (sortedPositive[r]) groupPositives += w;
          else groupNegatives += w;
        }
        pairs += groupPositives * (negativesBelow + 0.5 * groupNegatives);
        negativesBelow += groupNegatives;
        positives += groupPositives;
      }
      if (positives === 0 || negativesBelow === 0) return null;
      return pairs / (positives * negativesBelow);
    },
    undefinedReason(weights) {
      let positives = 0;
      for (let r = 0; r < n; r++) if (sortedPositive[r]) positives += weights[sortedItem[r]];
      return positives === 0 ? 'no positives' : 'no negatives';
    },
  };
}

/** Exact AUROC (see `aurocMetric`), or null when the items lack positives or negatives. */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<number | boolean>): number | null {
  return aurocMetric(scores, positive).evaluate(null);
}

/**
 * Macro AUROC over the classes that have both positives and negatives among the items; the others are listed in
 * `excludedClasses` with the reason and have a null per-class value. `scores` and `targets` are row-major
 * `[items, classes]`, targets 0/1. A resample in which an included class loses its positives or negatives
 * evaluates to null (the bootstrap skips and counts it), so every resample averages the same classes.
 */
export function macroAurocMetric(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  classes: readonly string[],
): ClassAveragedMetric {
  const numClasses = classes.length;
  if (numClasses === 0) throw new RadprobeError('macro AUROC: no classes');
  if (scores.length % numClasses !== 0 || targets.length !== scores.length) {
    throw new RadprobeError(
      `macro AUROC: ${scores.length} scores and ${targets.length} targets do not form [items, ${numClasses}] matrices`,
    );
  }
  const n = scores.length / numClasses;
  const perClass: Record<string, number | null> = {};
  const excludedClasses: Array<{ name: string; reason: string }> = [];
  const included: Array<{ name: string; metric: WeightedMetric }> = [];
  const columnScores = new Float64Array(n);
  const columnTargets = new Uint8Array(n);
  for (let c = 0; c < numClasses; c++) {
    let positives = 0;
    for (let i = 0; i < n; i++) {
      columnScores[i] = scores[i * numClasses + c];
      columnTargets[i] = targets[i * numClasses + c] ? 1 : 0;
      positives += columnTargets[i];
    }
    if (positives === 0 || positives === n) {
      perClass[classes[c]] = null;
      excludedClasses.push({ name: classes[c], reason: positives === 0 ? 'no positives in split' : 'no negatives in split' });
      continue;
    }
    const metric = aurocMetric(columnScores.slice(), columnTargets.slice());
    perClass[classes[c]] = metric.evaluate(null);
    included.push({ name: classes[c], metric });
  }
  if (included.length === 0) {
    throw new RadprobeError(`macro AUROC: no class has both positives and negatives among the ${n} items`);
  }
  return {
    perClass,
    excludedClasses,
    evaluate(weights) {
      let sum = 0;
      for (const { metric } of included) {
        const value = metric.evaluate(weights);
        if (value === null) return null;
        sum += value;
      }
      return sum / included.length;
    },
    undefinedReason(weights) {
      const lost = included.find(({ metric }) => metric.evaluate(weights) === null);
      return lost ? `${lost.metric.undefinedReason!(weights)} of ${lost.name}` : 'every class defined';
    },
  };
}
