// Feature extraction through radprobe's whole pipeline (read, decode, preprocess, infer, cache) against a bare
// onnxruntime session on the same ONNX file and batch size, on the main thread and ready-made tensors, measured
// in rotating order in the same process so machine load hits all alike. Two bare sessions: one with the session
// options radprobe's backbone uses (the ceiling the pipeline is held to), one with onnxruntime's defaults (its pool
// threads spin while they wait). Model: a ViT-S/14-sized DINOv2 (D = 384, 12 blocks, 6 heads) at 224.
//
//   npm run build && node bench/extract.mjs [--images 96] [--batch 16] [--side 256] [--rounds 3]
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import onnxPlugin, { selectExecutionProviders } from '@radprobe/backbone-onnx';
import { FeatureCache, extractFeatures, groupsFor, resolvePreprocessing } from '@radprobe/core/engine';
import datasetsPlugin from '@radprobe/datasets';
import { buildDinov2Onnx, writeImageFolderDataset } from '@radprobe/synthetic';

const { values } = parseArgs({
  options: { images: { type: 'string', default: '96' }, batch: { type: 'string', default: '16' }, side: { type: 'string', default: '256' }, rounds: { type: 'string', default: '3' } },
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

const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
const loadBefore = load();
const radprobeOptions = selectExecutionProviders('cpu').sessionOptions;
const sessions = {
  radprobe: await ort.InferenceSession.create(modelPath, radprobeOptions),
  defaults: await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: radprobeOptions.intraOpNumThreads, graphOptimizationLevel: 'all' }),
};
const input = new Float32Array(batch * 3 * 224 * 224).map((_, i) => Math.sin(i));

// Process CPU time (every thread: onnxruntime's pool, the session worker, the main thread) per image of each side:
// what the pipeline spends beyond the bare session is the work it has to overlap with inference.
const cpuPerImage = { bare: [], defaults: [], pipeline: [] };
async function withCpu(name, measure) {
  const before = process.cpuUsage();
  const rate = await measure();
  const used = process.cpuUsage(before);
  cpuPerImage[name].push((used.user + used.system) / 1000 / count);
  return rate;
}

async function bare(session) {
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

await bare(sessions.radprobe);
await bare(sessions.defaults);
const measures = { bare: () => bare(sessions.radprobe), defaults: () => bare(sessions.defaults), pipeline: (round) => pipeline(round) };
const rates = { bare: [], defaults: [], pipeline: [] };
const names = Object.keys(measures);
for (let round = 0; round < rounds; round++) {
  // Each round starts with another side, so that none always runs first after the previous round's pipeline.
  for (let turn = 0; turn < names.length; turn++) {
    const name = names[(round + turn) % names.length];
    rates[name].push(await withCpu(name, () => measures[name](round)));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rss = process.resourceUsage().maxRSS / 1024;
const line = (label, xs) => `${label}: ${median(xs).toFixed(2)} images/s  (rounds: ${xs.map((r) => r.toFixed(2)).join(', ')})`;
console.log(`extraction, ViT-S/14-sized at 224, ${count} ${side}×${side} 8-bit PNGs, batch ${batch}, ${cpus().length} cores, load average ${loadBefore} before, ${load()} after`);
console.log(`  ${line("bare onnxruntime, radprobe's session options", rates.bare)}`);
console.log(`  ${line("bare onnxruntime, onnxruntime's defaults    ", rates.defaults)}`);
console.log(`  ${line('radprobe pipeline                           ', rates.pipeline)}`);
const perRound = (baseline) => median(rates.pipeline.map((rate, round) => rate / baseline[round])).toFixed(3);
console.log(`  process CPU per image (median): bare ${median(cpuPerImage.bare).toFixed(1)} ms, pipeline ${median(cpuPerImage.pipeline).toFixed(1)} ms: at the bare session's CPU use the pipeline could reach ${(median(cpuPerImage.bare) / median(cpuPerImage.pipeline)).toFixed(3)} of bare`);
console.log(`  ratio pipeline / bare (radprobe's options)   : ${(median(rates.pipeline) / median(rates.bare)).toFixed(3)}  (median of per-round ratios ${perRound(rates.bare)})`);
console.log(`  ratio pipeline / bare (onnxruntime defaults) : ${(median(rates.pipeline) / median(rates.defaults)).toFixed(3)}  (median of per-round ratios ${perRound(rates.defaults)})   peak RSS ${rss.toFixed(0)} MiB`);
await backbone.dispose();
