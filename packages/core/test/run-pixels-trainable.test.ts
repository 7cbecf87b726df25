import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Backbone,
  type BackboneInfo,
  type Dataset,
  type DatasetItem,
  type FeatureNeeds,
  type Protocol,
  type ProtocolContext,
  type RadprobePlugin,
  type RunResults,
  type TrainableBackbone,
} from '../src/index.js';
import { runEvaluation } from '../src/engine/index.js';
import { resolvePreprocessing } from '../src/engine/image/preprocessing.js';
import { pixelSource } from '../src/engine/run/pixel-source.js';
import { testBackboneInfo } from './backbone-info.js';

const SIDE = 28;
const info = testBackboneInfo({ description: 'recording backbone', embedDim: 2, inputSize: { height: SIDE, width: SIDE }, weightsHash: 'a'.repeat(64) });
const network: TrainableBackbone = {
  weights: async () => Promise.reject(new Error('not read here')),
  writeWeights: async () => {},
};

/** Five gray 10×14 gradients (each brighter by item) and one item whose image cannot be decoded. */
function dataset(): Dataset {
  const splits = ['train', 'train', 'val', 'test', 'test', 'train'] as const;
  const items: DatasetItem[] = splits.map((split, index) => ({ id: `item${index}`, split, label: index % 2, source: `mem://item${index}` }));
  return {
    name: 'memory',
    task: 'binary',
    classes: ['a', 'b'],
    items,
    skipped: [],
    notes: [],
    async open(item) {
      if (item.id === 'item5') throw new Error('truncated PNG');
      const index = Number(item.id.slice(4));
      return { width: 14, height: 10, channels: 1, data: Float32Array.from({ length: 140 }, (_, p) => (p * (index + 1)) % 256), range: { min: 0, max: 255 } };
    },
    contentKey: async (item) => `key-${item.id}`,
  };
}

interface Seen {
  embedded: Float32Array[];
  contexts: Map<string, ProtocolContext>;
  pixels: Float32Array[];
  restricted: Float32Array | null;
}

function plugins(seen: Seen): RadprobePlugin {
  const backbone: Backbone = {
    info,
    async embed(pixels, batchSize) {
      for (let row = 0; row < batchSize; row++) seen.embedded.push(pixels.slice(row * 3 * SIDE * SIDE, (row + 1) * 3 * SIDE * SIDE));
      return { batchSize, grid: { rows: 2, cols: 2 }, cls: [new Float32Array(batchSize * 2)], patch: null };
    },
    dispose: async () => {},
    trainable: async () => network,
  };
  const protocol = (kind: string, needs: FeatureNeeds, read: (context: ProtocolContext) => Promise<void>): Protocol => ({
    kind,
    title: kind,
    optionsSchema: { type: 'object', properties: {} },
    tasks: ['binary'],
    featureNeeds: () => needs,
    async run(_options, context) {
      seen.contexts.set(kind, context);
      await read(context);
      return { primaryMetric: 'auroc', rows: [], notes: [], skipped: [] };
    },
  });
  const pixelsOnly = { clsBlocks: 0, patchMean: false, patchBlocks: 0, pixels: true, trainable: true };
  return {
    backbones: [{ kind: 'recording', optionsSchema: { type: 'object' }, create: async () => backbone }],
    datasets: [{ kind: 'memory', optionsSchema: { type: 'object' }, create: async () => dataset() }],
    protocols: [
      protocol('train-net', pixelsOnly, async (context) => {
        for (let index = 0; index < context.dataset.items.length; index++) seen.pixels.push(await context.pixels!.pixels(index));
        seen.restricted = await context.restrict([3, 1]).pixels!.pixels(1);
      }),
      protocol('frozen', { clsBlocks: 1, patchMean: false, patchBlocks: 0 }, async () => {}),
    ],
  };
}

async function run(protocols: string[]): Promise<{ seen: Seen; results: RunResults }> {
  const dir = await mkdtemp(join(tmpdir(), 'radprobe-pixels-'));
  const configPath = join(dir, 'radprobe.json');
  await writeFile(
    configPath,
    JSON.stringify({
      seed: 0,
      cache: 'cache',
      output: 'results',
      batchSize: 1,
      onBadItem: 'skip',
      preprocessing: { preset: 'study', resize: { mode: 'square', size: SIDE } },
      backbones: [{ kind: 'recording', name: 'net' }],
      datasets: [{ kind: 'memory', name: 'memory' }],
      protocols: protocols.map((kind) => ({ kind, name: kind })),
    }),
  );
  const seen: Seen = { embedded: [], contexts: new Map(), pixels: [], restricted: null };
  const { outputDir } = await runEvaluation({ configPath, builtins: [{ packageName: 'fakes', plugin: plugins(seen) }], reporter: () => {} });
  return { seen, results: JSON.parse(await readFile(join(outputDir, 'results.json'), 'utf8')) as RunResults };
}

describe('runEvaluation: pixels and the trainable network', () => {
  it('hands a protocol asking for them the exact backbone inputs and the network; others get neither', async () => {
    const { seen, results } = await run(['train-net', 'frozen']);
    expect(results.cells.map((cell) => cell.status)).toEqual(['completed', 'completed']);
    // batchSize 1 embeds the readable items one by one in dataset order: the i-th embedded image is item i.
    expect(seen.embedded).toHaveLength(5);
    expect(seen.pixels).toHaveLength(5);
    seen.pixels.forEach((pixels, index) => expect(pixels).toEqual(seen.embedded[index]));
    expect(seen.restricted).toEqual(seen.embedded[3]);
    const trainNet = seen.contexts.get('train-net')!;
    expect(trainNet.pixels!.size).toEqual({ height: SIDE, width: SIDE });
    expect(trainNet.trainable).toBe(network);
    expect(trainNet.restrict([0]).trainable).toBe(network);
    expect(seen.contexts.get('frozen')!.pixels).toBeNull();
    expect(seen.contexts.get('frozen')!.trainable).toBeNull();
    await expect(trainNet.pixels!.pixels(5)).rejects.toThrow('no item 5 among the 5 of dataset "memory"');
  });

  it('runs a protocol that needs nothing cached, leaving out the items that cannot be opened', async () => {
    const { seen, results } = await run(['train-net']);
    expect(results.cells[0].status).toBe('completed');
    expect(seen.embedded).toHaveLength(0);
    expect(seen.contexts.get('train-net')!.dataset.items.map((item) => item.id)).toEqual(['item0', 'item1', 'item2', 'item3', 'item4']);
    expect(results.datasets[0].skipped).toEqual([{ source: 'mem://item5', reason: 'truncated PNG' }]);
    expect(seen.pixels).toHaveLength(5);
  });

  it('names the item whose image fails to open when a protocol asks for its pixels', async () => {
    const preprocessing = resolvePreprocessing({ preset: 'study', resize: { mode: 'square', size: SIDE } }, info);
    const data = dataset();
    const source = pixelSource(data, data.items, preprocessing);
    expect((await source.pixels(0)).length).toBe(3 * SIDE * SIDE);
    await expect(source.pixels(5)).rejects.toThrow('mem://item5: truncated PNG');
  });
});
