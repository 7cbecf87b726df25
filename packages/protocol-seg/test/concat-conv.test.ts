import { Random, trainingBackend } from '@radprobe/core';
import type { Tensor, Tensor1D, Tensor4D } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { concatConv2d } from '../src/concat-conv.js';

const tf = await trainingBackend();

describe('convolution of a channel concatenation', () => {
  it('sums each part\'s convolution with its slice of the filter (hand case, 1×1)', () => {
    // a = 2 (one channel), b = (3, 5); filter rows per input channel (1, 10), (100, 1000), (0.5, 0.25); bias (1, 2):
    // out0 = 2·1 + 3·100 + 5·0.5 + 1 = 305.5, out1 = 2·10 + 3·1000 + 5·0.25 + 2 = 3023.25.
    const out = concatConv2d(tf, tf.tensor4d([2], [1, 1, 1, 1]), tf.tensor4d([3, 5], [1, 1, 1, 2]), tf.tensor4d([1, 10, 100, 1000, 0.5, 0.25], [1, 1, 3, 2]), tf.tensor1d([1, 2]));
    expect(Array.from(out.dataSync())).toEqual([305.5, 3023.25]);
  });

  it('equals conv2d of tf.concat + bias, forward and gradients, within 1e-5', () => {
    const random = new Random(9);
    const draw = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => random.normal()), shape);
    const inputs = [draw([2, 5, 6, 3]), draw([2, 5, 6, 4]), draw([3, 3, 7, 5]), draw([5])];
    const weights = draw([2, 5, 6, 5]);
    const concatenated = (a: Tensor, b: Tensor, filter: Tensor, bias: Tensor) => tf.add(tf.conv2d(tf.concat([a, b], 3) as Tensor4D, filter as Tensor4D, 1, 'same'), bias);
    const split = (a: Tensor, b: Tensor, filter: Tensor, bias: Tensor) => concatConv2d(tf, a as Tensor4D, b as Tensor4D, filter as Tensor4D, bias as Tensor1D);
    const maxDifference = (x: Tensor, y: Tensor) => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0];
    expect(maxDifference(split(...(inputs as [Tensor, Tensor, Tensor, Tensor])), concatenated(...(inputs as [Tensor, Tensor, Tensor, Tensor])))).toBeLessThan(1e-5);
    const gradients = (f: (a: Tensor, b: Tensor, filter: Tensor, bias: Tensor) => Tensor) => tf.grads((a: Tensor, b: Tensor, filter: Tensor, bias: Tensor) => tf.sum(tf.mul(f(a, b, filter, bias), weights)))(inputs);
    const expected = gradients(concatenated);
    gradients(split).forEach((gradient, i) => {
      expect(gradient.shape).toEqual(expected[i].shape);
      expect(maxDifference(gradient, expected[i]), `gradient ${i}`).toBeLessThan(1e-5);
    });
  });
});
