import { describe, expect, it } from 'vitest';
import { bceWithLogitsLoss, crossEntropyLoss, trainingBackend } from '../src/index.js';

const tf = await trainingBackend();

/** Loss and its gradient with respect to the logits. */
function lossAndGradient(loss: (z: ReturnType<typeof tf.tensor2d>) => ReturnType<typeof tf.scalar>, logits: number[][]) {
  return tf.tidy(() => {
    const z = tf.tensor2d(logits);
    const { value, grad } = tf.valueAndGrad(loss)(z);
    return { value: value.dataSync()[0], gradient: Array.from(grad.dataSync()) };
  });
}

describe('bceWithLogitsLoss', () => {
  // Entries: softplus(0) − 1·0 = ln 2 = 0.693147, softplus(2) = ln(1 + e²) = 2.126928,
  // softplus(−1) = ln(1 + e⁻¹) = 0.313262, softplus(0) − 1·0 = 0.693147; sum 3.826484, averaged over C = 2
  // classes (summed over the batch) = 1.913242. Gradient (σ(z) − y)/C: (0.5 − 1)/2, σ(2)/2, σ(−1)/2, (0.5 − 1)/2.
  const targets = [
    [1, 0],
    [0, 1],
  ];
  const logits = [
    [0, 2],
    [-1, 0],
  ];

  it('sums over the batch and averages over classes, with gradient (σ(z) − y)/C', () => {
    const { value, gradient } = lossAndGradient((z) => bceWithLogitsLoss(tf, z, tf.tensor2d(targets)), logits);
    expect(value).toBeCloseTo(1.913242, 5);
    const expected = [-0.25, 0.880797 / 2, 0.268941 / 2, -0.25];
    gradient.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 5));
  });

  it('treats heads side by side as separate heads fitting the same targets', () => {
    // Two identical heads: twice the loss, the same gradient in each head's block.
    const twoHeads = logits.map((row) => [...row, ...row]);
    const { value, gradient } = lossAndGradient((z) => bceWithLogitsLoss(tf, z, tf.tensor2d(targets)), twoHeads);
    expect(value).toBeCloseTo(2 * 1.913242, 5);
    expect(gradient[2]).toBeCloseTo(gradient[0], 6);
    expect(gradient[7]).toBeCloseTo(gradient[5], 6);
  });

  it('is the binary loss with one output: BCE summed over the batch', () => {
    // softplus(1.5) − 1.5 = 0.201413 (y = 1) plus softplus(0.5) = 0.974077 (y = 0): 1.175490.
    const { value, gradient } = lossAndGradient((z) => bceWithLogitsLoss(tf, z, tf.tensor2d([[1], [0]])), [[1.5], [0.5]]);
    expect(value).toBeCloseTo(1.17549, 5);
    // σ(1.5) − 1 = −0.182426, σ(0.5) = 0.622459.
    expect(gradient[0]).toBeCloseTo(-0.182426, 5);
    expect(gradient[1]).toBeCloseTo(0.622459, 5);
  });

  it('stays finite for large logits', () => {
    // softplus(60) − 60 = 8.8e-27 (y = 1) and softplus(−60) ≈ 8.8e-27 (y = 0): the loss is 0 to float precision.
    const { value, gradient } = lossAndGradient((z) => bceWithLogitsLoss(tf, z, tf.tensor2d([[1, 0]])), [[60, -60]]);
    expect(value).toBeCloseTo(0, 5);
    expect(gradient.every(Number.isFinite)).toBe(true);
  });

  it('names a shape mismatch', () => {
    expect(() => tf.tidy(() => bceWithLogitsLoss(tf, tf.zeros([2, 3]), tf.zeros([2, 2])))).toThrow(/not \[batch, heads × 2 classes\]/);
  });
});

describe('crossEntropyLoss', () => {
  it('averages −log softmax[label] over the batch, with gradient (softmax − onehot)/B', () => {
    // Row 1: logits (1, 2, 3), label 2: log Σ e^z = 3 + ln(1 + e⁻¹ + e⁻²) = 3.407606, loss 0.407606.
    // Row 2: logits (0, 0, 0), label 0: ln 3 = 1.098612. Mean 0.753109.
    // softmax(1, 2, 3) = (0.090031, 0.244728, 0.665241); softmax(0, 0, 0) = 1/3 each; gradient halved (B = 2).
    const { value, gradient } = lossAndGradient((z) => crossEntropyLoss(tf, z, tf.tensor1d([2, 0], 'int32'), 3), [
      [1, 2, 3],
      [0, 0, 0],
    ]);
    expect(value).toBeCloseTo(0.753109, 5);
    const expected = [0.090031 / 2, 0.244728 / 2, (0.665241 - 1) / 2, (1 / 3 - 1) / 2, 1 / 6, 1 / 6];
    gradient.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 5));
  });

  it('sums the losses of heads side by side', () => {
    // Head 1 logits (1, 2, 3), head 2 logits (0, 0, 0), label 2: 0.407606 + ln 3 = 1.506218.
    const { value } = lossAndGradient((z) => crossEntropyLoss(tf, z, tf.tensor1d([2], 'int32'), 3), [[1, 2, 3, 0, 0, 0]]);
    expect(value).toBeCloseTo(1.506218, 5);
  });
});
