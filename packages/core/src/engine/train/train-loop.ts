import type { Scalar, Tensor1D } from '@tensorflow/tfjs-core';
import { computeBackend, type ComputeBackend, type TensorFlow } from '../compute/backend.js';
import { RadprobeError } from '../util/errors.js';
import { Random } from '../util/random.js';
import { batchesPerEpoch, epochBatches } from './batches.js';
import { ensureGradients } from './gradients.js';
import { cosineFactor } from './schedule.js';
import { SgdMomentum, type ParameterGroup } from './sgd.js';

/** What to train: parameters and the loss of a batch. */
export interface TrainableModel {
  groups: ParameterGroup[];
  /**
   * Scalar loss of the training rows `batch` (int32 indices into the training set). Runs inside tf.tidy under
   * tf.variableGrads: it may create tensors freely, and must read the groups' variables.
   */
  loss(batch: Tensor1D): Scalar;
}

export interface TrainingOptions {
  /** Rows of the training set. */
  samples: number;
  /** Capped at `samples`. */
  batchSize: number;
  epochs: number;
  /** Seeds the per-epoch shuffles. */
  seed: number;
  /** 0.9 unless given. */
  momentum?: number;
  signal?: AbortSignal;
  /** After each epoch: epochs done, the total, and the epoch's mean batch loss. */
  onEpoch?: (epoch: number, epochs: number, meanLoss: number) => void;
}

export interface TrainingSummary {
  iterations: number;
  batchSize: number;
  /** Mean batch loss of each epoch (NaN or Infinity when a head diverged; heads side by side diverge alone). */
  epochLosses: number[];
}

/** tfjs on the selected compute backend, with the gradients that training needs registered. */
export async function trainingBackend(): Promise<TensorFlow> {
  const { tf } = await computeBackend();
  ensureGradients(tf);
  return tf;
}

/** Which backend `trainingBackend()` trains on and how it runs, e.g. `wasm (SIMD, 1 thread)`. */
export async function describeTrainingBackend(): Promise<{ name: ComputeBackend['name']; flavour: string; description: string }> {
  const { name, flavour } = await computeBackend();
  return { name, flavour, description: `${name} (${flavour})` };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Mini-batch SGD with momentum (PyTorch semantics) and cosine annealing to 0 stepped per iteration, over seeded
 * shuffles of the training rows. Every step runs in a tidy scope, so tensors do not accumulate across steps.
 */
export async function trainWithSgd(model: TrainableModel, options: TrainingOptions): Promise<TrainingSummary> {
  const { samples, epochs, seed } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RadprobeError(`epochs ${epochs} must be a positive integer`);
  const batchSize = Math.min(options.batchSize, samples);
  const tf = await trainingBackend();
  const optimizer = new SgdMomentum(tf, model.groups, options.momentum ?? 0.9);
  const random = new Random(seed);
  const total = epochs * batchesPerEpoch(samples, batchSize);
  const epochLosses: number[] = [];
  let iteration = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const lossSum = tf.tidy(() => tf.variable(tf.scalar(0), false));
      const batches = epochBatches(random, samples, batchSize);
      for (const batch of batches) {
        options.signal?.throwIfAborted();
        const factor = cosineFactor(iteration++, total);
        tf.tidy(() => {
          const indices = tf.tensor1d(batch, 'int32');
          const { value, grads } = tf.variableGrads(() => model.loss(indices), optimizer.variables);
          optimizer.step(grads, factor);
          lossSum.assign(tf.add(lossSum, value));
        });
      }
      const meanLoss = (await lossSum.data())[0] / batches.length;
      lossSum.dispose();
      epochLosses.push(meanLoss);
      options.onEpoch?.(epoch + 1, epochs, meanLoss);
      await nextTurn();
    }
  } finally {
    optimizer.dispose();
  }
  return { iterations: total, batchSize, epochLosses };
}
