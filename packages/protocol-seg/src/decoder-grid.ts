import {
  Random,
  SgdMomentum,
  batchesPerEpoch,
  cosineFactor,
  dataParallel,
  epochBatches,
  parallelTraining,
  splitEvenly,
  trainingBackend,
  type DataParallel,
  type GradientModel,
  type ProtocolContext,
  type TensorFlow,
} from '@radprobe/core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { createDecoder, type Decoder, type DecoderShape } from './decoders.js';
import { segmentationLoss } from './dice-loss.js';
import type { DecoderKind, SegLoss } from './options.js';
import { readTokens, stackMasks, type MaskTable, type TokenChunk } from './segmentation-data.js';

/** Keeps the initialisation stream apart from the shuffling stream seeded with the same seed. */
const INIT_STREAM = 0x2f6b3a1d;

export interface GridArgs {
  context: ProtocolContext;
  kind: DecoderKind;
  shape: DecoderShape;
  masks: MaskTable;
  /** Context item indices to train on. */
  train: readonly number[];
  learningRates: readonly number[];
  loss: SegLoss;
  epochs: number;
  batchSize: number;
  microBatchSize: number;
  seed: number;
  /** Data-parallel training workers (1: this thread only). */
  workers: number;
  onEpoch?: (epoch: number, epochs: number, meanLosses: number[]) => void;
}

/** Decoders trained together, one per learning rate. */
export interface TrainedDecoders {
  decoders: Decoder[];
  /** Mean batch loss per epoch, per decoder. */
  epochLosses: number[][];
  /**
   * Argmax label maps of `items` for every decoder, chunk by chunk (`[chunk items, H, W]` per decoder), for
   * metrics that accumulate without holding every prediction.
   */
  predict(items: readonly number[], visit: (chunk: number[], predictions: Uint8Array[]) => void): Promise<void>;
  dispose(): void;
}

function toTensors(tf: TensorFlow, chunk: TokenChunk): Tensor4D[] {
  const { rows, cols } = chunk.grid;
  return chunk.blocks.map((block) => tf.tensor4d(block, [chunk.items.length, rows, cols, chunk.dim]));
}

/** Everything a copy of the decoders is built from: plain values, so that training workers get it too. */
export interface DecoderGridPayload {
  kind: DecoderKind;
  shape: DecoderShape;
  loss: SegLoss;
  /** Decoders trained side by side (one per learning rate). */
  decoders: number;
  seed: number;
}

/** A micro-batch as the decoders train on it: each block's tokens `[items, h, w, D]` and the label maps. */
interface TrainingChunk {
  items: number;
  blocks: Float32Array[];
  labels: Int32Array;
}

/** Contiguous micro-batches of one batch, and the batch's image count (the loss is a mean over it). */
export interface DecoderPiece {
  chunks: TrainingChunk[];
  batchItems: number;
}

/** The decoders, each from its own weights drawn from the same stream, so one's initialisation does not depend on the others. */
function createDecoders(tf: TensorFlow, payload: DecoderGridPayload): Decoder[] {
  return Array.from({ length: payload.decoders }, () => createDecoder(tf, payload.kind, payload.shape, new Random(payload.seed ^ INIT_STREAM)));
}

/**
 * Every decoder's gradients over the chunks of a piece, chunk by chunk: each chunk runs forward and backward
 * through every decoder, and the gradients add up in chunk order. The loss is a mean over the batch's images, so
 * the sum is the batch's gradient (BatchNorm normalises with each chunk's statistics). Extras: per chunk, per
 * decoder, its BatchNorm batch statistics, for the running averages the main thread updates in chunk order.
 */
function decoderGradients(tf: TensorFlow, payload: DecoderGridPayload, decoders: Decoder[]): GradientModel<DecoderPiece> {
  const variables = decoders.flatMap((decoder) => decoder.variables);
  const { rows, cols } = payload.shape.grid;
  const { height, width } = payload.shape.output;
  return {
    variables,
    gradients({ chunks, batchItems }) {
      const losses = new Float64Array(decoders.length);
      const extras: Float32Array[] = [];
      let sums: Tensor[] = [];
      for (const chunk of chunks) {
        const next = tf.tidy(() => {
          const inputs = chunk.blocks.map((block) => tf.tensor4d(block, [chunk.items, rows, cols, payload.shape.embedDim]));
          const labels = tf.tensor3d(chunk.labels, [chunk.items, height, width], 'int32');
          const grads = decoders.flatMap((decoder, d) => {
            const statistics: Tensor[] = [];
            const { value, grads } = tf.variableGrads(() => segmentationLoss(tf, payload.loss, decoder.forward(inputs, true, statistics), labels, batchItems), decoder.variables);
            losses[d] += value.dataSync()[0];
            for (const statistic of statistics) extras.push(statistic.dataSync() as Float32Array);
            tf.dispose(statistics);
            return decoder.variables.map((variable) => grads[variable.name]);
          });
          return sums.length > 0 ? grads.map((grad, i) => tf.add(sums[i], grad)) : grads;
        });
        tf.dispose(sums);
        sums = next;
      }
      return { gradients: sums, losses, extras };
    },
    dispose: () => {
      for (const decoder of decoders) decoder.dispose();
    },
  };
}

/** A training worker's copy of the decoders (`GradientModelSource` export of this package). */
export function decoderGridGradientModel(tf: TensorFlow, payload: DecoderGridPayload): GradientModel<DecoderPiece> {
  return decoderGradients(tf, payload, createDecoders(tf, payload));
}

/**
 * Applies the BatchNorm batch statistics of a batch's chunks, in chunk order, each chunk's decoder by decoder (the
 * order `decoderGradients` lists them in), to the decoders' running averages.
 */
function updateRunningStatistics(tf: TensorFlow, decoders: readonly Decoder[], statistics: readonly Float32Array[]): void {
  const perDecoder = decoders.map((decoder) => decoder.statisticsCount);
  const perChunk = perDecoder.reduce((a, b) => a + b, 0);
  for (let at = 0; at < statistics.length; at += perChunk) {
    let offset = at;
    decoders.forEach((decoder, d) => {
      decoder.updateRunningStatistics(statistics.slice(offset, offset + perDecoder[d]).map((values) => tf.tensor1d(values)));
      offset += perDecoder[d];
    });
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains one decoder per learning rate on the same batches: SGD with momentum 0.9 (PyTorch form), cosine annealing
 * to 0 stepped per iteration, seeded shuffles. A batch is read from the cache in micro-batches of
 * `microBatchSize` images; the micro-batches are dealt in contiguous runs to `workers` threads, each running
 * forward and backward through every decoder (see `decoderGradients`), and the gradients are summed in order.
 */
export async function trainDecoders(args: GridArgs): Promise<TrainedDecoders> {
  const { context, kind, shape, masks, train, learningRates } = args;
  const tf = await trainingBackend();
  const payload: DecoderGridPayload = { kind, shape, loss: args.loss, decoders: learningRates.length, seed: args.seed };
  const decoders = createDecoders(tf, payload);
  const model = decoderGradients(tf, payload, decoders);
  const optimizer = new SgdMomentum(
    tf,
    decoders.map((decoder, d) => ({ variables: decoder.variables, learningRate: learningRates[d] })),
    0.9,
  );
  const names = model.variables.map((variable) => variable.name);
  const batchSize = Math.min(args.batchSize, train.length);
  const total = args.epochs * batchesPerEpoch(train.length, batchSize);
  const random = new Random(args.seed);
  const epochLosses: number[][] = decoders.map(() => []);
  const blocks = decoders[0].blocks;
  let iteration = 0;
  let parallel: DataParallel<DecoderPiece> | null = null;
  try {
    parallel = await dataParallel(tf, model, await parallelTraining(args.workers, { module: '@radprobe/protocol-seg', exportName: 'decoderGridGradientModel', payload }));
    for (let epoch = 0; epoch < args.epochs; epoch++) {
      const sums = decoders.map(() => 0);
      const batches = epochBatches(random, train.length, batchSize);
      for (const batch of batches) {
        context.signal.throwIfAborted();
        const factor = cosineFactor(iteration++, total);
        const chunks: TrainingChunk[] = [];
        for (let start = 0; start < batch.length; start += args.microBatchSize) {
          const chunk = await readTokens(context, Array.from(batch.subarray(start, start + args.microBatchSize), (i) => train[i]), blocks);
          chunks.push({ items: chunk.items.length, blocks: chunk.blocks, labels: stackMasks(masks, chunk.items) });
        }
        const pieces = splitEvenly(chunks, parallel.workers).map((run) => ({ chunks: run, batchItems: batch.length }));
        const { gradients, losses, extras } = await parallel.gradients(pieces);
        optimizer.step(Object.fromEntries(names.map((name, i) => [name, gradients[i]])), factor);
        tf.dispose(gradients);
        losses.forEach((loss, d) => (sums[d] += loss));
        updateRunningStatistics(tf, decoders, extras.flat());
        await nextTurn();
      }
      const means = sums.map((sum) => sum / batches.length);
      means.forEach((mean, d) => epochLosses[d].push(mean));
      args.onEpoch?.(epoch + 1, args.epochs, means);
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    await parallel?.close();
    optimizer.dispose();
  }
  return {
    decoders,
    epochLosses,
    async predict(items, visit) {
      for (let start = 0; start < items.length; start += args.microBatchSize) {
        context.signal.throwIfAborted();
        const chunk = await readTokens(context, items.slice(start, start + args.microBatchSize), blocks);
        const inputs = toTensors(tf, chunk);
        const predictions: Uint8Array[] = [];
        for (const decoder of decoders) {
          const labels = tf.tidy(() => tf.cast(tf.argMax(decoder.forward(inputs, false), 3), 'int32'));
          predictions.push(Uint8Array.from((await labels.data()) as Int32Array));
          labels.dispose();
        }
        for (const tensor of inputs) tensor.dispose();
        visit(chunk.items, predictions);
        await nextTurn();
      }
    },
    dispose() {
      for (const decoder of decoders) decoder.dispose();
    },
  };
}
