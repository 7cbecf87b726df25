import { Random, bceWithLogitsLoss, crossEntropyLoss, trainWithSgd, trainingBackend, type TrainingSummary } from '@radprobe/core';
import type { Scalar, Tensor2D, Variable } from '@tensorflow/tfjs-core';
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
  weights: Variable;
  bias: Variable;
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

function rowsOf(samples: Samples, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * samples.width);
  rows.forEach((s, r) => out.set(samples.data.subarray(s * samples.width, (s + 1) * samples.width), r * samples.width));
  return out;
}

/**
 * Trains every head on the `train` samples at once: each step draws one shared batch, each input setting's heads
 * share one matrix product, and the loss is the sum of the heads' losses, so each head gets exactly the update it
 * would get alone (its gradient is its own block), at its own learning rate.
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
  signal?: AbortSignal;
  onEpoch?: (epoch: number, epochs: number) => void;
}): Promise<TrainedGrid> {
  const { samples, table, train, heads } = args;
  const tf = await trainingBackend();
  const outputs = samples.outputs;
  const init = new Random(args.seed ^ INIT_STREAM);
  const groups: HeadGroup[] = [];
  heads.forEach((head, h) => {
    let group = groups.find((g) => g.setting.blocks === head.setting.blocks && g.setting.avgpool === head.setting.avgpool);
    if (!group) {
      group = { setting: head.setting, columns: inputColumns(table, head.setting), heads: [], weights: null as unknown as Variable, bias: null as unknown as Variable };
      groups.push(group);
    }
    group.heads.push(h);
  });
  tf.tidy(() => {
    for (const group of groups) {
      const columns = group.heads.length * outputs;
      const values = new Float32Array(group.columns.width * columns);
      // Head by head, so a head's initial weights do not depend on how many heads follow it in the grid.
      group.heads.forEach((_, position) => {
        for (let t = 0; t < group.columns.width; t++) {
          for (let o = 0; o < outputs; o++) values[t * columns + position * outputs + o] = INIT_STD * init.normal();
        }
      });
      group.weights = tf.variable(tf.tensor2d(values, [group.columns.width, columns]));
      group.bias = tf.variable(tf.zeros([columns]));
    }
  });
  const features = tf.tensor2d(rowsOf(samples, train), [train.length, samples.width]);
  const labels = args.multiclass ? tf.tensor1d(Int32Array.from(train, (s) => samples.labels[s]), 'int32') : null;
  const targets = args.multiclass ? null : tf.tensor2d(Float32Array.from(train.flatMap((s) => Array.from(samples.targets.subarray(s * outputs, (s + 1) * outputs)))), [train.length, outputs]);
  const groupLogits = (x: Tensor2D, group: HeadGroup) =>
    tf.add(tf.matMul(tf.slice(x, [0, group.columns.start], [-1, group.columns.width]), group.weights), group.bias) as Tensor2D;
  let training: TrainingSummary;
  try {
    training = await trainWithSgd(
      {
        groups: groups.map((group) => ({
          variables: [group.weights, group.bias],
          learningRate: Float32Array.from({ length: group.heads.length * outputs }, (_, c) => heads[group.heads[Math.floor(c / outputs)]].learningRate),
        })),
        loss: (batch) => {
          const x = tf.gather(features, batch) as Tensor2D;
          const losses = groups.map((group) =>
            labels ? crossEntropyLoss(tf, groupLogits(x, group), tf.gather(labels, batch), outputs) : bceWithLogitsLoss(tf, groupLogits(x, group), tf.gather(targets!, batch) as Tensor2D),
          );
          return losses.reduce((sum, loss) => tf.add(sum, loss) as Scalar);
        },
      },
      { samples: train.length, batchSize: args.batchSize, epochs: args.epochs, seed: args.seed, signal: args.signal, onEpoch: (epoch, epochs) => args.onEpoch?.(epoch, epochs) },
    );
  } finally {
    features.dispose();
    labels?.dispose();
    targets?.dispose();
  }
  return {
    training,
    async logits(rows) {
      const out = heads.map(() => new Float32Array(rows.length * outputs));
      for (let start = 0; start < rows.length; start += SCORE_CHUNK) {
        const chunk = rows.slice(start, start + SCORE_CHUNK);
        for (const group of groups) {
          const block = tf.tidy(() => groupLogits(tf.tensor2d(rowsOf(samples, chunk), [chunk.length, samples.width]), group));
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
      for (const group of groups) {
        group.weights.dispose();
        group.bias.dispose();
      }
    },
  };
}
