import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RadprobeError,
  type Backbone,
  type BackboneInfo,
  type Dataset,
  type DatasetItem,
  type EmbeddedBatch,
  type Protocol,
  type ProtocolContext,
  type RadprobePlugin,
  type RunEvent,
  type RunResults,
} from '../src/index.js';
import { runEvaluation, type BuiltinPlugin, type RunOutcome } from '../src/engine/index.js';
import { testBackboneInfo } from './backbone-info.js';

/** Side of the fake images after preprocessing: a 2 × 2 grid of 14-pixel patches. */
const SIDE = 28;
const EMBED_DIM = 4;
const REGISTERS = 4;

/** What a fake backbone gets wrong in the batches it returns (or where it throws). */
export type BackboneDefect =
  | 'none'
  | 'cls-short'
  | 'cls-long'
  | 'cls-empty'
  | 'patch-short'
  | 'registers-left'
  | 'batch-size'
  | 'create-throws'
  | 'embed-throws'
  | 'nan-first-item';

interface FakeBackboneOptions {
  defect?: BackboneDefect;
  /** Multiplies every token: an option that changes the output while the weights (and weightsHash) stay. */
  scale?: number;
  /** Datasets on which `embed-throws` throws (all when absent). */
  failOn?: string[];
}

/** Counts what the fakes did, for assertions. */
interface FakeRecord {
  embedded: number;
  /** The first global feature of each protocol run, in run order. */
  firstFeatures: number[];
}

function fakeInfo(): BackboneInfo {
  return testBackboneInfo({
    description: 'fake ViT',
    embedDim: EMBED_DIM,
    totalBlocks: 2,
    exposedBlocks: [0, 1],
    registerTokens: REGISTERS,
    inputSize: { height: SIDE, width: SIDE },
    hasPatchTokens: true,
    weightsHash: 'f'.repeat(64),
  });
}

/** Tokens of block b, image i, token t, channel d: the image's mean pixel, shifted by block, token and channel. */
function goodBatch(pixels: Float32Array, batchSize: number, height: number, width: number, scale: number): EmbeddedBatch {
  const grid = { rows: height / 14, cols: width / 14 };
  const tokens = grid.rows * grid.cols;
  const perImage = 3 * height * width;
  const means = Array.from({ length: batchSize }, (_, image) => {
    let sum = 0;
    for (let p = 0; p < perImage; p++) sum += pixels[image * perImage + p];
    return sum / perImage;
  });
  const cls = [0, 1].map((block) => Float32Array.from({ length: batchSize * EMBED_DIM }, (_, k) => scale * (means[Math.floor(k / EMBED_DIM)] + block + (k % EMBED_DIM))));
  const patch = [0, 1].map((block) =>
    Float32Array.from({ length: batchSize * tokens * EMBED_DIM }, (_, k) => scale * (means[Math.floor(k / (tokens * EMBED_DIM))] + block + 0.1 * (k % (tokens * EMBED_DIM)))),
  );
  return { batchSize, grid, cls, patch };
}

function withDefect(batch: EmbeddedBatch, defect: BackboneDefect): EmbeddedBatch {
  switch (defect) {
    case 'cls-short':
      return { ...batch, cls: batch.cls.map((values) => values.slice(0, values.length - 1)) };
    case 'cls-long':
      return { ...batch, cls: batch.cls.map((values) => Float32Array.from([...values, 0])) };
    case 'cls-empty':
      return { ...batch, cls: [] };
    case 'patch-short':
      return { ...batch, patch: batch.patch!.map((values) => values.slice(0, values.length - EMBED_DIM)) };
    case 'registers-left': {
      const extra = batch.batchSize * REGISTERS * EMBED_DIM;
      return { ...batch, patch: batch.patch!.map((values) => Float32Array.from([...values, ...new Float32Array(extra)])) };
    }
    case 'batch-size':
      return { ...batch, batchSize: batch.batchSize + 1 };
    case 'nan-first-item':
      batch.cls[0][0] = Number.NaN;
      return batch;
    default:
      return batch;
  }
}

function fakeBackbone(options: FakeBackboneOptions, record: FakeRecord, datasetOf: () => string): Backbone {
  const defect = options.defect ?? 'none';
  return {
    info: fakeInfo(),
    async embed(pixels, batchSize, height, width) {
      if (defect === 'embed-throws' && (!options.failOn || options.failOn.includes(datasetOf()))) throw new TypeError("Cannot read properties of undefined (reading 'dims')");
      record.embedded += batchSize;
      return withDefect(goodBatch(pixels, batchSize, height, width, options.scale ?? 1), defect);
    },
    dispose: async () => {},
  };
}

/** Six gray 10 × 14 gradients, each brighter by item; `name` keeps datasets apart in the cache. */
function memoryDataset(name: string): Dataset {
  const splits = ['train', 'train', 'train', 'test', 'test', 'test'] as const;
  const items: DatasetItem[] = splits.map((split, index) => ({ id: `${name}-${index}`, split, label: index % 2, source: `mem://${name}/${index}` }));
  return {
    name,
    task: 'binary',
    classes: ['a', 'b'],
    items,
    skipped: [],
    notes: [],
    async open(item) {
      const index = Number(item.id.split('-').pop());
      return { width: 14, height: 10, channels: 1, data: Float32Array.from({ length: 140 }, (_, p) => (p * (index + 1) + name.length) % 256), range: { min: 0, max: 255 } };
    },
    contentKey: async (item) => `key-${item.source}`,
  };
}

/**
 * A protocol reading the CLS and mean patch tokens of every item, writing an artifact on request, and failing on
 * request: `fail: "plain"` throws a TypeError (a bug), `fail: "clean"` a RadprobeError (a one-line message).
 */
function countProtocol(record: FakeRecord): Protocol {
  return {
    kind: 'count',
    title: 'count',
    optionsSchema: { type: 'object', properties: { fail: { enum: ['no', 'plain', 'clean'], default: 'no' }, artifact: { type: 'boolean', default: false } } },
    tasks: ['binary'],
    featureNeeds: () => ({ clsBlocks: 1, patchMean: true, patchBlocks: 0 }),
    async run(options, context: ProtocolContext) {
      if (options.fail === 'plain') throw new TypeError('x.map is not a function');
      if (options.fail === 'clean') throw new RadprobeError('option "k" = 9 is larger than the 6 items');
      const features = await context.features.cls(['train', 'test']);
      const patchMean = await context.features.patchMean('test');
      record.firstFeatures.push(features.data[0]);
      const artifacts = options.artifact ? [{ name: 'mask.png', mediaType: 'image/png', data: new TextEncoder().encode(`${context.dataset.name}:${features.data[0]}`) }] : [];
      return { primaryMetric: 'items', rows: [{ setting: {}, split: 'test' as const, metrics: { items: { value: features.rows + patchMean.rows } } }], notes: [], skipped: [], artifacts };
    },
  };
}

/** A protocol that hands its run to the protocol kind named by `inner`, as few-shot does. */
function wrapProtocol(): Protocol {
  return {
    kind: 'wrap',
    title: 'wrap',
    optionsSchema: { type: 'object', properties: { inner: { type: 'string', default: 'count' } } },
    tasks: ['binary'],
    featureNeeds: (options, backbone, protocols) => protocols(String(options.inner))!.featureNeeds({}, backbone, protocols),
    run: async (options, context) => context.protocol(String(options.inner))!.run({ fail: 'no', artifact: false }, context),
  };
}

export interface FakePlugins {
  record: FakeRecord;
  builtins: BuiltinPlugin[];
}

/**
 * The fakes as built-in plugins: backbones and datasets from `@acme/radprobe-fake@1.2.0`, the protocols from
 * `@acme/radprobe-protocols@0.3.0` (so that errors and provenance have packages and versions to name).
 */
export function fakePlugins(options: { datasetCreateFails?: string[] } = {}): FakePlugins {
  const record: FakeRecord = { embedded: 0, firstFeatures: [] };
  let currentDataset = '';
  const trackingDataset = (dataset: Dataset): Dataset => ({
    ...dataset,
    open: (item) => {
      currentDataset = dataset.name;
      return dataset.open(item);
    },
  });
  const backbones: RadprobePlugin = {
    backbones: [
      {
        kind: 'fake',
        optionsSchema: {
          type: 'object',
          properties: {
            defect: { type: 'string', default: 'none' },
            scale: { type: 'number', default: 1 },
            failOn: { type: 'array', items: { type: 'string' } },
            // As the onnx backbone has them: options the engine reads itself.
            batchSize: { type: 'integer', minimum: 1 },
            device: { enum: ['auto', 'cpu', 'cuda'] },
          },
        },
        async create(entryOptions: FakeBackboneOptions) {
          if (entryOptions.defect === 'create-throws') throw new Error('libonnxruntime.so.1: cannot open shared object file');
          return fakeBackbone(entryOptions, record, () => currentDataset);
        },
      },
    ],
    datasets: [
      {
        kind: 'memory',
        optionsSchema: { type: 'object' },
        async create(datasetOptions: { name: string }) {
          if (options.datasetCreateFails?.includes(datasetOptions.name)) throw new RadprobeError(`option "root": /data/${datasetOptions.name} does not exist`);
          return trackingDataset(memoryDataset(datasetOptions.name));
        },
      },
    ],
  };
  return {
    record,
    builtins: [
      { packageName: '@acme/radprobe-fake', version: '1.2.0', location: '/opt/acme/radprobe-fake', plugin: backbones },
      { packageName: '@acme/radprobe-protocols', version: '0.3.0', location: '/opt/acme/radprobe-protocols', plugin: { protocols: [countProtocol(record), wrapProtocol()] } },
    ],
  };
}

interface FakeRun {
  dir: string;
  outcome: RunOutcome;
  results: RunResults;
  events: RunEvent[];
}

/**
 * Writes a config into `dir` (a new folder by default): the given backbones, and any other top-level key given,
 * over one `memory` dataset and the `count` protocol; returns the folder.
 */
export async function writeFakeConfig(entries: { backbones: object[]; [key: string]: unknown }, dir?: string): Promise<string> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'radprobe-fake-run-')));
  await writeFile(
    join(folder, 'radprobe.json'),
    JSON.stringify({
      seed: 0,
      cache: 'cache',
      output: 'results',
      batchSize: 2,
      bootstrap: { samples: 0, confidence: 0.95 },
      preprocessing: { preset: 'study', resize: { mode: 'square', size: SIDE } },
      datasets: [{ kind: 'memory', name: 'memory' }],
      protocols: [{ kind: 'count' }],
      ...entries,
    }),
  );
  return folder;
}

/** Runs the config in `dir` with the fakes, collecting its events into `events`, and reads its results.json back. */
export async function runFake(dir: string, plugins: FakePlugins, events: RunEvent[] = []): Promise<FakeRun> {
  const outcome = await runEvaluation({ configPath: join(dir, 'radprobe.json'), builtins: plugins.builtins, reporter: (event) => events.push(event) });
  const results = JSON.parse(await readFile(join(outcome.outputDir, 'results.json'), 'utf8')) as RunResults;
  return { dir, outcome, results, events };
}
