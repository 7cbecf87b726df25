import { onnxBackboneFactory } from '@radprobe/backbone-onnx';
import { trainingBackend, type Backbone, type VitWeights } from '@radprobe/core';
import { readTorchFixture, TORCH_FIXTURE_NAMES, TORCH_FIXTURES_DIR, type TorchFixture } from '@radprobe/testkit';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildVit } from '../src/vit/index.js';
import { maxAbsDifference } from './vit-fixture.js';

/*
 * The tfjs ViT rebuilt from real torch.onnx exports of Meta's DINOv2 code (torch 1.13.1, opset 17;
 * scripts/torch-fixtures): input 56×56, a 4×4 patch grid, trained positional grid 6×6.
 */
const tf = await trainingBackend();

interface Features {
  cls: Float32Array;
  patchMean: Float32Array;
}

function patchMean(patch: Float32Array, batch: number, d: number): Float32Array {
  const patches = patch.length / (batch * d);
  const mean = new Float32Array(batch * d);
  for (let image = 0; image < batch; image++) {
    for (let token = 0; token < patches; token++) {
      for (let c = 0; c < d; c++) mean[image * d + c] += patch[(image * patches + token) * d + c] / patches;
    }
  }
  return mean;
}

async function open(fixture: TorchFixture): Promise<{ backbone: Backbone; weights: VitWeights }> {
  const backbone = await onnxBackboneFactory.create({ model: fixture.modelPath }, { baseDir: TORCH_FIXTURES_DIR, modelStoreDir: TORCH_FIXTURES_DIR, device: 'cpu', log: () => {} });
  return { backbone, weights: await (await backbone.trainable!())!.weights() };
}

/** The final block's CLS and mean patch token of the tfjs ViT built from `weights`. */
function tfjsFeatures(weights: VitWeights, fixture: TorchFixture): Features {
  const model = buildVit(tf, weights, { mode: 'full' }, 1);
  const input = tf.tensor4d(fixture.input.values, fixture.input.shape as [number, number, number, number]);
  const { cls, patchMean: mean } = model.forward(input, null);
  const features = { cls: Float32Array.from(cls.dataSync()), patchMean: Float32Array.from(mean.dataSync()) };
  tf.dispose([cls, mean, input]);
  model.dispose();
  return features;
}

async function onnxruntimeFeatures(backbone: Backbone, fixture: TorchFixture): Promise<Features> {
  const [batch, , height, width] = fixture.input.shape;
  const embedded = await backbone.embed(fixture.input.values, batch, height, width);
  const last = embedded.cls.length - 1;
  return { cls: embedded.cls[last], patchMean: patchMean(embedded.patch![last], batch, backbone.info.embedDim) };
}

function torchFeatures(fixture: TorchFixture): Features {
  const [patch, cls] = fixture.outputs.slice(-2);
  return { cls: cls.values, patchMean: patchMean(patch.values, fixture.input.shape[0], cls.shape[1]) };
}

function difference(a: Features, b: Features): number {
  return Math.max(maxAbsDifference(a.cls, b.cls), maxAbsDifference(a.patchMean, b.patchMean));
}

describe("the tfjs ViT built from real torch exports of Meta's code", () => {
  it.each(TORCH_FIXTURE_NAMES)('%s: features within 1e-4 of onnxruntime on the same file and of torch', async (name) => {
    const fixture = await readTorchFixture(name);
    const { backbone, weights } = await open(fixture);
    const features = tfjsFeatures(weights, fixture);
    expect(difference(features, await onnxruntimeFeatures(backbone, fixture))).toBeLessThanOrEqual(1e-4);
    expect(difference(features, torchFeatures(fixture))).toBeLessThanOrEqual(1e-4);
    await backbone.dispose();
  });

  it("vits14-folded: the recovered 6×6 grid goes through Meta's scale-factor interpolation; the plain size interpolation would miss by more than 1e-4", async () => {
    const fixture = await readTorchFixture('vits14-folded');
    const { backbone, weights } = await open(fixture);
    const bySize = tfjsFeatures({ ...weights, architecture: { ...weights.architecture, positionInterpolation: { mode: 'size' } } }, fixture);
    expect(difference(bySize, torchFeatures(fixture))).toBeGreaterThan(1e-4);
    await backbone.dispose();
  });

  it('vits14-onnxruntime-folded: the fixed 4×4 grid serves 56×56 inputs only, and says why for others', async () => {
    const fixture = await readTorchFixture('vits14-onnxruntime-folded');
    const { backbone, weights } = await open(fixture);
    const model = buildVit(tf, weights, { mode: 'bitfit' }, 1);
    const input = tf.zeros([1, 3, 70, 70]) as Tensor4D;
    expect(() => model.forward(input, null)).toThrow(
      "the positional embedding is the export's own 4×4 grid (its export folded the interpolated positions into the graph, so the trained grid is gone): inputs must be 56×56, not 70×70",
    );
    tf.dispose(input);
    model.dispose();
    await backbone.dispose();
  });
});
