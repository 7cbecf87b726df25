import { symmetricEigen, trainingBackend } from '@radprobe/core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { minimizeNewtonCg, type CurvedPoint, type NewtonResult, type SecondOrderObjective } from './newton-cg.js';

/** A fitted L2 logistic regression: `logits = x·W + b`, W row-major `[dim, outputs]`. */
export interface LogisticModel {
  weights: Float64Array;
  bias: Float64Array;
  dim: number;
  outputs: number;
  fit: NewtonResult;
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
 * When a fit stops: the gradient down to float32's rounding of its terms, or a step that lowers the objective by
 * less than its own rounding.
 */
const GRADIENT_TOLERANCE = 1e-7;
const RELATIVE_DECREASE = 1e-12;
/** Conjugate-gradient iterations per Newton step (scikit-learn's newton-cg allows 200). */
const CG_ITERATIONS = 200;
/** An upper bound of a row's loss curvature per unit of logit (σ(z)σ(−z) ≤ ¼), for the change of variables. */
const CURVATURE_BOUND = 0.25;

type Backend = Awaited<ReturnType<typeof trainingBackend>>;

/**
 * The training features of a problem, centred, and the eigenvectors of their scatter `XcᵀXc`: every C of a path is
 * solved in this basis, scaled per C so that the Hessian is close to the identity (below). Built once per problem.
 */
interface LogisticBasis {
  mean: Float64Array;
  /** Eigenvalues of the scatter, and its unit eigenvectors as the columns of a row-major `[dim, dim]` matrix. */
  eigenvalues: Float64Array;
  eigenvectors: Float64Array;
  /** `[rows, dim]` centred features in the eigenbasis: `Xc·Q`. */
  projected: Tensor2D;
}

async function logisticBasis(tf: Backend, problem: LogisticProblem): Promise<LogisticBasis> {
  const { rows, dim } = problem;
  const mean = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let d = 0; d < dim; d++) mean[d] += problem.x[r * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= Math.max(rows, 1);
  const centred = tf.tidy(() => tf.sub(tf.tensor2d(problem.x, [rows, dim]), tf.tensor1d(Float32Array.from(mean))) as Tensor2D);
  const scatterTensor = tf.tidy(() => tf.matMul(tf.transpose(centred), centred));
  const scatter = await scatterTensor.data();
  scatterTensor.dispose();
  const { values, vectors } = symmetricEigen(scatter, dim);
  const eigenvectors = new Float64Array(dim * dim);
  for (let j = 0; j < dim; j++) for (let d = 0; d < dim; d++) eigenvectors[d * dim + j] = vectors[j * dim + d];
  const projected = tf.tidy(() => tf.matMul(centred, tf.tensor2d(Float32Array.from(eigenvectors), [dim, dim])) as Tensor2D);
  centred.dispose();
  return { mean, eigenvalues: Float64Array.from(values, (value) => Math.max(value, 0)), eigenvectors, projected };
}

/**
 * Minimises `C · Σ_i loss_i + ½‖W‖²` (scikit-learn's objective; the bias is not penalised) by Newton–CG from
 * `start` (W then b) or zeros. One-vs-rest outputs are separate problems whose objectives add up, so one minimisation
 * of the sum reaches every problem's own minimiser.
 */
export async function fitLogistic(problem: LogisticProblem, c: number, maxIterations: number, start?: Float64Array): Promise<LogisticModel> {
  return (await fitLogisticPath(problem, [c], maxIterations, undefined, start))[0];
}

/**
 * Fits every C of `cs` in order, each warm-started from the previous C's solution (upstream's path; the first from
 * `start` or zeros), and returns the models in the same order.
 */
export async function fitLogisticPath(
  problem: LogisticProblem,
  cs: readonly number[],
  maxIterations: number,
  afterEach?: (index: number) => void,
  start?: Float64Array,
): Promise<LogisticModel[]> {
  const tf = await trainingBackend();
  const basis = await logisticBasis(tf, problem);
  const split = problem.dim * problem.outputs;
  const models: LogisticModel[] = [];
  try {
    let previous = start ?? new Float64Array(split + problem.outputs);
    for (const [index, c] of cs.entries()) {
      const model = await fitInBasis(tf, problem, basis, c, maxIterations, previous);
      models.push(model);
      previous = parametersOf(model);
      afterEach?.(index);
    }
  } finally {
    basis.projected.dispose();
  }
  return models;
}

/**
 * One C, solved in scaled variables. With `d_j = s·C·λ_j + 1` (λ the scatter's eigenvalues, s a bound of the loss
 * curvature), W = Q·diag(d)^−½·W̃ and the centred bias b' = b + μᵀW = b̃/√(s·C·N + 1), the Hessian in (W̃, b̃) is close
 * to the identity wherever the rows' curvature is near its bound: conjugate gradients then converge in a few
 * iterations, and float32 products of the scaled features lose nothing to the spread of the features' scales. In
 * the original variables the condition number grows like C·λ_max (10¹⁰ at C = 10⁵ on unnormalised features),
 * where CG in float32 makes no progress and L-BFGS stalls.
 *
 * The matrix products run on the compute backend in float32. Every per-row loss, gradient and curvature term is
 * written without cancellation (a well-classified row's loss is e^−|margin|, not the difference of two numbers near
 * |margin|), and the row losses are summed in float64: at large C the objective is a sum of many tiny terms.
 */
async function fitInBasis(tf: Backend, problem: LogisticProblem, basis: LogisticBasis, c: number, maxIterations: number, start: Float64Array): Promise<LogisticModel> {
  const { dim, outputs } = problem;
  const scales = Float64Array.from(basis.eigenvalues, (lambda) => 1 / Math.sqrt(CURVATURE_BOUND * c * lambda + 1));
  const biasScale = 1 / Math.sqrt(CURVATURE_BOUND * c * problem.rows + 1);
  const change = new VariableChange(basis, scales, biasScale, dim, outputs);
  const objective = scaledObjective(tf, problem, basis, scales, biasScale, c);
  try {
    const fit = await minimizeNewtonCg(objective, change.toScaled(start), {
      maxIterations,
      tolerance: GRADIENT_TOLERANCE,
      relativeDecrease: RELATIVE_DECREASE,
      maxCgIterations: CG_ITERATIONS,
    });
    const original = change.toOriginal(fit.x);
    return { weights: original.subarray(0, dim * outputs), bias: original.subarray(dim * outputs), dim, outputs, fit: { ...fit, x: original } };
  } finally {
    objective.dispose();
  }
}

/** Between the original parameters (W `[dim, outputs]` row-major, then b) and the scaled ones of `fitInBasis`. */
class VariableChange {
  constructor(
    private readonly basis: LogisticBasis,
    private readonly scales: Float64Array,
    private readonly biasScale: number,
    private readonly dim: number,
    private readonly outputs: number,
  ) {}

  /** W̃ = diag(d)^½·Qᵀ·W, b̃ = (b + μᵀW)·√(s·C·N + 1). */
  toScaled(parameters: Float64Array): Float64Array {
    const { dim, outputs } = this;
    const { eigenvectors, mean } = this.basis;
    const out = new Float64Array(parameters.length);
    for (let j = 0; j < dim; j++) {
      for (let o = 0; o < outputs; o++) {
        let sum = 0;
        for (let d = 0; d < dim; d++) sum += eigenvectors[d * dim + j] * parameters[d * outputs + o];
        out[j * outputs + o] = sum / this.scales[j];
      }
    }
    for (let o = 0; o < outputs; o++) {
      let centred = parameters[dim * outputs + o];
      for (let d = 0; d < dim; d++) centred += mean[d] * parameters[d * outputs + o];
      out[dim * outputs + o] = centred / this.biasScale;
    }
    return out;
  }

  /** W = Q·diag(d)^−½·W̃, b = b̃/√(s·C·N + 1) − μᵀW. */
  toOriginal(scaled: Float64Array): Float64Array {
    const { dim, outputs } = this;
    const { eigenvectors, mean } = this.basis;
    const out = new Float64Array(scaled.length);
    for (let d = 0; d < dim; d++) {
      for (let o = 0; o < outputs; o++) {
        let sum = 0;
        for (let j = 0; j < dim; j++) sum += eigenvectors[d * dim + j] * this.scales[j] * scaled[j * outputs + o];
        out[d * outputs + o] = sum;
      }
    }
    for (let o = 0; o < outputs; o++) {
      let bias = scaled[dim * outputs + o] * this.biasScale;
      for (let d = 0; d < dim; d++) bias -= mean[d] * out[d * outputs + o];
      out[dim * outputs + o] = bias;
    }
    return out;
  }
}

/**
 * The objective of one C in the scaled variables, on the compute backend: logits `X̃·W̃ + t·b̃` with
 * X̃ = Xc·Q·diag(d)^−½ and t = 1/√(s·C·N + 1), penalty ½·Σ_j ‖W̃_j‖²/d_j (= ½‖W‖², Q being orthogonal).
 * `dispose` frees its tensors.
 */
function scaledObjective(tf: Backend, problem: LogisticProblem, basis: LogisticBasis, scales: Float64Array, biasScale: number, c: number): SecondOrderObjective & { dispose(): void } {
  const { rows, dim, outputs } = problem;
  const split = dim * outputs;
  const x = tf.tidy(() => tf.mul(basis.projected, tf.tensor1d(Float32Array.from(scales))) as Tensor2D);
  // tfjs-wasm multiplies a pre-transposed matrix about 10× faster than with transposeA.
  const xT = tf.tidy(() => tf.transpose(x) as Tensor2D);
  const truth = problem.link === 'softmax' ? tf.oneHot(tf.tensor1d(problem.labels!, 'int32'), outputs) : tf.tensor2d(problem.targets!, [rows, outputs]);
  const terms = problem.link === 'softmax' ? softmaxTerms : sigmoidTerms;
  const penaltyWeight = (index: number) => scales[Math.floor(index / outputs)] ** 2;
  // What the Hessian-vector products of the latest point need; replaced (and freed) by the next point.
  let curvature: Tensor | null = null;

  /** The logits at parameters `v` (W̃ then b̃), or, for a direction `v`, how they move along it. */
  const logitsAlong = (v: Float64Array) => {
    const w = tf.tensor2d(Float32Array.from(v.subarray(0, split)), [dim, outputs]);
    const b = tf.tensor1d(Float32Array.from(v.subarray(split), (value) => value * biasScale));
    return tf.add(tf.matMul(x, w), b);
  };
  /** `C · Σ loss + ½‖W‖²` from the per-row losses, summed in float64. */
  const total = (rowLoss: ArrayLike<number>, params: Float64Array) => {
    let loss = 0;
    for (let r = 0; r < rowLoss.length; r++) loss += rowLoss[r];
    let penalty = 0;
    for (let i = 0; i < split; i++) penalty += penaltyWeight(i) * params[i] * params[i];
    return c * loss + penalty / 2;
  };
  /**
   * `[C·X̃ᵀ·R + P·v; C·t·Σ R]` from a `[rows, outputs]` tensor R (P the penalty's diagonal), and the larger of its
   * two parts' magnitudes.
   */
  const backProject = async (perRow: Tensor, v: Float64Array) => {
    const [w, b] = tf.tidy(() => [tf.matMul(xT, perRow), tf.sum(perRow, 0)]);
    const [gw, gb] = await Promise.all([w.data(), b.data()]);
    tf.dispose([w, b]);
    const out = new Float64Array(split + outputs);
    let lossScale = 0;
    let penaltyScale = 0;
    for (let i = 0; i < split; i++) {
      const penalty = penaltyWeight(i) * v[i];
      out[i] = c * gw[i] + penalty;
      lossScale = Math.max(lossScale, Math.abs(c * gw[i]));
      penaltyScale = Math.max(penaltyScale, Math.abs(penalty));
    }
    for (let o = 0; o < outputs; o++) {
      out[split + o] = c * biasScale * gb[o];
      lossScale = Math.max(lossScale, Math.abs(out[split + o]));
    }
    return { out, scale: Math.max(lossScale, penaltyScale) };
  };

  return {
    async value(params) {
      const rowLoss = tf.tidy(() => terms(tf, logitsAlong(params), truth).rowLoss);
      const losses = await rowLoss.data();
      rowLoss.dispose();
      return total(losses, params);
    },
    async point(params): Promise<CurvedPoint> {
      const { rowLoss, residual, hessian } = tf.tidy(() => {
        const t = terms(tf, logitsAlong(params), truth);
        return { rowLoss: t.rowLoss, residual: t.residual, hessian: t.hessian };
      });
      curvature?.dispose();
      curvature = hessian;
      const losses = await rowLoss.data();
      const { out: gradient, scale } = await backProject(residual, params);
      tf.dispose([rowLoss, residual]);
      return {
        value: total(losses, params),
        gradient,
        gradientScale: scale,
        async hessianTimes(v) {
          if (curvature !== hessian) throw new Error('Hessian products of a point are valid until the next point is evaluated');
          const direction = tf.tidy(() => curvatureTimes(tf, hessian, logitsAlong(v), truth, problem.link));
          const { out } = await backProject(direction, v);
          direction.dispose();
          return out;
        },
      };
    },
    dispose() {
      curvature?.dispose();
      tf.dispose([x, xT, truth]);
    },
  };
}

/** `max(t, 0) + log(1 + e^−|t|)`: log(1 + eᵗ) without overflow, and without rounding e^t away for t ≪ 0. */
function softplus(tf: Backend, t: Tensor): Tensor {
  return tf.add(tf.relu(t), tf.log1p(tf.exp(tf.neg(tf.abs(t)))));
}

interface LinkTerms {
  /** `[rows]` loss of each row. */
  rowLoss: Tensor;
  /** `[rows, outputs]` derivative of each row's loss with respect to its logits. */
  residual: Tensor;
  /** What `curvatureTimes` needs: σ(z)·σ(−z) (sigmoid), or the probabilities of the wrong classes (softmax). */
  hessian: Tensor;
}

/**
 * Per-row loss `Σ_o softplus(z) − y·z` written as `y·softplus(−z) + (1 − y)·softplus(z)`, the residual
 * `σ(z) − y` as `(1 − y)·σ(z) − y·σ(−z)`, and the curvature σ(z)(1 − σ(z)) as σ(z)·σ(−z): the same numbers, each
 * a sum or product of non-negative terms.
 */
function sigmoidTerms(tf: Backend, z: Tensor, y: Tensor): LinkTerms {
  const notY = tf.sub(1, y);
  const positive = tf.sigmoid(z);
  const negative = tf.sigmoid(tf.neg(z));
  return {
    rowLoss: tf.sum(tf.add(tf.mul(y, softplus(tf, tf.neg(z))), tf.mul(notY, softplus(tf, z))), 1),
    residual: tf.sub(tf.mul(notY, positive), tf.mul(y, negative)),
    hessian: tf.mul(positive, negative),
  };
}

/**
 * Per-row cross-entropy `log Σ_j e^(z_j − z_y)` as `m + log1p(expm1(−m) + Σ_{j≠y} e^(z_j − z_y − m))` with
 * `m = max(0, max_j z_j − z_y)`, and the residual `p − onehot(y)` with the true class's `p_y − 1` written as
 * `−Σ_{j≠y} p_j`: no term is the difference of two numbers near 1.
 */
function softmaxTerms(tf: Backend, z: Tensor, onehot: Tensor): LinkTerms {
  const gaps = tf.sub(z, tf.sum(tf.mul(onehot, z), 1, true));
  const m = tf.relu(tf.max(gaps, 1, true));
  const scaled = tf.mul(tf.exp(tf.sub(gaps, m)), tf.sub(1, onehot));
  const rest = tf.sum(scaled, 1, true);
  const wrong = tf.div(scaled, tf.add(tf.exp(tf.neg(m)), rest));
  return {
    rowLoss: tf.reshape(tf.add(m, tf.log1p(tf.add(tf.expm1(tf.neg(m)), rest))), [-1]),
    residual: tf.sub(wrong, tf.mul(onehot, tf.sum(wrong, 1, true))),
    hessian: wrong,
  };
}

/**
 * The per-row Hessian of the loss with respect to the logits, times the logits' direction `u`. Sigmoid: σ(z)σ(−z)·u.
 * Softmax: (diag(p) − ppᵀ)·u, written with v = u − u_y and the wrong classes' probabilities p_j as
 * `p_j·(v_j − q)` for j ≠ y and `−p_y·q` for y, where q = Σ_{j≠y} p_j·v_j and p_y = 1 − Σ_{j≠y} p_j: exact, and
 * free of cancellation when p_y is close to 1.
 */
function curvatureTimes(tf: Backend, hessian: Tensor, u: Tensor, onehot: Tensor, link: LogisticProblem['link']): Tensor {
  if (link === 'sigmoid') return tf.mul(hessian, u);
  const v = tf.sub(u, tf.sum(tf.mul(onehot, u), 1, true));
  const q = tf.sum(tf.mul(hessian, v), 1, true);
  const trueProbability = tf.sub(1, tf.sum(hessian, 1, true));
  return tf.sub(tf.mul(hessian, tf.sub(v, q)), tf.mul(onehot, tf.mul(trueProbability, q)));
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

/** The parameters of a model, W then b: a start for the next fit (warm start along the C path). */
function parametersOf(model: LogisticModel): Float64Array {
  const out = new Float64Array(model.weights.length + model.bias.length);
  out.set(model.weights);
  out.set(model.bias, model.weights.length);
  return out;
}
