/** An objective's value and gradient at a point. */
export interface Evaluation {
  value: number;
  gradient: Float64Array;
}

export interface LbfgsOptions {
  maxIterations: number;
  /** Correction pairs kept (10, as scipy's default). */
  memory?: number;
  /** Stop when max |gradient| ≤ tolerance · max(1, max |initial gradient|). */
  tolerance?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  /** Why it stopped. */
  stop: 'gradient' | 'iterations' | 'line search';
}

const dot = (a: Float64Array, b: Float64Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
};
const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Limited-memory BFGS (Nocedal & Wright, algorithm 7.4/7.5) with a backtracking Armijo line search. Pure
 * arithmetic on the evaluations it is given: the same objective and start give the same iterates. A correction
 * pair with non-positive curvature is dropped (the objective is convex, so this only guards rounding).
 */
export async function minimizeLbfgs(evaluate: (x: Float64Array) => Promise<Evaluation>, start: Float64Array, options: LbfgsOptions): Promise<LbfgsResult> {
  const memory = options.memory ?? 10;
  const tolerance = options.tolerance ?? 1e-6;
  let x = Float64Array.from(start);
  let current = await evaluate(x);
  const threshold = tolerance * Math.max(1, maxAbs(current.gradient));
  const steps: Float64Array[] = [];
  const changes: Float64Array[] = [];
  const n = x.length;
  for (let iteration = 0; iteration < options.maxIterations; iteration++) {
    if (maxAbs(current.gradient) <= threshold) return { x, value: current.value, iterations: iteration, stop: 'gradient' };
    // Two-loop recursion: direction = −H·g with H₀ = (sᵀy / yᵀy)·I from the latest pair.
    const direction = Float64Array.from(current.gradient, (g) => -g);
    const alphas: number[] = [];
    for (let j = steps.length - 1; j >= 0; j--) {
      const alpha = dot(steps[j], direction) / dot(changes[j], steps[j]);
      alphas[j] = alpha;
      for (let i = 0; i < n; i++) direction[i] -= alpha * changes[j][i];
    }
    const last = steps.length - 1;
    const scale = last >= 0 ? dot(steps[last], changes[last]) / dot(changes[last], changes[last]) : 1 / Math.max(1, Math.sqrt(dot(current.gradient, current.gradient)));
    for (let i = 0; i < n; i++) direction[i] *= scale;
    for (let j = 0; j < steps.length; j++) {
      const beta = dot(changes[j], direction) / dot(changes[j], steps[j]);
      for (let i = 0; i < n; i++) direction[i] += (alphas[j] - beta) * steps[j][i];
    }
    const slope = dot(current.gradient, direction);
    let step = 1;
    let next: Evaluation | null = null;
    let candidate = new Float64Array(n);
    for (let trial = 0; trial < 40; trial++) {
      candidate = Float64Array.from(x, (v, i) => v + step * direction[i]);
      const evaluation = await evaluate(candidate);
      if (evaluation.value <= current.value + 1e-4 * step * slope) {
        next = evaluation;
        break;
      }
      step /= 2;
    }
    if (!next || !(slope < 0)) return { x, value: current.value, iterations: iteration, stop: 'line search' };
    const s = Float64Array.from(candidate, (v, i) => v - x[i]);
    const y = Float64Array.from(next.gradient, (g, i) => g - current.gradient[i]);
    if (dot(s, y) > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      steps.push(s);
      changes.push(y);
      if (steps.length > memory) {
        steps.shift();
        changes.shift();
      }
    }
    x = candidate;
    current = next;
  }
  return { x, value: current.value, iterations: options.maxIterations, stop: maxAbs(current.gradient) <= threshold ? 'gradient' : 'iterations' };
}
