// Convolution-gradient benchmark: the project's wasm Conv2DBackpropFilter kernel (registered by @radprobe/core's
// trainingBackend, built from XNNPACK matrix products), its stride-1 Conv2DBackpropInput (one XNNPACK forward conv
// of dy with the flipped filter) and the whole 3×3 conv backward pass (filter + input gradients) on tfjs-wasm, against tfjs's pure-JS 'cpu' backend (@tensorflow/tfjs-backend-cpu, the copy that
// tfjs-backend-wasm 4.22 depends on) on the same shapes, measured in the same run. Shapes: the U-Net decoder's
// first block on ViT-S/14 patch tokens at 448 input (32×32×384) → 3×3 'same' conv to 192 channels, batch 8.
// tfjs-cpu's filter gradient is a scalar loop (~2 min per image at these shapes), so the cpu side runs at
// --cpu-batch (default 1) once, and the ratios compare per-image times (every phase is linear in the batch).
// Then the filter gradient alone at each 3×3 'same' conv shape of the U-Net decoder's training step (one micro-batch
// of --micro, default 2), radprobe's kernel against its previous formulation (kept here only, registered for wasm as
// 'PreviousConv2DBackpropFilter'), same run, best of --repeats after a warm-up; --unet 0 skips that table.
// Run `npm run build` first, then `node bench/conv-grad.mjs [--batch 8] [--cpu-batch 1] [--repeats 2] [--micro 2] [--unet 0]`;
// --cpu-batch 0 skips the wasm-vs-cpu table.
import { describeTrainingBackend, trainingBackend } from '@radprobe/core';
import '@tensorflow/tfjs-backend-cpu';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const BATCH = arg('--batch', 8);
const CPU_BATCH = arg('--cpu-batch', 1);
const REPEATS = arg('--repeats', 2);
const MICRO = arg('--micro', 2);
const UNET = arg('--unet', 1) !== 0;
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
if (CPU_BATCH > 0) {
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
}
await tf.setBackend('wasm');

/**
 * radprobe's previous Conv2DBackpropFilter formulation (before the channels-first rewrite): per tap, the NHWC
 * input window copied to `[pixels, in]` and multiplied as the right operand, `dYᵀ · X(i, j)` with `dY` transposed
 * once, then the stacked `[taps, out, in]` transposed to `[taps, in, out]`. XNNPACK re-packs that right operand
 * every tap, and the NHWC window's innermost run is only `in` floats long.
 */
function previousFilterGradient({ inputs, backend, attrs }) {
  const { x, dy } = inputs;
  const { strides, pad, dimRoundingMode, filterShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
  const { batchSize, inChannels, outChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const call = (name) => (kernelInputs, kernelAttrs) => tf.getKernel(name, 'wasm').kernelFunc({ inputs: kernelInputs, backend, attrs: kernelAttrs });
  const [reshape, transpose, padV2, stridedSlice, matMul, pack] = ['Reshape', 'Transpose', 'PadV2', 'StridedSlice', 'BatchMatMul', 'Pack'].map(call);
  const temporaries = [];
  const keep = (tensorInfo) => (temporaries.push(tensorInfo), tensorInfo);
  try {
    const pixels = batchSize * outHeight * outWidth;
    const dyT = keep(transpose({ x: keep(reshape({ x: dy }, { shape: [pixels, outChannels] })) }, { perm: [1, 0] }));
    const { top, bottom, left, right } = padInfo;
    const padded = top + bottom + left + right > 0 ? keep(padV2({ x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 })) : x;
    const taps = [];
    for (let i = 0; i < filterHeight; i++)
      for (let j = 0; j < filterWidth; j++) {
        const end = [batchSize, i + (outHeight - 1) * strideHeight + 1, j + (outWidth - 1) * strideWidth + 1, inChannels];
        const sliceAttrs = { begin: [0, i, j, 0], end, strides: [1, strideHeight, strideWidth, 1], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 };
        const rows = keep(reshape({ x: keep(stridedSlice({ x: padded }, sliceAttrs)) }, { shape: [pixels, inChannels] }));
        taps.push(keep(matMul({ a: dyT, b: rows }, { transposeA: false, transposeB: false })));
      }
    const tapsInOut = keep(transpose({ x: keep(pack(taps, { axis: 0 })) }, { perm: [0, 2, 1] }));
    return reshape({ x: tapsInOut }, { shape: [filterHeight, filterWidth, inChannels, outChannels] });
  } finally {
    for (const temporary of temporaries) backend.disposeData(temporary.dataId);
  }
}

if (UNET) {
  tf.registerKernel({ kernelName: 'PreviousConv2DBackpropFilter', backendName: 'wasm', kernelFunc: previousFilterGradient });
  // [side, in, out] of every 3×3 'same' conv in the decoder: each up-block's skip conv on the 32² patch tokens and
  // its fuse conv (2·out → out, run as two out → out convs without the concatenation) at the up-sampled size.
  const unetShapes = [
    [32, 384, 192], [64, 192, 192],
    [32, 384, 96], [128, 96, 96],
    [32, 384, 48], [256, 48, 48],
    [32, 384, 3], [512, 3, 3],
  ];
  console.log(`\nfilter gradient at the U-Net's conv shapes, batch ${MICRO} (best of ${REPEATS}):`);
  for (const [side, inChannels, outChannels] of unetShapes) {
    const x = tf.tensor4d(random([MICRO, side, side, inChannels], 4), [MICRO, side, side, inChannels]);
    const dy = tf.tensor4d(random([MICRO, side, side, outChannels], 5), [MICRO, side, side, outChannels]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [K, K, inChannels, outChannels] };
    const run = (kernel) => () => tf.engine().runKernel(kernel, { x, dy }, attrs);
    const previous = await best(run('PreviousConv2DBackpropFilter'), REPEATS, true);
    const current = await best(run('Conv2DBackpropFilter'), REPEATS, true);
    const [a, b] = [run('PreviousConv2DBackpropFilter')(), run('Conv2DBackpropFilter')()];
    const [previousValues, currentValues] = [a.dataSync(), b.dataSync()];
    let maxDifference = 0;
    for (let i = 0; i < currentValues.length; i++) maxDifference = Math.max(maxDifference, Math.abs(currentValues[i] - previousValues[i]));
    tf.dispose([x, dy, a, b]);
    console.log(
      `${`${side}²×${inChannels} → ${outChannels}`.padEnd(16)} previous ${(previous * 1000).toFixed(1).padStart(7)} ms   radprobe ${(current * 1000).toFixed(1).padStart(7)} ms   ×${(previous / current).toFixed(2)}   max |difference| ${maxDifference.toExponential(1)}`,
    );
  }
}
