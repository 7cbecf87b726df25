import { describe, expect, it } from 'vitest';
import { Random, SgdMomentum, bceWithLogitsLoss, cosineFactor, epochBatches, trainWithSgd, trainingBackend, type TrainableModel } from '../src/index.js';

const tf = await trainingBackend();

describe('cosineFactor', () => {
  it('anneals from 1 towards 0 per iteration', () => {
    // (1 + cos(π t / 4)) / 2 for t = 0..3: 1, (1 + √2/2)/2 = 0.853553, 0.5, (1 − √2/2)/2 = 0.146447.
    expect([0, 1, 2, 3].map((t) => cosineFactor(t, 4))).toEqual([1, expect.closeTo(0.853553, 6), expect.closeTo(0.5, 12), expect.closeTo(0.146447, 6)]);
  });
});

describe('SgdMomentum', () => {
  it('follows v ← 0.9 v + g, w ← w − lr v, with per-column rates', () => {
    // Constant gradient 2, w₀ = 1. Column lr 0.1: v = 2, 3.8, 5.42 → w = 0.8, 0.42, −0.122.
    // Column lr 0.01: w = 1 − 0.02 = 0.98, 0.98 − 0.038 = 0.942, 0.942 − 0.0542 = 0.8878.
    const weight = tf.variable(tf.ones([1, 2]));
    const optimizer = new SgdMomentum(tf, [{ variables: [weight], learningRate: Float32Array.of(0.1, 0.01) }], 0.9);
    const gradient = tf.fill([1, 2], 2);
    const trace: number[][] = [];
    for (let step = 0; step < 3; step++) {
      optimizer.step({ [weight.name]: gradient }, 1);
      trace.push(Array.from(weight.dataSync()));
    }
    const expected = [
      [0.8, 0.98],
      [0.42, 0.942],
      [-0.122, 0.8878],
    ];
    trace.forEach((row, s) => row.forEach((w, c) => expect(w).toBeCloseTo(expected[s][c], 5)));
    optimizer.dispose();
    weight.dispose();
    gradient.dispose();
  });

  it('rejects per-column rates that do not fit a variable', () => {
    const weight = tf.variable(tf.ones([2, 3]));
    expect(() => new SgdMomentum(tf, [{ variables: [weight], learningRate: Float32Array.of(1, 2) }], 0.9)).toThrow(/2 per-column learning rates for variable .* of shape \[2, 3\]/);
    weight.dispose();
  });
});

describe('epochBatches', () => {
  it('cuts a seeded shuffle into batches, the last one shorter', () => {
    const batches = epochBatches(new Random(1), 5, 2);
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(batches.flatMap((batch) => Array.from(batch)).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(epochBatches(new Random(1), 5, 2).map((batch) => Array.from(batch))).toEqual(batches.map((batch) => Array.from(batch)));
  });
});

/** A logistic regression on a fixed problem, for the loop tests. */
function logisticModel(seed: number) {
  const random = new Random(seed);
  const rows = 40;
  const dim = 3;
  const xs = Array.from({ length: rows * dim }, () => random.normal());
  const ys = Array.from({ length: rows }, (_, r) => (xs[r * dim] - xs[r * dim + 1] > 0 ? 1 : 0));
  const features = tf.tensor2d(xs, [rows, dim]);
  const targets = tf.tensor2d(ys, [rows, 1]);
  const [weights, bias] = tf.tidy(() => [tf.variable(tf.zeros([dim, 1])), tf.variable(tf.zeros([1]))]);
  const model: TrainableModel = {
    groups: [{ variables: [weights, bias], learningRate: 0.05 }],
    loss: (rows) => {
      const batch = tf.tensor1d(rows, 'int32');
      return bceWithLogitsLoss(tf, tf.add(tf.matMul(tf.gather(features, batch), weights), bias) as ReturnType<typeof tf.tensor2d>, tf.gather(targets, batch) as ReturnType<typeof tf.tensor2d>);
    },
  };
  const dispose = () => [features, targets, weights, bias].forEach((t) => t.dispose());
  return { model, rows, weights, dispose };
}

describe('trainWithSgd', () => {
  it('applies momentum and the cosine factor per iteration', async () => {
    // Loss Σ 2·w has gradient 2. Two samples, batch 2, two epochs: T = 2 iterations, factors 1 and
    // (1 + cos(π/2))/2 = 0.5. w₁ = 1 − 0.1·1·2 = 0.8; v₂ = 0.9·2 + 2 = 3.8; w₂ = 0.8 − 0.1·0.5·3.8 = 0.61.
    const weight = tf.variable(tf.ones([1]));
    const summary = await trainWithSgd(
      { groups: [{ variables: [weight], learningRate: 0.1 }], loss: () => tf.sum(tf.mul(weight, 2)) },
      { samples: 2, batchSize: 2, epochs: 2, seed: 0 },
    );
    expect(summary.iterations).toBe(2);
    expect(weight.dataSync()[0]).toBeCloseTo(0.61, 6);
    // The loss is read before each step: 2·1 in epoch 1, 2·0.8 in epoch 2.
    expect(summary.epochLosses).toEqual([expect.closeTo(2, 6), expect.closeTo(1.6, 6)]);
    weight.dispose();
  });

  it('is deterministic for a seed, leaks no tensors across steps, and learns', async () => {
    const run = async (seed: number) => {
      const { model, rows, weights, dispose } = logisticModel(5);
      const tensorsPerEpoch: number[] = [];
      const summary = await trainWithSgd(model, { samples: rows, batchSize: 8, epochs: 6, seed, onEpoch: () => tensorsPerEpoch.push(tf.memory().numTensors) });
      const learned = Array.from(weights.dataSync());
      dispose();
      return { learned, tensorsPerEpoch, summary };
    };
    const before = tf.memory().numTensors;
    const first = await run(0);
    const again = await run(0);
    const other = await run(1);
    expect(tf.memory().numTensors).toBe(before);
    expect(again.learned).toEqual(first.learned);
    expect(other.learned).not.toEqual(first.learned);
    expect(new Set(first.tensorsPerEpoch).size).toBe(1);
    // The rule is x₀ − x₁ > 0: the weights point that way and the loss falls.
    expect(first.learned[0]).toBeGreaterThan(0);
    expect(first.learned[1]).toBeLessThan(0);
    expect(first.summary.epochLosses.at(-1)!).toBeLessThan(first.summary.epochLosses[0]);
  });

  it('caps the batch at the sample count and stops when aborted', async () => {
    const { model, weights: _weights, dispose } = logisticModel(2);
    const summary = await trainWithSgd(model, { samples: 40, batchSize: 128, epochs: 1, seed: 0 });
    expect(summary).toMatchObject({ batchSize: 40, iterations: 1 });
    const controller = new AbortController();
    controller.abort();
    await expect(trainWithSgd(model, { samples: 40, batchSize: 8, epochs: 1, seed: 0, signal: controller.signal })).rejects.toThrow();
    dispose();
  });
});
