import type { LogisticProblem } from '../src/index.js';

/**
 * An independent float64 solution of the logistic-regression objective `C · Σ_i loss_i + ½‖W‖²` (bias unpenalised),
 * by damped Newton steps on the exact Hessian, solved to a gradient norm of 1e-9 of the one at zero (Newton's quadratic convergence leaves the objective
 * within rounding of its minimum there) or until no step lowers the objective in float64: the
 * optimum the L-BFGS fit is held to. Parameters are W `[dim, outputs]` row-major, then the bias, as `fitLogistic`
 * orders them. Small problems only (the Hessian is dense).
 */
export function referenceLogistic(problem: LogisticProblem, c: number): { parameters: Float64Array; objective: number; iterations: number } {
  const { dim, outputs } = problem;
  const size = (dim + 1) * outputs;
  let parameters = new Float64Array(size);
  let current = evaluate(problem, c, parameters, true);
  const startNorm = norm(current.gradient);
  for (let iteration = 0; iteration < 200; iteration++) {
    if (norm(current.gradient) <= 1e-9 * startNorm) return { parameters, objective: current.value, iterations: iteration };
    // The softmax objective does not change when every bias moves by the same amount: a tiny ridge makes the
    // Newton system solvable without moving the minimum's value.
    const hessian = current.hessian!;
    for (let i = 0; i < size; i++) hessian[i * size + i] += 1e-12 * Math.max(1, hessian[i * size + i]);
    const step = solveSymmetric(hessian, current.gradient, size);
    const slope = -dot(current.gradient, step);
    let accepted = false;
    for (let length = 1, trial = 0; trial < 30 && !accepted; trial++, length /= 2) {
      const candidate = Float64Array.from(parameters, (value, i) => value - length * step[i]);
      const value = evaluate(problem, c, candidate, false).value;
      if (value < current.value && value <= current.value + 1e-4 * length * slope) {
        parameters = candidate;
        current = evaluate(problem, c, candidate, true);
        accepted = true;
      }
    }
    // No step decreases the objective any more: it is at its minimum to float64 precision.
    if (!accepted) return { parameters, objective: current.value, iterations: iteration };
  }
  throw new Error(`the float64 reference did not converge in 200 Newton steps at C = ${c}`);
}

/** The objective `C · Σ loss + ½‖W‖²` at `parameters`, in float64. */
export function logisticObjective(problem: LogisticProblem, c: number, parameters: Float64Array): number {
  return evaluate(problem, c, parameters, false).value;
}

function evaluate(problem: LogisticProblem, c: number, parameters: Float64Array, withDerivatives: boolean) {
  const { rows, dim, outputs, x } = problem;
  const size = (dim + 1) * outputs;
  const gradient = new Float64Array(size);
  const hessian = withDerivatives ? new Float64Array(size * size) : null;
  let loss = 0;
  const z = new Float64Array(outputs);
  const residual = new Float64Array(outputs);
  const curvature = new Float64Array(outputs * outputs);
  const features = new Float64Array(dim + 1);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < dim; d++) features[d] = x[r * dim + d];
    features[dim] = 1;
    for (let o = 0; o < outputs; o++) {
      let sum = parameters[dim * outputs + o];
      for (let d = 0; d < dim; d++) sum += features[d] * parameters[d * outputs + o];
      z[o] = sum;
    }
    curvature.fill(0);
    if (problem.link === 'softmax') {
      const label = problem.labels![r];
      const top = Math.max(...z);
      let total = 0;
      for (let o = 0; o < outputs; o++) total += Math.exp(z[o] - top);
      loss += top + Math.log(total) - z[label];
      for (let o = 0; o < outputs; o++) residual[o] = Math.exp(z[o] - top) / total - (o === label ? 1 : 0);
      for (let a = 0; a < outputs; a++) {
        const pa = residual[a] + (a === label ? 1 : 0);
        for (let b = 0; b < outputs; b++) curvature[a * outputs + b] = (a === b ? pa : 0) - pa * (residual[b] + (b === label ? 1 : 0));
      }
    } else {
      for (let o = 0; o < outputs; o++) {
        const target = problem.targets![r * outputs + o];
        // softplus(z) − y·z, and σ(z) − y, without cancellation for large |z|.
        loss += Math.max(z[o], 0) + Math.log1p(Math.exp(-Math.abs(z[o]))) - target * z[o];
        const p = 1 / (1 + Math.exp(-z[o]));
        residual[o] = p - target;
        curvature[o * outputs + o] = p * (1 - p);
      }
    }
    for (let i = 0; i <= dim; i++) {
      for (let o = 0; o < outputs; o++) gradient[parameterIndex(i, o, dim, outputs)] += c * features[i] * residual[o];
    }
    if (!hessian) continue;
    for (let i = 0; i <= dim; i++) {
      for (let j = 0; j <= dim; j++) {
        const product = c * features[i] * features[j];
        for (let a = 0; a < outputs; a++) {
          for (let b = 0; b < outputs; b++) {
            const value = curvature[a * outputs + b];
            if (value !== 0) hessian[parameterIndex(i, a, dim, outputs) * size + parameterIndex(j, b, dim, outputs)] += product * value;
          }
        }
      }
    }
  }
  let penalty = 0;
  for (let i = 0; i < dim * outputs; i++) {
    penalty += parameters[i] * parameters[i];
    gradient[i] += parameters[i];
    if (hessian) hessian[i * size + i] += 1;
  }
  return { value: c * loss + penalty / 2, gradient, hessian };
}

/** Position of the parameter for feature `i` (dim = the bias) and output `o`: W row-major, then the bias. */
function parameterIndex(i: number, o: number, dim: number, outputs: number): number {
  return i === dim ? dim * outputs + o : i * outputs + o;
}

/** Solves `A·s = b` for symmetric positive definite `A` (Cholesky). */
function solveSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / l[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * n + k] * y[k];
    y[i] = sum / l[i * n + i];
  }
  const s = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * s[k];
    s[i] = sum / l[i * n + i];
  }
  return s;
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((sum, value, i) => sum + value * b[i], 0);
const norm = (a: Float64Array) => Math.sqrt(dot(a, a));
