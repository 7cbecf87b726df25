import type { Tensor } from '@tensorflow/tfjs-core';
import { Random, type TensorFlow } from '../src/index.js';

export interface GradientCheck {
  /** Largest |analytic − finite difference| over every element of every input. */
  maxError: number;
  /** Largest |analytic| gradient element, the scale the error is judged against. */
  maxGradient: number;
}

/**
 * Compares tfjs's gradients of `L = Σ w ⊙ f(inputs)` (w: fixed random weights, so every output element matters
 * with a different sign and size) against central differences `(L(x + h) − L(x − h)) / 2h`, one input element at
 * a time. f runs in float32; L is summed in float64 from f's output so the difference quotient carries only f's
 * own rounding: about 1e-7 relative per output element, i.e. ≲ 1e-7·|f|·√n / h absolute in the quotient.
 */
export function checkGradients(tf: TensorFlow, f: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], step: number, seed = 1): GradientCheck {
  const random = new Random(seed);
  const outputShape = tf.tidy(() => f(...inputs).shape);
  const weights = Float64Array.from({ length: outputShape.reduce((a, b) => a * b, 1) }, () => random.normal());
  const loss = (values: Tensor[]) =>
    tf.tidy(() => {
      const output = f(...values).dataSync();
      let sum = 0;
      for (let i = 0; i < output.length; i++) sum += weights[i] * output[i];
      return sum;
    });
  const analytic = tf.tidy(() => {
    const w = tf.tensor(Float32Array.from(weights), outputShape);
    return tf.grads((...xs: Tensor[]) => tf.sum(tf.mul(f(...xs), w)))(inputs).map((gradient) => gradient.dataSync());
  });
  let maxError = 0;
  let maxGradient = 0;
  inputs.forEach((input, k) => {
    const base = input.dataSync();
    for (let i = 0; i < base.length; i++) {
      // The step is divided by exactly as stored in float32, not as asked for.
      const up = Math.fround(base[i] + step);
      const down = Math.fround(base[i] - step);
      const lossAt = (value: number) => {
        const values = Float32Array.from(base);
        values[i] = value;
        const perturbed = tf.tensor(values, input.shape);
        const result = loss(inputs.map((other, j) => (j === k ? perturbed : other)));
        perturbed.dispose();
        return result;
      };
      const numeric = (lossAt(up) - lossAt(down)) / (up - down);
      maxError = Math.max(maxError, Math.abs(numeric - analytic[k][i]));
      maxGradient = Math.max(maxGradient, Math.abs(analytic[k][i]));
    }
  });
  return { maxError, maxGradient };
}

export function randomTensor(tf: TensorFlow, random: Random, shape: number[], scale = 1): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => scale * random.normal()), shape);
}
