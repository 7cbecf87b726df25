// Segmentation-decoder benchmark: one epoch of each decoder (linear, U-Net; one learning rate each) on --items
// (default 1,000) items at a 448 input: ViT-S/14 patch tokens 32×32×384 for the last 5 blocks, random, 3 classes,
// batch 128 in chunks of --micro (default 2: the U-Net at 448 overflows the 4 GiB wasm heap at 8), through @radprobe/protocol-seg's trainer on the compute backend (wasm
// unless tfjs-node is installed). Tokens are served item by item from a fake cache that fills each record from a
// fixed random pool, so, as with the real cache, only the chunk being trained is in memory; peak RSS shows it.
// First, per layer at the U-Net's shapes (one micro-batch, forward + backward, best of 3 after a warm-up), the
// decoder's layers against the tfjs formulations they replaced, measured in the same run: its 2×2/2 transposed
// convolutions (one matMul + pixel shuffle) against tf.conv2dTranspose, and its bilinear resizes (gradient as two
// plain matrix products) against tf.image.resizeBilinear with core's registered gradient. --layers 0 skips them.
// Run `npm run build` first, then `node bench/seg.mjs [--items 1000] [--micro 8] [--decoders linear,unet] [--layers 0]`.
import { Random, computeBackend, resolveTrainingWorkers, trainingBackend } from '@radprobe/core';
import { convTranspose2x2, resizeBilinear, trainDecoders, unetChannels } from '@radprobe/protocol-seg';
import { measure } from './measure.mjs';
import { tokenContext } from './token-context.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const ITEMS = Number(arg('--items', 1000));
const MICRO = Number(arg('--micro', 2));
const DECODERS = arg('--decoders', 'linear,unet').split(',');
const LAYERS = arg('--layers', '1') !== '0';
const SIDE = 448;
const GRID = 32;
const DIM = 384;
const BLOCKS = 5;
const CLASSES = 3;
const RECORD = GRID * GRID * DIM;

const random = new Random(0);
const pool = Float32Array.from({ length: RECORD + 4096 }, () => random.normal());
const masks = new Map();
for (let i = 0; i < ITEMS; i++) {
  const mask = new Uint8Array(SIDE * SIDE);
  // Two rectangles whose place moves with the item: classes 1 and 2.
  const shift = (i * 37) % 64;
  for (let y = 100 + shift; y < 350; y++) for (let x = 60; x < 200; x++) mask[y * SIDE + x + shift] = 1;
  for (let y = 100; y < 350 - shift; y++) for (let x = 250; x < 390; x++) mask[y * SIDE + x - shift] = 2;
  masks.set(i, mask);
}

const all = Array.from({ length: ITEMS }, (_, i) => i);
const context = tokenContext(all, { grid: GRID, dim: DIM, blocks: BLOCKS, classes: CLASSES, pool });
const { name } = await computeBackend();
console.log(`backend ${name}; ${ITEMS} items, tokens ${GRID}×${GRID}×${DIM} × ${BLOCKS} blocks, input ${SIDE}, batch 128 in chunks of ${MICRO}`);
/** Best of 3 wall times (ms) of `loss`'s forward pass and gradient with respect to `inputs`, after a warm-up. */
function forwardBackward(tf, loss, inputs) {
  let fastest = Infinity;
  for (let r = -1; r < 3; r++) {
    const start = performance.now();
    tf.tidy(() => tf.grads(loss)(inputs).forEach((gradient) => gradient.dataSync()));
    if (r >= 0) fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

/** Prints `label`: baseline and replacement times and their ratio; returns both. */
function compare(tf, label, inputs, outShape, baseline, replacement) {
  const weights = tf.randomNormal(outShape, 0, 1, 'float32', 7);
  const loss = (layer) => (...values) => tf.sum(tf.mul(layer(...values), weights));
  const before = forwardBackward(tf, loss(baseline), inputs);
  const after = forwardBackward(tf, loss(replacement), inputs);
  tf.dispose([weights, ...inputs]);
  console.log(`  ${label.padEnd(44)} ${before.toFixed(1).padStart(7)} ms → ${after.toFixed(1).padStart(6)} ms  (${(before / after).toFixed(1)}×)`);
  return [before, after];
}

if (LAYERS) {
  const tf = await trainingBackend();
  const normal = (shape, seed) => tf.randomNormal(shape, 0, 1, 'float32', seed);
  const totals = [0, 0];
  const add = ([before, after]) => ((totals[0] += before), (totals[1] += after));
  console.log(`U-Net layers on a micro-batch of ${MICRO}, forward + backward (tfjs formulation → decoder's):`);
  let [side, inChannels] = [GRID, DIM];
  for (const out of unetChannels(DIM, CLASSES)) {
    const shape = [MICRO, 2 * side, 2 * side, out];
    const transposed = (x, filter, bias) => tf.add(tf.conv2dTranspose(x, filter, shape, 2, 'valid'), bias);
    const shuffled = (x, filter, bias) => convTranspose2x2(tf, x, filter, bias);
    const inputs = [normal([MICRO, side, side, inChannels], 1), normal([2, 2, out, inChannels], 2), normal([out], 3)];
    add(compare(tf, `ConvTranspose 2×2/2 ${side}²×${inChannels} → ${2 * side}²×${out}`, inputs, shape, transposed, shuffled));
    add(compare(tf, `skip resize ${GRID}²×${out} → ${2 * side}² (align corners)`, [normal([MICRO, GRID, GRID, out], 4)], shape,
      (x) => tf.image.resizeBilinear(x, [2 * side, 2 * side], true, false), (x) => resizeBilinear(tf, x, [2 * side, 2 * side], true)));
    [side, inChannels] = [2 * side, out];
  }
  add(compare(tf, `output resize ${side}²×${CLASSES} → ${SIDE}² (half-pixel)`, [normal([MICRO, side, side, CLASSES], 5)], [MICRO, SIDE, SIDE, CLASSES],
    (x) => tf.image.resizeBilinear(x, [SIDE, SIDE], false, true), (x) => resizeBilinear(tf, x, [SIDE, SIDE], false)));
  console.log(`  ${'all of the above'.padEnd(44)} ${totals[0].toFixed(1).padStart(7)} ms → ${totals[1].toFixed(1).padStart(6)} ms  (${(totals[0] / totals[1]).toFixed(1)}×)`);
}
for (const kind of DECODERS) {
  const { seconds } = await measure(`${kind} decoder, one epoch`, async () => {
    const trained = await trainDecoders({
      context,
      kind,
      shape: { embedDim: DIM, classes: CLASSES, grid: { rows: GRID, cols: GRID }, output: { height: SIDE, width: SIDE } },
      masks: { height: SIDE, width: SIDE, masks },
      train: all,
      learningRates: [1e-2],
      loss: 'dice',
      epochs: 1,
      batchSize: 128,
      microBatchSize: MICRO,
      seed: 0,
      workers: resolveTrainingWorkers(undefined).count,
    });
    trained.dispose();
  });
  console.log(`  ${((seconds / ITEMS) * 1000).toFixed(1)} ms per item → ${((seconds / ITEMS) * 1000).toFixed(0)} s per 1,000-item epoch`);
}
