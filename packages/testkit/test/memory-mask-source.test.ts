import { describe, expect, it } from 'vitest';
import { RadprobeError, type DatasetItem, type LabelMap } from '@radprobe/core';
import { memoryProtocolContext } from '../src/index.js';

const items: DatasetItem[] = [0, 1, 2].map((k) => ({ id: `v#k=${k}`, split: 'test', volume: 'v', source: `v.nii#k=${k}` }));
const masks = items.map((_, k) => ({ width: 2, height: 1, data: Uint8Array.from([k, 1]) }));

describe('memoryProtocolContext mask source', () => {
  it('carries maps back unchanged and hands volume slices to the dataset writer as items of the restricted view', async () => {
    const calls: Array<{ volume: string; slices: Array<{ item: DatasetItem; labels: LabelMap }> }> = [];
    const context = memoryProtocolContext({
      task: 'segmentation',
      classes: ['background', 'organ'],
      items,
      masks,
      encodeLabelVolume: async (volume, slices) => {
        calls.push({ volume, slices: [...slices] });
        return { name: 'v.nii.gz', mediaType: 'application/gzip', data: new Uint8Array([slices.length]) };
      },
    });
    const restricted = context.restrict([2, 0]);
    const prediction = { width: 2, height: 1, data: Uint8Array.from([1, 0]) };
    expect(await restricted.masks!.toSource(1, prediction)).toBe(prediction);
    const file = await restricted.masks!.encodeLabelVolume!('v', [{ index: 1, labels: prediction }]);
    expect(file.data).toEqual(new Uint8Array([1]));
    // Index 1 of the view over items {0, 2} is item 2.
    expect(calls).toEqual([{ volume: 'v', slices: [{ item: items[2], labels: prediction }] }]);
  });

  it('has no volume writer without one, and refuses maps of another size or unknown items', async () => {
    const { masks: source } = memoryProtocolContext({ task: 'segmentation', classes: ['background', 'organ'], items, masks });
    expect(source!.encodeLabelVolume).toBeUndefined();
    await expect(source!.toSource(0, { width: 1, height: 2, data: new Uint8Array(2) })).rejects.toThrow(RadprobeError);
    await expect(source!.toSource(0, { width: 1, height: 2, data: new Uint8Array(2) })).rejects.toThrow(/label map 1×2 of item 0 is not the masks' 2×1/);
    await expect(source!.toSource(3, masks[0])).rejects.toThrow(/no item 3 among the 3/);
  });
});
