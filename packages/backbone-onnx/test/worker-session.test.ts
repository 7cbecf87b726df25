import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Random, decodeImage, type Dataset, type DatasetItem } from '@radprobe/core';
import { FeatureCache, cacheEntryIdentity, extractFeatures, groupsFor, preprocessInto, resolvePreprocessing } from '@radprobe/core/engine';
import { encodeGrayPng, writeDinov2Fixture } from '@radprobe/testkit';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { selectExecutionProviders } from '../src/execution-providers.js';
import { onnxBackboneFactory } from '../src/onnx-backbone.js';
import { WorkerSession } from '../src/worker-session.js';

const bytesOf = (values: Float32Array) => Buffer.from(values.buffer, values.byteOffset, values.byteLength);

/** Four 300×300 gray PNGs, decoded and resized for real by `open`. */
function pngDataset(): { dataset: Dataset; files: Map<string, Uint8Array> } {
  const random = new Random(3);
  const files = new Map<string, Uint8Array>();
  const items: DatasetItem[] = [0, 1, 2, 3].map((index) => {
    const source = `mem/image${index}.png`;
    files.set(source, encodeGrayPng(Uint8Array.from({ length: 300 * 300 }, () => Math.floor(random.next() * 256)), 300, 300, 8));
    return { id: `image${index}`, split: 'train', label: index % 2, source };
  });
  const dataset: Dataset = {
    name: 'memory',
    task: 'binary',
    classes: ['a', 'b'],
    items,
    skipped: [],
    notes: [],
    open: async (item) => decodeImage(files.get(item.source)!, item.source),
    contentKey: async (item) => `key-${item.id}`,
  };
  return { dataset, files };
}

describe('onnxruntime in a worker thread', () => {
  it('extraction caches, bit for bit, the tokens a session on the main thread gives for the same batches', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radprobe-worker-session-'));
    const modelPath = await writeDinov2Fixture(join(dir, 'model'), { embedDim: 24, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 4, style: 'hf' });
    const backbone = await onnxBackboneFactory.create({ model: modelPath }, { baseDir: dir, modelStoreDir: join(dir, 'store'), device: 'cpu', log: () => {} });
    const { dataset, files } = pngDataset();
    const preprocessing = resolvePreprocessing({ preset: 'study', resize: { mode: 'square', size: 56 } }, backbone.info);
    const cache = await FeatureCache.open(join(dir, 'cache'), cacheEntryIdentity(backbone.info, 'test', preprocessing.description));
    const groups = groupsFor({ clsBlocks: 1, patchMean: false, patchBlocks: 1 }, backbone.info, 16);
    const request = { dataset, backbone, preprocessing, cache, groups, batchSize: 2, onBadItem: 'fail' as const, signal: new AbortController().signal };
    const result = await extractFeatures({ ...request, progress() {}, log() {}, warn() {} });
    await backbone.dispose();
    expect(result.computed).toBe(4);

    // The serial path: the same batches, preprocessed, then run by onnxruntime on this thread with the same options.
    const session = await InferenceSession.create(modelPath, selectExecutionProviders('cpu').sessionOptions);
    const plane = 3 * 56 * 56;
    const [globalStore, patchStore] = await Promise.all(groups.map((group) => cache.store(group)));
    for (const batch of [dataset.items.slice(0, 2), dataset.items.slice(2, 4)]) {
      const pixels = new Float32Array(batch.length * plane);
      batch.forEach((item, row) => preprocessInto(decodeImage(files.get(item.source)!, item.source), preprocessing, pixels, row * plane));
      const outputs = await session.run({ pixel_values: new Tensor('float32', pixels, [batch.length, 3, 56, 56]) }, ['last_hidden_state']);
      const tokens = outputs.last_hidden_state.data as Float32Array;
      const keys = batch.map((item) => `key-${item.id}`);
      const global = await globalStore.read(keys);
      const patch = await patchStore.read(keys);
      batch.forEach((_, row) => {
        const sequence = tokens.subarray(row * 17 * 24, (row + 1) * 17 * 24);
        // The global record is [CLS, mean of the patch tokens]; the CLS half is onnxruntime's own numbers.
        expect(bytesOf(global.subarray(row * 48, row * 48 + 24))).toEqual(bytesOf(sequence.subarray(0, 24)));
        expect(bytesOf(patch.subarray(row * 16 * 24, (row + 1) * 16 * 24))).toEqual(bytesOf(sequence.subarray(24)));
      });
    }
    await session.release();
  });

  it('leaves the caller its input, and says so when used after release', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radprobe-worker-session-'));
    const modelPath = await writeDinov2Fixture(dir, { embedDim: 24, depth: 1, heads: 2, patchSize: 14, posGrid: 2, seed: 5, style: 'meta' });
    const session = await WorkerSession.open(modelPath, selectExecutionProviders('cpu').sessionOptions);
    const input = new Float32Array(3 * 28 * 28).fill(0.5);
    const outputs = await session.run(session.inputMetadata[0].name, input, [1, 3, 28, 28], [session.outputMetadata[0].name]);
    expect(outputs[session.outputMetadata[0].name].dims[0]).toBe(1);
    expect(input.length).toBe(3 * 28 * 28);
    expect(input[0]).toBe(0.5);
    await session.release();
    await expect(session.run(session.inputMetadata[0].name, input, [1, 3, 28, 28], [session.outputMetadata[0].name])).rejects.toThrow(
      'the onnxruntime session was released',
    );
  });
});
