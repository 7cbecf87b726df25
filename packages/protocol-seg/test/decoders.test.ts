import { Random, trainingBackend } from '@radprobe/core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { linearDecoder, segmentationLoss, unetChannels, unetDecoder } from '../src/index.js';

describe('linear decoder', () => {
  it('is a 1×1 conv followed by half-pixel bilinear upsampling (align_corners false)', async () => {
    const tf = await trainingBackend();
    const decoder = linearDecoder(tf, { embedDim: 1, classes: 1, grid: { rows: 1, cols: 2 }, output: { height: 1, width: 4 } }, new Random(0));
    const [weight, bias] = decoder.variables;
    weight.assign(tf.fill([1, 1, 1, 1], 2));
    bias.assign(tf.fill([1], 1));
    // Conv: 2x + 1 on tokens (0, 1) → (1, 3). PyTorch F.interpolate(align_corners=False) samples source x = (x + 0.5)/2 − 0.5:
    // −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1) → 1, 1.5, 2.5, 3.
    const logits = decoder.forward([tf.tensor4d([0, 1], [1, 1, 2, 1])], false);
    expect(Array.from(logits.dataSync())).toEqual([1, 1.5, 2.5, 3]);
    decoder.dispose();
  });
});

describe('U-Net decoder', () => {
  it('halves the channels three times, then ends at the classes', () => {
    expect(unetChannels(384, 3)).toEqual([192, 96, 48, 3]);
    expect(unetChannels(1024, 14)).toEqual([512, 256, 128, 14]);
    expect(() => unetChannels(4, 2)).toThrow(/below 8/);
  });

  it('has the study\'s layers, a plain last conv, and maps a 2×3 grid to 16× then to the input size', async () => {
    const tf = await trainingBackend();
    const decoder = unetDecoder(tf, { embedDim: 16, classes: 3, grid: { rows: 2, cols: 3 }, output: { height: 28, width: 42 } }, new Random(4));
    // 4 up-blocks × (transpose w, b; skip conv w, b; skip BN γ, β; fuse conv w, b; fuse BN γ, β), the last without its fuse BN.
    expect(decoder.variables).toHaveLength(38);
    expect(decoder.variables.map((v) => v.shape)).toContainEqual([2, 2, 8, 16]);
    expect(decoder.variables.some((v) => v.name.includes('up3/fuse/bn'))).toBe(false);
    const inputs = Array.from({ length: 5 }, (_, i) => tf.randomNormal([2, 2, 3, 16], 0, 1, 'float32', i) as Tensor4D);
    const logits = decoder.forward(inputs, false);
    expect(logits.shape).toEqual([2, 28, 42, 3]);
    // A plain conv ends the decoder, so logits take both signs (BN + ReLU would make them all ≥ 0).
    const values = logits.dataSync();
    expect(values.some((v) => v < 0) && values.some((v) => v > 0)).toBe(true);
    expect(() => decoder.forward(inputs.slice(1), false)).toThrow(/5 blocks/);
    decoder.dispose();
  });

  it('updates BatchNorm running statistics as PyTorch does (momentum 0.1, unbiased variance)', async () => {
    const tf = await trainingBackend();
    const decoder = unetDecoder(tf, { embedDim: 8, classes: 2, grid: { rows: 1, cols: 1 }, output: { height: 16, width: 16 } }, new Random(1));
    const statistics: Tensor[] = [];
    const inputs = Array.from({ length: 5 }, (_, i) => tf.randomNormal([3, 1, 1, 8], 0, 1, 'float32', 10 + i) as Tensor4D);
    tf.tidy(() => decoder.forward(inputs, true, statistics));
    // Skip BN of block 0 sees 3 values per channel: running mean 0.1·mean, running var 0.9 + 0.1·(unbiased var).
    const skipMean = Array.from(statistics[0].dataSync());
    const skipVar = Array.from(statistics[1].dataSync());
    decoder.updateRunningStatistics(statistics);
    const running = (name: string) => Array.from(tf.engine().state.registeredVariables[decoder.variables[0].name.replace('up0/transpose/weight', name)].dataSync());
    running('up0/skip/bn/running_mean').forEach((v, c) => expect(v).toBeCloseTo(0.1 * skipMean[c], 6));
    running('up0/skip/bn/running_var').forEach((v, c) => expect(v).toBeCloseTo(0.9 + 0.1 * skipVar[c], 6));
    decoder.dispose();
  });
});

describe('decoder gradients', () => {
  it('lower the Dice loss of both decoders on a fixed batch', async () => {
    const tf = await trainingBackend();
    const shape = { embedDim: 16, classes: 2, grid: { rows: 2, cols: 2 }, output: { height: 28, width: 28 } };
    // Tokens whose first channel says which half of the image is foreground; the truth is the left half.
    const tokens = tf.tensor4d(Float32Array.from({ length: 64 }, (_, i) => (i % 16 === 0 ? (Math.floor(i / 16) % 2 === 0 ? 1 : -1) : 0)), [1, 2, 2, 16]);
    const labels = tf.tensor3d(Int32Array.from({ length: 784 }, (_, p) => (p % 28 < 14 ? 1 : 0)), [1, 28, 28], 'int32');
    for (const make of [linearDecoder, unetDecoder]) {
      const decoder = make(tf, shape, new Random(2));
      const inputs = Array.from({ length: decoder.blocks }, () => tokens);
      const loss = () => segmentationLoss(tf, 'dice', decoder.forward(inputs, true, []), labels, 1);
      const before = tf.tidy(() => loss().dataSync()[0]);
      for (let step = 0; step < 20; step++) {
        tf.tidy(() => {
          const { grads } = tf.variableGrads(loss, decoder.variables);
          for (const variable of decoder.variables) variable.assign(tf.sub(variable, tf.mul(grads[variable.name], 0.5)));
        });
      }
      const after = tf.tidy(() => loss().dataSync()[0]);
      expect(after, make.name).toBeLessThan(before - 0.05);
      decoder.dispose();
    }
  });
});
