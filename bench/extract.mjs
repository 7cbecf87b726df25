// Feature extraction through radprobe's whole pipeline (read, decode, preprocess, infer, cache) against a bare
// onnxruntime session on the same ONNX file and batch size, measured alternately in the same process so machine
// load hits both alike. Model: a ViT-S/14-sized DINOv2 (D = 384, 12 blocks, 6 heads) at 224.
//
//   npm run build && node bench/extract.mjs [--images 96] [--batch 16] [--side 256] [--rounds 2]
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import onnxPlugin from '@radprobe/backbone-onnx';
import { FeatureCache, extractFeatures, groupsFor, resolvePreprocessing } from '@radprobe/core/engine';
import datasetsPlugin from '@radprobe/datasets';
import { buildDinov2Onnx, writeImageFolderDataset } from '@radprobe/synthetic';

const { values } = parseArgs({
  options: { images: { type: 'string', default: '96' }, batch: { type: 'string', default: '16' }, side: { type: 'string', default: '256' }, rounds: { type: 'string', default: '2' } },
});
const images = Number(values.images);
const batch = Number(values.batch);
const side = Number(values.side);
const rounds = Number(values.rounds);

const work = join(process.cwd(), '.bench', 'extract');
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
const modelPath = join(work, 'vit-s14.onnx');
await writeFile(modelPath, buildDinov2Onnx({ embedDim: 384, depth: 12, heads: 6, patchSize: 14, posGrid: 37, seed: 0, style: 'hf' }));
const perSplit = Math.ceil(images / 2);
await writeImageFolderDataset(join(work, 'data'), { classes: ['a', 'b'], perClass: { train: perSplit / 2, val: 0, test: perSplit / 2 }, size: side, seed: 1 });

const log = () => {};
const backboneFactory = onnxPlugin.backbones.find((factory) => factory.kind === 'onnx');
const datasetFactory = datasetsPlugin.datasets.find((factory) => factory.kind === 'image-folder');
const backbone = await backboneFactory.create({ model: modelPath }, { baseDir: work, modelStoreDir: work, device: 'cpu', log });
const dataset = await datasetFactory.create({ root: join(work, 'data') }, { baseDir: work, log });
const preprocessing = resolvePreprocessing('study', backbone.info);
const count = dataset.items.length;

const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: cpus().length, graphOptimizationLevel: 'all' });
const input = new Float32Array(batch * 3 * 224 * 224).map((_, i) => Math.sin(i));

async function bare() {
  const started = performance.now();
  for (let done = 0; done < count; done += batch) {
    const size = Math.min(batch, count - done);
    await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input.subarray(0, size * 3 * 224 * 224), [size, 3, 224, 224]) });
  }
  return count / ((performance.now() - started) / 1000);
}

async function pipeline(round) {
  const cache = await FeatureCache.open(join(work, `cache-${round}`), { weightsHash: backbone.info.weightsHash, backboneDescription: 'bench', exposedBlocks: backbone.info.exposedBlocks, embedDim: 384, preprocessing: preprocessing.description });
  const groups = groupsFor({ clsBlocks: 1, patchMean: true, patchBlocks: 0 }, backbone.info, 256);
  const started = performance.now();
  const result = await extractFeatures({ dataset, backbone, preprocessing, cache, groups, batchSize: batch, onBadItem: 'fail', signal: new AbortController().signal, progress() {}, log, warn: log });
  if (result.computed !== count) throw new Error(`pipeline embedded ${result.computed} of ${count}`);
  return count / ((performance.now() - started) / 1000);
}

await bare();
const bareRates = [];
const pipelineRates = [];
for (let round = 0; round < rounds; round++) {
  bareRates.push(await bare());
  pipelineRates.push(await pipeline(round));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rss = process.resourceUsage().maxRSS / 1024;
console.log(`extraction, ViT-S/14-sized at 224, ${count} ${side}×${side} 8-bit PNGs, batch ${batch}, ${cpus().length} cores`);
console.log(`  bare onnxruntime session : ${median(bareRates).toFixed(2)} images/s  (rounds: ${bareRates.map((r) => r.toFixed(2)).join(', ')})`);
console.log(`  radprobe pipeline        : ${median(pipelineRates).toFixed(2)} images/s  (rounds: ${pipelineRates.map((r) => r.toFixed(2)).join(', ')})`);
console.log(`  ratio pipeline / bare    : ${(median(pipelineRates) / median(bareRates)).toFixed(3)}   peak RSS ${rss.toFixed(0)} MiB`);
await backbone.dispose();
