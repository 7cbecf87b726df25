import { describe, expect, it } from 'vitest';
import { type Dataset, type DatasetItem, type LabelMap } from '../src/index.js';
import { protocolContext, resolvePreprocessing, type CellResources } from '../src/engine/index.js';

const items: DatasetItem[] = [0, 1].map((k) => ({ id: `scan#k=${k}`, split: 'test', volume: 'scan', source: `scan.nii#k=${k}` }));
/** Each slice's own label map: 5 wide × 3 high, the size of its image. */
const ownMaps: LabelMap[] = items.map(() => ({ width: 5, height: 3, data: new Uint8Array(15) }));

function context(withWriter: boolean, written: Array<{ volume: string; slices: Array<{ item: DatasetItem; labels: LabelMap }> }>) {
  const dataset: Dataset = {
    name: 'scans',
    task: 'segmentation',
    classes: ['background', 'a', 'b'],
    items,
    skipped: [],
    notes: [],
    open: async () => ({ width: 5, height: 3, channels: 1, data: new Float32Array(15) }),
    openMask: async (item) => ownMaps[items.indexOf(item)],
    contentKey: async (item) => item.id,
    ...(withWriter
      ? {
          encodeLabelVolume: async (volume: string, slices: ReadonlyArray<{ item: DatasetItem; labels: LabelMap }>) => {
            written.push({ volume, slices: [...slices] });
            return { name: 'scan.nii.gz', mediaType: 'application/gzip', data: new Uint8Array(0) };
          },
        }
      : {}),
  };
  // A backbone without patches (size 0) keeps the hand-computable sides: resize to 6×6, centre crop 3 at offset 2.
  const preprocessing = resolvePreprocessing({ resize: { mode: 'square', size: 6 }, centerCrop: 3 }, { patchSize: 0, normalization: { mean: [0, 0, 0], std: [1, 1, 1] } });
  const resources = { dataset, items, keys: ['a', 'b'], stores: [], grid: { rows: 1, cols: 1 }, preprocessing, masks: true, seed: 0, protocols: () => undefined, log: () => {}, progress: () => {} };
  return protocolContext(resources as unknown as CellResources);
}

describe('the engine mask source', () => {
  it('carries a prediction back to the item image grid and hands the dataset label volumes of carried slices', async () => {
    const written: Array<{ volume: string; slices: Array<{ item: DatasetItem; labels: LabelMap }> }> = [];
    const masks = context(true, written).restrict([1]).masks!;
    const prediction = { width: 3, height: 3, data: Uint8Array.from([1, 2, 1, 2, 1, 2, 1, 2, 1]) };
    // As in labelMapToSource's test: source columns 2, 3 ← cropped 1, 2; source row 1 ← cropped row 1 (2 1 2).
    const expected = [0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0];
    expect([...(await masks.toSource(0, prediction)).data]).toEqual(expected);
    await masks.encodeLabelVolume!('scan', [{ index: 0, labels: prediction }]);
    expect(written).toHaveLength(1);
    expect(written[0].volume).toBe('scan');
    expect(written[0].slices[0].item).toBe(items[1]);
    expect([...written[0].slices[0].labels.data]).toEqual(expected);
  });

  it('offers no label volumes when the dataset cannot write them', () => {
    expect(context(false, []).masks!.encodeLabelVolume).toBeUndefined();
  });
});
