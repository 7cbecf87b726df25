import { Random, SgdMomentum, trainingBackend } from '@radprobe/core';
import type { Scalar } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildVit, type VitAdaptation, type VitModel } from '../src/vit/index.js';
import { maxAbsDifference, randomPixels, tinySpec, vitWeightsOf } from './vit-fixture.js';

const tf = await trainingBackend();

const spec = tinySpec({ registers: 4, depth: 3 });
const HEIGHT = 20;
const WIDTH = 12;
const BATCH = 2;

/** Gradients at each of two SGD steps (momentum 0.9) on L = Σ w⊙cls + Σ v⊙patchMean, and the variables after them. */
function twoSteps(adaptation: VitAdaptation, checkpointed: boolean): { gradients: Float32Array[][]; variables: Float32Array[]; leaked: number } {
  const model: VitModel = buildVit(tf, vitWeightsOf(spec), adaptation, 4);
  const random = new Random(5);
  const fixed = () => tf.tensor2d(Float32Array.from({ length: BATCH * spec.embedDim }, () => random.normal()), [BATCH, spec.embedDim]);
  const [clsWeights, patchWeights] = [fixed(), fixed()];
  const input = tf.tensor4d(randomPixels(BATCH * 3 * HEIGHT * WIDTH, 3), [BATCH, 3, HEIGHT, WIDTH]);
  const optimizer = new SgdMomentum(tf, [{ variables: model.variables, learningRate: 0.5 }], 0.9);
  const gradients: Float32Array[][] = [];
  let leaked = -1;
  for (let step = 0; step < 2; step++) {
    const before = tf.memory().numTensors;
    const { grads } = tf.variableGrads(() => {
      const { cls, patchMean } = model.forward(input, [2 * step + 11, 2 * step + 12], checkpointed);
      return tf.add(tf.sum(tf.mul(cls, clsWeights)), tf.sum(tf.mul(patchMean, patchWeights))) as Scalar;
    }, model.variables);
    // The step's tensors: one gradient per variable plus the loss. Anything else at the second step was left
    // behind by the backward (the first also caches the position interpolation matrices for 5×3 patches).
    if (step === 1) leaked = tf.memory().numTensors - before - model.variables.length - 1;
    gradients.push(model.variables.map((variable) => grads[variable.name].dataSync() as Float32Array));
    optimizer.step(grads, 1);
    tf.dispose(Object.values(grads));
  }
  const variables = model.variables.map((variable) => variable.dataSync().slice() as Float32Array);
  optimizer.dispose();
  tf.dispose([clsWeights, patchWeights, input]);
  model.dispose();
  tf.disposeVariables();
  return { gradients, variables, leaked };
}

const flat = (arrays: Float32Array[]) => Float32Array.from(arrays.flatMap((array) => Array.from(array)));

describe('activation checkpointing per block', () => {
  const cases: Array<{ what: string; adaptation: VitAdaptation }> = [
    { what: 'full fine-tuning', adaptation: { mode: 'full' } },
    { what: 'LoRA with dropout 0.3 (the recompute replays the masks)', adaptation: { mode: 'lora', rank: 2, alpha: 4, dropout: 0.3 } },
    { what: 'BitFit', adaptation: { mode: 'bitfit' } },
  ];
  for (const { what, adaptation } of cases) {
    it(`gives the same gradients at both of two steps and the same parameters after them within 1e-5: ${what}`, () => {
      const plain = twoSteps(adaptation, false);
      const checkpointed = twoSteps(adaptation, true);
      for (let step = 0; step < 2; step++) {
        // Gradients must be large against the tolerance for the comparison to mean anything (LoRA's A gets
        // none at the first step, B being 0, hence the second step).
        expect(Math.max(...plain.gradients[step].map((gradient) => maxAbsDifference(gradient, new Float32Array(gradient.length))))).toBeGreaterThan(1e-2);
        plain.gradients[step].forEach((gradient, i) => expect(maxAbsDifference(checkpointed.gradients[step][i], gradient)).toBeLessThan(1e-5));
      }
      expect(maxAbsDifference(flat(checkpointed.variables), flat(plain.variables))).toBeLessThan(1e-5);
      expect(checkpointed.leaked).toBe(0);
      expect(plain.leaked).toBe(0);
    });
  }

  it('gives the same eval features as the plain forward', () => {
    const model = buildVit(tf, vitWeightsOf(spec), { mode: 'full' }, 4);
    const input = tf.tensor4d(randomPixels(BATCH * 3 * HEIGHT * WIDTH, 8), [BATCH, 3, HEIGHT, WIDTH]);
    const features = (checkpointed: boolean) => tf.tidy(() => model.forward(input, null, checkpointed).cls.dataSync() as Float32Array);
    expect(Array.from(features(true))).toEqual(Array.from(features(false)));
    input.dispose();
    model.dispose();
  });
});
