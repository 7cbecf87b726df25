// Linear-probe benchmark: the study's 16-head grid (blocks {1, 4} × avgpool × 4 lrs) on 20,000 random samples,
// 15 labels, 10 epochs, batch 128, trained in one pass by @radprobe/protocol-linear, against a plain single-head
// loop measured in the same run: one head per input setting for one epoch, × 4 learning rates = what 16 separate
// trainings cost per epoch. Features per sample: CLS of 4 blocks of width --dim (default 384, ViT-S/14: the 4-block
// input is 1,536 wide) plus the mean patch token. Run `npm run build` first, then
// `node bench/linear.mjs [--dim 384] [--samples 20000] [--epochs 10]`.
import { Random, computeBackend, resolveTrainingWorkers } from '@radprobe/core';
import { buildSamples, trainHeadGrid } from '@radprobe/protocol-linear';
import { measure, mib } from './measure.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const DIM = arg('--dim', 384);
const SAMPLES = arg('--samples', 20_000);
const EPOCHS = arg('--epochs', 10);
const LABELS = 15;
const BATCH = 128;
const LRS = [1e-3, 5e-3, 1e-2, 5e-2];
const SETTINGS = [1, 4].flatMap((blocks) => [false, true].map((avgpool) => ({ blocks, avgpool })));

const random = new Random(0);
const width = 5 * DIM;
const data = new Float32Array(SAMPLES * width);
for (let i = 0; i < data.length; i++) data[i] = random.normal();
const items = Array.from({ length: SAMPLES }, (_, i) => ({
  id: `${i}`,
  split: 'train',
  source: `${i}`,
  labels: Array.from({ length: LABELS }, () => (random.next() < 0.1 ? 1 : 0)),
}));
const dataset = { name: 'bench', task: 'multilabel', classes: Array.from({ length: LABELS }, (_, c) => `c${c}`), items, notes: [] };
const table = { rows: SAMPLES, width, embedDim: DIM, clsBlocks: 4, withPatchMean: true, data, items: items.map((_, i) => i) };
const samples = buildSamples(table, dataset, () => 'train');
const train = Array.from({ length: SAMPLES }, (_, i) => i);
const common = { samples, table, train, multiclass: false, batchSize: BATCH, seed: 0, workers: resolveTrainingWorkers(undefined).count };

console.log(`backend ${(await computeBackend()).name}; ${SAMPLES} samples, CLS width ${DIM} (4-block input ${4 * DIM}, + avgpool ${5 * DIM}), ${LABELS} labels, batch ${BATCH}`);
const heads = SETTINGS.flatMap((setting) => LRS.map((learningRate) => ({ setting, learningRate })));
const grid = await measure(`grid: ${heads.length} heads together, ${EPOCHS} epochs`, async () => {
  const trained = await trainHeadGrid({ ...common, heads, epochs: EPOCHS });
  trained.dispose();
});
let single = 0;
for (const setting of SETTINGS) {
  const one = await measure(`single head (blocks ${setting.blocks}, avgpool ${setting.avgpool}), 1 epoch`, async () => {
    const trained = await trainHeadGrid({ ...common, heads: [{ setting, learningRate: 1e-2 }], epochs: 1 });
    trained.dispose();
  });
  single += one.seconds * LRS.length;
}
const gridPerEpoch = grid.seconds / EPOCHS;
console.log(`grid: ${gridPerEpoch.toFixed(2)} s per epoch for all ${heads.length} heads (peak RSS ${mib(grid.peak)})`);
console.log(`single-head loop: ${single.toFixed(2)} s per epoch for ${heads.length} heads (${LRS.length} lrs × the 4 settings measured)`);
console.log(`speed-up of the grid: ${(single / gridPerEpoch).toFixed(1)}×`);
