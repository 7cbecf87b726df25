import { describe, expect, it } from 'vitest';
import type { DatasetItem } from '@radprobe/core';
import { memoryProtocolContext } from '@radprobe/testkit';
import { fitMlKnn, knnProtocol, predictMlKnn } from '../src/index.js';

type FakeItem = DatasetItem & { feature: number[] };

/** The unit vector at `degrees`. */
const direction = (degrees: number): number[] => [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];

// TRAIN ∪ VAL (labels A, B, C): p0 at 0° (1,0,0), p1 at 10° (1,1,0), p2 at 90° (0,1,0), p3 at 100° (0,0,0, in VAL).
// k = 1, s = 1, N = 4. Nearest other point: p0↔p1, p2↔p3.
// Priors: A (1+2)/(2+4) = 1/2, B (1+2)/6 = 1/2, C (1+0)/6 = 1/6.
// A: δ = 1, 1, 0, 0. With A (p0, p1): c[A] = [0, 2] → P(δ|H1) = (1+c)/(1·2+2) = [1/4, 3/4].
//    Without A (p2, p3): c'[A] = [2, 0] → P(δ|H0) = [3/4, 1/4].
// B: δ = 1 (p0's neighbour p1), 0, 0, 1. With B (p1, p2): δ 0, 0 → [3/4, 1/4]. Without (p0, p3): δ 1, 1 → [1/4, 3/4].
// C: no positives → P(δ|H1) = [1/2, 1/2]; all four δ = 0 → P(δ|H0) = [(1+4)/6, 1/6] = [5/6, 1/6].
const train: FakeItem[] = [
  { id: 'p0', split: 'train', labels: [1, 0, 0], source: 'p0', feature: direction(0) },
  { id: 'p1', split: 'train', labels: [1, 1, 0], source: 'p1', feature: direction(10) },
  { id: 'p2', split: 'train', labels: [0, 1, 0], source: 'p2', feature: direction(90) },
  { id: 'p3', split: 'val', labels: [0, 0, 0], source: 'p3', feature: direction(100) },
];
// TEST: q0 at 3° (nearest p0), q1 at 93° (p2), q2 at 12° (p1), q3 at 102° (p3).
// Scores p1/(p1+p0) with equal priors reduce to P(δ|H1)/(P(δ|H1)+P(δ|H0)):
//   A: δ = 1, 0, 1, 0 → 3/4, 1/4, 3/4, 1/4.  B: δ = 0, 1, 1, 0 → 3/4, 1/4, 1/4, 3/4.
// Targets A: 1, 0, 1, 0 → AUROC 1. B: 0, 1, 1, 0 → both positives score 1/4 below both negatives → AUROC 0.
// C has no positives in TEST → excluded. Macro = (1 + 0) / 2.
const test: FakeItem[] = [
  { id: 'q0', split: 'test', labels: [1, 0, 0], source: 'q0', feature: direction(3) },
  { id: 'q1', split: 'test', labels: [0, 1, 0], source: 'q1', feature: direction(93) },
  { id: 'q2', split: 'test', labels: [1, 1, 0], source: 'q2', feature: direction(12) },
  { id: 'q3', split: 'test', labels: [0, 0, 0], source: 'q3', feature: direction(102) },
];
const trainTargets = Uint8Array.from(train.flatMap((item) => item.labels!));

describe('ML-kNN', () => {
  it('fits the hand-computed priors and likelihoods', () => {
    const model = fitMlKnn(Int32Array.from([1, 0, 3, 2]), 1, 1, trainTargets, 3, 1);
    [1 / 2, 1 / 2, 1 / 6].forEach((p, l) => expect(model.prior[l]).toBeCloseTo(p, 12));
    [1 / 4, 3 / 4, 3 / 4, 1 / 4, 1 / 2, 1 / 2].forEach((p, i) => expect(model.likelihoodPositive[i]).toBeCloseTo(p, 12));
    [3 / 4, 1 / 4, 1 / 4, 3 / 4, 5 / 6, 1 / 6].forEach((p, i) => expect(model.likelihoodNegative[i]).toBeCloseTo(p, 12));
  });

  it('scores the hand-computed posteriors', () => {
    const model = fitMlKnn(Int32Array.from([1, 0, 3, 2]), 1, 1, trainTargets, 3, 1);
    const scores = predictMlKnn(model, Int32Array.from([0, 2, 1, 3]), 1, trainTargets);
    // C: δ = 0 everywhere → (1/6 · 1/2) / (1/6 · 1/2 + 5/6 · 5/6) = (1/12) / (1/12 + 25/36) = 3/28.
    const expected = [3 / 4, 3 / 4, 3 / 28, 1 / 4, 1 / 4, 3 / 28, 3 / 4, 1 / 4, 3 / 28, 1 / 4, 3 / 4, 3 / 28];
    expected.forEach((p, i) => expect(scores[i]).toBeCloseTo(p, 12));
  });

  it('runs through the protocol on TRAIN ∪ VAL with neighbours excluding the point itself', async () => {
    const result = await knnProtocol.run({ k: [1] }, memoryProtocolContext({ task: 'multilabel', classes: ['A', 'B', 'C'], items: [...train, ...test], cls: [...train, ...test].map((item) => [item.feature]) }));
    expect(result.primaryMetric).toBe('auroc');
    expect(result.rows).toHaveLength(1);
    const auroc = result.rows[0].metrics.auroc;
    expect(auroc.value).toBe(0.5);
    expect(auroc.perClass).toEqual({ A: 1, B: 0, C: null });
    expect(auroc.excludedClasses).toEqual([{ name: 'C', reason: 'no positives in split' }]);
    // A curve per class with positives and negatives, its AUROC the per-class value; no confusion matrix (multi-label).
    const diagnostics = result.rows[0].classification!;
    expect(diagnostics.curves!.map((curve) => [curve.className, curve.auroc])).toEqual([['A', 1], ['B', 0]]);
    expect(diagnostics.confusion).toBeUndefined();
    expect(auroc.ci).toMatchObject({ samples: 200, unit: 'item' });
    expect(result.notes.join(' ')).toContain("the study's code counted each point as its own neighbour");
  });
});
