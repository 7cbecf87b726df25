import { Random } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { fitLogisticPath, resolveLinearOptions, type LogisticProblem } from '../src/index.js';
import { logisticObjective, referenceLogistic } from './logistic-reference.js';

/**
 * `rows` feature vectors labelled by a fixed linear rule, a share of them relabelled at random. Like a backbone's
 * features, they are correlated, of unequal scales (singular values falling as 1/(1 + d)) and not centred, and with
 * few rows per dimension the classes are (nearly) separable: at large C the minimum lies far out, where a first-order
 * method on such a problem stalls.
 */
function problem(link: 'softmax' | 'sigmoid', options: { rows: number; dim: number; outputs: number; noise: number; seed: number; scale: number }): LogisticProblem {
  const { rows, dim, outputs, scale } = options;
  const random = new Random(options.seed);
  const rule = Array.from({ length: dim * outputs }, () => random.normal());
  const mixing = Array.from({ length: dim * dim }, (_, i) => random.normal() / (1 + (i % dim)));
  const latent = Array.from({ length: rows * dim }, () => random.normal());
  const x = Float32Array.from({ length: rows * dim }, (_, i) => {
    const [r, d] = [Math.floor(i / dim), i % dim];
    let sum = 0;
    for (let k = 0; k < dim; k++) sum += latent[r * dim + k] * mixing[k * dim + d];
    return scale * (sum + 0.5);
  });
  const scores = (r: number) => Array.from({ length: outputs }, (_, o) => rule.reduce((sum, w, t) => (t % outputs === o ? sum + w * x[r * dim + Math.floor(t / outputs)] : sum), 0));
  const flip = () => random.next() < options.noise;
  if (link === 'softmax') {
    const labels = Int32Array.from({ length: rows }, (_, r) => (flip() ? random.int(outputs) : scores(r).indexOf(Math.max(...scores(r)))));
    return { x, rows, dim, outputs, link, labels };
  }
  const targets = new Float32Array(rows * outputs);
  for (let r = 0; r < rows; r++) scores(r).forEach((z, o) => (targets[r * outputs + o] = (z > 0) !== flip() ? 1 : 0));
  return { x, rows, dim, outputs, link, targets };
}

const cases: Array<[string, LogisticProblem]> = [
  ['multinomial, 10 % label noise', problem('softmax', { rows: 160, dim: 32, outputs: 4, noise: 0.1, seed: 3, scale: 3 })],
  ['multinomial, separable', problem('softmax', { rows: 160, dim: 16, outputs: 3, noise: 0, seed: 5, scale: 1 })],
  ['one-vs-rest multi-label, 5 % label noise', problem('sigmoid', { rows: 200, dim: 24, outputs: 3, noise: 0.05, seed: 7, scale: 2 })],
];

describe('logistic regression reaches the optimum of its objective along the whole C path', () => {
  const { logregC, logregMaxIterations } = resolveLinearOptions({ method: 'logreg' });
  for (const [name, logistic] of cases) {
    it(`${name}: every C within 1e-4 relative of a float64 Newton solution`, async () => {
      const gaps: string[] = [];
      const fits = await fitLogisticPath(logistic, logregC, logregMaxIterations);
      fits.forEach((model, i) => {
        const c = logregC[i];
        const reference = referenceLogistic(logistic, c);
        const reached = logisticObjective(logistic, c, Float64Array.from([...model.weights, ...model.bias]));
        const gap = (reached - reference.objective) / Math.abs(reference.objective);
        if (!(gap <= 1e-4) || model.fit.stop === 'iterations') gaps.push(`C=${c.toPrecision(3)}: ${gap.toExponential(2)} after ${model.fit.iterations} iterations (${model.fit.stop})`);
      });
      expect(gaps).toEqual([]);
    }, 240_000);
  }
});
