import { Random, SgdMomentum, batchesPerEpoch, cosineFactor, epochBatches, trainingBackend, type ProtocolContext, type TensorFlow } from '@radprobe/core';
import type { NamedTensorMap, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
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

/** Adds `grads` into `sums`, taking ownership of them (each is either kept in `sums` or disposed). */
function addInto(tf: TensorFlow, sums: NamedTensorMap, grads: NamedTensorMap): void {
  for (const [name, grad] of Object.entries(grads)) {
    const previous = sums[name];
    if (!previous) {
      sums[name] = grad;
      continue;
    }
    sums[name] = tf.add(previous, grad);
    previous.dispose();
    grad.dispose();
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains one decoder per learning rate on the same batches: SGD with momentum 0.9 (PyTorch form), cosine annealing
 * to 0 stepped per iteration, seeded shuffles. A batch is processed in chunks of `microBatchSize` images: each
 * chunk's tokens are read from the cache, every decoder runs forward and backward on it, and the gradients are
 * summed, which equals the whole batch's gradient because the loss is a mean over the batch's images (BatchNorm
 * normalises with each chunk's statistics). Each decoder starts from its own weights drawn from the same stream,
 * so a decoder's initialisation does not depend on the others.
 */
export async function trainDecoders(args: GridArgs): Promise<TrainedDecoders> {
  const { context, kind, shape, masks, train, learningRates } = args;
  const tf = await trainingBackend();
  const decoders = learningRates.map(() => createDecoder(tf, kind, shape, new Random(args.seed ^ INIT_STREAM)));
  const optimizer = new SgdMomentum(
    tf,
    decoders.map((decoder, d) => ({ variables: decoder.variables, learningRate: learningRates[d] })),
    0.9,
  );
  const batchSize = Math.min(args.batchSize, train.length);
  const total = args.epochs * batchesPerEpoch(train.length, batchSize);
  const random = new Random(args.seed);
  const epochLosses: number[][] = decoders.map(() => []);
  const blocks = decoders[0].blocks;
  let iteration = 0;
  try {
    for (let epoch = 0; epoch < args.epochs; epoch++) {
      const sums = decoders.map(() => 0);
      const batches = epochBatches(random, train.length, batchSize);
      for (const batch of batches) {
        context.signal.throwIfAborted();
        const factor = cosineFactor(iteration++, total);
        const gradients: NamedTensorMap = {};
        for (let start = 0; start < batch.length; start += args.microBatchSize) {
          const chunk = await readTokens(context, Array.from(batch.subarray(start, start + args.microBatchSize), (i) => train[i]), blocks);
          const inputs = toTensors(tf, chunk);
          const labels = tf.tensor3d(stackMasks(masks, chunk.items), [chunk.items.length, masks.height, masks.width], 'int32');
          decoders.forEach((decoder, d) => {
            const statistics: Tensor[] = [];
            const { value, grads } = tf.variableGrads(
              () => segmentationLoss(tf, args.loss, decoder.forward(inputs, true, statistics), labels, batch.length),
              decoder.variables,
            );
            sums[d] += value.dataSync()[0];
            value.dispose();
            addInto(tf, gradients, grads);
            decoder.updateRunningStatistics(statistics);
          });
          for (const tensor of [...inputs, labels]) tensor.dispose();
          await nextTurn();
        }
        optimizer.step(gradients, factor);
        for (const grad of Object.values(gradients)) grad.dispose();
      }
      const means = sums.map((sum) => sum / batches.length);
      means.forEach((mean, d) => epochLosses[d].push(mean));
      args.onEpoch?.(epoch + 1, args.epochs, means);
    }
  } catch (error) {
    for (const decoder of decoders) decoder.dispose();
    throw error;
  } finally {
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
