// Convolution-gradient benchmark: the project's wasm Conv2DBackpropFilter kernel (registered by @radprobe/core's
// trainingBackend, built from XNNPACK matrix products), its stride-1 Conv2DBackpropInput (one XNNPACK forward conv
// of dy with the flipped filter) and the whole 3×3 conv backward pass (filter + input gradients) on tfjs-wasm, against tfjs's pure-JS 'cpu' backend (@tensorflow/tfjs-backend-cpu, the copy that
// tfjs-backend-wasm 4.22 depends on) on the same shapes, measured in the same run. Shapes: the U-Net decoder's
// first block on ViT-S/14 patch tokens at 448 input (32×32×384) → 3×3 'same' conv to 192 channels, batch 8.
// tfjs-cpu's filter gradient is a scalar loop (~2 min per image at these shapes), so the cpu side runs at
// --cpu-batch (default 1) once, and the ratios compare per-image times (every phase is linear in the batch).
// Run `npm run build` first, then `node bench/conv-grad.mjs [--batch 8] [--cpu-batch 1] [--repeats 2]`.
import { describeTrainingBackend, trainingBackend } from '@radprobe/core';
import '@tensorflow/tfjs-backend-cpu';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const BATCH = arg('--batch', 8);
const CPU_BATCH = arg('--cpu-batch', 1);
const REPEATS = arg('--repeats', 2);
const [SIDE, IN, OUT, K] = [32, 384, 192, 3];

const tf = await trainingBackend();
const { description } = await describeTrainingBackend();
const filterShape = [K, K, IN, OUT];
// Floating-point operations per image of one conv-shaped product (forward, filter and input gradients each).
const gflopPerImage = (2 * SIDE * SIDE * IN * OUT * K * K) / 1e9;
const random = (shape, seed) => {
  let state = seed;
  const values = new Float32Array(shape.reduce((a, b) => a * b));
  for (let i = 0; i < values.length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    values[i] = state / 2 ** 32 - 0.5;
  }
  return values;
};

/** Best of `repeats` wall times in seconds, after one untimed warm-up call when `warm`. */
async function best(work, repeats, warm) {
  let fastest = Infinity;
  for (let r = warm ? -1 : 0; r < repeats; r++) {
    const start = performance.now();
    const out = work();
    await out.data();
    out.dispose();
    if (r >= 0) fastest = Math.min(fastest, (performance.now() - start) / 1000);
  }
  return fastest;
}

/** Per-image seconds of each phase at `batch`, and the filter gradient's values. */
async function timeOn(backend, batch, repeats, warm) {
  await tf.setBackend(backend);
  const xShape = [batch, SIDE, SIDE, IN];
  const dyShape = [batch, SIDE, SIDE, OUT];
  const x = tf.tensor4d(random(xShape, 1), xShape);
  const dy = tf.tensor4d(random(dyShape, 2), dyShape);
  const filter = tf.tensor4d(random(filterShape, 3), filterShape);
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
  const filterGradient = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape });
  const inputGradient = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: xShape });
  const forward = () => tf.conv2d(x, filter, 1, 'same');
  const times = {
    forward: (await best(forward, repeats, warm)) / batch,
    filterGradient: (await best(filterGradient, repeats, warm)) / batch,
    inputGradient: (await best(inputGradient, repeats, warm)) / batch,
  };
  const filterResult = filterGradient();
  const values = await filterResult.data();
  tf.dispose([x, dy, filter, filterResult]);
  return { times, filterValues: values };
}

console.log(`training backend ${description}; x [batch,${SIDE},${SIDE},${IN}] → 3×3 same conv → [batch,${SIDE},${SIDE},${OUT}]; wasm batch ${BATCH} (best of ${REPEATS}), cpu batch ${CPU_BATCH} (one run)`);
const wasm = await timeOn('wasm', BATCH, REPEATS, true);
const wasmSmall = CPU_BATCH === BATCH ? wasm : await timeOn('wasm', CPU_BATCH, 1, false);
const cpu = await timeOn('cpu', CPU_BATCH, 1, false);
let maxDifference = 0;
let maxValue = 0;
for (let i = 0; i < cpu.filterValues.length; i++) {
  maxDifference = Math.max(maxDifference, Math.abs(wasmSmall.filterValues[i] - cpu.filterValues[i]));
  maxValue = Math.max(maxValue, Math.abs(cpu.filterValues[i]));
}
console.log(`filter gradient, wasm vs cpu at batch ${CPU_BATCH}: max |difference| ${maxDifference.toExponential(2)} (max |value| ${maxValue.toFixed(2)})`);
const whole = (times) => times.filterGradient + times.inputGradient;
const rows = [
  ['conv2d forward', (t) => t.forward],
  ['Conv2DBackpropFilter', (t) => t.filterGradient],
  ['Conv2DBackpropInput', (t) => t.inputGradient],
  ['whole conv gradient', whole],
];
for (const [label, pick] of rows) {
  const [w, c] = [pick(wasm.times), pick(cpu.times)];
  const products = label === 'whole conv gradient' ? 2 : 1;
  console.log(
    `${label.padEnd(22)} wasm ${(w * 1000).toFixed(1)} ms/image (${((products * gflopPerImage) / w).toFixed(1)} GFLOP/s)   cpu ${(c * 1000).toFixed(0)} ms/image (${((products * gflopPerImage) / c).toFixed(2)} GFLOP/s)   cpu/wasm ×${(c / w).toFixed(1)}`,
  );
}
await tf.setBackend('wasm');
