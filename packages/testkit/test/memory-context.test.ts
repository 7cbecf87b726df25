import { describe, expect, it } from 'vitest';
import type { DatasetItem, PatchTokens, Protocol } from '@radprobe/core';
import { memoryProtocolContext } from '../src/index.js';

const items: DatasetItem[] = [
  { id: 'a', split: 'train', label: 0, source: 'a' },
  { id: 'b', split: 'val', label: 1, source: 'b' },
  { id: 'c', split: 'train', label: 1, source: 'c' },
  { id: 'd', split: 'test', label: 0, source: 'd' },
];
// Item i, block b (0 = oldest), width 2: CLS [10i + b, -(10i + b)], patch mean [100 + 10i + b, 0].
const cls = items.map((_, i) => [0, 1].map((b) => [10 * i + b, -(10 * i + b)]));
const patchMean = items.map((_, i) => [0, 1].map((b) => [100 + 10 * i + b, 0]));
// One block of a 1×2 grid: tokens [i, i] and [i + 0.5, i + 0.5].
const tokens = items.map((_, i) => [[i, i, i + 0.5, i + 0.5]]);
const masks = items.map((_, i) => ({ width: 2, height: 1, data: Uint8Array.from([i, 0]) }));
const other: Protocol = { kind: 'other', title: 'Other', optionsSchema: {}, tasks: ['binary'], featureNeeds: () => ({ clsBlocks: 0, patchMean: false, patchBlocks: 0 }), run: async () => ({ primaryMetric: 'x', rows: [], notes: [], skipped: [] }) };

const context = () => memoryProtocolContext({ task: 'binary', classes: ['n', 'p'], items, cls, patchMean, patchTokens: { grid: { rows: 1, cols: 2 }, tokens }, masks, protocols: [other], seed: 7 });

async function collect(source: AsyncIterable<PatchTokens>): Promise<PatchTokens[]> {
  const out: PatchTokens[] = [];
  for await (const entry of source) out.push(entry);
  return out;
}

describe('memoryProtocolContext', () => {
  it('reads the blocks asked for, rows of the splits in item order', async () => {
    const ctx = context();
    expect(ctx.features.clsBlocks).toBe(2);
    expect(ctx.features.patchBlocks).toBe(1);
    expect(ctx.backbone).toMatchObject({ embedDim: 2, hasPatchTokens: true, exposedBlocks: [0, 1] });
    const last = await ctx.features.cls(['train', 'test']);
    expect(last.items).toEqual([0, 2, 3]);
    expect([...last.data]).toEqual([1, -1, 21, -21, 31, -31]);
    expect([...(await ctx.features.cls('val', 1)).data]).toEqual([10, -10]);
    expect([...(await ctx.features.patchMean('train', 0)).data]).toEqual([101, 0, 121, 0]);
    await expect(ctx.features.cls('train', 2)).rejects.toThrow(/only the last 2 block\(s\)/);
    expect(ctx.seed).toBe(7);
    expect(ctx.protocol('other')).toBe(other);
    expect(ctx.protocol('missing')).toBeUndefined();
  });

  it('restricts like the engine: dataset order, re-indexed, features and masks follow', async () => {
    const sub = context().restrict([3, 1, 1, 2]);
    expect(sub.dataset.items.map((item) => item.id)).toEqual(['b', 'c', 'd']);
    const train = await sub.features.cls(['train', 'val']);
    expect(train.items).toEqual([0, 1]);
    expect([...train.data]).toEqual([11, -11, 21, -21]);
    const streamed = await collect(sub.features.patchTokens('test'));
    expect(streamed.map((entry) => [entry.item, ...entry.data])).toEqual([[2, 3, 3, 3.5, 3.5]]);
    expect((await sub.masks!.mask(0)).data[0]).toBe(1);
    const nested = sub.restrict([2]);
    expect(nested.dataset.items.map((item) => item.id)).toEqual(['d']);
    expect([...(await nested.masks!.mask(0)).data]).toEqual([3, 0]);
    expect(() => sub.restrict([3])).toThrow('restrict: item 3 is not one of the 3 items of this context');
    expect(() => sub.restrict([0.5])).toThrow(/item 0.5/);
  });

  it('rejects features that do not match the items', () => {
    expect(() => memoryProtocolContext({ task: 'binary', classes: ['n', 'p'], items, cls: cls.slice(1) })).toThrow('memoryProtocolContext: cls has 3 entries for 4 items');
    expect(() => memoryProtocolContext({ task: 'binary', classes: ['n', 'p'], items, cls: [...cls.slice(0, 3), [[1, 2]]] })).toThrow('cls of item 3 has 1 blocks, item 0 has 2');
  });

  it('refuses reads of features it was not given', async () => {
    const ctx = memoryProtocolContext({ task: 'binary', classes: ['n', 'p'], items, cls });
    expect(ctx.backbone.hasPatchTokens).toBe(false);
    expect(ctx.masks).toBeNull();
    expect(ctx.pixels).toBeNull();
    expect(ctx.trainable).toBeNull();
    await expect(ctx.features.patchMean('train')).rejects.toThrow('memoryProtocolContext: no mean patch tokens were given');
    expect(() => ctx.features.patchTokens('train')).toThrow('no patch tokens were given');
  });

  it('hands out the pixels and trainable network it was given, pixels re-indexed by restrict', async () => {
    // Item i's image is the single value i: the restricted view must answer the selected item's.
    const pixels = { size: { height: 1, width: 1 }, pixels: async (index: number) => Float32Array.of(index, index, index) };
    const trainable = { weights: async () => { throw new Error('unused'); }, writeWeights: async () => {} };
    const ctx = memoryProtocolContext({ task: 'binary', classes: ['n', 'p'], items, cls, pixels, trainable });
    expect(ctx.trainable).toBe(trainable);
    expect(ctx.pixels!.size).toEqual({ height: 1, width: 1 });
    const sub = ctx.restrict([3, 1]);
    expect(sub.trainable).toBe(trainable);
    expect([...(await sub.pixels!.pixels(1))]).toEqual([3, 3, 3]);
    await expect(sub.pixels!.pixels(2)).rejects.toThrow('memoryProtocolContext: no item 2 among the 2');
  });
});
