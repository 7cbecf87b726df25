/** A point of a twice-differentiable objective: its value, gradient, and products with its Hessian there. */
export interface CurvedPoint {
  value: number;
  gradient: Float64Array;
  /**
   * The size of the terms the gradient is a sum of (for a regularised loss, max |loss gradient| and max |penalty
   * gradient|): the gradient tolerance is relative to it, so that "the gradient vanished" means the same at every
   * scale of the objective.
   */
  gradientScale: number;
  /** Hessian × `v` at this point; valid until the objective is asked for another point. */
  hessianTimes(v: Float64Array): Promise<Float64Array>;
}

export interface SecondOrderObjective {
  /** The objective's value alone (line-search trials). */
  value(x: Float64Array): Promise<number>;
  point(x: Float64Array): Promise<CurvedPoint>;
}

export interface NewtonOptions {
  /** Newton steps at most. */
  maxIterations: number;
  /** Stop when max |gradient| ≤ tolerance · gradientScale. */
  tolerance: number;
  /**
   * Stop when a step lowers the objective by less than this fraction of its value: the evaluation's own rounding then
   * hides any further progress (scipy's `ftol`).
   */
  relativeDecrease: number;
  /** Conjugate-gradient iterations per Newton step at most. */
  maxCgIterations: number;
}

export interface NewtonResult {
  x: Float64Array;
  value: number;
  /** Newton steps taken. */
  iterations: number;
  /** Hessian-vector products computed (each costs about one gradient). */
  hessianProducts: number;
  /**
   * Why it stopped: the gradient tolerance, no measurable decrease left (`converged`: the objective's rounding floor,
   * also when no step along the Newton direction lowers it), or the iteration limit, the only unconverged one.
   */
  stop: 'gradient' | 'converged' | 'iterations';
}

const dot = (a: Float64Array, b: Float64Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
};
const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Line-search Newton–CG (Nocedal & Wright, algorithm 7.1): each step solves `H·d = −g` by conjugate gradients to a
 * relative residual `min(0.5, √(‖g‖/‖g₀‖))` (superlinear near the minimum), stopping early on a direction of
 * (numerically) zero curvature, then backtracks from the full step until the objective drops sufficiently.
 * For L2-regularised logistic regression this is scikit-learn's `newton-cg` and close to liblinear's TRON: unlike
 * L-BFGS, it reaches the minimum of badly conditioned problems (correlated features, nearly separable classes at
 * large C) in tens of steps. Deterministic: the same objective and start give the same iterates.
 */
export async function minimizeNewtonCg(objective: SecondOrderObjective, start: Float64Array, options: NewtonOptions): Promise<NewtonResult> {
  let x: Float64Array = Float64Array.from(start);
  let current = await objective.point(x);
  const initialNorm = Math.sqrt(dot(current.gradient, current.gradient));
  let hessianProducts = 0;
  const vanished = (point: CurvedPoint) => maxAbs(point.gradient) <= options.tolerance * point.gradientScale;
  for (let iteration = 0; iteration < options.maxIterations; iteration++) {
    if (vanished(current)) return { x, value: current.value, iterations: iteration, hessianProducts, stop: 'gradient' };
    const gradientNorm = Math.sqrt(dot(current.gradient, current.gradient));
    const forcing = Math.min(0.5, Math.sqrt(gradientNorm / Math.max(initialNorm, Number.MIN_VALUE)));
    const { direction, products } = await conjugateGradientStep(current, forcing * gradientNorm, options.maxCgIterations);
    hessianProducts += products;
    const slope = dot(current.gradient, direction);
    let accepted: Float64Array | null = null;
    let value = current.value;
    for (let step = 1, trial = 0; trial < 40 && slope < 0; trial++, step /= 2) {
      const candidate = Float64Array.from(x, (v, i) => v + step * direction[i]);
      value = await objective.value(candidate);
      if (value <= current.value + 1e-4 * step * slope) {
        accepted = candidate;
        break;
      }
    }
    if (!accepted) return { x, value: current.value, iterations: iteration, hessianProducts, stop: vanished(current) ? 'gradient' : 'converged' };
    const decrease = current.value - value;
    x = accepted;
    current = await objective.point(x);
    if (decrease <= options.relativeDecrease * Math.abs(current.value)) {
      return { x, value: current.value, iterations: iteration + 1, hessianProducts, stop: vanished(current) ? 'gradient' : 'converged' };
    }
  }
  return { x, value: current.value, iterations: options.maxIterations, hessianProducts, stop: vanished(current) ? 'gradient' : 'iterations' };
}

/**
 * Approximate solution of `H·d = −g` by conjugate gradients from d = 0, to a residual norm of `residualTarget`. A
 * search direction with (numerically) no positive curvature ends it: the directions found so far are kept, or, on
 * the first, the steepest descent direction is used (the Hessian of a regularised logistic loss is only positive
 * semi-definite along the softmax's shared bias shift).
 */
async function conjugateGradientStep(point: CurvedPoint, residualTarget: number, maxIterations: number): Promise<{ direction: Float64Array; products: number }> {
  const n = point.gradient.length;
  const direction = new Float64Array(n);
  const residual = Float64Array.from(point.gradient);
  const search = Float64Array.from(point.gradient, (g) => -g);
  let residualSquared = dot(residual, residual);
  let products = 0;
  for (let j = 0; j < maxIterations; j++) {
    const curved = await point.hessianTimes(search);
    products++;
    const curvature = dot(search, curved);
    if (!(curvature > 1e-12 * dot(search, search))) {
      if (j === 0) direction.set(search);
      break;
    }
    const alpha = residualSquared / curvature;
    for (let i = 0; i < n; i++) {
      direction[i] += alpha * search[i];
      residual[i] += alpha * curved[i];
    }
    const nextSquared = dot(residual, residual);
    if (Math.sqrt(nextSquared) <= residualTarget) break;
    const beta = nextSquared / residualSquared;
    for (let i = 0; i < n; i++) search[i] = -residual[i] + beta * search[i];
    residualSquared = nextSquared;
  }
  return { direction, products };
}
