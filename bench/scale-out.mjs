// Scale-out benchmark, two parts.
//
// 1. Workers against one process, same run: `radprobe extract` of a generated image folder into an empty cache by
//    one process, then by N concurrent `radprobe extract --shard I/N` workers into another empty cache (real
//    child processes, as a job array starts them), then the protocols as one `radprobe run` against N
//    `radprobe run --cells I/N` parts plus `radprobe report merge`. On a machine with few cores the workers share
//    them, so little speed-up is expected; what is reported is the overhead: the extra process time the workers
//    spend in all (Σ worker − single; each worker loads the config, the dataset listing and the backbone once),
//    and inside one process the cost of sharding (a stat per item, the partition) and of the claim/record files
//    that stand in for locks, each as a fraction of the single process's extraction time; and merge against the
//    single run's protocols.
// 2. `radprobe cache status` on a 100,000-item dataset: an image folder of 100,000 hard links to one PNG (the
//    listing, a stat per item and the partition are what status pays per item; the bytes are never read), a cache
//    entry whose shards hold 100,000 records and records of 3 of 4 parts (fabricated with the engine's own
//    writers: status reads manifests and records only, never features). Baseline in the same run: what knowing
//    coverage costs without the records, hashing every item's bytes (the content keys a run computes).
//
//   npm run build && node bench/scale-out.mjs [--items 240] [--workers 2] [--status-items 100000]
import { execFile } from 'node:child_process';
import { link, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import datasetsPlugin from '@radprobe/datasets';
import { sha256File, writeFileAtomic } from '@radprobe/core';
import { ShardStore, claimPart, itemIdHash, itemsOfPart, partitionItems, readItemList } from '@radprobe/core/engine';
import { writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/synthetic';

const { values } = parseArgs({ options: { items: { type: 'string', default: '240' }, workers: { type: 'string', default: '2' }, 'status-items': { type: 'string', default: '100000' } } });
const WORKERS = Number(values.workers);
const STATUS_ITEMS = Number(values['status-items']);
const BIN = join(process.cwd(), 'packages', 'cli', 'dist', 'bin.js');
const work = join(process.cwd(), '.bench', 'scale-out');
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
const run = promisify(execFile);
const seconds = (start) => (performance.now() - start) / 1000;
const fmt = (value) => `${value.toFixed(2)} s`;
const pct = (value) => `${(100 * value).toFixed(1)} %`;

async function cli(args, env = {}) {
  const start = performance.now();
  const { stdout } = await run(process.execPath, [BIN, ...args], { cwd: work, env: { ...process.env, RADPROBE_SHARD_FROM_ENV: '0', ...env }, maxBuffer: 1 << 26 });
  return { seconds: seconds(start), stdout };
}

// ---- 1. workers against one process ----
const perClass = Math.ceil(Number(values.items) / 4 / 2);
const model = await writeDinov2Fixture(join(work, 'model'), { embedDim: 48, depth: 2, heads: 2, patchSize: 14, posGrid: 8, seed: 5, style: 'hf' });
await writeImageFolderDataset(join(work, 'data'), { perClass: { train: perClass, val: 0, test: perClass }, size: 224, seed: 9 });
const config = (cache) => ({
  seed: 1,
  cache,
  output: 'results',
  batchSize: 8,
  bootstrap: { samples: 200, confidence: 0.95 },
  backbones: [{ kind: 'onnx', name: 'vit', model }],
  datasets: [{ kind: 'image-folder', name: 'cxr', root: 'data' }],
  protocols: [{ kind: 'knn', name: 'knn5', k: [5] }, { kind: 'knn', name: 'knn9', k: [9] }, { kind: 'knn', name: 'knn15', k: [15] }],
});
await writeFile(join(work, 'single.json'), JSON.stringify(config('cache-single')));
await writeFile(join(work, 'sharded.json'), JSON.stringify(config('cache-sharded')));

const single = await cli(['extract', 'single.json']);
const wallStart = performance.now();
const workers = await Promise.all(Array.from({ length: WORKERS }, (_, index) => cli(['extract', 'sharded.json', '--shard', `${index}/${WORKERS}`])));
const shardedWall = seconds(wallStart);
// Each shard alone, into a third empty cache: what the workers cost in all without competing for the cores.
await writeFile(join(work, 'sequential.json'), JSON.stringify(config('cache-sequential')));
const sequential = [];
for (let index = 0; index < WORKERS; index++) sequential.push(await cli(['extract', 'sequential.json', '--shard', `${index}/${WORKERS}`]));
const workerSum = sequential.reduce((sum, worker) => sum + worker.seconds, 0);
const complete = await cli(['extract', 'sequential.json', '--shard', `0/${WORKERS}`]);

// Inside one process: the per-item sharding work and the claim/record files of every part.
const dataset = await datasetsPlugin.datasets.find((factory) => factory.kind === 'image-folder').create({ root: 'data', name: 'cxr' }, { baseDir: work, log: () => {} });
let start = performance.now();
const list = await readItemList(dataset);
for (let index = 0; index < WORKERS; index++) itemsOfPart(list, { index, count: WORKERS });
const shardingSeconds = seconds(start);
const entry = (await readdir(join(work, 'cache-sharded'))).find((name) => !name.startsWith('.'));
const workFiles = (await readdir(join(work, 'cache-sharded', entry, 'work'))).length;
start = performance.now();
for (let index = 0; index < WORKERS; index++) {
  const claim = await claimPart(join(work, 'claims'), 'cxr', list.hash, { index, count: WORKERS });
  await claim.finish({ groups: ['global-b1-d48-pm'], items: itemsOfPart(list, { index, count: WORKERS }).map((item) => [itemIdHash(item.id), 'k'.repeat(64)]) });
}
const claimSeconds = seconds(start);

const wholeRun = await cli(['run', 'single.json']);
const cellParts = [];
for (let index = 0; index < 3; index++) cellParts.push(await cli(['run', 'single.json', '--cells', `${index}/3`]));
const partDirs = (await readdir(join(work, 'results'))).filter((name) => !name.startsWith('.')).sort().slice(1).map((name) => join('results', name));
const merge = await cli(['report', 'merge', ...partDirs, '--out', 'merged']);

console.log(`extraction of ${list.items.length} images (224 px, ViT 48-d 2 blocks) on ${(await import('node:os')).availableParallelism()} cores`);
console.log(`  one process: ${fmt(single.seconds)}; ${WORKERS} concurrent workers on one cache: ${fmt(shardedWall)} wall (speed-up ${(single.seconds / shardedWall).toFixed(2)}×)`);
console.log(`  the ${WORKERS} shards one after the other: ${sequential.map((worker) => fmt(worker.seconds)).join(' + ')} = ${fmt(workerSum)}; extra over one process: ${fmt(workerSum - single.seconds)} = ${pct((workerSum - single.seconds) / single.seconds)} of the single extraction`);
console.log(`  a worker whose shard is already complete: ${fmt(complete.seconds)} (start, config, listing, backbone load; no image read)`);
console.log(`  sharding (stat per item + partition, all ${WORKERS} parts): ${fmt(shardingSeconds)} = ${pct(shardingSeconds / single.seconds)}`);
console.log(`  claims and records (${WORKERS} parts, ${workFiles} files in work/): ${fmt(claimSeconds)} = ${pct(claimSeconds / single.seconds)}`);
console.log(`protocols: one run ${fmt(wholeRun.seconds)}; 3 cells parts ${cellParts.map((part) => fmt(part.seconds)).join(' + ')}; merge ${fmt(merge.seconds)} = ${pct(merge.seconds / wholeRun.seconds)} of the one run`);

// ---- 2. cache status on a large dataset ----
const big = join(work, 'big');
// A file takes at most 65,000 links on ext4: the links go round the images of part 1.
const samples = [];
for (const className of await readdir(join(work, 'data', 'train'))) {
  for (const name of await readdir(join(work, 'data', 'train', className))) samples.push(join(work, 'data', 'train', className, name));
}
start = performance.now();
const folders = ['train/a', 'train/b', 'test/a', 'test/b'];
for (const folder of folders) await mkdir(join(big, folder), { recursive: true });
for (let i = 0; i < STATUS_ITEMS; i++) await link(samples[i % samples.length], join(big, folders[i % 4], `${String(i).padStart(6, '0')}.png`));
console.log(`\n${STATUS_ITEMS} hard links written in ${fmt(seconds(start))}`);
await writeFile(join(work, 'big.json'), JSON.stringify({ ...config('cache-big'), datasets: [{ kind: 'image-folder', name: 'big', root: 'big' }] }));
const empty = JSON.parse((await cli(['cache', 'status', 'big.json', '--json'])).stdout);
const bigEntry = empty.pairs[0].entry;
const bigDataset = await datasetsPlugin.datasets.find((factory) => factory.kind === 'image-folder').create({ root: 'big', name: 'big' }, { baseDir: work, log: () => {} });
const bigList = await readItemList(bigDataset);
const parts = partitionItems(bigList.weights, 4);
const store = await ShardStore.open(join(bigEntry, 'global-b1-d48-pm'), 96);
const keyOf = (index) => index.toString(16).padStart(64, '0');
for (let part = 0; part < 3; part++) {
  const indexes = bigList.items.flatMap((_, index) => (parts[index] === part ? [index] : []));
  for (let at = 0; at < indexes.length; at += 1024) {
    const chunk = indexes.slice(at, at + 1024);
    await store.writeShard(chunk.map(keyOf), new Float32Array(chunk.length * 96));
  }
  const record = { format: 1, dataset: 'big', list: bigList.hash, part: { index: part, count: 4 }, groups: ['global-b1-d48-pm'], items: indexes.map((index) => [itemIdHash(bigList.items[index].id), keyOf(index)]), finishedAt: new Date().toISOString(), host: 'bench', pid: 1 };
  await writeFileAtomic(join(bigEntry, 'work', `${bigList.hash}-${part}of4.done.json`), JSON.stringify(record));
}
const status = await cli(['cache', 'status', 'big.json']);
const baseline = await cli(['--version']);
start = performance.now();
for (const item of bigDataset.items) await sha256File(bigDataset.file(item));
const hashing = seconds(start);
console.log(status.stdout.trim().split('\n').slice(1).join('\n'));
console.log(`cache status, ${STATUS_ITEMS} items (CLI, incl. ${fmt(baseline.seconds)} to start radprobe): ${fmt(status.seconds)}; hashing every item's bytes instead: ${fmt(hashing)} (ratio ${(status.seconds / hashing).toFixed(2)})`);
await rm(work, { recursive: true, force: true });
