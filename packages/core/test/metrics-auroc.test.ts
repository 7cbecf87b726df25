import { describe, expect, it } from 'vitest';
import { auroc, aurocMetric, macroAurocMetric } from '../src/engine/metrics/auroc.js';
import { RadprobeError } from '../src/engine/util/errors.js';
import { Random } from '../src/engine/util/random.js';

/** Σ over (positive, negative) pairs of [p > n] + ½[p = n], divided by P·N: the definition, O(n²). */
function pairwiseAuroc(scores: number[], positive: number[]): number {
  let pairs = 0;
  let count = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!positive[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (positive[j]) continue;
      pairs += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      count++;
    }
  }
  return pairs / count;
}

describe('auroc', () => {
  it('counts the pairs ranked correctly', () => {
    // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 0.35 beats 0.1 only, 0.8 beats both → 3 of 4 pairs.
    expect(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });

  it('counts tied pairs one half', () => {
    // Positives 0.5, 0.5; negatives 0.5, 0.2. Each positive: ½ (tie with 0.5) + 1 (beats 0.2) → 3 / 4.
    expect(auroc([0.5, 0.5, 0.5, 0.2], [1, 0, 1, 0])).toBe(0.75);
    // Midranks: scores 1,2,2,3 with positives at 2 (rank 2.5) and 3 (rank 4): U = 2.5 + 4 − 3 = 3.5 of 4 pairs.
    expect(auroc([1, 2, 2, 3], [0, 0, 1, 1])).toBe(0.875);
  });

  it('is one half when all scores are equal', () => {
    expect(auroc([0.3, 0.3, 0.3, 0.3, 0.3], [1, 0, 0, 1, 0])).toBe(0.5);
  });

  it('is 1 for a perfect ranking and 0 for an inverted one', () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auroc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
  });

  it('is undefined without positives or without negatives', () => {
    expect(auroc([0.1, 0.2], [0, 0])).toBeNull();
    expect(auroc([0.1, 0.2], [1, 1])).toBeNull();
  });

  it('matches the pairwise count on random scores with many ties', () => {
    const random = new Random(7);
    for (let trial = 0; trial < 5; trial++) {
      const n = 300;
      const scores = Array.from({ length: n }, () => Math.round(random.next() * 20) / 20);
      const positive = scores.map((s) => (random.next() < 0.3 + 0.4 * s ? 1 : 0));
      expect(auroc(scores, positive)).toBeCloseTo(pairwiseAuroc(scores, positive), 12);
    }
  });

  it('under weights equals the AUROC of the items repeated that many times', () => {
    const scores = [0.9, 0.1, 0.5, 0.5, 0.3, 0.7];
    const positive = [1, 0, 1, 0, 0, 1];
    const weights = new Float64Array([2, 1, 0, 3, 1, 1]);
    const repeatedScores: number[] = [];
    const repeatedPositive: number[] = [];
    weights.forEach((w, i) => {
      for (let r = 0; r < w; r++) {
        repeatedScores.push(scores[i]);
        repeatedPositive.push(positive[i]);
      }
    });
    expect(aurocMetric(scores, positive).evaluate(weights)).toBeCloseTo(pairwiseAuroc(repeatedScores, repeatedPositive), 12);
  });

  it('rejects non-finite scores', () => {
    expect(() => auroc([0.1, Number.NaN], [0, 1])).toThrow(RadprobeError);
    expect(() => auroc([0.1, Number.NaN], [0, 1])).toThrow(/item 1/);
  });
});

describe('macroAurocMetric', () => {
  it('averages the classes with both labels and lists the others', () => {
    // Rows = items, columns = classes a, b, c. a: positives 0.9, 0.8 vs negatives 0.2, 0.1 → 1.
    // b: positive 0.3 vs negatives 0.6, 0.2, 0.4 → beats 0.2 only → 1/3. c has no positives.
    const scores = [0.9, 0.6, 0.5, 0.8, 0.2, 0.1, 0.2, 0.4, 0.3, 0.1, 0.3, 0.2];
    const targets = [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0];
    const metric = macroAurocMetric(scores, targets, ['a', 'b', 'c']);
    expect(metric.perClass).toEqual({ a: 1, b: 1 / 3, c: null });
    expect(metric.excludedClasses).toEqual([{ name: 'c', reason: 'no positives in split' }]);
    expect(metric.evaluate(null)).toBeCloseTo((1 + 1 / 3) / 2, 12);
  });

  it('is undefined under weights that drop an included class’s positives', () => {
    const metric = macroAurocMetric([0.9, 0.1, 0.4, 0.6], [1, 0, 0, 1], ['only']);
    expect(metric.evaluate(new Float64Array([0, 1, 1, 0]))).toBeNull();
  });

  it('names classes lacking negatives', () => {
    const metric = macroAurocMetric([0.9, 0.5, 0.1, 0.5], [1, 1, 1, 0], ['all', 'some']);
    expect(metric.excludedClasses).toEqual([{ name: 'all', reason: 'no negatives in split' }]);
    expect(metric.evaluate(null)).toBe(0.5);
  });

  it('throws when no class can be scored', () => {
    expect(() => macroAurocMetric([0.1, 0.2], [0, 0], ['x'])).toThrow(/no class has both/);
  });
});
