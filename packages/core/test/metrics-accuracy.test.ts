import { describe, expect, it } from 'vitest';
import { argmaxRows, balancedAccuracyMetric, topKAccuracyMetric, topKCorrect } from '../src/engine/metrics/accuracy.js';
import { RadprobeError } from '../src/engine/util/errors.js';

// Three items, three classes.
// item 0: label 2 scored 0.3, class 1 higher → rank 1: wrong at top-1, right at top-2.
// item 1: label 1 tied with class 0 at 0.4; the lower index wins the tie → rank 1: wrong at top-1.
// item 2: label 0 tied with class 1 at 0.4; class 0 wins the tie → rank 0: right.
const scores = [0.2, 0.5, 0.3, 0.4, 0.4, 0.2, 0.4, 0.4, 0.2];
const labels = [2, 1, 0];

describe('top-k accuracy', () => {
  it('ranks ties towards the lower class index', () => {
    expect(Array.from(topKCorrect(scores, 3, labels, 1))).toEqual([0, 0, 1]);
    expect(topKAccuracyMetric(scores, 3, labels, 1).evaluate(null)).toBeCloseTo(1 / 3, 12);
    expect(topKAccuracyMetric(scores, 3, labels, 2).evaluate(null)).toBe(1);
  });

  it('counts every item when k is at least the number of classes', () => {
    expect(topKAccuracyMetric(scores, 3, labels, 5).evaluate(null)).toBe(1);
  });

  it('treats all-equal scores as class order', () => {
    const flat = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    // With every score equal, class c has rank c: top-2 holds labels 0 and 1, so items labelled 0, 1 count, 2 does not.
    expect(topKAccuracyMetric(flat, 4, [0, 1, 2], 2).evaluate(null)).toBeCloseTo(2 / 3, 12);
  });

  it('weights items by their weights', () => {
    // Correct = [0, 0, 1]; weights 1, 0, 3 → 3 / 4.
    expect(topKAccuracyMetric(scores, 3, labels, 1).evaluate(new Float64Array([1, 0, 3]))).toBe(0.75);
  });

  it('rejects labels outside the classes and misshapen matrices', () => {
    expect(() => topKCorrect(scores, 3, [2, 3, 0], 1)).toThrow(/item 1 is 3/);
    expect(() => topKCorrect(scores.slice(1), 3, labels, 1)).toThrow(RadprobeError);
  });
});

describe('argmaxRows', () => {
  it('picks the lowest index among equal maxima', () => {
    expect(Array.from(argmaxRows(scores, 3))).toEqual([1, 0, 0]);
  });
});

describe('balanced accuracy', () => {
  it('averages recall over the classes present in the truth', () => {
    // Labels 0,0,0,1,2 predicted 0,0,1,1,0: recall 2/3, 1, 0 → 5/9. Class 3 never occurs and is not averaged.
    const metric = balancedAccuracyMetric([0, 0, 1, 1, 0], [0, 0, 0, 1, 2], 4);
    expect(metric.evaluate(null)).toBeCloseTo(5 / 9, 12);
    // Weights 1,1,1,0,2: class 1 is absent, recall 2/3 and 0 → 1/3.
    expect(metric.evaluate(new Float64Array([1, 1, 1, 0, 2]))).toBeCloseTo(1 / 3, 12);
  });
});
