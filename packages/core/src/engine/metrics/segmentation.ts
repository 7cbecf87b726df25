import { RadprobeError } from '../util/errors.js';
import type { ClassAveragedMetric, WeightedMetric } from './weighted-metric.js';

/**
 * Per-item pixel counts of a segmentation, `[items, classes, 3]`: for item `i` and class `c`, the pixels of class
 * `c` in both truth and prediction (`TP`), in the truth (`G`), and in the prediction (`P`). Everything the Dice and
 * IoU metrics need, in a form whose weighted sum over items is the counts of a resample: the bootstrap then costs
 * one pass over these numbers, never over pixels.
 */
export interface SegmentationCounts {
  items: number;
  classes: number;
  data: Float64Array;
}

const TP = 0;
const TRUTH = 1;
const PREDICTED = 2;

/** Empty counts for `items` items of `classes` classes. */
export function segmentationCounts(items: number, classes: number): SegmentationCounts {
  if (!Number.isInteger(classes) || classes < 2) throw new RadprobeError(`segmentation metrics: ${classes} classes; at least background and one foreground class are needed`);
  if (!Number.isInteger(items) || items < 0) throw new RadprobeError(`segmentation metrics: item count ${items} must be a non-negative integer`);
  return { items, classes, data: new Float64Array(items * classes * 3) };
}

/** Adds the pixels of one label map pair (same length, class indices) to item `item`'s counts. */
export function accumulateCounts(counts: SegmentationCounts, item: number, truth: ArrayLike<number>, prediction: ArrayLike<number>): void {
  const { classes, data } = counts;
  if (!Number.isInteger(item) || item < 0 || item >= counts.items) throw new RadprobeError(`segmentation metrics: item ${item} is outside [0, ${counts.items})`);
  if (truth.length !== prediction.length) throw new RadprobeError(`segmentation metrics: item ${item} has ${truth.length} true pixels but ${prediction.length} predicted`);
  const base = item * classes * 3;
  for (let p = 0; p < truth.length; p++) {
    const t = truth[p];
    const q = prediction[p];
    if (!(t >= 0 && t < classes && Number.isInteger(t))) throw new RadprobeError(`segmentation metrics: item ${item}, pixel ${p}: true class ${t} is not in [0, ${classes})`);
    if (!(q >= 0 && q < classes && Number.isInteger(q))) throw new RadprobeError(`segmentation metrics: item ${item}, pixel ${p}: predicted class ${q} is not in [0, ${classes})`);
    data[base + t * 3 + TRUTH]++;
    data[base + q * 3 + PREDICTED]++;
    if (t === q) data[base + t * 3 + TP]++;
  }
}

/** Counts of each class summed over the items, item `i` counted `weights[i]` times (all once when null). */
function summed(counts: SegmentationCounts, weights: Float64Array | null, items?: readonly number[]): Float64Array {
  const { classes, data } = counts;
  const width = classes * 3;
  const total = new Float64Array(width);
  const add = (i: number) => {
    const w = weights === null ? 1 : weights[i];
    if (w === 0) return;
    for (let k = 0; k < width; k++) total[k] += w * data[i * width + k];
  };
  if (items) items.forEach(add);
  else for (let i = 0; i < counts.items; i++) add(i);
  return total;
}

type Overlap = 'dice' | 'iou';

/** Dice `2TP/(G+P)` or IoU `TP/(G+P−TP)` of class `c`; null when the class is in neither truth nor prediction. */
function overlapOf(total: Float64Array, c: number, kind: Overlap): number | null {
  const tp = total[c * 3 + TP];
  const sizes = total[c * 3 + TRUTH] + total[c * 3 + PREDICTED];
  if (sizes === 0) return null;
  return kind === 'dice' ? (2 * tp) / sizes : tp / (sizes - tp);
}

/** Mean of the defined foreground values (class 0, background, excluded); null when none is defined. */
function foregroundMean(total: Float64Array, classes: number, kind: Overlap): number | null {
  let sum = 0;
  let defined = 0;
  for (let c = 1; c < classes; c++) {
    const value = overlapOf(total, c, kind);
    if (value === null) continue;
    sum += value;
    defined++;
  }
  return defined === 0 ? null : sum / defined;
}

/**
 * Macro Dice or IoU over the foreground classes (background, index 0, excluded), the study's definition: each
 * class's pixels accumulated over all items of the split first, then the per-class values averaged. A class
 * present in neither truth nor prediction has no defined overlap: it is left out of the average and listed in
 * `excludedClasses` (its per-class value is null). A class predicted but absent from the truth scores 0.
 */
export function macroOverlapMetric(counts: SegmentationCounts, classNames: readonly string[], kind: Overlap): ClassAveragedMetric {
  const { classes } = counts;
  if (classNames.length !== classes) throw new RadprobeError(`segmentation metrics: ${classNames.length} class names for ${classes} classes`);
  const total = summed(counts, null);
  const perClass: Record<string, number | null> = {};
  const excludedClasses: Array<{ name: string; reason: string }> = [];
  for (let c = 1; c < classes; c++) {
    perClass[classNames[c]] = overlapOf(total, c, kind);
    if (perClass[classNames[c]] === null) excludedClasses.push({ name: classNames[c], reason: 'absent from both truth and prediction in the split' });
  }
  return {
    perClass,
    excludedClasses,
    evaluate: (weights) => foregroundMean(weights === null ? total : summed(counts, weights), classes, kind),
    undefinedReason: () => 'no foreground class in truth or prediction',
  };
}

/**
 * Per-volume 3D Dice, averaged over volumes (radprobe's addition; the study reported slice-pooled Dice only): the
 * counts of a volume's slices are summed, the volume's Dice is the mean over its defined foreground classes (in
 * the volume's truth or prediction), and the metric is the mean over volumes that have any. `volumes` lists the
 * item indices of each volume. Under bootstrap weights a volume counts as often as its first item (the bootstrap
 * groups whole volumes or patients, so every slice of a volume has the same weight).
 */
export function volumeDiceMetric(counts: SegmentationCounts, volumes: ReadonlyArray<readonly number[]>): WeightedMetric {
  const dice = volumes.map((items) => {
    if (items.length === 0) throw new RadprobeError('segmentation metrics: a volume without slices');
    return foregroundMean(summed(counts, null, items), counts.classes, 'dice');
  });
  return {
    evaluate(weights) {
      let sum = 0;
      let weight = 0;
      volumes.forEach((items, v) => {
        const value = dice[v];
        const w = weights === null ? 1 : weights[items[0]];
        if (value === null || w === 0) return;
        sum += w * value;
        weight += w;
      });
      return weight === 0 ? null : sum / weight;
    },
    undefinedReason: () => 'no volume with a foreground class in truth or prediction',
  };
}
