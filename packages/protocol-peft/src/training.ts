import {
  Random,
  SgdMomentum,
  batchesPerEpoch,
  bceWithLogitsLoss,
  cosineFactor,
  crossEntropyLoss,
  dataParallel,
  epochBatches,
  parallelTraining,
  splitEvenly,
  type DataParallel,
  type GradientModel,
  type ParameterTensor,
  type TensorFlow,
  type VitWeights,
} from '@radprobe/core';
import type { Scalar, Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { drawView } from './augmentation.js';
import { createLinearHead, type LinearHead } from './head.js';
import { memoryPlanOf } from './micro-batch.js';
import type { ResolvedPeftOptions, TrainedSetting } from './options.js';
import type { PixelLoader } from './pixel-loader.js';
import { labelsOf, targetRowsOf, type ItemTargets } from './targets.js';
import { buildVit, type VitAdaptation } from './vit/index.js';

type VitModel = Awaited<ReturnType<typeof buildVit>>;

/** A backbone trained together with its head. */
export interface TrainedNetwork {
  /** Parameters that trained (backbone's and head's) against all of both. */
  parameters: { trainable: number; total: number };
  /** Mean batch loss of each epoch. */
  epochLosses: number[];
  /** Images per forward/backward pass within a batch (the resolved `microBatch`). */
  microBatch: number;
  /** Whether the blocks were checkpointed (the resolved `checkpointing`). */
  checkpointed: boolean;
  /** Worker threads that computed the gradients (1: this thread). */
  workers: number;
  /** `[items, outputs]` logits of the eval forward (no augmentation, no dropout). */
  logits(items: readonly number[]): Promise<Float32Array>;
  /** Canonical backbone parameters with any adapters merged in. */
  mergedParameters(): Map<string, ParameterTensor>;
  /** The trained adapter parameters (LoRA A/B and trained biases). */
  adapterParameters(): Map<string, ParameterTensor>;
  dispose(): void;
}

export interface TrainingArgs {
  tf: TensorFlow;
  weights: VitWeights;
  /** A candidate of the grid, or the frozen reference (only the head trains). */
  candidate: TrainedSetting;
  options: ResolvedPeftOptions;
  targets: ItemTargets;
  loader: PixelLoader;
  /** Dataset item indices of the training set. */
  train: readonly number[];
  seed: number;
  /** Data-parallel training worker threads (1: this thread only); on tfjs-node(-gpu) always one. */
  workers: number;
  signal?: AbortSignal;
  onEpoch?: (epoch: number, epochs: number) => void;
}

/** Keep the augmentation and dropout streams apart from the shuffling stream seeded with the same seed. */
const AUGMENTATION_STREAM = 0x27d4eb2f;
const DROPOUT_STREAM = 0x165667b1;

export function adaptationOf(candidate: TrainedSetting, options: ResolvedPeftOptions): VitAdaptation {
  return candidate.mode === 'lora' ? { mode: 'lora', ...options.lora } : { mode: candidate.mode };
}

/** The 0/1 or class targets of a piece of a batch: class indices (multiclass) or `[items, outputs]` rows. */
type PieceTargets = { labels: Int32Array } | { rows: Float32Array };

/**
 * The share of a batch of `batchRows` images' loss that a micro-batch contributes, so that the shares' sum is the
 * batch loss and their gradients add up to the batch's. Cross-entropy averages over its rows: a micro-batch's
 * mean weighs `items / batchRows`. BCE sums over the batch: the micro-batch's sum is its share as is.
 */
function microBatchLoss(tf: TensorFlow, logits: Tensor2D, targets: PieceTargets, start: number, end: number, batchRows: number): Scalar {
  const outputs = logits.shape[1];
  if ('labels' in targets) {
    const mean = crossEntropyLoss(tf, logits, tf.tensor1d(targets.labels.subarray(start, end), 'int32'), outputs);
    return tf.mul(mean, (end - start) / batchRows);
  }
  return bceWithLogitsLoss(tf, logits, tf.tensor2d(targets.rows.subarray(start * outputs, end * outputs), [end - start, outputs]));
}

function forwardLogits(vit: VitModel, head: LinearHead, pixels: Tensor4D, dropoutSeeds: readonly number[] | null, checkpointed: boolean): Tensor2D {
  const { cls, patchMean } = vit.forward(pixels, dropoutSeeds, checkpointed);
  return head.logits(cls, patchMean);
}

/** Everything a copy of the network is built from: plain values, so that training workers get it too. */
export interface NetworkPayload {
  weights: VitWeights;
  adaptation: VitAdaptation;
  /** Only the head trains, on features of a forward outside the gradient tape. */
  frozen: boolean;
  seed: number;
  avgpool: boolean;
  outputs: number;
  height: number;
  width: number;
  microBatch: number;
  checkpointed: boolean;
}

/** Contiguous images of a batch: their `[items, 3, H, W]` pixels, dropout seeds and targets, and the batch's size. */
export interface NetworkPiece {
  pixels: Float32Array;
  dropoutSeeds: number[];
  targets: PieceTargets;
  batchRows: number;
}

/** The trained variables in the optimiser's order: the backbone's (unless frozen), then the head's. */
function trainedVariables(payload: NetworkPayload, vit: VitModel, head: LinearHead) {
  return [...(payload.frozen ? [] : vit.variables), ...head.variables];
}

/**
 * The gradients of a piece of a batch, one micro-batch at a time (the tape of only one is held; with checkpointing,
 * of its blocks only their inputs), summed in micro-batch order; the loss is the piece's share of the batch's.
 */
function networkGradients(tf: TensorFlow, payload: NetworkPayload, vit: VitModel, head: LinearHead): GradientModel<NetworkPiece> {
  const variables = trainedVariables(payload, vit, head);
  const { height, width, microBatch, frozen, checkpointed } = payload;
  const imageSize = 3 * height * width;
  return {
    variables,
    gradients({ pixels, dropoutSeeds, targets, batchRows }) {
      const items = dropoutSeeds.length;
      let loss = 0;
      let sums: Tensor[] = [];
      try {
        for (let start = 0; start < items; start += microBatch) {
          const end = Math.min(start + microBatch, items);
          const next = tf.tidy(() => {
            const input = tf.tensor4d(pixels.subarray(start * imageSize, end * imageSize), [end - start, 3, height, width]);
            const features = frozen ? vit.forward(input, null) : null;
            const logits = () => (features ? head.logits(features.cls, features.patchMean) : forwardLogits(vit, head, input, dropoutSeeds.slice(start, end), checkpointed));
            const { value, grads } = tf.variableGrads(() => microBatchLoss(tf, logits(), targets, start, end, batchRows), variables);
            loss += value.dataSync()[0];
            return variables.map((variable, i) => (sums.length > 0 ? tf.add(sums[i], grads[variable.name]) : grads[variable.name]));
          });
          tf.dispose(sums);
          sums = next;
        }
      } catch (error) {
        tf.dispose(sums);
        throw error;
      }
      return { gradients: sums, losses: Float64Array.of(loss) };
    },
    dispose() {
      vit.dispose();
      head.dispose();
    },
  };
}

async function buildNetwork(tf: TensorFlow, payload: NetworkPayload): Promise<{ vit: VitModel; head: LinearHead }> {
  const vit = await buildVit(tf, payload.weights, payload.adaptation, payload.seed);
  const head = createLinearHead(tf, payload.weights.architecture.embedDim, payload.avgpool, payload.outputs, payload.seed);
  return { vit, head };
}

/** A training worker's copy of the network (`GradientModelSource` export of this package). */
export async function peftGradientModel(tf: TensorFlow, payload: NetworkPayload): Promise<GradientModel<NetworkPiece>> {
  const { vit, head } = await buildNetwork(tf, payload);
  return networkGradients(tf, payload, vit, head);
}

/** A training batch as read: item indices, each image's dropout seed, and the augmented `[items, 3, H, W]` pixels. */
interface ReadBatch {
  items: number[];
  dropoutSeeds: number[];
  pixels: Promise<Float32Array>;
}

/** The targets of a piece's dataset items, in order. */
function pieceTargets(targets: ItemTargets, items: readonly number[]): PieceTargets {
  return targets.multiclass ? { labels: labelsOf(targets, items) } : { rows: targetRowsOf(targets, items) };
}

/**
 * Builds the ViT with the candidate's adaptation and a fresh head, and trains both on `train` with SGD momentum
 * 0.9 and cosine annealing to 0 stepped per iteration, the backbone's trainable parameters at the candidate's
 * rate and the head at its own. The frozen reference trains the head alone, on features of the same forward run
 * outside the gradient tape (nothing of the backbone needs its activations kept); everything else is the same,
 * so with the same seed it sees the same batches, views and head initialisation as every mode. Batches are seeded
 * shuffles; each image gets its own seeded view and dropout seed, drawn in batch order before its pixels are
 * read, so the draws depend neither on read timing, nor on the micro-batch, nor on the worker count. A batch is
 * dealt in contiguous pieces to `workers` threads (see `networkGradients`), the pieces' gradients summed in order
 * into the batch's, then one SGD step on this thread, which owns the parameters. The next batch is read while the
 * current one trains.
 */
export async function trainNetwork(args: TrainingArgs): Promise<TrainedNetwork> {
  const { tf, options, targets, loader, train, seed } = args;
  const batchSize = Math.min(options.batchSize, train.length);
  const { height, width } = loader;
  const { candidate } = args;
  const frozen = candidate.mode === 'frozen';
  const plan = memoryPlanOf(options.microBatch, options.checkpointing, args.weights.architecture, height, width, tf.getBackend(), batchSize);
  const { microBatch } = plan;
  const checkpointed = plan.checkpointed && !frozen;
  const payload: NetworkPayload = {
    weights: args.weights,
    adaptation: adaptationOf(candidate, options),
    frozen,
    seed,
    avgpool: options.avgpool,
    outputs: targets.outputs,
    height,
    width,
    microBatch,
    checkpointed,
  };
  const { vit, head } = await buildNetwork(tf, payload);
  const model = networkGradients(tf, payload, vit, head);
  const backboneGroup = frozen ? [] : [{ variables: vit.variables, learningRate: candidate.learningRate }];
  const optimizer = new SgdMomentum(tf, [...backboneGroup, { variables: head.variables, learningRate: options.headLearningRate }], 0.9);
  const names = model.variables.map((variable) => variable.name);
  const shuffles = new Random(seed);
  const augmentations = new Random(seed ^ AUGMENTATION_STREAM);
  const dropouts = new Random(seed ^ DROPOUT_STREAM);
  const imageSize = 3 * height * width;
  const read = (batch: Int32Array): ReadBatch => {
    const items = Array.from(batch, (position) => train[position]);
    const views = items.map(() => drawView(augmentations, height, width, options.augmentation));
    const dropoutSeeds = items.map(() => dropouts.nextUint32());
    const pixels = loader.batch(items, views);
    // A read that fails while the previous batch trains is rethrown when awaited; until then it must not count as unhandled.
    pixels.catch(() => undefined);
    return { items, dropoutSeeds, pixels };
  };
  const total = options.epochs * batchesPerEpoch(train.length, batchSize);
  const epochLosses: number[] = [];
  let iteration = 0;
  let parallel: DataParallel<NetworkPiece> | null = null;
  let workers = 1;
  try {
    parallel = await dataParallel(tf, model, await parallelTraining(args.workers, { module: '@radprobe/protocol-peft', exportName: 'peftGradientModel', payload }));
    workers = parallel.workers;
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const batches = epochBatches(shuffles, train.length, batchSize);
      let lossSum = 0;
      let next = read(batches[0]);
      for (let b = 0; b < batches.length; b++) {
        args.signal?.throwIfAborted();
        const current = next;
        const data = await current.pixels;
        if (b + 1 < batches.length) next = read(batches[b + 1]);
        const positions = Array.from(current.items.keys());
        const pieces = splitEvenly(positions, workers).map((run, piece): NetworkPiece => {
          const start = run[0];
          const end = start + run.length;
          return {
            // The first piece is computed on this thread and reads the batch in place; a piece posted to a worker
            // thread is a copy, since posting a view would clone the whole batch's buffer.
            pixels: piece === 0 ? data.subarray(start * imageSize, end * imageSize) : data.slice(start * imageSize, end * imageSize),
            dropoutSeeds: current.dropoutSeeds.slice(start, end),
            targets: pieceTargets(targets, current.items.slice(start, end)),
            batchRows: current.items.length,
          };
        });
        const { gradients, losses } = await parallel.gradients(pieces);
        optimizer.step(Object.fromEntries(names.map((name, i) => [name, gradients[i]])), cosineFactor(iteration++, total));
        tf.dispose(gradients);
        lossSum += losses[0];
      }
      epochLosses.push(lossSum / batches.length);
      args.onEpoch?.(epoch + 1, options.epochs);
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    await parallel?.close();
    optimizer.dispose();
  }
  const counts = vit.parameterCount();
  return {
    parameters: { trainable: counts.trainable + head.parameterCount, total: counts.total + head.parameterCount },
    epochLosses,
    microBatch,
    checkpointed,
    workers,
    async logits(items) {
      const out = new Float32Array(items.length * targets.outputs);
      for (let start = 0; start < items.length; start += batchSize) {
        args.signal?.throwIfAborted();
        const chunk = items.slice(start, start + batchSize);
        const data = await loader.batch(chunk, null);
        const block = tf.tidy(() => forwardLogits(vit, head, tf.tensor4d(data, [chunk.length, 3, height, width]), null, false));
        out.set((await block.data()) as Float32Array, start * targets.outputs);
        block.dispose();
      }
      return out;
    },
    mergedParameters: () => vit.mergedParameters(),
    adapterParameters: () => vit.adapterParameters(),
    dispose() {
      vit.dispose();
      head.dispose();
    },
  };
}
