import { describe, expect, it } from 'vitest';
import { Random, bceWithLogitsLoss, crossEntropyLoss, trainingBackend } from '../src/index.js';

const tf = await trainingBackend();

function randomValues(random: Random, count: number, scale = 1): number[] {
  return Array.from({ length: count }, () => scale * random.normal());
}

/** Central differences in float64 of a loss written independently in plain JS. */
function finiteDifferences(f: (params: number[]) => number, params: number[], step = 1e-6): number[] {
  return params.map((_, i) => {
    const plus = params.slice();
    const minus = params.slice();
    plus[i] += step;
    minus[i] -= step;
    return (f(plus) - f(minus)) / (2 * step);
  });
}

const softplus = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));

/** logits[b][j] = Σ_t x[b][t] w[t][j] + bias[j], with `params` = w (row-major [dim, width]) then bias. */
function linearLogits(x: number[], rows: number, dim: number, width: number, params: number[]): number[] {
  const out = new Array<number>(rows * width).fill(0);
  for (let b = 0; b < rows; b++) {
    for (let j = 0; j < width; j++) {
      let sum = params[dim * width + j];
      for (let t = 0; t < dim; t++) sum += x[b * dim + t] * params[t * width + j];
      out[b * width + j] = sum;
    }
  }
  return out;
}

function tfjsGradient(x: number[], rows: number, dim: number, width: number, params: number[], loss: (logits: ReturnType<typeof tf.tensor2d>) => ReturnType<typeof tf.scalar>): number[] {
  const weights = tf.variable(tf.tensor2d(params.slice(0, dim * width), [dim, width]));
  const bias = tf.variable(tf.tensor1d(params.slice(dim * width)));
  const gradient = tf.tidy(() => {
    const input = tf.tensor2d(x, [rows, dim]);
    const { grads } = tf.variableGrads(() => loss(tf.add(tf.matMul(input, weights), bias) as ReturnType<typeof tf.tensor2d>), [weights, bias]);
    return [...grads[weights.name].dataSync(), ...grads[bias.name].dataSync()];
  });
  weights.dispose();
  bias.dispose();
  return gradient;
}

describe('gradients of a linear head through tfjs', () => {
  const random = new Random(3);
  const rows = 5;
  const dim = 4;

  it('match finite differences for multi-label BCE over two heads', () => {
    const classes = 3;
    const width = 2 * classes;
    const x = randomValues(random, rows * dim);
    const targets = Array.from({ length: rows * classes }, () => random.int(2));
    const params = randomValues(random, dim * width + width, 0.5);
    const reference = (p: number[]) => {
      const z = linearLogits(x, rows, dim, width, p);
      let sum = 0;
      z.forEach((value, cell) => {
        const y = targets[Math.floor(cell / width) * classes + (cell % width) % classes];
        sum += softplus(value) - y * value;
      });
      return sum / classes;
    };
    const expected = finiteDifferences(reference, params);
    const actual = tfjsGradient(x, rows, dim, width, params, (z) => bceWithLogitsLoss(tf, z, tf.tensor2d(targets, [rows, classes])));
    actual.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 4));
  });

  it('match finite differences for cross-entropy over two heads', () => {
    const classes = 3;
    const width = 2 * classes;
    const x = randomValues(random, rows * dim);
    const labels = Array.from({ length: rows }, () => random.int(classes));
    const params = randomValues(random, dim * width + width, 0.5);
    const reference = (p: number[]) => {
      const z = linearLogits(x, rows, dim, width, p);
      let sum = 0;
      for (let b = 0; b < rows; b++) {
        for (let h = 0; h < 2; h++) {
          const head = z.slice(b * width + h * classes, b * width + (h + 1) * classes);
          const top = Math.max(...head);
          const logSum = top + Math.log(head.reduce((s, v) => s + Math.exp(v - top), 0));
          sum += logSum - head[labels[b]];
        }
      }
      return sum / rows;
    };
    const expected = finiteDifferences(reference, params);
    const actual = tfjsGradient(x, rows, dim, width, params, (z) => crossEntropyLoss(tf, z, tf.tensor1d(labels, 'int32'), classes));
    actual.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 4));
  });
});

describe('registered kernel gradients', () => {
  it('match finite differences through transposed products, sub, mul, neg, sum and reshape', () => {
    // f is quadratic in each parameter, so central differences are exact up to float32 rounding.
    const random = new Random(9);
    const a0 = randomValues(random, 6);
    const b0 = randomValues(random, 6);
    const c = tf.tensor2d(randomValues(random, 4), [2, 2]);
    const d = tf.tensor1d(randomValues(random, 4));
    const f = (a: ReturnType<typeof tf.tensor2d>, b: ReturnType<typeof tf.tensor2d>) => {
      const plain = tf.matMul(a, tf.reshape(b, [3, 2]));
      const transposedA = tf.matMul(tf.reshape(a, [3, 2]), tf.reshape(b, [3, 2]), true, false);
      const transposedB = tf.matMul(a, tf.reshape(b, [2, 3]), false, true);
      const both = tf.matMul(tf.reshape(a, [3, 2]), tf.reshape(b, [2, 3]), true, true);
      const mixed = tf.sub(tf.add(plain, transposedA), tf.neg(tf.mul(transposedB, c)));
      return tf.sum(tf.mul(tf.reshape(tf.add(mixed, both), [4]), d));
    };
    const gradient = tf.tidy(() => {
      const grads = tf.grads((a, b) => f(a as ReturnType<typeof tf.tensor2d>, b as ReturnType<typeof tf.tensor2d>))([tf.tensor2d(a0, [2, 3]), tf.tensor2d(b0, [2, 3])]);
      return [...grads[0].dataSync(), ...grads[1].dataSync()];
    });
    const value = (p: number[]) => tf.tidy(() => f(tf.tensor2d(p.slice(0, 6), [2, 3]), tf.tensor2d(p.slice(6), [2, 3])).dataSync()[0]);
    const expected = finiteDifferences(value, [...a0, ...b0], 0.25);
    gradient.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 3));
  });
});
