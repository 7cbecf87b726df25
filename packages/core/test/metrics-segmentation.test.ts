import { describe, expect, it } from 'vitest';
import { accumulateCounts, macroOverlapMetric, segmentationCounts, volumeDiceMetric } from '../src/engine/metrics/segmentation.js';
import { metricValue, resamplingGroups } from '../src/engine/metrics/bootstrap.js';
import { RadprobeError } from '../src/engine/util/errors.js';

const NAMES = ['background', 'liver', 'spleen', 'kidney'];

/** Two 3×3 slices (row-major), classes 0..3; kidney (3) is in neither truth nor prediction of either. */
const TRUTH_A = [0, 1, 1, 0, 1, 1, 2, 2, 0];
const PRED_A = [0, 1, 0, 0, 1, 1, 2, 0, 0];
const TRUTH_B = [0, 0, 0, 0, 1, 1, 0, 0, 0];
const PRED_B = [2, 0, 0, 0, 1, 0, 0, 0, 0];

function twoSlices() {
  const counts = segmentationCounts(2, 4);
  accumulateCounts(counts, 0, TRUTH_A, PRED_A);
  accumulateCounts(counts, 1, TRUTH_B, PRED_B);
  return counts;
}

describe('segmentation counts', () => {
  it('counts TP, truth and prediction pixels per class and item', () => {
    const counts = twoSlices();
    // Slice A: liver truth {1,2,4,5}, predicted {1,4,5}: TP 3, G 4, P 3. Spleen truth {6,7}, predicted {6}: 1, 2, 1.
    // Background truth {0,3,8}, predicted {0,2,3,7,8}: TP 3, G 3, P 5.
    expect(Array.from(counts.data.subarray(0, 12))).toEqual([3, 3, 5, 3, 4, 3, 1, 2, 1, 0, 0, 0]);
    // Slice B: liver truth {4,5}, predicted {4}: 1, 2, 1; spleen predicted {0} only: 0, 0, 1; background 6, 7, 7.
    expect(Array.from(counts.data.subarray(12, 24))).toEqual([6, 7, 7, 1, 2, 1, 0, 0, 1, 0, 0, 0]);
  });

  it('rejects a class index outside the classes and mismatched sizes, naming the item', () => {
    const counts = segmentationCounts(1, 2);
    expect(() => accumulateCounts(counts, 0, [0, 2], [0, 0])).toThrow(/item 0, pixel 1: true class 2/);
    expect(() => accumulateCounts(counts, 0, [0], [0, 1])).toThrow(RadprobeError);
    expect(() => segmentationCounts(1, 1)).toThrow(/at least background/);
  });
});

describe('macro Dice and IoU over foreground classes', () => {
  it('pools the pixels of all slices before the per-class ratio, leaves background and absent classes out', () => {
    const dice = macroOverlapMetric(twoSlices(), NAMES, 'dice');
    // Pooled: liver TP 4, G 6, P 4 → Dice 8/10 = 0.8; spleen TP 1, G 2, P 2 → 2/4 = 0.5; kidney G = P = 0 → undefined.
    expect(dice.perClass).toEqual({ liver: 0.8, spleen: 0.5, kidney: null });
    expect(dice.excludedClasses).toEqual([{ name: 'kidney', reason: 'absent from both truth and prediction in the split' }]);
    expect(dice.evaluate(null)).toBeCloseTo((0.8 + 0.5) / 2, 12);
    const iou = macroOverlapMetric(twoSlices(), NAMES, 'iou');
    // IoU = TP / (G + P − TP): liver 4/6, spleen 1/3.
    expect(iou.perClass).toEqual({ liver: 4 / 6, spleen: 1 / 3, kidney: null });
    expect(iou.evaluate(null)).toBeCloseTo((4 / 6 + 1 / 3) / 2, 12);
  });

  it('scores a class predicted but absent from the truth as 0, and weights items by their bootstrap counts', () => {
    const counts = segmentationCounts(2, 4);
    accumulateCounts(counts, 0, TRUTH_A, PRED_A);
    accumulateCounts(counts, 1, TRUTH_B, PRED_B);
    const dice = macroOverlapMetric(counts, NAMES, 'dice');
    // Slice B alone: liver 2·1/(2+1) = 2/3; spleen predicted once, never true → 0; kidney undefined. Mean 1/3.
    expect(dice.evaluate(Float64Array.from([0, 1]))).toBeCloseTo(1 / 3, 12);
    // Slice A twice: doubling every count leaves the ratios: liver 6/7, spleen 2/3.
    expect(dice.evaluate(Float64Array.from([2, 0]))).toBeCloseTo((6 / 7 + 2 / 3) / 2, 12);
    // No foreground anywhere: undefined.
    const empty = segmentationCounts(1, 2);
    accumulateCounts(empty, 0, [0, 0], [0, 0]);
    expect(macroOverlapMetric(empty, ['background', 'lesion'], 'dice').evaluate(null)).toBeNull();
  });

  it('gives a bootstrap interval by volume that contains the point value', () => {
    const counts = twoSlices();
    const groups = resamplingGroups([
      { id: 'a', split: 'test', source: 'a', volume: 'v1' },
      { id: 'b', split: 'test', source: 'b', volume: 'v2' },
    ]);
    const { value } = metricValue(macroOverlapMetric(counts, NAMES, 'dice'), groups, { samples: 200, confidence: 0.9, seed: 1 });
    expect(value.ci?.unit).toBe('volume');
    // Only three resamples exist: {A, A} (≈ 0.762), {B, B} (1/3) and {A, B} (0.65): the bounds lie among them.
    expect(value.ci!.low).toBeGreaterThanOrEqual(1 / 3 - 1e-12);
    expect(value.ci!.high).toBeLessThanOrEqual((6 / 7 + 2 / 3) / 2 + 1e-12);
    expect(value.value).toBeCloseTo(0.65, 12);
  });
});

describe('per-volume 3D Dice', () => {
  it('sums each volume\'s slices, averages its defined foreground classes, then averages volumes', () => {
    const counts = segmentationCounts(3, 4);
    accumulateCounts(counts, 0, TRUTH_A, PRED_A);
    accumulateCounts(counts, 1, TRUTH_B, PRED_B);
    // A third slice, its own volume, with nothing but background: no defined class, so the volume is left out.
    accumulateCounts(counts, 2, [0, 0, 0], [0, 0, 0]);
    const metric = volumeDiceMetric(counts, [[0, 1], [2]]);
    // Volume 1 = slices A and B pooled: (0.8 + 0.5) / 2 = 0.65; volume 2 undefined → mean 0.65.
    expect(metric.evaluate(null)).toBeCloseTo(0.65, 12);
    const split = volumeDiceMetric(counts, [[0], [1]]);
    // Slice A alone: liver 6/7, spleen 2/3 → 0.76190…; slice B alone: 1/3. Mean 0.54762…; weights 3:1 → (3·0.7619 + 0.3333)/4.
    const a = (6 / 7 + 2 / 3) / 2;
    expect(split.evaluate(null)).toBeCloseTo((a + 1 / 3) / 2, 12);
    expect(split.evaluate(Float64Array.from([3, 1, 0]))).toBeCloseTo((3 * a + 1 / 3) / 4, 12);
    expect(volumeDiceMetric(counts, [[2]]).evaluate(null)).toBeNull();
  });
});
