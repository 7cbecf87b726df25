import { Random, trainingBackend } from '@radprobe/core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { resizeBilinear } from '../src/index.js';

const tf = await trainingBackend();

describe('bilinear resize with a matrix-product gradient', () => {
  it('routes the gradient back with the interpolation weights (hand case, half-pixel 2 → 4)', () => {
    // Half-pixel sources of outputs 0..3: −0.25 (clamped: all on x0), 0.25 (0.75·x0 + 0.25·x1), 0.75 (0.25·x0 +
    // 0.75·x1), 1.25 (clamped: all on x1). With output weights dy = (1, 2, 3, 4):
    // ∂/∂x0 = 1 + 2·0.75 + 3·0.25 = 3.25, ∂/∂x1 = 2·0.25 + 3·0.75 + 4 = 6.75.
    const x = tf.tensor4d([0, 1], [1, 1, 2, 1]);
    const dy = tf.tensor4d([1, 2, 3, 4], [1, 1, 4, 1]);
    const gradient = tf.grad((v: Tensor) => tf.sum(tf.mul(resizeBilinear(tf, v as Tensor4D, [1, 4], false), dy)))(x);
    expect(Array.from(gradient.dataSync())).toEqual([3.25, 6.75]);
  });

  it('equals tfjs resizeBilinear forward and core\'s registered gradient within 1e-5', () => {
    const random = new Random(5);
    const draw = (shape: readonly number[]) => tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.normal()), [...shape] as [number, number, number, number]);
    // The decoders' two uses: align-corners upsampling of skips, half-pixel resizing (here down) to the input size.
    for (const [shape, size, alignCorners] of [[[2, 3, 4, 5], [12, 16], true], [[2, 8, 9, 3], [7, 7], false], [[1, 2, 3, 2], [5, 4], false]] as const) {
      const x = draw(shape);
      const weights = draw([shape[0], size[0], size[1], shape[3]]);
      const target = [size[0], size[1]] as [number, number];
      const loss = (resize: (v: Tensor4D) => Tensor) => (v: Tensor) => tf.sum(tf.mul(resize(v as Tensor4D), weights));
      const reference = (v: Tensor4D) => tf.image.resizeBilinear(v, target, alignCorners, !alignCorners);
      const ours = (v: Tensor4D) => resizeBilinear(tf, v, target, alignCorners);
      expect(Array.from(ours(x).dataSync())).toEqual(Array.from(reference(x).dataSync()));
      const difference = tf.max(tf.abs(tf.sub(tf.grad(loss(ours))(x), tf.grad(loss(reference))(x)))).dataSync()[0];
      expect(difference, `${shape} → ${size}`).toBeLessThan(1e-5);
    }
  });
});
