import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RadprobeError,
  type Backbone,
  type BackboneInfo,
  type Dataset,
  type DatasetContext,
  type DatasetItem,
  type RadprobePlugin,
  type RunResults,
} from '../src/index.js';
import { runEvaluation } from '../src/engine/index.js';
import { testBackboneInfo } from './backbone-info.js';

const SIDE = 28;
const info = testBackboneInfo({ description: 'mean backbone', inputSize: { height: SIDE, width: SIDE }, weightsHash: 'b'.repeat(64) });

/** Six gray items; item 4 has NaN voxels (as a float NIfTI slice may), item 5 is a slice of a truncated volume. */
function dataset(): Dataset {
  const splits = ['train', 'train', 'val', 'test', 'test', 'train'] as const;
  const items: DatasetItem[] = splits.map((split, index) => ({ id: `item${index}`, split, label: index % 2, source: `mem/vol${index}.nii.gz#k=${index}` }));
  return {
    name: 'memory',
    task: 'binary',
    classes: ['a', 'b'],
    items,
    skipped: [],
    notes: [],
    async open(item) {
      const index = Number(item.id.slice(4));
      if (index === 5) throw new RadprobeError('mem/vol5.nii.gz: truncated NIfTI (the gzip stream ends early)', { file: 'mem/vol5.nii.gz' });
      const data = Float32Array.from({ length: 140 }, (_, p) => (p * (index + 1)) % 256);
      if (index === 4) data[17] = Number.NaN;
      return { width: 14, height: 10, channels: 1, data, range: { min: 0, max: 255 } };
    },
    contentKey: async (item) => `key-${item.id}`,
  };
}

/** A backbone whose single feature is the mean of its input: a NaN pixel gives a NaN feature. */
const backbone: Backbone = {
  info,
  async embed(pixels, batchSize) {
    const plane = 3 * SIDE * SIDE;
    const cls = new Float32Array(batchSize);
    for (let row = 0; row < batchSize; row++) cls[row] = pixels.subarray(row * plane, (row + 1) * plane).reduce((sum, value) => sum + value, 0) / plane;
    return { batchSize, grid: { rows: 2, cols: 2 }, cls: [cls], patch: null };
  },
  dispose: async () => {},
};

async function run(onBadItem: 'skip' | 'fail', contexts: DatasetContext[]): Promise<RunResults> {
  const dir = await mkdtemp(join(tmpdir(), 'radprobe-bad-items-'));
  const configPath = join(dir, 'radprobe.json');
  await writeFile(
    configPath,
    JSON.stringify({
      cache: 'cache',
      output: 'results',
      onBadItem,
      decodeLimits: { maxMegapixels: 50, maxDecodedMiB: 300 },
      preprocessing: { preset: 'study', resize: { mode: 'square', size: SIDE } },
      backbones: [{ kind: 'mean', name: 'net' }],
      datasets: [{ kind: 'memory', name: 'memory' }],
      protocols: [{ kind: 'nothing', name: 'nothing' }],
    }),
  );
  const plugin: RadprobePlugin = {
    backbones: [{ kind: 'mean', optionsSchema: { type: 'object' }, create: async () => backbone }],
    datasets: [{ kind: 'memory', optionsSchema: { type: 'object' }, create: async (_options, context) => (contexts.push(context), dataset()) }],
    protocols: [{
      kind: 'nothing',
      title: 'nothing',
      optionsSchema: { type: 'object', properties: {} },
      tasks: ['binary'],
      featureNeeds: () => ({ clsBlocks: 1, patchMean: false, patchBlocks: 0 }),
      run: async () => ({ primaryMetric: 'auroc', rows: [], notes: [], skipped: [] }),
    }],
  };
  const { outputDir } = await runEvaluation({ configPath, builtins: [{ packageName: 'fakes', plugin }], reporter: () => {} });
  return JSON.parse(await readFile(join(outputDir, 'results.json'), 'utf8')) as RunResults;
}

describe('runEvaluation: bad items are blamed on the item, in its own words', () => {
  it('an image with NaN values is a bad item of the dataset, not "non-finite features" of the model; a path is said once', async () => {
    const results = await run('skip', []);
    expect([...results.datasets[0].skipped].sort((a, b) => a.source.localeCompare(b.source))).toEqual([
      { source: 'mem/vol4.nii.gz#k=4', reason: 'the image contains NaN/Inf values (1 of 140)' },
      { source: 'mem/vol5.nii.gz#k=5', reason: 'truncated NIfTI (the gzip stream ends early)' },
    ]);
  });

  it('counts each class\'s positives per split in the dataset summary', async () => {
    const results = await run('skip', []);
    const { counts, positives } = results.datasets[0];
    // Labels alternate 0, 1 over the items train, train, val, test, test, train (index % 2).
    expect({ counts, positives }).toEqual({ counts: { train: 3, val: 1, test: 2 }, positives: { train: [1, 2], val: [1, 0], test: [1, 1] } });
  });

  it('passes the config\'s decodeLimits to every dataset plugin', async () => {
    const contexts: DatasetContext[] = [];
    await run('skip', contexts);
    expect(contexts.map((context) => context.decodeLimits)).toEqual([{ maxMegapixels: 50, maxDecodedMiB: 300 }]);
  });
});
