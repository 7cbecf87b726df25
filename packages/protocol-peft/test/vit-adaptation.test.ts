import { RadprobeError, Random, SgdMomentum, trainingBackend, type ParameterTensor, type VitWeights } from '@radprobe/core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildVit, type VitAdaptation, type VitModel } from '../src/vit/index.js';
import { maxAbsDifference, randomPixels, tinySpec, vitWeightsOf } from './vit-fixture.js';

const tf = await trainingBackend();

const spec = tinySpec({ registers: 4 });
const HEIGHT = 20;
const WIDTH = 12;
const BATCH = 2;
const LORA: VitAdaptation = { mode: 'lora', rank: 2, alpha: 4, dropout: 0.1 };

function pixels(seed: number): Tensor4D {
  return tf.tensor4d(randomPixels(BATCH * 3 * HEIGHT * WIDTH, seed), [BATCH, 3, HEIGHT, WIDTH]);
}

/** Steps of plain SGD (momentum 0) on L = Σ w⊙cls + Σ v⊙patchMean with fixed random w, v, dropout on. */
function train(model: VitModel, steps: number, learningRate: number): void {
  const random = new Random(5);
  const weights = () => tf.tensor2d(Float32Array.from({ length: BATCH * spec.embedDim }, () => random.normal()), [BATCH, spec.embedDim]);
  const [clsWeights, patchWeights] = [weights(), weights()];
  const input = pixels(3);
  const optimizer = new SgdMomentum(tf, [{ variables: model.variables, learningRate }], 0);
  for (let step = 0; step < steps; step++) {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const { cls, patchMean } = model.forward(input, [2 * step, 2 * step + 1]);
        return tf.add(tf.sum(tf.mul(cls, clsWeights)), tf.sum(tf.mul(patchMean, patchWeights)));
      }, model.variables);
      optimizer.step(grads, 1);
    });
  }
  optimizer.dispose();
  tf.dispose([clsWeights, patchWeights, input]);
}

const isLoraTargetWeight = (name: string) => /^blocks\.\d+\.(attn\.qkv|mlp\.fc1|mlp\.fc2)\.weight$/.test(name);
const isLoraTargetBias = (name: string) => /^blocks\.\d+\.(attn\.qkv|mlp\.fc1|mlp\.fc2)\.bias$/.test(name);
const bitIdentical = (a: ParameterTensor, b: ParameterTensor) => a.values.length === b.values.length && a.values.every((value, i) => Object.is(value, b.values[i]));

function evalFeatures(model: VitModel, input: Tensor4D): Float32Array {
  return tf.tidy(() => {
    const { cls, patchMean } = model.forward(input, null);
    return Float32Array.from([...cls.dataSync(), ...patchMean.dataSync()]);
  });
}

describe('parameter counts of a tiny ViT (D 8, depth 1, heads 2, patch 2, MLP 32, 1 register, grid 2×2)', () => {
  /*
   * patch_embed: 8·3·2·2 = 96 + bias 8; cls 8; register 1·8 = 8; pos_embed (1 + 2·2)·8 = 40.
   * block: norm1 8 + 8; qkv 24·8 = 192 + 24; proj 8·8 = 64 + 8; ls1 8; norm2 8 + 8; fc1 32·8 = 256 + 32;
   * fc2 8·32 = 256 + 8; ls2 8 → 16 + 216 + 72 + 8 + 16 + 288 + 264 + 8 = 888. Final norm 16.
   * Total 96 + 8 + 8 + 8 + 40 + 888 + 16 = 1064.
   * Biases: patch 8, norm1 8, qkv 24, proj 8, norm2 8, fc1 32, fc2 8, norm 8 = 104.
   * LoRA rank 2: qkv A 2·8 + B 24·2 = 64; fc1 A 2·8 + B 32·2 = 80; fc2 A 2·32 + B 8·2 = 80 → 224, plus the
   * adapted biases 24 + 32 + 8 = 64 → trainable 288 of 1064 + 224 = 1288.
   */
  const weights = vitWeightsOf(tinySpec({ embedDim: 8, depth: 1, heads: 2, patchSize: 2, posGrid: 2, registers: 1 }));
  const cases: Array<[VitAdaptation, { trainable: number; total: number }]> = [
    [{ mode: 'full' }, { trainable: 1064, total: 1064 }],
    [{ mode: 'bitfit' }, { trainable: 104, total: 1064 }],
    [{ mode: 'lora', rank: 2, alpha: 16, dropout: 0 }, { trainable: 288, total: 1288 }],
  ];
  for (const [adaptation, expected] of cases) {
    it(adaptation.mode, () => {
      const model = buildVit(tf, weights, adaptation, 1);
      expect(model.parameterCount()).toEqual(expected);
      expect(model.variables.reduce((sum, variable) => sum + variable.size, 0)).toBe(expected.trainable);
      model.dispose();
    });
  }
});

describe('gradients reach exactly the parameters the adaptation trains', () => {
  it('LoRA: B moves from 0 on the first step while A (whose gradient is ∝ B = 0) waits; A moves on the second; the frozen weights never', () => {
    const weights = vitWeightsOf(spec);
    const model = buildVit(tf, weights, LORA, 11);
    const initial = model.adapterParameters();
    const loraNames = [...initial.keys()].filter((name) => name.includes('.lora_'));
    // 2 blocks × (qkv, fc1, fc2) × (A, B).
    expect(loraNames).toHaveLength(12);
    for (const name of loraNames.filter((n) => n.includes('lora_B'))) expect(initial.get(name)!.values.every((v) => v === 0)).toBe(true);

    train(model, 1, 0.5);
    const afterOne = model.adapterParameters();
    for (const name of loraNames) {
      const moved = !bitIdentical(afterOne.get(name)!, initial.get(name)!);
      expect([name, moved]).toEqual([name, name.includes('lora_B')]);
    }
    train(model, 1, 0.5);
    const afterTwo = model.adapterParameters();
    for (const name of loraNames.filter((n) => n.includes('lora_A'))) expect([name, bitIdentical(afterTwo.get(name)!, afterOne.get(name)!)]).toEqual([name, false]);
    for (const name of [...initial.keys()].filter(isLoraTargetBias)) expect([name, bitIdentical(afterTwo.get(name)!, initial.get(name)!)]).toEqual([name, false]);

    const merged = model.mergedParameters();
    for (const [name, original] of weights.parameters) {
      if (isLoraTargetWeight(name) || isLoraTargetBias(name)) continue;
      expect([name, bitIdentical(merged.get(name)!, original)]).toEqual([name, true]);
    }
    // The adapted weights are the frozen W plus (alpha/rank)·B·A, recomputed here in float64.
    const layer = 'blocks.1.mlp.fc1';
    const [a, b] = [afterTwo.get(`${layer}.lora_A.weight`)!, afterTwo.get(`${layer}.lora_B.weight`)!];
    const w = weights.parameters.get(`${layer}.weight`)!;
    const [outputs, inputs] = w.shape;
    const expected = w.values.map((value, index) => {
      const [o, i] = [Math.floor(index / inputs), index % inputs];
      let update = 0;
      for (let r = 0; r < 2; r++) update += b.values[o * 2 + r] * a.values[r * inputs + i];
      return value + (4 / 2) * update;
    });
    expect(merged.get(`${layer}.weight`)!.shape).toEqual([outputs, inputs]);
    expect(maxAbsDifference(merged.get(`${layer}.weight`)!.values, expected)).toBeLessThan(1e-6);
    model.dispose();
  });

  it('BitFit: one step changes every bias and nothing else', () => {
    const weights = vitWeightsOf(spec);
    const model = buildVit(tf, weights, { mode: 'bitfit' }, 1);
    expect([...model.adapterParameters().keys()].every((name) => name.endsWith('.bias'))).toBe(true);
    train(model, 1, 0.5);
    const merged = model.mergedParameters();
    for (const [name, original] of weights.parameters) {
      expect([name, bitIdentical(merged.get(name)!, original)]).toEqual([name, !name.endsWith('.bias')]);
    }
    model.dispose();
  });

  it('full: one step changes every parameter', () => {
    const weights = vitWeightsOf(spec);
    const model = buildVit(tf, weights, { mode: 'full' }, 1);
    train(model, 1, 0.5);
    const merged = model.mergedParameters();
    for (const [name, original] of weights.parameters) expect([name, bitIdentical(merged.get(name)!, original)]).toEqual([name, false]);
    model.dispose();
  });
});

describe('merged parameters', () => {
  it('build a plain model whose forward equals the adapted model in eval', () => {
    const weights = vitWeightsOf(spec);
    const adapted = buildVit(tf, weights, LORA, 2);
    train(adapted, 3, 0.5);
    const frozen = buildVit(tf, weights, { mode: 'full' }, 2);
    const plain = buildVit(tf, { architecture: weights.architecture, parameters: adapted.mergedParameters() }, { mode: 'full' }, 2);
    const input = pixels(8);
    const adaptedFeatures = evalFeatures(adapted, input);
    // Training moved the network, so the comparison below can fail.
    expect(maxAbsDifference(adaptedFeatures, evalFeatures(frozen, input))).toBeGreaterThan(1e-2);
    expect(maxAbsDifference(adaptedFeatures, evalFeatures(plain, input))).toBeLessThan(1e-5);
    tf.dispose(input);
    [adapted, frozen, plain].forEach((model) => model.dispose());
  });

  it('keep the shapes of the given weights and pass through parameters the forward does not read', () => {
    const weights = vitWeightsOf(spec);
    const parameters = new Map(weights.parameters);
    parameters.set('mask_token', { shape: [1, spec.embedDim], values: new Float32Array(spec.embedDim).fill(0.5) });
    const model = buildVit(tf, { architecture: weights.architecture, parameters }, LORA, 1);
    const merged = model.mergedParameters();
    expect([...merged.keys()].sort()).toEqual([...parameters.keys()].sort());
    for (const [name, parameter] of parameters) expect([name, merged.get(name)!.shape]).toEqual([name, parameter.shape]);
    expect(merged.get('pos_embed')!.shape).toEqual([1, 1 + 16, spec.embedDim]);
    model.dispose();
  });
});

describe('LoRA dropout', () => {
  it('is seeded per image: equal seeds give equal training forwards, and dropout changes the training forward once B ≠ 0', () => {
    const weights = vitWeightsOf(spec);
    const [first, second] = [buildVit(tf, weights, LORA, 4), buildVit(tf, weights, LORA, 4)];
    train(first, 1, 0.5);
    train(second, 1, 0.5);
    const input = pixels(9);
    const trainingFeatures = (model: VitModel, seeds: number[]) => tf.tidy(() => model.forward(input, seeds).cls.dataSync() as Float32Array);
    const a = trainingFeatures(first, [21, 22]);
    expect(Array.from(a)).toEqual(Array.from(trainingFeatures(second, [21, 22])));
    expect(maxAbsDifference(a, evalFeatures(first, input).subarray(0, a.length))).toBeGreaterThan(1e-4);
    expect(maxAbsDifference(a, trainingFeatures(first, [21, 23]))).toBeGreaterThan(1e-4);
    tf.dispose(input);
    first.dispose();
    second.dispose();
  });

  it("draws an image's masks from its own seed, whatever else shares the forward (micro-batches leave them unchanged)", () => {
    const model = buildVit(tf, vitWeightsOf(spec), LORA, 4);
    train(model, 1, 0.5);
    const input = pixels(9);
    const d = spec.embedDim;
    const together = tf.tidy(() => model.forward(input, [31, 32]).cls.dataSync() as Float32Array);
    const secondAlone = tf.tidy(() => model.forward(tf.slice(input, [1, 0, 0, 0], [1, 3, HEIGHT, WIDTH]), [32]).cls.dataSync() as Float32Array);
    expect(maxAbsDifference(together.subarray(d, 2 * d), secondAlone)).toBeLessThan(1e-6);
    expect(() => model.forward(input, [31])).toThrow(/1 dropout seeds for a batch of 2 images/);
    tf.dispose(input);
    model.dispose();
  });
});

describe('bad input', () => {
  const weights = vitWeightsOf(spec);
  const withParameters = (edit: (parameters: Map<string, ParameterTensor>) => void): VitWeights => {
    const parameters = new Map(weights.parameters);
    edit(parameters);
    return { architecture: weights.architecture, parameters };
  };

  it('names a missing parameter', () => {
    expect(() => buildVit(tf, withParameters((p) => p.delete('blocks.1.mlp.fc2.bias')), { mode: 'full' }, 1)).toThrow(/'blocks\.1\.mlp\.fc2\.bias' is missing/);
  });

  it('names a parameter of the wrong size', () => {
    const bad = withParameters((p) => p.set('pos_embed', { shape: [1, 10, spec.embedDim], values: new Float32Array(10 * spec.embedDim) }));
    expect(() => buildVit(tf, bad, { mode: 'full' }, 1)).toThrow(/'pos_embed' has shape \[1, 10, 32\] with 320 values; the architecture needs 544/);
  });

  it('points at invalid LoRA settings and architectures', () => {
    const error = (() => {
      try {
        buildVit(tf, weights, { mode: 'lora', rank: 0, alpha: 16, dropout: 0.1 }, 1);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(RadprobeError);
    expect((error as RadprobeError).pointer).toBe('/rank');
    expect(() => buildVit(tf, weights, { mode: 'lora', rank: 2, alpha: 16, dropout: 1 }, 1)).toThrow(/dropout 1 must lie in \[0, 1\)/);
    expect(() => buildVit(tf, { ...weights, architecture: { ...weights.architecture, heads: 5 } }, { mode: 'full' }, 1)).toThrow(/heads 5 does not divide embedDim 32/);
  });

  it('rejects pixels that are not [batch, 3, H, W] in whole patches', () => {
    const model = buildVit(tf, weights, { mode: 'bitfit' }, 1);
    const input = tf.zeros([1, 3, 18, 12]) as Tensor4D;
    expect(() => model.forward(input, null)).toThrow(/\[1, 3, 18, 12\] are not \[batch, 3, H, W\] with H and W positive multiples of the patch size 4/);
    tf.dispose(input);
    model.dispose();
  });
});
