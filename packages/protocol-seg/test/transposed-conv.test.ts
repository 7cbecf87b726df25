import { Random, trainingBackend } from '@radprobe/core';
import type { Tensor, Tensor1D, Tensor4D } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { convTranspose2x2 } from '../src/index.js';

const tf = await trainingBackend();

const maxDifference = (a: Tensor, b: Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('2×2 stride-2 transposed convolution', () => {
  it('scatters each pixel into its own 2×2 block, filter [i, j, out, in]', () => {
    // One pixel, in = 2 channels (1, 2), out = 1: y[i, j] = 1·W[i, j, 0, 0] + 2·W[i, j, 0, 1] + bias, with
    // W[·, ·, 0, 0] = (1, 2; 3, 4) and W[·, ·, 0, 1] = (10, 20; 30, 40): 21 + 0.5, 42.5, 63.5, 84.5.
    const x = tf.tensor4d([1, 2], [1, 1, 1, 2]);
    const filter = tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40], [2, 2, 1, 2]);
    const y = convTranspose2x2(tf, x, filter, tf.tensor1d([0.5]));
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.dataSync())).toEqual([21.5, 42.5, 63.5, 84.5]);
  });

  it('equals tf.conv2dTranspose + bias, forward and gradients, within 1e-5', () => {
    const random = new Random(3);
    const draw = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.normal()), shape);
    const [m, rows, cols, inChannels, out] = [2, 3, 5, 6, 4];
    const x = draw([m, rows, cols, inChannels]) as Tensor4D;
    const filter = draw([2, 2, out, inChannels]) as Tensor4D;
    const bias = draw([out]) as Tensor1D;
    // A fixed random weighting of the outputs, so every output position and channel has its own gradient.
    const weights = draw([m, 2 * rows, 2 * cols, out]);
    const reference = (a: Tensor, w: Tensor, b: Tensor) => tf.add(tf.conv2dTranspose(a as Tensor4D, w as Tensor4D, [m, 2 * rows, 2 * cols, out], 2, 'valid'), b) as Tensor4D;
    const shuffled = (a: Tensor, w: Tensor, b: Tensor) => convTranspose2x2(tf, a as Tensor4D, w as Tensor4D, b as Tensor1D);
    expect(maxDifference(shuffled(x, filter, bias), reference(x, filter, bias))).toBeLessThan(1e-5);
    const gradients = (f: typeof reference) => tf.grads((a: Tensor, w: Tensor, b: Tensor) => tf.sum(tf.mul(f(a, w, b), weights)))([x, filter, bias]);
    const expected = gradients(reference);
    const actual = gradients(shuffled);
    actual.forEach((gradient, i) => {
      expect(gradient.shape).toEqual(expected[i].shape);
      expect(maxDifference(gradient, expected[i]), `gradient ${i}`).toBeLessThan(1e-5);
    });
  });
});
