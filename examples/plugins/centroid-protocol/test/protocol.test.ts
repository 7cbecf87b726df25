import { describe, expect, it } from 'vitest';
import type { DatasetItem, ProgressUpdate } from '@radprobe/core';
import { memoryProtocolContext } from '@radprobe/testkit';
import plugin, { centroidProtocol } from '../src/index.js';

// Class centroids on TRAIN: a ≈ direction [1, 0], b ≈ [0, 1], c ≈ [-1, -1]. VAL holds one item both distances
// classify (a) and one only cosine does: c at [-0.1, -0.1] is nearer a's Euclidean centroid [2, 0] than c's [-2, -2].
const points: Array<[DatasetItem['split'], number, [number, number]]> = [
  ['train', 0, [1, 0]],
  ['train', 0, [3, 0]],
  ['train', 1, [0, 1]],
  ['train', 1, [0, 3]],
  ['train', 2, [-2, -2]],
  ['val', 0, [1, 0.1]],
  ['val', 2, [-0.1, -0.1]],
  ['test', 0, [2, 0.1]],
  ['test', 1, [0.1, 2]],
  ['test', 2, [-1, -1.2]],
  // Wrongly taken for b: its direction is b's.
  ['test', 0, [0, 1]],
];
const items: DatasetItem[] = points.map(([split, label], i) => ({ id: `item-${i}`, split, label, source: `item-${i}.png` }));
const cls = points.map(([, , feature]) => [feature]);

function context(overrides: Partial<Parameters<typeof memoryProtocolContext>[0]> = {}) {
  return memoryProtocolContext({ task: 'multiclass', classes: ['a', 'b', 'c'], items, cls, seed: 3, bootstrap: { samples: 200, confidence: 0.95 }, ...overrides });
}

describe('centroid protocol', () => {
  it('is what the package.json manifest declares', () => {
    expect(plugin.protocols?.map((protocol) => protocol.kind)).toEqual(['centroid']);
  });

  it('chooses the distance on VAL, reports it on TEST with intervals, and marks the TEST row selected', async () => {
    const progress: ProgressUpdate[] = [];
    const result = await centroidProtocol.run({}, context({ progress: (update) => progress.push(update) }));
    expect(result.primaryMetric).toBe('top1');
    const [test, ...val] = result.rows;
    expect(val).toEqual([
      { setting: { distance: 'cosine' }, split: 'val', metrics: { top1: { value: 1 } } },
      { setting: { distance: 'euclidean' }, split: 'val', metrics: { top1: { value: 0.5 } } },
    ]);
    expect(test.setting).toEqual({ distance: 'cosine', selected: true });
    expect(test.split).toBe('test');
    // 3 of 4 TEST items right; per class a 1/2, b 1/1, c 1/1.
    expect(test.metrics.top1.value).toBe(0.75);
    expect(test.metrics.balancedAccuracy.value).toBeCloseTo((0.5 + 1 + 1) / 3, 12);
    const ci = test.metrics.top1.ci!;
    expect(ci).toMatchObject({ confidence: 0.95, samples: 200, unit: 'item' });
    expect(ci.low).toBeLessThanOrEqual(0.75);
    expect(ci.high).toBeGreaterThanOrEqual(0.75);
    expect(test.classification?.confusion?.counts).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(result.skipped).toEqual([]);
    expect(progress.at(-1)).toEqual({ label: 'distances tried on VAL', done: 2, total: 2 });
    // Same seed, same numbers.
    expect(await centroidProtocol.run({}, context())).toEqual(result);
  });

  it('carves VAL out of TRAIN when the dataset has none, and says so', async () => {
    const noVal = items.map((item) => (item.split === 'val' ? { ...item, split: 'train' as const } : item));
    const result = await centroidProtocol.run({ distances: ['euclidean'] }, context({ items: noVal }));
    expect(result.notes[0]).toMatch(/^VAL carved from TRAIN: 1 of 7 items/);
    expect(result.rows.filter((row) => row.split === 'val')).toHaveLength(1);
  });

  it('skips cosine when a feature has no direction, and runs the other distance', async () => {
    const zero = cls.map((blocks, i) => (i === 0 ? [[0, 0]] : blocks));
    const result = await centroidProtocol.run({}, context({ cls: zero }));
    expect(result.skipped).toEqual([{ setting: { distance: 'cosine' }, reason: 'a feature has length 0, so it has no direction to compare' }]);
    expect(result.rows[0].setting).toEqual({ distance: 'euclidean', selected: true });
  });

  it('stops when the run is cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the user'));
    await expect(centroidProtocol.run({}, context({ signal: controller.signal }))).rejects.toThrow('cancelled by the user');
  });

  it('names the class that has no TRAIN item', async () => {
    const noC = items.map((item) => (item.split === 'train' && item.label === 2 ? { ...item, split: 'test' as const } : item));
    await expect(centroidProtocol.run({}, context({ items: noC }))).rejects.toThrow('centroid: dataset memory has no TRAIN item of class c');
  });
});
