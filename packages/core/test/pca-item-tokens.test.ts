import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Backbone, type BackboneInfo, type Dataset, type DatasetItem, type EmbeddedBatch } from '../src/index.js';
import { FeatureCache, cacheEntryIdentity, extractFeatures, itemPatchTokens, resolvePreprocessing } from '../src/engine/index.js';

/**
 * A 2-block "ViT" on 4 × 4 inputs with 2 × 2 patches: patch token t of block b is (mean of the patch's first channel,
 * b, t), so each token says where it came from.
 */
function fakeBackbone(): Backbone & { embedded: number; optionsHash: string } {
  const info: BackboneInfo = {
    description: 'fake 2-block ViT', patchSize: 2, embedDim: 3, totalBlocks: 2, exposedBlocks: [0, 1], registerTokens: 0,
    inputSize: { height: 4, width: 4 }, dynamicInputSize: false, hasPatchTokens: true,
    normalization: { mean: [0, 0, 0], std: [1, 1, 1] }, weightsHash: 'a'.repeat(64), executionProvider: 'test',
  };
  const backbone = {
    info,
    embedded: 0,
    optionsHash: 'options',
    async embed(pixels: Float32Array, batchSize: number): Promise<EmbeddedBatch> {
      backbone.embedded += batchSize;
      const patch = [0, 1].map((block) => {
        const out = new Float32Array(batchSize * 4 * 3);
        for (let image = 0; image < batchSize; image++) {
          for (let token = 0; token < 4; token++) {
            const top = Math.floor(token / 2) * 2;
            const left = (token % 2) * 2;
            let sum = 0;
            for (let y = top; y < top + 2; y++) for (let x = left; x < left + 2; x++) sum += pixels[image * 48 + y * 4 + x];
            out.set([sum / 4, block, token], (image * 4 + token) * 3);
          }
        }
        return out;
      });
      return { batchSize, grid: { rows: 2, cols: 2 }, cls: [new Float32Array(batchSize * 3), new Float32Array(batchSize * 3)], patch };
    },
    async dispose() {},
  };
  return backbone;
}

/** Items whose 4 × 4 gray image is 0 on the left half and `value` on the right. */
function fakeDataset(values: number[]): Dataset {
  const items: DatasetItem[] = values.map((value, index) => ({ id: `item-${index}`, split: 'test', label: 0, source: `memory/${index}.png#${value}` }));
  return {
    name: 'fake', task: 'multiclass', classes: ['a'], items, skipped: [], notes: [],
    async open(item) {
      const value = Number(item.source.split('#')[1]);
      return { width: 4, height: 4, channels: 1, data: Float32Array.from({ length: 16 }, (_, pixel) => (pixel % 4 >= 2 ? value : 0)) };
    },
    async contentKey(item) {
      return `key-${item.source}`;
    },
  };
}

describe('itemPatchTokens', () => {
  let cacheDir: string;
  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'radprobe-pca-tokens-'));
  });
  afterEach(() => rm(cacheDir, { recursive: true, force: true }));

  const request = (backbone: Backbone & { optionsHash: string }, dataset: Dataset, items: DatasetItem[]) => ({
    dataset, backbone, items, cacheDir, batchSize: 2, signal: new AbortController().signal, log: () => undefined,
    preprocessing: resolvePreprocessing({ resize: { mode: 'square', size: 4 }, scale: 'minmax' }, backbone.info),
  });

  it('embeds uncached items into the cache, then serves them from it without embedding', async () => {
    const backbone = fakeBackbone();
    const dataset = fakeDataset([1, 3, 5]);
    const chosen = [dataset.items[2], dataset.items[0]];
    const first = await itemPatchTokens(request(backbone, dataset, chosen));
    expect(backbone.embedded).toBe(2);
    expect(first.map((tokens) => [tokens.item.id, tokens.source])).toEqual([['item-2', 'extracted'], ['item-0', 'extracted']]);
    // Min–max scaling maps the left half to 0 and the right to 1: patches 1 and 3 (right column) have mean 1, and the
    // last block (index 1) is the one returned.
    expect(Array.from(first[0].data)).toEqual([0, 1, 0, 1, 1, 1, 0, 1, 2, 1, 1, 3]);
    expect(first[0].grid).toEqual({ rows: 2, cols: 2 });

    const second = await itemPatchTokens(request(backbone, dataset, chosen));
    expect(backbone.embedded).toBe(2);
    expect(second.map((tokens) => tokens.source)).toEqual(['cache', 'cache']);
    expect(second.map((tokens) => Array.from(tokens.data))).toEqual(first.map((tokens) => Array.from(tokens.data)));
  });

  it('reads the last block of a run’s multi-block patch group rather than embedding again', async () => {
    const backbone = fakeBackbone();
    const dataset = fakeDataset([2]);
    const { preprocessing } = request(backbone, dataset, dataset.items);
    const cache = await FeatureCache.open(cacheDir, cacheEntryIdentity(backbone.info, backbone.optionsHash, preprocessing.description));
    await extractFeatures({
      dataset, backbone, preprocessing, cache, groups: [{ kind: 'patch', blocks: 2, embedDim: 3, tokens: 4 }], batchSize: 4,
      onBadItem: 'fail', signal: new AbortController().signal, progress: () => undefined, log: () => undefined, warn: () => undefined,
    });
    expect(backbone.embedded).toBe(1);
    const [tokens] = await itemPatchTokens(request(backbone, dataset, dataset.items));
    expect(backbone.embedded).toBe(1);
    expect(tokens.source).toBe('cache');
    expect(Array.from(tokens.data)).toEqual([0, 1, 0, 1, 1, 1, 0, 1, 2, 1, 1, 3]);
  });

  it('refuses a backbone without patch tokens, naming it', async () => {
    const backbone = fakeBackbone();
    const cnn = { ...backbone, info: { ...backbone.info, hasPatchTokens: false, description: 'a CNN' } };
    const dataset = fakeDataset([1]);
    await expect(itemPatchTokens(request(cnn, dataset, dataset.items))).rejects.toThrow(/a CNN exposes no patch tokens/);
  });
});
