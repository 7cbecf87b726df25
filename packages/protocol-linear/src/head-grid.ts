import {
  Random,
  bceWithLogitsLoss,
  crossEntropyLoss,
  parallelTraining,
  trainWithSgd,
  trainableGradientModel,
  trainingBackend,
  type GradientModel,
  type RowsPiece,
  type TensorFlow,
  type TrainableModel,
  type TrainingSummary,
} from '@radprobe/core';
import type { Scalar, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { InputSetting } from './options.js';
import { inputColumns, type InputTable, type Samples } from './samples.js';

/** One linear head of the grid. */
export interface HeadSpec {
  setting: InputSetting;
  learningRate: number;
}

/** Heads reading the same input: one weight matrix `[inputWidth, heads · outputs]`, one product per step. */
interface HeadGroup {
  setting: InputSetting;
  columns: { start: number; width: number };
  heads: number[];
}

export interface TrainedGrid {
  training: TrainingSummary;
  /** Per head, row-major `[rows, outputs]` logits of the given samples. */
  logits(rows: readonly number[]): Promise<Float32Array[]>;
  dispose(): void;
}

const SCORE_CHUNK = 4096;
/** Weights start as N(0, 0.01²), biases at 0 (the study's and upstream's linear heads). */
const INIT_STD = 0.01;
/** Keeps the initialisation stream apart from the shuffling stream seeded with the same seed. */
const INIT_STREAM = 0x5bd1e995;

/**
 * Row-major `[rows.length, columns.width]`: columns `columns` of rows `rows` of the row-major `[*, width]` table
 * `data`. Copied in JS: tfjs-wasm's gather and strided slice kernels cost more than the matrix products they feed
 * (a linear-grid step spent 8.5 ms of 13 in gather).
 */
function columnBlock(data: Float32Array, width: number, rows: ArrayLike<number>, columns: { start: number; width: number }): Float32Array {
  const out = new Float32Array(rows.length * columns.width);
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r] * width + columns.start;
    out.set(data.subarray(from, from + columns.width), r * columns.width);
  }
  return out;
}

/** Everything a copy of the grid's model is built from: plain arrays, so that training workers get it too. */
export interface HeadGridPayload {
  /** Row-major `[rows, width]` features of the training rows. */
  features: Float32Array;
  rows: number;
  width: number;
  outputs: number;
  /** Class per row (multiclass), else null. */
  labels: Int32Array | null;
  /** Row-major `[rows, outputs]` 0/1 targets (multilabel), else null. */
  targets: Float32Array | null;
  groups: Array<{ columns: { start: number; width: number }; heads: number; learningRates: number[] }>;
  seed: number;
}

interface GridModel {
  trainable: TrainableModel;
  weights: Variable[];
  biases: Variable[];
}

/** A group's logits `[rows, heads · outputs]` from its input columns `[rows, width]`. */
function groupLogits(tf: TensorFlow, input: Float32Array, rows: number, weights: Variable, bias: Variable): Tensor2D {
  return tf.add(tf.matMul(tf.tensor2d(input, [rows, weights.shape[0]]), weights), bias) as Tensor2D;
}

/**
 * The grid's variables, initialised from the seed, and its loss: each step draws one shared batch, each input
 * setting's heads share one matrix product, and the loss is the sum of the heads' losses, so each head gets
 * exactly the update it would get alone (its gradient is its own block), at its own learning rate.
 */
function gridModel(tf: TensorFlow, payload: HeadGridPayload): GridModel {
  const { outputs } = payload;
  const init = new Random(payload.seed ^ INIT_STREAM);
  const [weights, biases] = tf.tidy(() => {
    const weights: Variable[] = [];
    const biases: Variable[] = [];
    for (const group of payload.groups) {
      const columns = group.heads * outputs;
      const values = new Float32Array(group.columns.width * columns);
      // Head by head, so a head's initial weights do not depend on how many heads follow it in the grid.
      for (let position = 0; position < group.heads; position++) {
        for (let t = 0; t < group.columns.width; t++) {
          for (let o = 0; o < outputs; o++) values[t * columns + position * outputs + o] = INIT_STD * init.normal();
        }
      }
      weights.push(tf.variable(tf.tensor2d(values, [group.columns.width, columns])));
      biases.push(tf.variable(tf.zeros([columns])));
    }
    return [weights, biases];
  });
  const { features, labels, targets } = payload;
  const trainable = {
    groups: payload.groups.map((group, g) => ({
      variables: [weights[g], biases[g]],
      learningRate: Float32Array.from({ length: group.heads * outputs }, (_, c) => group.learningRates[Math.floor(c / outputs)]),
    })),
    // An input setting's heads share one product: a term of the loss, whose cost grows with its input width and heads.
    independentTerms: payload.groups.map((group) => group.columns.width * group.heads),
    loss: (indices: Int32Array, batchRows: number, terms?: readonly number[]) => {
      const truth = labels ? tf.tensor1d(Int32Array.from(indices, (i) => labels[i]), 'int32') : tf.tensor2d(columnBlock(targets!, outputs, indices, { start: 0, width: outputs }), [indices.length, outputs]);
      const losses = (terms ?? payload.groups.map((_, g) => g)).map((g) => {
        const logits = groupLogits(tf, columnBlock(features, payload.width, indices, payload.groups[g].columns), indices.length, weights[g], biases[g]);
        // Cross-entropy is a mean over the rows: a piece weighs its rows' share of the batch. BCE sums over rows.
        if (labels) return tf.mul(crossEntropyLoss(tf, logits, truth as Tensor1D, outputs), indices.length / batchRows) as Scalar;
        return bceWithLogitsLoss(tf, logits, truth as Tensor2D);
      });
      return losses.reduce((sum, loss) => tf.add(sum, loss) as Scalar);
    },
  };
  return { trainable, weights, biases };
}

/** A training worker's copy of the grid (`GradientModelSource` export of this package). */
export function headGridGradientModel(tf: TensorFlow, payload: HeadGridPayload): GradientModel<RowsPiece> {
  const { trainable, weights, biases } = gridModel(tf, payload);
  return { ...trainableGradientModel(tf, trainable), dispose: () => tf.dispose([...weights, ...biases]) };
}

/**
 * Trains every head on the `train` samples at once (see `gridModel`), data-parallel over `workers` threads.
 */
export async function trainHeadGrid(args: {
  samples: Samples;
  table: InputTable;
  train: readonly number[];
  heads: readonly HeadSpec[];
  multiclass: boolean;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Data-parallel training workers (1: this thread only). */
  workers: number;
  signal?: AbortSignal;
  onEpoch?: (epoch: number, epochs: number) => void;
}): Promise<TrainedGrid> {
  const { samples, table, train, heads } = args;
  const tf = await trainingBackend();
  const outputs = samples.outputs;
  const groups: HeadGroup[] = [];
  heads.forEach((head, h) => {
    let group = groups.find((g) => g.setting.blocks === head.setting.blocks && g.setting.avgpool === head.setting.avgpool);
    if (!group) {
      group = { setting: head.setting, columns: inputColumns(table, head.setting), heads: [] };
      groups.push(group);
    }
    group.heads.push(h);
  });
  const payload: HeadGridPayload = {
    features: columnBlock(samples.data, samples.width, train, { start: 0, width: samples.width }),
    rows: train.length,
    width: samples.width,
    outputs,
    labels: args.multiclass ? Int32Array.from(train, (s) => samples.labels[s]) : null,
    targets: args.multiclass ? null : Float32Array.from(train.flatMap((s) => Array.from(samples.targets.subarray(s * outputs, (s + 1) * outputs)))),
    groups: groups.map((group) => ({ columns: group.columns, heads: group.heads.length, learningRates: group.heads.map((h) => heads[h].learningRate) })),
    seed: args.seed,
  };
  const { trainable, weights, biases } = gridModel(tf, payload);
  let training: TrainingSummary;
  try {
    training = await trainWithSgd(trainable, {
      samples: train.length,
      batchSize: args.batchSize,
      epochs: args.epochs,
      seed: args.seed,
      signal: args.signal,
      parallel: await parallelTraining(args.workers, { module: '@radprobe/protocol-linear', exportName: 'headGridGradientModel', payload }),
      onEpoch: (epoch, epochs) => args.onEpoch?.(epoch, epochs),
    });
  } catch (error) {
    tf.dispose([...weights, ...biases]);
    throw error;
  }
  return {
    training,
    async logits(rows) {
      const out = heads.map(() => new Float32Array(rows.length * outputs));
      for (let start = 0; start < rows.length; start += SCORE_CHUNK) {
        const chunk = rows.slice(start, start + SCORE_CHUNK);
        for (const [g, group] of groups.entries()) {
          const block = tf.tidy(() => groupLogits(tf, columnBlock(samples.data, samples.width, chunk, group.columns), chunk.length, weights[g], biases[g]));
          const values = (await block.data()) as Float32Array;
          block.dispose();
          const width = group.heads.length * outputs;
          group.heads.forEach((h, position) => {
            for (let r = 0; r < chunk.length; r++) {
              out[h].set(values.subarray(r * width + position * outputs, r * width + (position + 1) * outputs), (start + r) * outputs);
            }
          });
        }
      }
      return out;
    },
    dispose() {
      tf.dispose([...weights, ...biases]);
    },
  };
}
