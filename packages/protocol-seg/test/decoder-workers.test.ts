import { Random, trainingBackend, type DatasetItem, type LabelMap } from '@radprobe/core';
import { memoryProtocolContext } from '@radprobe/testkit';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { trainDecoders } from '../src/index.js';
import { readMasks } from '../src/segmentation-data.js';

const ITEMS = 8;
const SIDE = 16;
const DIM = 8;
const BLOCKS = 5;

/** Eight items on a 1×1 patch grid: five blocks of seeded random tokens each, and a lesion in the quadrant channel 0 points to. */
function lesionContext(trainingWorkers: number) {
  const random = new Random(21);
  const items: DatasetItem[] = Array.from({ length: ITEMS }, (_, i) => ({ id: `img${i}`, source: `img${i}.png`, split: 'train' }));
  const tokens = items.map(() => Array.from({ length: BLOCKS }, () => Float32Array.from({ length: DIM }, () => random.normal())));
  const masks: LabelMap[] = tokens.map((blocks) => {
    const quadrant = Math.floor(Math.abs(blocks[BLOCKS - 1][0]) * 4) % 4;
    const data = Uint8Array.from({ length: SIDE * SIDE }, (_, p) => (Math.floor(p / SIDE / 8) * 2 + Math.floor((p % SIDE) / 8) === quadrant ? 1 : 0));
    return { width: SIDE, height: SIDE, data };
  });
  return { context: memoryProtocolContext({ task: 'segmentation', classes: ['background', 'lesion'], items, masks, patchTokens: { grid: { rows: 1, cols: 1 }, tokens }, trainingWorkers }), tokens };
}

describe('trainDecoders on worker threads', () => {
  // The workers run the packages' builds (`nx test` builds them first).
  const trainOn = async (workers: number) => {
    const { context, tokens } = lesionContext(workers);
    const train = Array.from({ length: ITEMS }, (_, i) => i);
    const masks = await readMasks(context, train);
    // Batches of 4 in micro-batches of 1: 2 workers get 2 micro-batches each, and BatchNorm sees the same chunks either way.
    const trained = await trainDecoders({
      context,
      kind: 'unet',
      shape: { embedDim: DIM, classes: 2, grid: { rows: 1, cols: 1 }, output: { height: SIDE, width: SIDE } },
      masks,
      train,
      learningRates: [0.05, 0.2],
      loss: 'dice+ce',
      epochs: 2,
      batchSize: 4,
      microBatchSize: 1,
      seed: 3,
      workers: context.trainingWorkers,
    });
    const tf = await trainingBackend();
    // Evaluation logits use the BatchNorm running statistics, so they also check the order those were updated in.
    const inputs = Array.from({ length: BLOCKS }, (_, b) => tf.tensor4d(Float32Array.from(tokens.flatMap((blocks) => Array.from(blocks[b]))), [ITEMS, 1, 1, DIM]) as Tensor4D);
    const logits = trained.decoders.map((decoder) => tf.tidy(() => Float32Array.from(decoder.forward(inputs, false).dataSync())));
    tf.dispose(inputs);
    trained.dispose();
    return { logits, losses: trained.epochLosses };
  };

  it('trains the same U-Nets on 2 workers as on 1 (within float rounding), and repeats bit for bit on 2', async () => {
    const one = await trainOn(1);
    const two = await trainOn(2);
    const twoAgain = await trainOn(2);
    expect(twoAgain.logits).toEqual(two.logits);
    expect(twoAgain.losses).toEqual(two.losses);
    one.logits.forEach((logits, d) => logits.forEach((value, i) => expect(two.logits[d][i]).toBeCloseTo(value, 4)));
    one.losses.forEach((losses, d) => losses.forEach((loss, e) => expect(two.losses[d][e]).toBeCloseTo(loss, 5)));
    // The two learning rates trained apart.
    expect(one.losses[0][1]).not.toBeCloseTo(one.losses[1][1], 4);
  });
});
