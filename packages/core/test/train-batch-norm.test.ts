import { describe, expect, it } from 'vitest';
import { BatchNorm, trainingBackend } from '../src/index.js';

const tf = await trainingBackend();

describe('BatchNorm', () => {
  it('normalises with batch statistics in training and moves the running statistics (hand-computed)', () => {
    const layer = new BatchNorm(tf, 1, 'bn-hand');
    const x = tf.tensor2d([1, 2, 3, 4], [4, 1]);
    // Batch mean 2.5, biased variance 1.25 → y = (x − 2.5)/√(1.25 + 1e-5) = ±0.4472118, ±1.3416355.
    const y = Array.from(layer.apply(x, true).dataSync());
    [-1.3416355, -0.4472118, 0.4472118, 1.3416355].forEach((value, i) => expect(y[i]).toBeCloseTo(value, 5));
    // Running mean 0.9·0 + 0.1·2.5 = 0.25; running variance 0.9·1 + 0.1·(5/3) (unbiased: 5/3) = 1.0666667.
    expect(layer.runningMean.dataSync()[0]).toBeCloseTo(0.25, 6);
    expect(layer.runningVariance.dataSync()[0]).toBeCloseTo(1.0666667, 6);
    // Evaluation uses the running statistics: (4 − 0.25)/√(1.0666667 + 1e-5) = 3.6309397.
    expect(layer.apply(tf.tensor2d([4], [1, 1]), false).dataSync()[0]).toBeCloseTo(3.6309397, 4);
    layer.dispose();
  });

  it('trains gamma and beta only', () => {
    const layer = new BatchNorm(tf, 3, 'bn-vars');
    expect(layer.trainableVariables.map((v) => v.name)).toEqual(['bn-vars/gamma', 'bn-vars/beta']);
    expect(layer.runningMean.trainable).toBe(false);
    layer.dispose();
  });

  it('refuses a training batch with one value per channel and a wrong channel count', () => {
    const layer = new BatchNorm(tf, 2, 'bn-bad');
    expect(() => layer.apply(tf.ones([1, 2]), true)).toThrow(/more than one value per channel/);
    expect(() => layer.apply(tf.ones([4, 3]), true)).toThrow(/does not end in 2 channels/);
    layer.dispose();
  });
});
