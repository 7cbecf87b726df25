import type { Scalar } from '@tensorflow/tfjs-core';
import { computeBackend, type ComputeBackend, type TensorFlow } from '../compute/backend.js';
import { RadprobeError } from '../util/errors.js';
import { Random } from '../util/random.js';
import { batchesPerEpoch, epochBatches } from './batches.js';
import { dataParallel, splitEvenly, type DataParallel, type GradientModel, type ParallelTraining } from './data-parallel.js';
import { ensureGradients } from './gradients.js';
import { cosineFactor } from './schedule.js';
import { SgdMomentum, type ParameterGroup } from './sgd.js';

/** What to train: parameters and the loss of a batch. */
export interface TrainableModel {
  groups: ParameterGroup[];
  /**
   * Where the loss is a sum of terms that share no variable (e.g. heads side by side), each term's relative cost.
   * Data-parallel training then gives each worker whole terms over the whole batch rather than a share of every
   * term's rows: each worker runs fewer operations, and every gradient comes from one worker alone, exactly as
   * without workers.
   */
  independentTerms?: readonly number[];
  /**
   * The share of the training rows `rows` (indices into the training set) in the loss of a batch of
   * `batchRows` rows: shares of a batch's pieces sum to the batch loss (a mean over rows weighs its piece by
   * `rows / batchRows`, a sum over rows is its own share). With `terms`, only those of `independentTerms` (in
   * ascending order); without, all. Runs inside tf.tidy under tf.variableGrads: it may create tensors freely, and
   * must read the groups' variables.
   */
  loss(rows: Int32Array, batchRows: number, terms?: readonly number[]): Scalar;
}

/** A piece of a batch for `trainWithSgd`: training rows, the rows of the whole batch, and which terms (all if absent). */
export interface RowsPiece {
  rows: Int32Array;
  batchRows: number;
  terms?: number[];
}

/**
 * Terms dealt to `workers` by cost, largest first, each to the least loaded worker (the lower index among equals);
 * each worker's terms in ascending order. Needs at least as many terms as workers, so that none is idle.
 */
export function dealTerms(costs: readonly number[], workers: number): number[][] {
  if (costs.length < workers) throw new RadprobeError(`${costs.length} loss terms cannot keep ${workers} workers busy`);
  const order = costs.map((_, i) => i).sort((a, b) => costs[b] - costs[a] || a - b);
  const loads = new Array<number>(workers).fill(0);
  const dealt: number[][] = Array.from({ length: workers }, () => []);
  for (const term of order) {
    const lightest = loads.indexOf(Math.min(...loads));
    loads[lightest] += costs[term];
    dealt[lightest].push(term);
  }
  return dealt.map((terms) => terms.sort((a, b) => a - b));
}

/** `model`'s gradients over pieces of rows, its variables in the optimiser's order (group by group). */
export function trainableGradientModel(tf: TensorFlow, model: TrainableModel & { dispose?: () => void }): GradientModel<RowsPiece> {
  const variables = model.groups.flatMap((group) => group.variables);
  return {
    variables,
    gradients({ rows, batchRows, terms }) {
      let loss = 0;
      const gradients = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => model.loss(rows, batchRows, terms), variables);
        loss = value.dataSync()[0];
        // A variable of another worker's terms has no gradient here: its share is zero.
        return variables.map((variable) => grads[variable.name] ?? tf.zerosLike(variable));
      });
      return { gradients, losses: Float64Array.of(loss) };
    },
    dispose: () => model.dispose?.(),
  };
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
  /**
   * Train data-parallel on `workers` threads (1: on this thread alone), each building its copy of the model from
   * `source`, whose factory must return `trainableGradientModel` of the same model as `model`.
   */
  parallel?: ParallelTraining;
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
 * shuffles of the training rows. Every step runs in a tidy scope, so tensors do not accumulate across steps. On
 * several workers a batch is dealt as whole terms (`independentTerms`, where there are at least as many as
 * workers; see `dealTerms`) or else as contiguous runs of its rows.
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
  const gradientModel = trainableGradientModel(tf, model);
  const names = gradientModel.variables.map((variable) => variable.name);
  let iteration = 0;
  let parallel: DataParallel<RowsPiece> | null = null;
  try {
    parallel = await dataParallel(tf, gradientModel, options.parallel);
    const { workers } = parallel;
    const terms = workers > 1 && model.independentTerms && model.independentTerms.length >= workers ? dealTerms(model.independentTerms, workers) : null;
    for (let epoch = 0; epoch < epochs; epoch++) {
      let lossSum = 0;
      const batches = epochBatches(random, samples, batchSize);
      for (const batch of batches) {
        options.signal?.throwIfAborted();
        const factor = cosineFactor(iteration++, total);
        const pieces = terms
          ? terms.map((dealt) => ({ rows: batch, batchRows: batch.length, terms: dealt }))
          : splitEvenly(batch, workers).map((rows) => ({ rows, batchRows: batch.length }));
        const { gradients, losses } = await parallel.gradients(pieces);
        optimizer.step(Object.fromEntries(names.map((name, i) => [name, gradients[i]])), factor);
        tf.dispose(gradients);
        lossSum += losses[0];
      }
      const meanLoss = lossSum / batches.length;
      epochLosses.push(meanLoss);
      options.onEpoch?.(epoch + 1, epochs, meanLoss);
      await nextTurn();
    }
  } finally {
    await parallel?.close();
    optimizer.dispose();
  }
  return { iterations: total, batchSize, epochLosses };
}
