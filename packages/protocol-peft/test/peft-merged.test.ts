import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SgdMomentum, trainingBackend, type Backbone, type BackboneContext } from '@radprobe/core';
import { onnxBackboneFactory } from '@radprobe/backbone-onnx';
import { writeDinov2Fixture } from '@radprobe/testkit';
import type { Scalar } from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePeftOptions, savedArtifact } from '../src/index.js';
import { buildVit } from '../src/vit/index.js';
import { maxAbsDifference, randomPixels, tinySpec } from './vit-fixture.js';

const tf = await trainingBackend();
// The ONNX backbone reads DINOv2's patch size 14; a 2×2 trained grid keeps the model small.
const SIDE = 28;
const spec = (style: 'meta' | 'hf') => tinySpec({ style, patchSize: 14, posGrid: 2 });
const dir = await mkdtemp(join(tmpdir(), 'radprobe-peft-merged-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const context: BackboneContext = { baseDir: dir, modelStoreDir: join(dir, 'store'), device: 'cpu', log: () => {} };
const open = (model: string): Promise<Backbone> => onnxBackboneFactory.create({ model, inputSize: SIDE }, context);

async function finalCls(backbone: Backbone, pixels: Float32Array, batch: number): Promise<Float32Array> {
  const embedded = await backbone.embed(pixels, batch, SIDE, SIDE);
  return embedded.cls[embedded.cls.length - 1];
}

describe('saving the adapted backbone merged into a new ONNX file', () => {
  for (const style of ['meta', 'hf'] as const) {
    it(`loads with the ONNX backbone and gives the tfjs model's eval features within 1e-4 (${style} export)`, async () => {
      const original = await open(await writeDinov2Fixture(dir, spec(style), style));
      const trainable = (await original.trainable!())!;
      const options = resolvePeftOptions({ save: 'merged', lora: { rank: 4 } });
      const vit = buildVit(tf, await trainable.weights(), { mode: 'lora', ...options.lora }, 0);
      const batch = 3;
      const pixels = tf.tensor4d(randomPixels(batch * 3 * SIDE * SIDE, 11), [batch, 3, SIDE, SIDE]);
      // A few steps on an arbitrary loss move the LoRA B matrices away from 0, so merging changes the weights.
      const optimizer = new SgdMomentum(tf, [{ variables: vit.variables, learningRate: 0.05 }], 0.9);
      for (let step = 0; step < 3; step++) {
        tf.tidy(() => optimizer.step(tf.variableGrads(() => tf.sum(tf.square(vit.forward(pixels, [3 * step, 3 * step + 1, 3 * step + 2]).cls)) as Scalar, vit.variables).grads, 1));
      }
      optimizer.dispose();
      const artifact = (await savedArtifact(vit, { mode: 'lora', learningRate: 0.05 }, options, trainable, 'lora'))!;
      expect(artifact.name).toBe('lora-merged.onnx');
      const mergedPath = join(dir, `${style}-merged.onnx`);
      await writeFile(mergedPath, artifact.data);
      const merged = await open(mergedPath);
      const expected = tf.tidy(() => vit.forward(pixels, null).cls.dataSync() as Float32Array);
      const input = pixels.dataSync() as Float32Array;
      expect(maxAbsDifference(await finalCls(merged, input, batch), expected)).toBeLessThan(1e-4);
      expect(maxAbsDifference(await finalCls(original, input, batch), expected)).toBeGreaterThan(1e-3);
      pixels.dispose();
      vit.dispose();
      await Promise.all([original.dispose(), merged.dispose()]);
    });
  }
});
