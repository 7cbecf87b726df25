import { computeBackend } from '@radprobe/core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DICE_SMOOTH, segmentationLoss } from '../src/index.js';

describe('segmentation loss (MONAI DiceLoss(softmax, to_onehot_y) and DiceCELoss)', () => {
  it('matches the hand-computed value on two pixels', async () => {
    const { tf } = await computeBackend();
    // One image, pixels 0 and 1, two classes. Logits (0, 0) → p = (1/2, 1/2); (ln 3, 0) → p = (3/4, 1/4). Truth 0, 1.
    const logits = tf.tensor4d([0, 0, Math.log(3), 0], [1, 1, 2, 2]);
    const labels = tf.tensor3d([0, 1], [1, 1, 2], 'int32');
    // Class 0: I = 1/2, G = 1, P = 5/4. Class 1: I = 1/4, G = 1, P = 3/4. Mean of 1 − (2I + s)/(G + P + s).
    const s = DICE_SMOOTH;
    const dice = (1 - (1 + s) / (2.25 + s) + 1 - (0.5 + s) / (1.75 + s)) / 2;
    expect(segmentationLoss(tf, 'dice', logits, labels, 1).dataSync()[0]).toBeCloseTo(dice, 6);
    // Cross-entropy: mean of −log p[truth] = (ln 2 + ln 4) / 2.
    expect(segmentationLoss(tf, 'dice+ce', logits, labels, 1).dataSync()[0]).toBeCloseTo(dice + (Math.log(2) + Math.log(4)) / 2, 6);
  });

  it('adds up over the chunks of a batch', async () => {
    const { tf } = await computeBackend();
    const logits = tf.randomNormal([4, 3, 3, 3], 0, 1, 'float32', 7) as Tensor4D;
    const labels = tf.tensor3d(Int32Array.from({ length: 36 }, (_, i) => (i * 7) % 3), [4, 3, 3], 'int32');
    for (const kind of ['dice', 'dice+ce'] as const) {
      const whole = segmentationLoss(tf, kind, logits, labels, 4).dataSync()[0];
      const halves = [0, 2].map((start) => segmentationLoss(tf, kind, tf.slice(logits, [start], [2]), tf.slice(labels, [start], [2]), 4).dataSync()[0]);
      expect(halves[0] + halves[1]).toBeCloseTo(whole, 5);
    }
    expect(() => segmentationLoss(tf, 'dice', logits, labels, 2)).toThrow(/chunk of 4 images/);
  });

  it('has the gradient of central finite differences', async () => {
    const { tf } = await computeBackend();
    const shape = [2, 2, 3, 3];
    const values = Float32Array.from({ length: 36 }, (_, i) => Math.sin(i * 1.7) * 2);
    const labels = tf.tensor3d(Int32Array.from({ length: 12 }, (_, i) => (i * 5) % 3), [2, 2, 3], 'int32');
    for (const kind of ['dice', 'dice+ce'] as const) {
      const f = (z: Float32Array) => {
        const zz = Float64Array.from(z);
        return segmentationLoss(tf, kind, tf.tensor4d(Float32Array.from(zz), shape as [number, number, number, number]), labels, 3).dataSync()[0];
      };
      const gradient = tf.grad((z) => segmentationLoss(tf, kind, z as Tensor4D, labels, 3))(tf.tensor4d(values, shape as [number, number, number, number])).dataSync();
      const h = 1e-2;
      for (const i of [0, 5, 13, 22, 35]) {
        const plus = values.slice();
        const minus = values.slice();
        plus[i] += h;
        minus[i] -= h;
        expect(gradient[i]).toBeCloseTo((f(plus) - f(minus)) / (2 * h), 3);
      }
    }
  });
});
