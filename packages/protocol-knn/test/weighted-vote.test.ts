import { describe, expect, it } from 'vitest';
import type { DatasetItem, TaskType } from '@radprobe/core';
import { memoryProtocolContext, type MemoryContextOptions } from '@radprobe/testkit';
import plugin, { knnProtocol, resolveKnnOptions, weightedVoteScores } from '../src/index.js';

type FakeItem = DatasetItem & { feature: number[] };

/** A context whose last-block CLS token of each item is its `feature`. */
const contextOf = (task: TaskType, classes: string[], items: FakeItem[], extra: Partial<MemoryContextOptions> = {}) =>
  memoryProtocolContext({ task, classes, items, cls: items.map((item) => [item.feature]), ...extra });

// TRAIN: t0 (1, 0) class 0, t1 (0.8, 0.6) class 1, t2 (0, 1) class 1, t3 (0.6, 0.8) class 0.
// TEST: q0 (1, 0) class 0, q1 (0.6, 0.8) class 1. Temperature 0.5, k ∈ {1, 3} so max_k = 3.
//
// q0: similarities t0 1, t1 0.8, t3 0.6, t2 0. Top 3: t0, t1, t3.
//   w ∝ exp((s − 1)/0.5) = 1, e^−0.4 = 0.670320, e^−0.8 = 0.449329; Σ = 2.119649 → 0.471777, 0.316237, 0.211985.
//   k = 1: [0.471777, 0]; k = 3: [0.471777 + 0.211985, 0.316237] = [0.683762, 0.316237] → class 0 both times.
// q1: similarities t3 1, t1 0.96, t2 0.8, t0 0.6. Top 3: t3, t1, t2.
//   w ∝ 1, e^−0.08 = 0.923116, e^−0.4 = 0.670320; Σ = 2.593436 → 0.385589, 0.355943, 0.258468.
//   k = 1: [0.385589, 0] → class 0 (wrong); k = 3: [0.385589, 0.614411] → class 1 (right).
const items: FakeItem[] = [
  { id: 't0', split: 'train', label: 0, source: 't0', feature: [1, 0] },
  { id: 't1', split: 'train', label: 1, source: 't1', feature: [0.8, 0.6] },
  { id: 't2', split: 'train', label: 1, source: 't2', feature: [0, 1] },
  { id: 't3', split: 'train', label: 0, source: 't3', feature: [0.6, 0.8] },
  { id: 'q0', split: 'test', label: 0, source: 'q0', feature: [2, 0] },
  { id: 'q1', split: 'test', label: 1, source: 'q1', feature: [0.3, 0.4] },
];

describe('weightedVoteScores', () => {
  it('sums softmax weights over the first k of max_k neighbours, without renormalising', () => {
    const indices = Int32Array.from([0, 1, 3, 3, 1, 2]);
    const similarities = Float32Array.from([1, 0.8, 0.6, 1, 0.96, 0.8]);
    const [k1, k3] = weightedVoteScores(indices, similarities, 3, Int32Array.from([0, 1, 1, 0]), 2, [1, 3], 0.5);
    const expectedK1 = [0.471777, 0, 0.385589, 0];
    const expectedK3 = [0.683762, 0.316237, 0.385589, 0.614411];
    expectedK1.forEach((value, i) => expect(k1[i]).toBeCloseTo(value, 5));
    expectedK3.forEach((value, i) => expect(k3[i]).toBeCloseTo(value, 5));
  });
});

describe('knn protocol, weighted vote', () => {
  it('is the plugin’s one protocol and reads only the last CLS token', () => {
    expect(plugin.protocols).toEqual([knnProtocol]);
    expect(knnProtocol.featureNeeds({}, contextOf('binary', ['a', 'b'], items).backbone, () => undefined)).toEqual({ clsBlocks: 1, patchMean: false, patchBlocks: 0 });
  });

  it('reports the hand-computed metrics per k (features normalised first)', async () => {
    const progress: Array<[string, number, number]> = [];
    const result = await knnProtocol.run({ k: [1, 3], temperature: 0.5 }, contextOf('binary', ['neg', 'pos'], items, { progress: (update) => progress.push([update.label, update.done, update.total]) }));
    expect(result.primaryMetric).toBe('auroc');
    expect(result.rows.map((row) => row.setting)).toEqual([{ k: 1 }, { k: 3 }]);
    const [k1, k3] = result.rows.map((row) => row.metrics);
    // k = 1: predictions 0, 0 → top-1 1/2; recalls 1 and 0 → balanced 1/2; score[1] 0 and 0 tie → AUROC 1/2.
    expect(k1.top1.value).toBe(0.5);
    expect(k1.balancedAccuracy.value).toBe(0.5);
    expect(k1.auroc.value).toBe(0.5);
    // k = 3: predictions 0, 1 → all right; score[1] 0.316 (negative) < 0.614 (positive) → AUROC 1.
    expect(k3.top1.value).toBe(1);
    expect(k3.balancedAccuracy.value).toBe(1);
    expect(k3.auroc.value).toBe(1);
    expect(k3.top5).toBeUndefined();
    expect(k3.top1.ci).toMatchObject({ samples: 200, confidence: 0.95, unit: 'item' });
    expect(progress.at(-1)).toEqual(['similarity blocks', 1, 1]);
    // The row's TEST diagnostics come from the same scores: k = 3 predicts both right; the positive class's curve
    // (score[1]: q0 0.316 negative, q1 0.614 positive) rises straight to the top left.
    const diagnostics = result.rows[1].classification!;
    expect(diagnostics.confusion).toEqual({ classes: ['neg', 'pos'], counts: [[1, 0], [0, 1]] });
    expect(diagnostics.curves!.map((curve) => [curve.className, curve.auroc, curve.roc])).toEqual([['pos', 1, { x: [0, 0, 1], y: [0, 1, 1] }]]);
    // k = 1 calls both class 0: sensitivity of neg 1, of pos 0; PPV of pos undefined (never predicted).
    const k1Decisions = result.rows[0].classification!.decisions!;
    expect(k1Decisions.map((entry) => [entry.className, entry.sensitivity?.value, entry.ppv?.value ?? null])).toEqual([
      ['neg', 1, 0.5],
      ['pos', 0, null],
    ]);
  });

  it('caps k at the training set and says so; reports top-5 with five classes', async () => {
    const fiveClasses = items.map((item, i) => ({ ...item, label: i % 5 }));
    const result = await knnProtocol.run({ k: [2, 10] }, contextOf('multiclass', ['a', 'b', 'c', 'd', 'e'], fiveClasses));
    expect(result.primaryMetric).toBe('top1');
    expect(result.notes).toContain('k = 10 exceeds the 4 TRAIN features: it used 4 neighbours.');
    expect(result.rows[1].setting).toEqual({ k: 10 });
    // With exactly five classes every label ranks within the top five.
    expect(result.rows[1].metrics.top5.value).toBe(1);
    expect(result.rows[1].metrics.auroc).toBeUndefined();
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(knnProtocol.run({}, contextOf('binary', ['a', 'b'], items, { signal: controller.signal }))).rejects.toThrow('cancelled');
  });
});

describe('resolveKnnOptions', () => {
  it('fills the upstream defaults', () => {
    expect(resolveKnnOptions({})).toEqual({ k: [10, 20, 100, 200], temperature: 0.07, smoothing: 1 });
  });

  it('names the bad option by pointer', () => {
    expect(() => resolveKnnOptions({ k: [10, 0] })).toThrow(expect.objectContaining({ pointer: '/k/1' }));
    expect(() => resolveKnnOptions({ k: [5, 5] })).toThrow(/lists 5 twice/);
    expect(() => resolveKnnOptions({ temperature: -1 })).toThrow(expect.objectContaining({ pointer: '/temperature' }));
  });

  it('publishes a closed schema that admits kind and name', () => {
    expect(knnProtocol.optionsSchema).toMatchObject({ additionalProperties: false });
    expect(Object.keys(knnProtocol.optionsSchema.properties as object)).toEqual(['kind', 'name', 'k', 'temperature', 'smoothing']);
  });
});
