import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnxBackboneFactory } from '@radprobe/backbone-onnx';
import { trainingBackend, type Backbone } from '@radprobe/core';
import { writeDinov2Fixture, type VitSpec } from '@radprobe/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { buildVit } from '../src/vit/index.js';
import { maxAbsDifference, randomPixels } from './vit-fixture.js';

const tf = await trainingBackend();
const directory = await mkdtemp(join(tmpdir(), 'radprobe-peft-vit-'));
afterAll(() => rm(directory, { recursive: true, force: true }));

async function loadFixture(spec: VitSpec): Promise<Backbone> {
  const modelPath = await writeDinov2Fixture(join(directory, `${spec.style}-${spec.registers ?? 0}-${spec.torchLinears ? 'torch' : 'named'}-${spec.positionScaleOffset ?? 'size'}`), spec);
  return onnxBackboneFactory.create({ model: modelPath }, { baseDir: directory, modelStoreDir: join(directory, 'store'), device: 'cpu', log: () => {} });
}

/** onnxruntime's final-block CLS and patch-token mean for `pixels`. */
async function onnxFeatures(backbone: Backbone, pixels: Float32Array, batch: number, height: number, width: number): Promise<{ cls: Float32Array; patchMean: Float32Array }> {
  const embedded = await backbone.embed(pixels, batch, height, width);
  const last = embedded.cls.length - 1;
  const d = backbone.info.embedDim;
  const patches = embedded.grid.rows * embedded.grid.cols;
  const patch = embedded.patch![last];
  const patchMean = new Float32Array(batch * d);
  for (let image = 0; image < batch; image++) {
    for (let token = 0; token < patches; token++) {
      for (let c = 0; c < d; c++) patchMean[image * d + c] += patch[(image * patches + token) * d + c] / patches;
    }
  }
  return { cls: embedded.cls[last], patchMean };
}

describe('the tfjs ViT built from an ONNX file against onnxruntime on that file', () => {
  const exports = [
    ...(['hf', 'meta'] as const).flatMap((style) => [0, 4].map((registers) => ({ style, registers, torchLinears: false }))),
    // Linear weights as torch.onnx stores them: transposed, under unnamed MatMul initializers.
    { style: 'meta' as const, registers: 4, torchLinears: true },
    // Meta's interpolate(scale_factor = (grid + 0.1) / 4): the graph resizes by scales even at the trained grid, which
    // the tfjs model (like DINOv2's code) does not interpolate at all, so only other grids are compared.
    { style: 'meta' as const, registers: 0, torchLinears: true, positionScaleOffset: 0.1, sizes: [[70, 42], [98, 84]] },
  ];
  for (const { style, registers, torchLinears, positionScaleOffset, sizes } of exports as Array<(typeof exports)[number] & { positionScaleOffset?: number; sizes?: number[][] }>) {
    const what = [torchLinears ? 'torch-style linears' : '', positionScaleOffset ? 'scale-factor interpolation' : ''].filter(Boolean).join(', ');
    it(`${style} export${what ? ` with ${what}` : ''}, ${registers} registers: features within 1e-4 at the trained grid and interpolated ones`, async () => {
      const spec: VitSpec = { embedDim: 32, depth: 2, heads: 4, patchSize: 14, posGrid: 4, registers, seed: 3, style, torchLinears, positionScaleOffset };
      const backbone = await loadFixture(spec);
      const trainable = await backbone.trainable!();
      expect(trainable).not.toBeNull();
      const weights = await trainable!.weights();
      // The testkit's register fixtures resize their positions as Meta's reg4 models do (antialiased, by sizes).
      const interpolation = positionScaleOffset ? { mode: 'scale', offset: 0.1 } : registers > 0 ? { mode: 'size', antialias: true } : { mode: 'size' };
      expect(weights.architecture.positionInterpolation).toEqual(interpolation);
      const model = buildVit(tf, weights, { mode: 'lora', rank: 4, alpha: 16, dropout: 0.1 }, 1);
      for (const [height, width] of sizes ?? [[56, 56], [70, 42], [42, 42]]) {
        const batch = 2;
        const pixels = randomPixels(batch * 3 * height * width, height + width);
        const expected = await onnxFeatures(backbone, pixels, batch, height, width);
        const input = tf.tensor4d(pixels, [batch, 3, height, width]);
        const { cls, patchMean } = model.forward(input, null);
        expect(maxAbsDifference(cls.dataSync(), expected.cls)).toBeLessThanOrEqual(1e-4);
        expect(maxAbsDifference(patchMean.dataSync(), expected.patchMean)).toBeLessThanOrEqual(1e-4);
        tf.dispose([cls, patchMean, input]);
      }
      model.dispose();
      await backbone.dispose();
    });
  }

  it.each(['hf', 'meta'] as const)(
    "%s export with registers: at a downsampled grid the antialiased interpolation is what matches; PyTorch's plain bicubic misses by more than 1e-4",
    async (style) => {
      const spec: VitSpec = { embedDim: 32, depth: 2, heads: 4, patchSize: 14, posGrid: 4, registers: 4, seed: 5, style };
      const backbone = await loadFixture(spec);
      const weights = await (await backbone.trainable!())!.weights();
      const [batch, height, width] = [2, 42, 28];
      const pixels = randomPixels(batch * 3 * height * width, 9);
      const expected = await onnxFeatures(backbone, pixels, batch, height, width);
      const input = tf.tensor4d(pixels, [batch, 3, height, width]);
      for (const antialias of [true, false]) {
        const model = buildVit(tf, { ...weights, architecture: { ...weights.architecture, positionInterpolation: { mode: 'size', antialias } } }, { mode: 'full' }, 1);
        const { cls, patchMean } = model.forward(input, null);
        const difference = Math.max(maxAbsDifference(cls.dataSync(), expected.cls), maxAbsDifference(patchMean.dataSync(), expected.patchMean));
        if (antialias) expect(difference).toBeLessThanOrEqual(1e-4);
        else expect(difference).toBeGreaterThan(1e-4);
        tf.dispose([cls, patchMean]);
        model.dispose();
      }
      tf.dispose(input);
      await backbone.dispose();
    },
  );
});
