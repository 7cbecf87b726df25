import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { batchNormTraining, Random, trainingBackend } from '../src/index.js';
import { DIFFERENTIABLE_KERNELS } from '../src/engine/train/gradients.js';
import { checkGradients, randomTensor } from './train-finite-differences.js';

const tf = await trainingBackend();
const random = new Random(11);
const rand = (shape: number[], scale = 1) => randomTensor(tf, random, shape, scale);
/** Values at least 0.2 away from 0, so a step of 0.01 never crosses relu's kink. */
const awayFromZero = (shape: number[]) => tf.tidy(() => { const x = rand(shape); return tf.add(x, tf.mul(tf.sign(x), 0.2)); });

/**
 * Tolerances. Ops linear in each input (convolutions, resizing, concat, shapes, sums, products in one factor)
 * have no truncation error, so the step can be large (0.5) and the quotient carries only float32 rounding of
 * outputs of size ~10 over ≲ 600 elements: ≲ 1e-7·10·25/1 ≈ 3e-5 — the bound 1e-3 leaves 30× margin. Nonlinear
 * ops use h = 1e-2: truncation h²/6·|f'''| ≈ 2e-5·|f'''| plus rounding ≈ 1e-7·10·25/0.02 ≈ 1e-3, so 5e-3
 * absolute, on gradients of order 1–10.
 */
const LINEAR = { step: 0.5, tolerance: 1e-3 };
const NONLINEAR = { step: 1e-2, tolerance: 5e-3 };

interface Case {
  name: string;
  f: (...inputs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
  settings: { step: number; tolerance: number };
}

const conv = (strides: number, pad: 'same' | 'valid') => (x: Tensor, w: Tensor) => tf.conv2d(x as Tensor4D, w as Tensor4D, strides, pad);
const resize = (size: [number, number], alignCorners: boolean, halfPixelCenters: boolean) => (x: Tensor) =>
  tf.image.resizeBilinear(x as Tensor4D, size, alignCorners, halfPixelCenters);
const cases: Case[] = [
  { name: 'conv2d 3×3 same', f: conv(1, 'same'), inputs: () => [rand([2, 5, 5, 3]), rand([3, 3, 3, 4])], settings: LINEAR },
  { name: 'conv2d 1×1', f: conv(1, 'same'), inputs: () => [rand([2, 4, 4, 3]), rand([1, 1, 3, 2])], settings: LINEAR },
  { name: 'conv2d 3×3 stride 2 valid', f: conv(2, 'valid'), inputs: () => [rand([1, 7, 7, 2]), rand([3, 3, 2, 3])], settings: LINEAR },
  // Stride-1 input gradients run the project's wasm Conv2DBackpropInput (a forward conv with the flipped filter).
  { name: 'conv2d 2×2 stride 1 same (asymmetric padding)', f: conv(1, 'same'), inputs: () => [rand([1, 5, 4, 3]), rand([2, 2, 3, 2])], settings: LINEAR },
  { name: 'conv2d 3×2 stride 1 valid', f: conv(1, 'valid'), inputs: () => [rand([2, 5, 4, 2]), rand([3, 2, 2, 3])], settings: LINEAR },
  {
    name: 'conv2dTranspose 3×3 stride 1 same',
    f: (x, w) => tf.conv2dTranspose(x as Tensor4D, w as Tensor4D, [1, 4, 5, 2], 1, 'same'),
    inputs: () => [rand([1, 4, 5, 3]), rand([3, 3, 2, 3])],
    settings: LINEAR,
  },
  { name: 'conv2d 3×3 stride 2 same (asymmetric padding)', f: conv(2, 'same'), inputs: () => [rand([1, 6, 6, 2]), rand([3, 3, 2, 2])], settings: LINEAR },
  {
    name: 'conv2dTranspose 2×2 stride 2 valid',
    f: (x, w) => tf.conv2dTranspose(x as Tensor4D, w as Tensor4D, [2, 6, 6, 3], 2, 'valid'),
    inputs: () => [rand([2, 3, 3, 4]), rand([2, 2, 3, 4])],
    settings: LINEAR,
  },
  {
    name: 'conv2dTranspose 2×2 stride 2 same',
    f: (x, w) => tf.conv2dTranspose(x as Tensor4D, w as Tensor4D, [1, 4, 4, 2], 2, 'same'),
    inputs: () => [rand([1, 2, 2, 3]), rand([2, 2, 2, 3])],
    settings: LINEAR,
  },
  { name: 'resizeBilinear up, half-pixel centres', f: resize([5, 7], false, true), inputs: () => [rand([2, 3, 4, 2])], settings: LINEAR },
  { name: 'resizeBilinear up, align corners', f: resize([5, 7], true, false), inputs: () => [rand([2, 3, 4, 2])], settings: LINEAR },
  { name: 'resizeBilinear up, legacy (neither)', f: resize([6, 8], false, false), inputs: () => [rand([1, 3, 4, 2])], settings: LINEAR },
  { name: 'resizeBilinear down, half-pixel centres', f: resize([3, 2], false, true), inputs: () => [rand([1, 6, 5, 2])], settings: LINEAR },
  { name: 'resizeBilinear down, align corners', f: resize([3, 2], true, false), inputs: () => [rand([1, 6, 5, 2])], settings: LINEAR },
  { name: 'batch norm, training mode (batch statistics)', f: (x, gamma, beta) => batchNormTraining(tf, x, gamma, beta, 1e-5).output, inputs: () => [rand([2, 3, 3, 4]), rand([4]), rand([4])], settings: NONLINEAR },
  {
    name: 'tf.batchNorm with given statistics (FusedBatchNorm)',
    f: (x, mean, variance, offset, scale) => tf.batchNorm(x, mean, variance, offset, scale, 1e-3),
    inputs: () => [rand([2, 2, 3, 4]), rand([4]), tf.add(tf.abs(rand([4])), 0.5), rand([4]), rand([4])],
    settings: NONLINEAR,
  },
  { name: 'relu', f: (x) => tf.relu(x), inputs: () => [awayFromZero([3, 4, 5])], settings: NONLINEAR },
  { name: 'concat along channels', f: (a, b) => tf.concat([a, b], 3), inputs: () => [rand([2, 2, 2, 3]), rand([2, 2, 2, 2])], settings: LINEAR },
  { name: 'concat along rows', f: (a, b, c) => tf.concat([a, b, c], 1), inputs: () => [rand([2, 1, 3]), rand([2, 2, 3]), rand([2, 3, 3])], settings: LINEAR },
  { name: 'softmax', f: (x) => tf.softmax(x), inputs: () => [rand([3, 2, 5], 2)], settings: NONLINEAR },
  { name: 'logSoftmax', f: (x) => tf.logSoftmax(x), inputs: () => [rand([3, 2, 5], 2)], settings: NONLINEAR },
  { name: 'mean over axes', f: (x) => tf.mean(x, [0, 2]), inputs: () => [rand([3, 4, 5])], settings: LINEAR },
  { name: 'mean, keepDims', f: (x) => tf.mean(x, -1, true), inputs: () => [rand([3, 4])], settings: LINEAR },
  { name: 'sum over axes', f: (x) => tf.sum(x, [1]), inputs: () => [rand([3, 4, 2])], settings: LINEAR },
  { name: 'div with broadcasting', f: (a, b) => tf.div(a, b), inputs: () => [rand([3, 4]), tf.add(tf.abs(rand([4])), 1)], settings: NONLINEAR },
  { name: 'squared difference', f: (a, b) => tf.squaredDifference(a, b), inputs: () => [rand([3, 4]), rand([3, 4])], settings: NONLINEAR },
  { name: 'square, sqrt', f: (x) => tf.sqrt(tf.add(tf.square(x), 1)), inputs: () => [rand([3, 4])], settings: NONLINEAR },
  { name: 'exp, log', f: (x) => tf.log(tf.add(tf.exp(x), 1)), inputs: () => [rand([3, 4])], settings: NONLINEAR },
  { name: 'sigmoid', f: (x) => tf.sigmoid(x), inputs: () => [rand([3, 4], 2)], settings: NONLINEAR },
  { name: 'erf', f: (x) => tf.erf(x), inputs: () => [rand([3, 4], 1.5)], settings: NONLINEAR },
  { name: 'multiply, subtract, negate with broadcasting', f: (a, b) => tf.neg(tf.sub(tf.mul(a, b), b)), inputs: () => [rand([3, 1]), rand([1, 4])], settings: LINEAR },
  { name: 'transpose', f: (x) => tf.transpose(x, [2, 0, 1]), inputs: () => [rand([2, 3, 4])], settings: LINEAR },
  { name: 'slice', f: (x) => tf.slice(x, [0, 1, 1], [2, 2, 2]), inputs: () => [rand([2, 4, 3])], settings: LINEAR },
  { name: 'pad', f: (x) => tf.pad(x, [[0, 0], [1, 2], [2, 0]]), inputs: () => [rand([2, 2, 3])], settings: LINEAR },
  { name: 'reshape, expandDims', f: (x) => tf.expandDims(tf.reshape(x, [6, 2]), 1), inputs: () => [rand([3, 4])], settings: LINEAR },
  { name: 'clone (Identity), cast to float32', f: (x) => tf.cast(tf.clone(x), 'float32'), inputs: () => [rand([3, 4])], settings: LINEAR },
  { name: 'matMul, add bias', f: (a, b, c) => tf.add(tf.matMul(a, b), c), inputs: () => [rand([3, 4]), rand([4, 2]), rand([2])], settings: LINEAR },
];

describe('gradients against central finite differences (float32, wasm)', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const inputs = testCase.inputs();
      const { maxError, maxGradient } = checkGradients(tf, testCase.f, inputs, testCase.settings.step);
      // Guards against a check that passes because every gradient vanished.
      expect(maxGradient).toBeGreaterThan(0.02);
      expect(maxError).toBeLessThan(testCase.settings.tolerance * Math.max(1, maxGradient));
      tf.dispose(inputs);
    });
  }

  it('cover every kernel in DIFFERENTIABLE_KERNELS', async () => {
    const exercised = new Set<string>();
    for (const testCase of cases) {
      const inputs = testCase.inputs();
      const profile = await tf.profile(() => tf.grads((...xs: Tensor[]) => tf.sum(testCase.f(...xs)))(inputs));
      for (const kernel of profile.kernelNames) exercised.add(kernel);
      tf.dispose(inputs);
    }
    expect(DIFFERENTIABLE_KERNELS.filter((kernel) => !exercised.has(kernel))).toEqual([]);
    expect(exercised.has('Conv2DBackpropFilter')).toBe(true);
  });
});
