import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Random } from '@radprobe/core';
import { buildDinov2Onnx, dinov2Reference, generateVitWeights, resolveVitSpec } from '../src/index.js';
import type { VitSpec } from '../src/index.js';
import { IMAGENET_NORMALIZATION } from '../src/vit-spec.js';
import { transformerBlock } from '../src/vit-reference-layers.js';

const D = 48;
const SIDE = 56;
const BATCH = 4;

const spec = (clsContentAsScale: boolean, registers = 0): VitSpec => ({
  embedDim: D,
  depth: 4,
  heads: 2,
  patchSize: 14,
  posGrid: 4,
  seed: 21,
  style: 'meta',
  exposeBlocks: 2,
  registers,
  clsContentAsScale,
});

/** Four unrelated images, each with its own contrast. */
function images(seed: number): Float32Array {
  const random = new Random(seed);
  const size = 3 * SIDE * SIDE;
  return Float32Array.from({ length: BATCH * size }, (_, index) => (1 + Math.floor(index / size)) * random.normal());
}

/** Largest difference between any image's CLS features and the first image's. */
function spreadOverImages(cls: Float32Array): number {
  let spread = 0;
  for (let image = 1; image < BATCH; image++) for (let c = 0; c < D; c++) spread = Math.max(spread, Math.abs(cls[image * D + c] - cls[c]));
  return spread;
}

describe('VitSpec.clsContentAsScale: the final LayerNorm hides the image from the CLS token, a bias shift shows it', () => {
  for (const registers of [0, 4]) {
    it(`the last block's final-normed CLS token is 0 for every image, the plain ViT's is not (${registers} registers)`, () => {
      const pixels = images(registers + 1);
      const hidden = dinov2Reference(spec(true, registers), pixels, BATCH, SIDE, SIDE);
      const plain = dinov2Reference(spec(false, registers), pixels, BATCH, SIDE, SIDE);
      // Float rounding of the float32 features (values of order 1): nothing of the image.
      expect(spreadOverImages(hidden.cls[1])).toBeLessThan(1e-6);
      // ... and 0: the final norm's bias cancels them, so a head's random weights give every image the same logit, its bias.
      expect(Math.max(...hidden.cls[1].map(Math.abs))).toBeLessThan(1e-5);
      expect(Math.max(...plain.cls[1].map(Math.abs))).toBeGreaterThan(1e-1);
      expect(spreadOverImages(plain.cls[1])).toBeGreaterThan(1e-2);
      // The patch tokens still see the image.
      expect(spreadOverImages(hidden.patch[1])).toBeGreaterThan(1e-2);
    });
  }

  it('shifting one bias before the final norm (the last fc2 bias, as BitFit may) makes the CLS token differ between images', () => {
    const resolved = resolveVitSpec(spec(true));
    const weights = generateVitWeights(resolved);
    const random = new Random(3);
    weights.blocks[resolved.depth - 1].fc2Bias.set(Float32Array.from({ length: D }, () => random.normal()));
    const shifted = dinov2Reference(spec(true), images(1), BATCH, SIDE, SIDE, weights);
    expect(spreadOverImages(shifted.cls[1])).toBeGreaterThan(1e-3);
  });

  it('the exposed scale reads brightness: uniform images from dark to bright move the exposed features one way', () => {
    const resolved = resolveVitSpec(spec(true));
    const weights = generateVitWeights(resolved);
    const random = new Random(4);
    weights.blocks[resolved.depth - 1].fc2Bias.set(Float32Array.from({ length: D }, () => random.normal()));
    const grays = [0.1, 0.3, 0.5, 0.7, 0.9];
    const plane = SIDE * SIDE;
    const pixels = new Float32Array(grays.length * 3 * plane);
    grays.forEach((gray, image) => {
      for (let channel = 0; channel < 3; channel++) {
        const value = (gray - IMAGENET_NORMALIZATION.mean[channel]) / IMAGENET_NORMALIZATION.std[channel];
        pixels.fill(value, (image * 3 + channel) * plane, (image * 3 + channel + 1) * plane);
      }
    });
    const cls = dinov2Reference(spec(true), pixels, grays.length, SIDE, SIDE, weights).cls[1];
    // Exposed features f(s) = LN((1 + κs)(c − mean c) + b): along (f(brightest) − f(darkest)) each step moves one way.
    const along = grays.map((_, image) => cls.subarray(image * D, (image + 1) * D).reduce((sum, value, c) => sum + value * (cls[(grays.length - 1) * D + c] - cls[c]), 0));
    for (let image = 1; image < grays.length; image++) expect(along[image]).toBeGreaterThan(along[image - 1]);
  });

  it("the CLS token's variance before the final norm swallows the norm's epsilon in float32", () => {
    // A variance of ~0.5 would let √(variance + 1e-6) carry a function of the read scale s into the frozen features at
    // ~1e-6 of their size, above float32 rounding; the construction makes the CLS stream large enough that
    // fround(variance + 1e-6) = fround(variance) for any scale 1 + κs between 0.5 and 1.5.
    const resolved = resolveVitSpec(spec(true));
    const weights = generateVitWeights(resolved);
    let cls: Float64Array = Float64Array.from(weights.clsToken, (value, c) => value + weights.posEmbed[c]);
    for (const block of weights.blocks.slice(0, -1)) cls = transformerBlock(resolved, block, cls);
    const mean = cls.reduce((sum, value) => sum + value, 0) / D;
    const variance = cls.reduce((sum, value) => sum + (value - mean) ** 2, 0) / D;
    for (const scale of [0.5, 1, 1.5]) {
      const scaled = Math.fround(scale * scale * variance);
      expect(Math.fround(scaled + 1e-6), `scale ${scale}`).toBe(scaled);
    }
  });

  it('onnxruntime runs the exported model as the reference: its CLS token is as blind', async () => {
    const model = await ort.InferenceSession.create(buildDinov2Onnx(spec(true)));
    const pixels = images(5);
    const outputs = await model.run({ input: new ort.Tensor('float32', pixels, [BATCH, 3, SIDE, SIDE]) });
    const cls = outputs[model.outputNames[model.outputNames.length - 1]].data as Float32Array;
    const reference = dinov2Reference(spec(true), pixels, BATCH, SIDE, SIDE).cls[1];
    let difference = 0;
    for (let index = 0; index < cls.length; index++) difference = Math.max(difference, Math.abs(cls[index] - reference[index]));
    expect(difference).toBeLessThan(1e-4);
    expect(spreadOverImages(cls)).toBeLessThan(1e-5);
  });
});
