import { RadprobeError, trainingBackend, type VitArchitecture } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { ACTIVATION_BUDGET_BYTES, activationBytesPerImage, autoCheckpointing, autoMicroBatch, memoryPlanOf } from '../src/micro-batch.js';
import { peftOptionsSchema, resolvePeftOptions, type AdaptationMode, type PeftOptions } from '../src/options.js';
import { PixelLoader } from '../src/pixel-loader.js';
import type { ItemTargets } from '../src/targets.js';
import { trainNetwork } from '../src/training.js';
import { SIDE, memoryPixels } from './peft-fixture.js';
import { maxAbsDifference, randomPixels, tinySpec, vitWeightsOf } from './vit-fixture.js';

const tf = await trainingBackend();

const VIT_S_14: VitArchitecture = {
  embedDim: 384,
  depth: 12,
  heads: 6,
  patchSize: 14,
  mlpHidden: 1536,
  registerTokens: 0,
  positionGrid: 37,
  layerNormEpsilon: 1e-6,
  positionInterpolation: { mode: 'size' },
};
const VIT_B_14: VitArchitecture = { ...VIT_S_14, embedDim: 768, heads: 12, mlpHidden: 3072 };

/** The resolved micro-batch alone, checkpointing left to its own rule. */
const microBatchOf = (option: number | 'auto', architecture: VitArchitecture, height: number, width: number, backend: string, batchSize: number) =>
  memoryPlanOf(option, 'auto', architecture, height, width, backend, batchSize).microBatch;

describe('the microBatch option', () => {
  it('defaults to auto, takes a positive integer, and names /microBatch when bad', () => {
    expect(resolvePeftOptions({}).microBatch).toBe('auto');
    expect(resolvePeftOptions({ microBatch: 4 }).microBatch).toBe(4);
    expect((peftOptionsSchema.properties as Record<string, object>).microBatch).toMatchObject({ default: 'auto', oneOf: [{ type: 'integer', minimum: 1 }, { const: 'auto' }] });
    for (const bad of [0, 2.5, 'half', -1]) {
      const error = (() => {
        try {
          resolvePeftOptions({ microBatch: bad } as PeftOptions);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(RadprobeError);
      expect((error as RadprobeError).pointer).toBe('/microBatch');
      expect((error as RadprobeError).message).toMatch(/microBatch = .* must be "auto" or a positive integer/);
    }
  });

  it('caps a given micro-batch at the batch', () => {
    // 8 and 3 images of 366,724,800 B (ViT-S/14 at 112, below) would pass the budget with checkpointing as well.
    expect(microBatchOf(16, VIT_S_14, 112, 112, 'wasm', 8)).toBe(8);
    expect(microBatchOf(3, VIT_S_14, 224, 224, 'wasm', 8)).toBe(3);
  });
});

describe('the auto micro-batch', () => {
  it('estimates depth · tokens · (1200·D + 24·heads·tokens) bytes per image', () => {
    // ViT-S/14 at 224: 16·16 + 1 = 257 tokens; per token per block 1200·384 + 24·6·257 = 460,800 + 37,008 =
    // 497,808 B; × 257 × 12 = 1,535,239,872 B.
    expect(activationBytesPerImage(VIT_S_14, 224, 224, false)).toBe(1_535_239_872);
    // At 112: 8·8 + 1 = 65 tokens; 460,800 + 24·6·65 = 470,160 B; × 65 × 12 = 366,724,800 B.
    expect(activationBytesPerImage(VIT_S_14, 112, 112, false)).toBe(366_724_800);
    // Registers are tokens too: 4 more at 224 give 261; 460,800 + 24·6·261 = 498,384; × 261 × 12 = 1,560,938,688.
    expect(activationBytesPerImage({ ...VIT_S_14, registerTokens: 4 }, 224, 224, false)).toBe(1_560_938_688);
    // ViT-B/14 at 224: 1200·768 + 24·12·257 = 921,600 + 74,016 = 995,616 B; × 257 × 12 = 3,070,479,744 B.
    expect(activationBytesPerImage(VIT_B_14, 224, 224, false)).toBe(3_070_479_744);
  });

  it('estimates tokens · (8·depth·D + 1300·D + 24·heads·tokens) bytes per image with checkpointing', () => {
    // ViT-S/14 at 224: 8·12·384 = 36,864 (kept inputs and their gradients) + 1300·384 = 499,200 (one block
    // recomputed) + 24·6·257 = 37,008 → 573,072 B per token; × 257 = 147,279,504 B.
    expect(activationBytesPerImage(VIT_S_14, 224, 224, true)).toBe(147_279_504);
    // At 112: 36,864 + 499,200 + 24·6·65 = 9,360 → 545,424; × 65 = 35,452,560 B.
    expect(activationBytesPerImage(VIT_S_14, 112, 112, true)).toBe(35_452_560);
    // ViT-B/14 at 224: 8·12·768 = 73,728 + 1300·768 = 998,400 + 74,016 → 1,146,144; × 257 = 294,559,008 B.
    expect(activationBytesPerImage(VIT_B_14, 224, 224, true)).toBe(294_559_008);
  });

  it('fits the budget: ViT-S/14 gets 1 image at 224 and 4 at 112 on wasm (1.5 GiB), 4 at 224 natively (6 GiB)', () => {
    // 1.5 GiB = 1,610,612,736 B: ⌊1,610,612,736 / 1,535,239,872⌋ = ⌊1.05⌋ = 1 at 224, ⌊… / 366,724,800⌋ = ⌊4.39⌋ = 4 at 112.
    expect(ACTIVATION_BUDGET_BYTES.wasm).toBe(1_610_612_736);
    expect(memoryPlanOf('auto', false, VIT_S_14, 224, 224, 'wasm', 32)).toEqual({ microBatch: 1, checkpointed: false });
    expect(microBatchOf('auto', VIT_S_14, 112, 112, 'wasm', 32)).toBe(4);
    // 6 GiB = 6,442,450,944 B: ⌊6,442,450,944 / 1,535,239,872⌋ = ⌊4.20⌋ = 4, on either native backend.
    expect(microBatchOf('auto', VIT_S_14, 224, 224, 'tensorflow', 32)).toBe(4);
    // Never more than the batch, never fewer than one image even when one image is over the budget.
    expect(microBatchOf('auto', VIT_S_14, 112, 112, 'wasm', 3)).toBe(3);
    expect(autoMicroBatch(VIT_S_14, 224, 224, 1e6, 32, false)).toBe(1);
    expect(autoMicroBatch(VIT_S_14, 224, 224, 1e6, 32, true)).toBe(1);
  });
});

describe('the checkpointing option', () => {
  it('defaults to auto, takes true or false, and names /checkpointing when bad', () => {
    expect(resolvePeftOptions({}).checkpointing).toBe('auto');
    expect(resolvePeftOptions({ checkpointing: true }).checkpointing).toBe(true);
    expect(resolvePeftOptions({ checkpointing: false }).checkpointing).toBe(false);
    expect((peftOptionsSchema.properties as Record<string, object>).checkpointing).toMatchObject({ default: 'auto', oneOf: [{ type: 'boolean' }, { const: 'auto' }] });
    for (const bad of [0, 1, 'yes', null]) {
      const error = (() => {
        try {
          resolvePeftOptions({ checkpointing: bad } as unknown as PeftOptions);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(RadprobeError);
      expect((error as RadprobeError).pointer).toBe('/checkpointing');
      expect((error as RadprobeError).message).toMatch(/checkpointing = .* must be "auto", true or false/);
    }
  });
});

describe('the auto checkpointing rule', () => {
  const budget = ACTIVATION_BUDGET_BYTES.wasm;
  it('turns checkpointing on when the budget would not hold the pass without it, and then sizes the auto micro-batch by it', () => {
    // ViT-S/14 at 224 on wasm: two images need 2 · 1,535,239,872 = 3,070,479,744 B > 1,610,612,736: on; then
    // ⌊1,610,612,736 / 147,279,504⌋ = ⌊10.9⌋ = 10 images, capped at the batch.
    expect(autoCheckpointing('auto', VIT_S_14, 224, 224, budget, 32)).toBe(true);
    expect(memoryPlanOf('auto', 'auto', VIT_S_14, 224, 224, 'wasm', 32)).toEqual({ microBatch: 10, checkpointed: true });
    expect(memoryPlanOf('auto', 'auto', VIT_S_14, 224, 224, 'wasm', 8)).toEqual({ microBatch: 8, checkpointed: true });
    // A batch of one image that fits (1,535,239,872 ≤ 1,610,612,736 B) needs none.
    expect(memoryPlanOf('auto', 'auto', VIT_S_14, 224, 224, 'wasm', 1)).toEqual({ microBatch: 1, checkpointed: false });
    // At 112, 2 · 366,724,800 = 733,449,600 B fits: off, and 4 images as without the option.
    expect(memoryPlanOf('auto', 'auto', VIT_S_14, 112, 112, 'wasm', 32)).toEqual({ microBatch: 4, checkpointed: false });
    // Natively (6 GiB = 6,442,450,944 B) two ViT-S/14 images at 224 fit: off, ⌊6,442,450,944 / 1,535,239,872⌋ = 4.
    expect(memoryPlanOf('auto', 'auto', VIT_S_14, 224, 224, 'tensorflow', 32)).toEqual({ microBatch: 4, checkpointed: false });
    // ViT-B/14 at 224 on wasm: one image alone, 3,070,479,744 B, is over the budget: on even for a batch of one;
    // ⌊1,610,612,736 / 294,559,008⌋ = ⌊5.47⌋ = 5 images. Natively 2 · 3,070,479,744 = 6,140,959,488 B fits: off, 2 images.
    expect(memoryPlanOf('auto', 'auto', VIT_B_14, 224, 224, 'wasm', 1)).toEqual({ microBatch: 1, checkpointed: true });
    expect(memoryPlanOf('auto', 'auto', VIT_B_14, 224, 224, 'wasm', 32)).toEqual({ microBatch: 5, checkpointed: true });
    expect(memoryPlanOf('auto', 'auto', VIT_B_14, 224, 224, 'tensorflow-gpu', 32)).toEqual({ microBatch: 2, checkpointed: false });
  });

  it('checks a given micro-batch against the budget, and leaves a given setting as it is', () => {
    // ViT-S/14 at 112: 4 · 366,724,800 = 1,466,899,200 B fits 1,610,612,736; 5 · … = 1,833,624,000 B does not.
    expect(memoryPlanOf(4, 'auto', VIT_S_14, 112, 112, 'wasm', 32)).toEqual({ microBatch: 4, checkpointed: false });
    expect(memoryPlanOf(5, 'auto', VIT_S_14, 112, 112, 'wasm', 32)).toEqual({ microBatch: 5, checkpointed: true });
    // The given micro-batch is capped at the batch first: 5 of a batch of 4 fit.
    expect(autoCheckpointing(5, VIT_S_14, 112, 112, budget, 4)).toBe(false);
    // Forced on at 112: ⌊1,610,612,736 / 35,452,560⌋ = ⌊45.4⌋ = 45, capped at the batch of 32.
    expect(memoryPlanOf('auto', true, VIT_S_14, 112, 112, 'wasm', 32)).toEqual({ microBatch: 32, checkpointed: true });
    expect(memoryPlanOf('auto', true, VIT_S_14, 112, 112, 'wasm', 64)).toEqual({ microBatch: 45, checkpointed: true });
  });
});

/** Six images, two classes (multiclass) or a binary label, on the tiny ViT at 16×16. */
const ITEMS = [0, 1, 2, 3, 4, 5];
const images = ITEMS.map((i) => randomPixels(3 * SIDE * SIDE, 40 + i));
const multiclass: ItemTargets = { outputs: 3, multiclass: true, labels: Int32Array.from([0, 1, 2, 1, 0, 2]), targets: new Float32Array(0) };
const binary: ItemTargets = { outputs: 1, multiclass: false, labels: Int32Array.from([0, 1, 1, 0, 1, 0]), targets: Float32Array.from([0, 1, 1, 0, 1, 0]) };

/** Backbone parameters (LoRA merged in), eval logits and epoch losses after `epochs` SGD steps (2 unless given) on the six images in one batch. */
async function trained(
  mode: AdaptationMode | 'frozen',
  targets: ItemTargets,
  microBatch: number,
  dropout: number,
  { checkpointing = false, workers = 1, epochs = 2 }: { checkpointing?: boolean; workers?: number; epochs?: number } = {},
): Promise<{ parameters: Float32Array; logits: Float32Array; losses: number[]; microBatch: number; checkpointed: boolean; workers: number }> {
  const weights = vitWeightsOf(tinySpec());
  const options = resolvePeftOptions({ batchSize: 6, epochs, microBatch, checkpointing, lora: { rank: 4, dropout }, headLearningRate: 0.5 });
  const network = await trainNetwork({ tf, weights, candidate: mode === 'frozen' ? { mode } : { mode, learningRate: 2 }, options, targets, loader: new PixelLoader(memoryPixels(images)), train: ITEMS, seed: 3, workers });
  const merged = network.mergedParameters();
  const parameters = Float32Array.from([...merged.keys()].sort().flatMap((name) => Array.from(merged.get(name)!.values)));
  const logits = await network.logits(ITEMS);
  network.dispose();
  return { parameters, logits, losses: network.epochLosses, microBatch: network.microBatch, checkpointed: network.checkpointed, workers: network.workers };
}

function initialParameters(): Float32Array {
  const { parameters } = vitWeightsOf(tinySpec());
  return Float32Array.from([...parameters.keys()].sort().flatMap((name) => Array.from(parameters.get(name)!.values)));
}

describe('gradient accumulation over micro-batches', () => {
  const cases: Array<{ mode: AdaptationMode; targets: ItemTargets; what: string; dropout: number }> = [
    { mode: 'lora', targets: multiclass, what: 'LoRA, multiclass cross-entropy (a batch mean), dropout 0', dropout: 0 },
    { mode: 'full', targets: binary, what: 'full, binary BCE (a batch sum)', dropout: 0 },
    { mode: 'lora', targets: binary, what: 'LoRA, binary BCE, dropout 0.1 (masks drawn per image)', dropout: 0.1 },
  ];
  for (const { mode, targets, what, dropout } of cases) {
    it(`gives the whole batch's update with micro-batches of 1, 2 and 4 (uneven), and checkpointed, within 1e-5: ${what}`, async () => {
      const whole = await trained(mode, targets, 6, dropout);
      expect(whole.microBatch).toBe(6);
      // The update must be large against the tolerance for the comparison to mean anything.
      expect(maxAbsDifference(whole.parameters, initialParameters())).toBeGreaterThan(1e-3);
      for (const microBatch of [1, 2, 4]) {
        const split = await trained(mode, targets, microBatch, dropout);
        expect(split.microBatch).toBe(microBatch);
        expect(maxAbsDifference(split.parameters, whole.parameters)).toBeLessThan(1e-5);
        expect(maxAbsDifference(split.logits, whole.logits)).toBeLessThan(1e-5);
      }
      const checkpointed = await trained(mode, targets, 4, dropout, { checkpointing: true });
      expect(checkpointed.checkpointed).toBe(true);
      expect(whole.checkpointed).toBe(false);
      expect(maxAbsDifference(checkpointed.parameters, whole.parameters)).toBeLessThan(1e-5);
      expect(maxAbsDifference(checkpointed.logits, whole.logits)).toBeLessThan(1e-5);
    });
  }
});

describe('training on worker threads', () => {
  // The workers run the packages' builds (`nx test` builds them first).
  const cases: Array<{ mode: AdaptationMode | 'frozen'; targets: ItemTargets; what: string; dropout: number; microBatch: number; checkpointing?: boolean }> = [
    { mode: 'lora', targets: multiclass, what: 'LoRA, multiclass, dropout 0.1, micro-batches of 2', dropout: 0.1, microBatch: 2 },
    { mode: 'full', targets: binary, what: 'full, binary, checkpointed', dropout: 0, microBatch: 6, checkpointing: true },
    { mode: 'bitfit', targets: binary, what: 'BitFit, binary', dropout: 0, microBatch: 6 },
    { mode: 'frozen', targets: multiclass, what: 'the frozen reference (head only), multiclass', dropout: 0, microBatch: 6 },
  ];
  for (const { mode, targets, what, dropout, microBatch, checkpointing } of cases) {
    it(`trains the same network on 2 workers as on 1 (within float rounding), and repeats bit for bit on 2: ${what}`, async () => {
      const one = await trained(mode, targets, microBatch, dropout, { checkpointing, workers: 1 });
      const two = await trained(mode, targets, microBatch, dropout, { checkpointing, workers: 2 });
      const twoAgain = await trained(mode, targets, microBatch, dropout, { checkpointing, workers: 2 });
      expect([one.workers, two.workers]).toEqual([1, 2]);
      expect(twoAgain.parameters).toEqual(two.parameters);
      expect(twoAgain.logits).toEqual(two.logits);
      expect(twoAgain.losses).toEqual(two.losses);
      // The steps must move the network well beyond the tolerance for the comparison to mean anything.
      if (mode !== 'frozen') expect(maxAbsDifference(one.parameters, initialParameters())).toBeGreaterThan(1e-3);
      else expect(one.parameters).toEqual(initialParameters());
      const oneStep = await trained(mode, targets, microBatch, dropout, { checkpointing, workers: 1, epochs: 1 });
      expect(maxAbsDifference(one.logits, oneStep.logits)).toBeGreaterThan(1e-3);
      expect(maxAbsDifference(two.parameters, one.parameters)).toBeLessThan(1e-5);
      expect(maxAbsDifference(two.logits, one.logits)).toBeLessThan(1e-5);
      two.losses.forEach((loss, epoch) => expect(loss).toBeCloseTo(one.losses[epoch], 5));
    });
  }
});
