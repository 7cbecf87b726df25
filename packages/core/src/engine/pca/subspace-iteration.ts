import { Random } from '../util/random.js';
import { symmetricEigen, type SymmetricEigen } from './symmetric-eigen.js';

/**
 * A symmetric positive semi-definite `dim × dim` operator, applied to a block: writes `A · vᵢ` into row `i` of
 * `out` for each row `vᵢ` of `block` (`[width, dim]` row-major).
 */
export type SymmetricOperator = (block: Float64Array, width: number, out: Float64Array) => void;

export interface SubspaceIterationOptions {
  /** Block width (≥ `count`): the extra columns make the leading pairs converge at rate λ(width + 1) / λ(count). */
  width: number;
  /** Stop once every wanted Ritz pair has residual ‖A u − θ u‖ ≤ tolerance · θ₁. */
  tolerance: number;
  maxIterations: number;
}

/** Seed of the starting block: a fixed seed makes the iteration, and so every digit of its result, repeatable. */
const START_SEED = 0x5eed;

/**
 * Below this share of its own length, what is left of a vector after removing its projections on the earlier ones
 * is rounding, not a new direction: the block has lost rank (the operator's rank is below the block width).
 */
const RANK_LOSS = 1e-8;

/**
 * The `count` largest eigenvalues of `operator` and their unit eigenvectors (`[count, dim]`), by block (subspace)
 * iteration with a Rayleigh–Ritz step on every pass: the block is multiplied by the operator, the `width × width`
 * projected matrix is decomposed with `symmetricEigen`, and the Ritz vectors, multiplied once more, are
 * re-orthonormalised as the next block. Each vector is oriented like `symmetricEigen`'s (largest-magnitude entry
 * positive). Returns `undefined` when the residuals have not met the tolerance after `maxIterations` passes, which
 * happens only when the spectrum is nearly flat past the wanted pairs; the caller then decomposes in full.
 */
export function leadingEigenpairs(operator: SymmetricOperator, dim: number, count: number, options: SubspaceIterationOptions): SymmetricEigen | undefined {
  const { width, tolerance, maxIterations } = options;
  const random = new Random(START_SEED);
  let block: Float64Array = new Float64Array(width * dim);
  for (let index = 0; index < block.length; index++) block[index] = random.normal();
  orthonormaliseRows(block, width, dim, random);
  const product = new Float64Array(width * dim);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    operator(block, width, product);
    const projected = new Float64Array(width * width);
    for (let i = 0; i < width; i++) for (let j = 0; j <= i; j++) projected[i * width + j] = dot(block, i * dim, product, j * dim, dim);
    const { values, vectors: rotation } = symmetricEigen(projected, width);
    const ritzVectors = rotate(rotation, block, width, dim);
    const ritzProducts = rotate(rotation, product, width, dim);
    const scale = Math.abs(values[0]);
    let converged = true;
    for (let i = 0; i < count && converged; i++) {
      let squared = 0;
      for (let d = 0; d < dim; d++) squared += (ritzProducts[i * dim + d] - values[i] * ritzVectors[i * dim + d]) ** 2;
      converged = Math.sqrt(squared) <= tolerance * scale;
    }
    if (converged) return { values: values.slice(0, count), vectors: orientRows(ritzVectors.subarray(0, count * dim), count, dim) };
    block = ritzProducts;
    orthonormaliseRows(block, width, dim, random);
  }
  return undefined;
}

function dot(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, length: number): number {
  let sum = 0;
  for (let k = 0; k < length; k++) sum += a[aOffset + k] * b[bOffset + k];
  return sum;
}

/** `rotation · rows`: row `i` of the result is Σⱼ rotation[i][j] · rows[j]. */
function rotate(rotation: Float64Array, rows: Float64Array, width: number, dim: number): Float64Array {
  const out = new Float64Array(width * dim);
  for (let i = 0; i < width; i++) {
    for (let j = 0; j < width; j++) {
      const weight = rotation[i * width + j];
      if (weight === 0) continue;
      for (let d = 0; d < dim; d++) out[i * dim + d] += weight * rows[j * dim + d];
    }
  }
  return out;
}

/**
 * Modified Gram–Schmidt over the rows, in order, run twice per row: one pass loses orthogonality in proportion to
 * the block's condition number, which grows like λ₁ / λ(width) with every multiplication; a second pass restores it
 * to rounding ("twice is enough"). A row that collapses (the operator's rank is below the block width) is replaced
 * by a fresh direction from `random`, so the block keeps its width.
 */
function orthonormaliseRows(rows: Float64Array, width: number, dim: number, random: Random): void {
  for (let i = 0; i < width; i++) {
    const row = rows.subarray(i * dim, (i + 1) * dim);
    for (;;) {
      const before = Math.sqrt(dot(row, 0, row, 0, dim));
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < i; j++) {
          const overlap = dot(rows, j * dim, row, 0, dim);
          for (let d = 0; d < dim; d++) row[d] -= overlap * rows[j * dim + d];
        }
      }
      const after = Math.sqrt(dot(row, 0, row, 0, dim));
      if (before > 0 && after > RANK_LOSS * before) {
        for (let d = 0; d < dim; d++) row[d] /= after;
        break;
      }
      for (let d = 0; d < dim; d++) row[d] = random.normal();
    }
  }
}

/** Copies of the rows, each negated if needed so that its largest-magnitude entry (the first, on a tie) is positive. */
function orientRows(rows: Float64Array, count: number, dim: number): Float64Array {
  const out = new Float64Array(count * dim);
  for (let i = 0; i < count; i++) {
    let largest = 0;
    for (let d = 1; d < dim; d++) if (Math.abs(rows[i * dim + d]) > Math.abs(rows[i * dim + largest])) largest = d;
    const sign = rows[i * dim + largest] < 0 ? -1 : 1;
    // `+ 0` turns a negated zero into 0, as symmetricEigen does, so that equal results serialise to equal bytes.
    for (let d = 0; d < dim; d++) out[i * dim + d] = sign * rows[i * dim + d] + 0;
  }
  return out;
}
