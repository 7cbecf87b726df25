import {
  Random,
  SgdMomentum,
  batchesPerEpoch,
  bceWithLogitsLoss,
  cosineFactor,
  crossEntropyLoss,
  epochBatches,
  type ParameterTensor,
  type TensorFlow,
  type VitWeights,
} from '@radprobe/core';
import type { NamedTensorMap, Scalar, Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
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
  signal?: AbortSignal;
  onEpoch?: (epoch: number, epochs: number) => void;
}

/** Keep the augmentation and dropout streams apart from the shuffling stream seeded with the same seed. */
const AUGMENTATION_STREAM = 0x27d4eb2f;
const DROPOUT_STREAM = 0x165667b1;

export function adaptationOf(candidate: TrainedSetting, options: ResolvedPeftOptions): VitAdaptation {
  return candidate.mode === 'lora' ? { mode: 'lora', ...options.lora } : { mode: candidate.mode };
}

/**
 * The share of a batch of `batchSize` images' loss that the micro-batch `items` contributes, so that the shares'
 * sum is the batch loss and their gradients add up to the batch's. Cross-entropy averages over its rows: a
 * micro-batch's mean weighs `items / batchSize`. BCE sums over the batch: the micro-batch's sum is its share as is.
 */
function microBatchLoss(tf: TensorFlow, logits: Tensor2D, targets: ItemTargets, items: readonly number[], batchSize: number): Scalar {
  if (targets.multiclass) {
    const mean = crossEntropyLoss(tf, logits, tf.tensor1d(labelsOf(targets, items), 'int32'), targets.outputs);
    return tf.mul(mean, items.length / batchSize);
  }
  return bceWithLogitsLoss(tf, logits, tf.tensor2d(targetRowsOf(targets, items), [items.length, targets.outputs]));
}

function forwardLogits(vit: VitModel, head: LinearHead, pixels: Tensor4D, dropoutSeeds: readonly number[] | null, checkpointed: boolean): Tensor2D {
  const { cls, patchMean } = vit.forward(pixels, dropoutSeeds, checkpointed);
  return head.logits(cls, patchMean);
}

/** A training batch as read: item indices, each image's dropout seed, and the augmented `[items, 3, H, W]` pixels. */
interface ReadBatch {
  items: number[];
  dropoutSeeds: number[];
  pixels: Promise<Float32Array>;
}

/**
 * Builds the ViT with the candidate's adaptation and a fresh head, and trains both on `train` with SGD momentum
 * 0.9 and cosine annealing to 0 stepped per iteration, the backbone's trainable parameters at the candidate's
 * rate and the head at its own. The frozen reference trains the head alone, on features of the same forward run
 * outside the gradient tape (nothing of the backbone needs its activations kept); everything else is the same,
 * so with the same seed it sees the same batches, views and head initialisation as every mode. Batches are seeded shuffles; each image gets its own seeded view and dropout
 * seed, drawn in batch order before its pixels are read, so the draws depend neither on read timing nor on the
 * micro-batch. A batch runs forward and backward one micro-batch at a time (the tape of only one is held; with
 * checkpointing, of its blocks only their inputs), the gradients summed into the batch's, then one SGD step. The next batch is read while the
 * current one trains.
 */
export async function trainNetwork(args: TrainingArgs): Promise<TrainedNetwork> {
  const { tf, options, targets, loader, train, seed } = args;
  const vit = await buildVit(tf, args.weights, adaptationOf(args.candidate, options), seed);
  const head = createLinearHead(tf, args.weights.architecture.embedDim, options.avgpool, targets.outputs, seed);
  const batchSize = Math.min(options.batchSize, train.length);
  const { height, width } = loader;
  const frozen = args.candidate.mode === 'frozen';
  const plan = memoryPlanOf(options.microBatch, options.checkpointing, args.weights.architecture, height, width, tf.getBackend(), batchSize);
  const { microBatch } = plan;
  const checkpointed = plan.checkpointed && !frozen;
  const backboneGroup = args.candidate.mode === 'frozen' ? [] : [{ variables: vit.variables, learningRate: args.candidate.learningRate }];
  const optimizer = new SgdMomentum(tf, [...backboneGroup, { variables: head.variables, learningRate: options.headLearningRate }], 0.9);
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
  /** Sum over the micro-batches of their loss shares and gradients: the batch's loss and gradient. */
  const batchGradients = (batch: ReadBatch, data: Float32Array): { loss: Scalar; gradients: NamedTensorMap } => {
    const names = optimizer.variables.map((variable) => variable.name);
    let loss: Scalar | null = null;
    let sums: Tensor[] = [];
    const release = () => tf.dispose([...(loss ? [loss] : []), ...sums]);
    try {
      for (let start = 0; start < batch.items.length; start += microBatch) {
        const end = Math.min(start + microBatch, batch.items.length);
        const items = batch.items.slice(start, end);
        const [partLoss, ...partSums] = tf.tidy(() => {
          const pixels = tf.tensor4d(data.subarray(start * imageSize, end * imageSize), [items.length, 3, height, width]);
          const features = frozen ? vit.forward(pixels, null) : null;
          const logits = () => (features ? head.logits(features.cls, features.patchMean) : forwardLogits(vit, head, pixels, batch.dropoutSeeds.slice(start, end), checkpointed));
          const share = (): Scalar => microBatchLoss(tf, logits(), targets, items, batch.items.length);
          const { value, grads } = tf.variableGrads(share, optimizer.variables);
          return [loss ? tf.add(loss, value) : value, ...names.map((name, i) => (sums.length > 0 ? tf.add(sums[i], grads[name]) : grads[name]))];
        });
        release();
        loss = partLoss as Scalar;
        sums = partSums;
      }
    } catch (error) {
      release();
      throw error;
    }
    return { loss: loss!, gradients: Object.fromEntries(names.map((name, i) => [name, sums[i]])) };
  };
  const total = options.epochs * batchesPerEpoch(train.length, batchSize);
  const epochLosses: number[] = [];
  let iteration = 0;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const batches = epochBatches(shuffles, train.length, batchSize);
      let lossSum = 0;
      let next = read(batches[0]);
      for (let b = 0; b < batches.length; b++) {
        args.signal?.throwIfAborted();
        const current = next;
        const data = await current.pixels;
        if (b + 1 < batches.length) next = read(batches[b + 1]);
        const { loss, gradients } = batchGradients(current, data);
        optimizer.step(gradients, cosineFactor(iteration++, total));
        tf.dispose(Object.values(gradients));
        lossSum += (await loss.data())[0];
        loss.dispose();
      }
      epochLosses.push(lossSum / batches.length);
      args.onEpoch?.(epoch + 1, options.epochs);
    }
  } catch (error) {
    vit.dispose();
    head.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
  const counts = vit.parameterCount();
  return {
    parameters: { trainable: counts.trainable + head.parameterCount, total: counts.total + head.parameterCount },
    epochLosses,
    microBatch,
    checkpointed,
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
