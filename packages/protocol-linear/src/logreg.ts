import { trainingBackend } from '@radprobe/core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { minimizeLbfgs, type Evaluation, type LbfgsResult } from './lbfgs.js';

/** A fitted L2 logistic regression: `logits = x·W + b`, W row-major `[dim, outputs]`. */
export interface LogisticModel {
  weights: Float64Array;
  bias: Float64Array;
  dim: number;
  outputs: number;
  fit: LbfgsResult;
}

/** The training problem: `x` row-major `[rows, dim]`; labels (softmax) or 0/1 targets `[rows, outputs]` (sigmoid). */
export interface LogisticProblem {
  x: Float32Array;
  rows: number;
  dim: number;
  outputs: number;
  /** `softmax`: multinomial over `outputs` classes (labels); `sigmoid`: one-vs-rest, independent outputs (targets). */
  link: 'softmax' | 'sigmoid';
  labels?: Int32Array;
  targets?: Float32Array;
}

/**
 * Minimises `C · Σ_i loss_i + ½‖W‖²` (scikit-learn's objective; the bias is not penalised) with L-BFGS, from
 * `start` (W then b) or zeros. One-vs-rest outputs are separate problems whose objectives add up, so one L-BFGS on
 * the sum reaches every problem's own minimiser. Values and gradients come from the compute backend in float32.
 */
export async function fitLogistic(problem: LogisticProblem, c: number, maxIterations: number, start?: Float64Array): Promise<LogisticModel> {
  const tf = await trainingBackend();
  const { rows, dim, outputs } = problem;
  const x = tf.tensor2d(problem.x, [rows, dim]);
  // tfjs-wasm multiplies a pre-transposed matrix about 10× faster than with transposeA.
  const xT = tf.tidy(() => tf.transpose(x) as Tensor2D);
  const truth = problem.link === 'softmax' ? tf.oneHot(tf.tensor1d(problem.labels!, 'int32'), outputs) : tf.tensor2d(problem.targets!, [rows, outputs]);
  const size = dim * outputs + outputs;
  const evaluate = async (params: Float64Array): Promise<Evaluation> => {
    const [lossTensor, gradW, gradB] = tf.tidy(() => {
      const w = tf.tensor2d(Float32Array.from(params.subarray(0, dim * outputs)), [dim, outputs]);
      const b = tf.tensor1d(Float32Array.from(params.subarray(dim * outputs)));
      const z = tf.add(tf.matMul(x, w), b);
      const loss =
        problem.link === 'softmax' ? tf.sum(tf.sub(tf.logSumExp(z, 1), tf.sum(tf.mul(truth, z), 1))) : tf.sum(tf.sub(tf.softplus(z), tf.mul(truth, z)));
      const residual = tf.sub(problem.link === 'softmax' ? tf.softmax(z) : tf.sigmoid(z), truth);
      return [loss, tf.matMul(xT, residual), tf.sum(residual, 0)];
    });
    const [loss, gw, gb] = await Promise.all([lossTensor.data(), gradW.data(), gradB.data()]);
    tf.dispose([lossTensor, gradW, gradB]);
    let penalty = 0;
    const gradient = new Float64Array(size);
    for (let i = 0; i < dim * outputs; i++) {
      penalty += params[i] * params[i];
      gradient[i] = c * gw[i] + params[i];
    }
    for (let o = 0; o < outputs; o++) gradient[dim * outputs + o] = c * gb[o];
    return { value: c * loss[0] + penalty / 2, gradient };
  };
  try {
    const fit = await minimizeLbfgs(evaluate, start ?? new Float64Array(size), { maxIterations });
    return { weights: fit.x.slice(0, dim * outputs), bias: fit.x.slice(dim * outputs), dim, outputs, fit };
  } finally {
    tf.dispose([x, xT, truth]);
  }
}

/** Logits `[rows, outputs]` of the model on row-major `x`. */
export function logisticLogits(model: LogisticModel, x: Float32Array, rows: number): Float32Array {
  const { weights, bias, dim, outputs } = model;
  const out = new Float32Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outputs; o++) {
      let sum = bias[o];
      for (let t = 0; t < dim; t++) sum += x[r * dim + t] * weights[t * outputs + o];
      out[r * outputs + o] = sum;
    }
  }
  return out;
}

/** The parameters of a model as an L-BFGS start (warm start along the C path). */
export function parametersOf(model: LogisticModel): Float64Array {
  const out = new Float64Array(model.weights.length + model.bias.length);
  out.set(model.weights);
  out.set(model.bias, model.weights.length);
  return out;
}
