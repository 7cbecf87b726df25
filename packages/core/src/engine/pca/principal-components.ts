import { RadprobeError } from '../util/errors.js';
import { covarianceProducts } from './covariance-products.js';
import { leadingEigenpairs } from './subspace-iteration.js';
import { symmetricEigen } from './symmetric-eigen.js';

/** The leading principal components of a set of rows. */
export interface PrincipalComponents {
  dim: number;
  /** Mean row, subtracted before projecting. */
  mean: Float64Array;
  /** `[count, dim]` unit vectors, largest variance first, each with its largest-magnitude entry positive. */
  components: Float64Array;
  count: number;
  /** Sample variance (divisor rows − 1) of the rows along each component: the covariance's eigenvalues. */
  variances: number[];
  /** Each component's share of the total variance (the covariance's trace); 0 when the rows do not vary. */
  explainedVariance: number[];
}

/**
 * Extra block columns beyond the wanted components: the wanted pairs converge at rate λ(count + 5) / λ(count)
 * instead of λ(count + 1) / λ(count), which matters when the leading eigenvalues sit close together.
 */
const OVERSAMPLING = 5;

/**
 * Relative residual ‖C u − λ u‖ / λ₁ at which a component is accepted. An eigenvalue is then exact to about its
 * square (relative to λ₁), and a component to tolerance / gap, with gap the relative distance to the nearest other
 * eigenvalue: 1e-9 for gaps above 1 % of λ₁. Rounding in a product with the covariance is near 1e-15, far below.
 */
const RESIDUAL_TOLERANCE = 1e-11;

/**
 * Passes of subspace iteration before the full decomposition takes over. Structured features (a few dominant
 * directions) converge in tens of passes; only a spectrum nearly flat past the wanted components needs more.
 */
const MAX_ITERATIONS = 1000;

/**
 * The first `count` principal components of `rows` (`[rowCount, dim]` row-major), from the float64 sample
 * covariance of the centred rows. Only the leading eigenpairs are computed, by subspace iteration
 * (`leadingEigenpairs`), each pass O(dim · count) times the smaller of rowCount and dim (`covarianceProducts`
 * decides whether forming the covariance pays). When the block would span every dimension (count + 5 ≥ dim), or
 * the iteration does not converge, the covariance is decomposed whole with `symmetricEigen`, O(dim³). The total
 * variance, which the explained shares divide by, is the covariance's trace: no other eigenvalue is needed.
 */
export function principalComponents(rows: ArrayLike<number>, rowCount: number, dim: number, count: number): PrincipalComponents {
  if (!Number.isInteger(rowCount) || rowCount < 1 || !Number.isInteger(dim) || dim < 1 || rows.length !== rowCount * dim) {
    throw new RadprobeError(`PCA: expected ${rowCount} rows of ${dim} values (${rowCount * dim} in all), got ${rows.length} values`);
  }
  if (!Number.isInteger(count) || count < 1 || count > dim) {
    throw new RadprobeError(`PCA: cannot take ${count} components of ${dim}-dimensional rows`);
  }
  const mean = new Float64Array(dim);
  for (let row = 0; row < rowCount; row++) for (let d = 0; d < dim; d++) mean[d] += rows[row * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= rowCount;
  const centred = new Float64Array(rowCount * dim);
  for (let row = 0; row < rowCount; row++) for (let d = 0; d < dim; d++) centred[row * dim + d] = rows[row * dim + d] - mean[d];
  const divisor = Math.max(rowCount - 1, 1);
  const squares = new Float64Array(dim);
  for (let row = 0; row < rowCount; row++) for (let d = 0; d < dim; d++) squares[d] += centred[row * dim + d] ** 2;
  const trace = squares.reduce((sum, value) => sum + value / divisor, 0);

  const products = covarianceProducts(centred, rowCount, dim, divisor);
  const width = count + OVERSAMPLING;
  const leading = width < dim
    ? leadingEigenpairs(products.multiply, dim, count, { width, tolerance: RESIDUAL_TOLERANCE, maxIterations: MAX_ITERATIONS })
    : undefined;
  const { values, vectors } = leading ?? symmetricEigen(products.covariance(), dim);
  // Rounding can leave a zero-variance direction a hair below zero; a variance is never negative.
  const variances = Array.from(values.subarray(0, count), (value) => Math.max(value, 0));
  return {
    dim,
    mean,
    components: vectors.slice(0, count * dim),
    count,
    variances,
    explainedVariance: variances.map((variance) => (trace > 0 ? variance / trace : 0)),
  };
}

/** Coordinates of `rows` (`[rowCount, dim]`) on the components: `[rowCount, pca.count]`, centred by `pca.mean`. */
export function projectRows(pca: PrincipalComponents, rows: ArrayLike<number>, rowCount: number): Float64Array {
  const { dim, count, mean, components } = pca;
  if (rows.length !== rowCount * dim) throw new RadprobeError(`PCA: expected ${rowCount} rows of ${dim} values to project, got ${rows.length} values`);
  const out = new Float64Array(rowCount * count);
  for (let row = 0; row < rowCount; row++) {
    for (let c = 0; c < count; c++) {
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += (rows[row * dim + d] - mean[d]) * components[c * dim + d];
      out[row * count + c] = sum;
    }
  }
  return out;
}
