import type { Tensor4D } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Random, bilinearResizeMatrix, describeTrainingBackend, trainingBackend } from '../src/index.js';
import { WASM_TRAINING_KERNELS } from '../src/engine/train/gradients.js';

const tf = await trainingBackend();

/** A convolution's stride: one for both axes, or [rows, columns]. */
type Stride = number | [number, number];

/**
 * Visits every (input, filter, output) index triple a convolution multiplies together: output (n, y, x, o) reads
 * input (n, y·s + i − top, x·s + j − left, c) through tap (i, j, c, o); taps in the padding are skipped. Both
 * references below are this one relation, read in the two directions the gradients need.
 */
function forEachTap(xShape: number[], dyShape: number[], filterShape: number[], stride: Stride, padTop: number, padLeft: number, visit: (xIndex: number, wIndex: number, dyIndex: number) => void): void {
  const [strideHeight, strideWidth] = typeof stride === 'number' ? [stride, stride] : stride;
  const [batch, height, width, inChannels] = xShape;
  const [, outHeight, outWidth, outChannels] = dyShape;
  const [filterHeight, filterWidth] = filterShape;
  for (let n = 0; n < batch; n++)
    for (let y = 0; y < outHeight; y++)
      for (let xo = 0; xo < outWidth; xo++)
        for (let i = 0; i < filterHeight; i++)
          for (let j = 0; j < filterWidth; j++) {
            const row = y * strideHeight + i - padTop;
            const column = xo * strideWidth + j - padLeft;
            if (row < 0 || row >= height || column < 0 || column >= width) continue;
            for (let c = 0; c < inChannels; c++)
              for (let o = 0; o < outChannels; o++) {
                visit(((n * height + row) * width + column) * inChannels + c, ((i * filterWidth + j) * inChannels + c) * outChannels + o, ((n * outHeight + y) * outWidth + xo) * outChannels + o);
              }
          }
}

/** dW[i, j, c, o] = Σ_{n, y, x} xPadded[n, y·s + i, x·s + j, c] · dy[n, y, x, o], straight from the definition. */
function referenceFilterGradient(x: Float32Array, xShape: number[], dy: Float32Array, dyShape: number[], filterShape: number[], stride: Stride, padTop: number, padLeft: number): Float64Array {
  const [filterHeight, filterWidth] = filterShape;
  const dw = new Float64Array(filterHeight * filterWidth * xShape[3] * dyShape[3]);
  forEachTap(xShape, dyShape, filterShape, stride, padTop, padLeft, (xIndex, wIndex, dyIndex) => (dw[wIndex] += x[xIndex] * dy[dyIndex]));
  return dw;
}

const backpropFilter = (x: Tensor4D, dy: Tensor4D, filterShape: number[], strides: Stride, pad: 'same' | 'valid') =>
  tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape }) as Tensor4D;

describe('the wasm Conv2DBackpropFilter kernel', () => {
  it('is registered by trainingBackend on wasm', () => {
    for (const kernel of WASM_TRAINING_KERNELS) expect(tf.getKernel(kernel, 'wasm')).toBeDefined();
  });

  it('reads the padded input window of every tap (hand-computed 3×3 same)', () => {
    // x = [[1, 2], [3, 4]], dy = 1 at output (0, 0) only; with one pixel of zero padding the 3×3 window centred
    // on (0, 0) covers rows −1..1 and columns −1..1, so dW = [[0, 0, 0], [0, 1, 2], [0, 3, 4]].
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const dy = tf.tensor4d([1, 0, 0, 0], [1, 2, 2, 1]);
    expect(Array.from(backpropFilter(x, dy, [3, 3, 1, 1], 1, 'same').dataSync())).toEqual([0, 0, 0, 0, 1, 2, 0, 3, 4]);
  });

  it('sums x·dy over pixels for a 1×1 filter (hand-computed)', () => {
    // dW[c, o] = Σ_pixels x[c]·dy[o]: x channels (1, 2), (3, 4); dy channel values 1 then 2:
    // dW[0, 0] = 1·1 + 3·2 = 7, dW[1, 0] = 2·1 + 4·2 = 10.
    const x = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
    const dy = tf.tensor4d([1, 2], [1, 1, 2, 1]);
    expect(Array.from(backpropFilter(x, dy, [1, 1, 2, 1], 1, 'valid').dataSync())).toEqual([7, 10]);
  });

  const random = new Random(5);
  const shapes: Array<{ x: number[]; filter: number[]; stride: Stride; pad: 'same' | 'valid' }> = [
    { x: [2, 6, 5, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same' },
    { x: [1, 7, 7, 2], filter: [3, 3, 2, 3], stride: 2, pad: 'valid' },
    { x: [2, 6, 6, 3], filter: [3, 3, 3, 2], stride: 2, pad: 'same' },
    { x: [1, 6, 6, 3], filter: [2, 2, 3, 2], stride: 2, pad: 'valid' },
    // Odd, non-square shapes: 'same' at stride 2 on 8 rows pads 0 above and 1 below (asymmetric) ...
    { x: [2, 8, 5, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'same' },
    { x: [1, 9, 7, 2], filter: [3, 3, 2, 3], stride: 2, pad: 'valid' },
    // ... a 3×2 filter pads 0 left and 1 right; strides differ per axis ...
    { x: [2, 9, 4, 3], filter: [3, 2, 3, 2], stride: [2, 1], pad: 'same' },
    { x: [3, 5, 8, 1], filter: [1, 3, 1, 2], stride: [1, 3], pad: 'valid' },
    // ... and taps whose whole window, or all but a few columns of it, lie in the padding.
    { x: [1, 4, 3, 2], filter: [5, 5, 2, 2], stride: 1, pad: 'same' },
    { x: [2, 3, 2, 1], filter: [1, 5, 1, 1], stride: 1, pad: 'same' },
  ];
  for (const { x: xShape, filter, stride, pad } of shapes) {
    it(`matches the definition for x [${xShape}], filter [${filter}], stride ${stride}, ${pad}`, () => {
      const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filter as [number, number, number, number], stride, 1, pad);
      const dyShape = [xShape[0], info.outHeight, info.outWidth, filter[3]];
      const xValues = Float32Array.from({ length: xShape.reduce((a, b) => a * b) }, () => random.normal());
      const dyValues = Float32Array.from({ length: dyShape.reduce((a, b) => a * b) }, () => random.normal());
      const got = backpropFilter(tf.tensor4d(xValues, xShape as never), tf.tensor4d(dyValues, dyShape as never), filter, stride, pad);
      expect(got.shape).toEqual(filter);
      const expected = referenceFilterGradient(xValues, xShape, dyValues, dyShape, filter, stride, info.padInfo.top, info.padInfo.left);
      // float32 sums of ≤ 72 products of unit normals: rounding ≲ 72 · 6e-8 · |terms| ≈ 1e-5.
      got.dataSync().forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThan(1e-4));
    });
  }

  it('frees every intermediate buffer it allocates in the backend', () => {
    // Kernels composed from other kernels bypass the engine's tensor tracking: count the backend's own buffers.
    const buffers = () => tf.engine().backend.numDataIds();
    const before = buffers();
    tf.tidy(() => {
      backpropFilter(tf.ones([1, 4, 4, 2]) as Tensor4D, tf.ones([1, 4, 4, 3]) as Tensor4D, [3, 3, 2, 3], 1, 'same');
    });
    expect(buffers()).toBe(before);
  });

  it('rejects NCHW input with a message naming the data format', () => {
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.ones([1, 2, 4, 4]), dy: tf.ones([1, 2, 4, 4]) }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [1, 1, 2, 2] }),
    ).toThrow(/dataFormat NHWC only, got NCHW/);
  });
});

/** dx[n, y·s + i − top, x·s + j − left, c] += W[i, j, c, o] · dy[n, y, x, o], straight from the definition. */
function referenceInputGradient(dy: Float32Array, dyShape: number[], filter: Float32Array, filterShape: number[], xShape: number[], stride: number, padTop: number, padLeft: number): Float64Array {
  const dx = new Float64Array(xShape.reduce((product, side) => product * side, 1));
  forEachTap(xShape, dyShape, filterShape, stride, padTop, padLeft, (xIndex, wIndex, dyIndex) => (dx[xIndex] += filter[wIndex] * dy[dyIndex]));
  return dx;
}

const backpropInput = (dy: Tensor4D, filter: Tensor4D, inputShape: number[], strides: number, pad: 'same' | 'valid') =>
  tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides, pad, dataFormat: 'NHWC', inputShape }) as Tensor4D;

describe('the wasm Conv2DBackpropInput kernel (stride 1 as a forward convolution of dy with the flipped filter)', () => {
  it('spreads each output gradient over the taps that read it (hand-computed 3×3 same)', () => {
    // dy = 1 at output (0, 0) of a 2×2 image, W = 1..9 row-major: that output read x rows −1..1 and columns −1..1
    // through taps (i, j) = (row + 1, column + 1), so dx[r, c] = W[r + 1, c + 1] = [[5, 6], [8, 9]].
    const dy = tf.tensor4d([1, 0, 0, 0], [1, 2, 2, 1]);
    const filter = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3, 1, 1]);
    expect(Array.from(backpropInput(dy, filter, [1, 2, 2, 1], 1, 'same').dataSync())).toEqual([5, 6, 8, 9]);
  });

  it('swaps the channel axes for a 1×1 filter (hand-computed)', () => {
    // dx[c] = Σ_o W[c, o]·dy[o]: W = [[1, 2], [3, 4]] (in × out), dy = (1, 10) → dx = (1 + 20, 3 + 40) = (21, 43).
    const dy = tf.tensor4d([1, 10], [1, 1, 1, 2]);
    const filter = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(Array.from(backpropInput(dy, filter, [1, 1, 1, 2], 1, 'valid').dataSync())).toEqual([21, 43]);
  });

  const random = new Random(6);
  const shapes: Array<{ x: number[]; filter: number[]; stride: number; pad: 'same' | 'valid' }> = [
    { x: [2, 6, 5, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same' },
    { x: [1, 5, 6, 2], filter: [2, 2, 2, 3], stride: 1, pad: 'same' },
    { x: [2, 7, 6, 3], filter: [3, 2, 3, 2], stride: 1, pad: 'valid' },
    { x: [1, 7, 7, 2], filter: [3, 3, 2, 3], stride: 2, pad: 'same' },
  ];
  for (const { x: xShape, filter: filterShape, stride, pad } of shapes) {
    it(`matches the definition for x [${xShape}], filter [${filterShape}], stride ${stride}, ${pad}`, () => {
      const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number], stride, 1, pad);
      const dyShape = [xShape[0], info.outHeight, info.outWidth, filterShape[3]];
      const dyValues = Float32Array.from({ length: dyShape.reduce((a, b) => a * b) }, () => random.normal());
      const filterValues = Float32Array.from({ length: filterShape.reduce((a, b) => a * b) }, () => random.normal());
      const got = backpropInput(tf.tensor4d(dyValues, dyShape as never), tf.tensor4d(filterValues, filterShape as never), xShape, stride, pad);
      expect(got.shape).toEqual(xShape);
      const expected = referenceInputGradient(dyValues, dyShape, filterValues, filterShape, xShape, stride, info.padInfo.top, info.padInfo.left);
      // float32 sums of ≤ 36 products of unit normals: rounding ≲ 36 · 6e-8 · |terms| ≈ 1e-5.
      got.dataSync().forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThan(1e-4));
    });
  }

  it('frees the flipped filter it allocates in the backend', () => {
    const buffers = () => tf.engine().backend.numDataIds();
    const before = buffers();
    tf.tidy(() => {
      backpropInput(tf.ones([1, 4, 4, 3]) as Tensor4D, tf.ones([3, 3, 2, 3]) as Tensor4D, [1, 4, 4, 2], 1, 'same');
    });
    expect(buffers()).toBe(before);
  });
});

describe('bilinearResizeMatrix', () => {
  const rows = (matrix: Float32Array, inSize: number) => Array.from({ length: matrix.length / inSize }, (_, o) => Array.from(matrix.subarray(o * inSize, (o + 1) * inSize)));

  it('gives the hand-computed weights of 2 → 4 in each sampling convention', () => {
    // Half-pixel centres: source s = (o + ½)·½ − ½ = −0.25, 0.25, 0.75, 1.25, clamped at the edges.
    expect(rows(bilinearResizeMatrix(2, 4, false, true), 2)).toEqual([[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]]);
    // Aligned corners: s = o·(1/3) = 0, 1/3, 2/3, 1.
    rows(bilinearResizeMatrix(2, 4, true, false), 2).forEach((row, o) =>
      row.forEach((value, i) => expect(value).toBeCloseTo([[1, 0], [2 / 3, 1 / 3], [1 / 3, 2 / 3], [0, 1]][o][i], 6)),
    );
    // Neither: s = o·½ = 0, 0.5, 1, 1.5 (the last clamped to row 1).
    expect(rows(bilinearResizeMatrix(2, 4, false, false), 2)).toEqual([[1, 0], [0.5, 0.5], [0, 1], [0, 1]]);
  });

  for (const [alignCorners, halfPixelCenters] of [[false, true], [true, false], [false, false]]) {
    it(`reproduces tf.image.resizeBilinear (alignCorners ${alignCorners}, halfPixelCenters ${halfPixelCenters})`, () => {
      const random = new Random(9);
      const [height, width, outHeight, outWidth] = [3, 5, 7, 4];
      const image = Float32Array.from({ length: height * width }, () => random.normal());
      const resized = tf.image.resizeBilinear(tf.tensor4d(image, [1, height, width, 1]), [outHeight, outWidth], alignCorners, halfPixelCenters).dataSync();
      const rowMatrix = bilinearResizeMatrix(height, outHeight, alignCorners, halfPixelCenters);
      const columnMatrix = bilinearResizeMatrix(width, outWidth, alignCorners, halfPixelCenters);
      for (let o = 0; o < outHeight; o++)
        for (let p = 0; p < outWidth; p++) {
          let value = 0;
          for (let h = 0; h < height; h++) for (let w = 0; w < width; w++) value += rowMatrix[o * height + h] * columnMatrix[p * width + w] * image[h * width + w];
          expect(Math.abs(value - resized[o * outWidth + p])).toBeLessThan(1e-5);
        }
    });
  }
});

describe('describeTrainingBackend', () => {
  it('names the backend and how it runs', async () => {
    const { name, flavour, description } = await describeTrainingBackend();
    expect(['tensorflow-gpu', 'tensorflow', 'wasm']).toContain(name);
    expect(description).toBe(`${name} (${flavour})`);
    // Without the optional native bindings (this repository's CI), training runs on single-threaded SIMD wasm.
    if (name === 'wasm') expect(flavour).toBe('SIMD, 1 thread');
    expect(tf.getBackend()).not.toBe('cpu');
  });
});

describe('wasm matrix products with transposed operands', () => {
  it('equal the products of the transposed matrices (hand case and batched, both flags, fused with a bias)', () => {
    // A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]]: Aᵀ·B = [[26, 30], [38, 44]], A·Bᵀ = [[17, 23], [39, 53]], Aᵀ·Bᵀ = [[23, 31], [34, 46]].
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const b = tf.tensor2d([5, 6, 7, 8], [2, 2]);
    expect(Array.from(tf.matMul(a, b, true, false).dataSync())).toEqual([26, 30, 38, 44]);
    expect(Array.from(tf.matMul(a, b, false, true).dataSync())).toEqual([17, 23, 39, 53]);
    expect(Array.from(tf.matMul(a, b, true, true).dataSync())).toEqual([23, 31, 34, 46]);
    expect(Array.from(tf.fused.matMul({ a, b, transposeA: true, bias: tf.tensor1d([1, -1]) }).dataSync())).toEqual([27, 29, 39, 43]);
    const random = new Random(3);
    const x = tf.tensor3d(Float32Array.from({ length: 2 * 5 * 3 }, () => random.normal()), [2, 5, 3]);
    const y = tf.tensor3d(Float32Array.from({ length: 2 * 4 * 5 }, () => random.normal()), [2, 4, 5]);
    const flagged = tf.matMul(x, y, true, true).dataSync();
    const explicit = tf.matMul(tf.transpose(x, [0, 2, 1]), tf.transpose(y, [0, 2, 1])).dataSync();
    expect(flagged.length).toBe(2 * 3 * 4);
    flagged.forEach((value, i) => expect(value).toBeCloseTo(explicit[i], 5));
  });
});
