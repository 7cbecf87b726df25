import { Random, trainingBackend } from '@radprobe/core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildVit, type VitModel } from '../src/vit/index.js';
import { transposedValues } from '../src/vit/transposed-values.js';
import { gelu, layerNorm } from '../src/vit/vit-layers.js';
import { erfReference } from './vit-erf-reference.js';
import { randomPixels, tinySpec, vitWeightsOf } from './vit-fixture.js';

const tf = await trainingBackend();
const random = new Random(21);
const values = (count: number, scale = 1, offset = 0) => Array.from({ length: count }, () => offset + scale * random.normal());

/** Central differences (step 1e-6) of a float64 JavaScript function, one parameter at a time. */
function finiteDifferences(f: (params: number[]) => number, params: number[]): number[] {
  const step = 1e-6;
  return params.map((_, i) => {
    const [up, down] = [params.slice(), params.slice()];
    up[i] += step;
    down[i] -= step;
    return (f(up) - f(down)) / (2 * step);
  });
}

/** Gradients by tfjs of Σ w ⊙ f(inputs), flattened input after input. */
function tfjsGradients(f: (...inputs: Tensor[]) => Tensor, inputs: Array<{ values: number[]; shape: number[] }>, weights: number[]): number[] {
  return tf.tidy(() => {
    const tensors = inputs.map((input) => tf.tensor(input.values, input.shape));
    const w = tf.tensor(weights);
    const grads = tf.grads((...xs: Tensor[]) => tf.sum(tf.mul(tf.reshape(f(...xs), [-1]), w)))(tensors);
    return grads.flatMap((gradient) => Array.from(gradient.dataSync()));
  });
}

describe('hand-written gradients of the ViT layers against float64 central differences', () => {
  it('LayerNorm (x, weight, bias)', () => {
    const [rows, d, epsilon] = [3, 5, 1e-6];
    const x = values(rows * d, 2, 0.5);
    const gain = values(d, 0.3, 1);
    const offset = values(d, 0.3);
    const w = values(rows * d);
    const loss = (params: number[]) => {
      let total = 0;
      for (let row = 0; row < rows; row++) {
        const slice = params.slice(row * d, (row + 1) * d);
        const mean = slice.reduce((a, b) => a + b, 0) / d;
        const variance = slice.reduce((a, b) => a + (b - mean) ** 2, 0) / d;
        slice.forEach((value, c) => {
          const y = ((value - mean) / Math.sqrt(variance + epsilon)) * params[rows * d + c] + params[rows * d + d + c];
          total += w[row * d + c] * y;
        });
      }
      return total;
    };
    const expected = finiteDifferences(loss, [...x, ...gain, ...offset]);
    const actual = tfjsGradients((a, b, c) => layerNorm(tf, a as Tensor2D, b, c, epsilon), [{ values: x, shape: [rows, d] }, { values: gain, shape: [d] }, { values: offset, shape: [d] }], w);
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0.1);
    actual.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 4));
  });

  it('exact GELU, including far into both tails', () => {
    const x = [...values(10, 1.5), -4.5, -3, 3, 4.5];
    const w = values(x.length);
    const loss = (params: number[]) => params.reduce((total, value, i) => total + w[i] * 0.5 * value * (1 + erfReference(value / Math.SQRT2)), 0);
    const expected = finiteDifferences(loss, x);
    const actual = tfjsGradients((a) => gelu(tf, a as Tensor2D), [{ values: x, shape: [2, 7] }], w);
    actual.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 4));
  });

  it('GELU forward is the exact erf form: GELU(1) = ½(1 + erf(1/√2)) = 0.841344746, GELU(−1) = −0.158655254', () => {
    // Φ(1) = 0.8413447460685429 (the standard normal CDF), so GELU(1) = Φ(1) and GELU(−1) = −(1 − Φ(1)).
    const out = tf.tidy(() => gelu(tf, tf.tensor2d([1, -1], [1, 2])).dataSync());
    expect(out[0]).toBeCloseTo(0.8413447460685429, 6);
    expect(out[1]).toBeCloseTo(-0.15865525393145707, 6);
  });
});

describe('the whole ViT', () => {
  it('has gradients equal to central differences of its loss for sampled elements of every kind of parameter', () => {
    // Grid 2×2 trained, input 6×4 in patches of 2 → a 3×2 grid: the interpolation and the registers take part.
    const weights = vitWeightsOf(tinySpec({ embedDim: 8, depth: 1, heads: 2, patchSize: 2, posGrid: 2, registers: 1 }));
    const pixels = tf.tensor4d(randomPixels(2 * 3 * 6 * 4, 4), [2, 3, 6, 4]);
    const w = tf.tensor2d(values(2 * 8), [2, 8]);
    const lossOf = (model: VitModel) => {
      const { cls, patchMean } = model.forward(pixels, null);
      return tf.sum(tf.mul(tf.add(cls, tf.mul(patchMean, 2)), w)) as never;
    };
    const model = buildVit(tf, weights, { mode: 'full' }, 1);
    const names = [...weights.parameters.keys()];
    const { value, grads } = tf.variableGrads(() => lossOf(model), model.variables);
    // model.variables follow the canonical parameter order of the given weights; Linear weights (and the patch
    // projection) are held transposed, [in, out], so their gradients are transposed back to PyTorch's layout.
    const analytic = new Map<string, ArrayLike<number>>(
      model.variables.map((variable, index) => {
        const gradient = grads[variable.name].dataSync();
        const isMatrix = names[index].endsWith('.weight') && weights.parameters.get(names[index])!.shape.length > 1;
        return [names[index], isMatrix ? transposedValues(gradient, variable.shape[0]!, variable.shape[1]!) : gradient];
      }),
    );
    tf.dispose([value, ...Object.values(grads)]);
    model.dispose();
    expect(Math.max(...[...analytic.values()].flatMap((gradient) => Array.from(gradient, Math.abs)))).toBeGreaterThan(0.1);
    const step = 1e-2;
    const lossWith = (name: string, element: number, delta: number) => {
      const parameters = new Map(weights.parameters);
      const changed = parameters.get(name)!;
      const shifted = changed.values.slice();
      shifted[element] += delta;
      parameters.set(name, { shape: changed.shape, values: shifted });
      const perturbed = buildVit(tf, { architecture: weights.architecture, parameters }, { mode: 'full' }, 1);
      const value = tf.tidy(() => (lossOf(perturbed) as Tensor).dataSync()[0]);
      perturbed.dispose();
      return value;
    };
    for (const name of names) {
      const size = weights.parameters.get(name)!.values.length;
      for (const element of [0, Math.floor(size / 2), size - 1]) {
        const numeric = (lossWith(name, element, step) - lossWith(name, element, -step)) / (2 * step);
        const gradient = analytic.get(name)![element];
        // float32 forward: rounding ≈ 1e-6·|L|/h ≈ 1e-3 plus truncation h²·|f'''|/6; the bound leaves margin.
        expect([name, element, Math.abs(gradient - numeric) < 1e-2 * Math.max(1, Math.abs(numeric))]).toEqual([name, element, true]);
      }
    }
    tf.dispose([pixels, w]);
  });
});
