import type { SymmetricOperator } from './subspace-iteration.js';

/** Products with the sample covariance C of centred rows, and C itself, formed at most once. */
export interface CovarianceProducts {
  /** Writes C · vᵢ for each row of the block. */
  multiply: SymmetricOperator;
  /** The `[dim, dim]` covariance, both triangles filled. */
  covariance(): Float64Array;
}

/**
 * Products with C = Xᵀ X / divisor, for the centred rows X (`[rowCount, dim]`). They start through the rows,
 * C · v = Xᵀ (X v) / divisor, at 2 · rows · dim multiply-adds per vector, without forming C. Forming C costs
 * rows · dim² / 2 and then dim² per vector, which pays only when enough products follow and there are more than
 * dim / 2 rows — how many follow, the subspace iteration cannot tell in advance. So the rows are used until their
 * products have cost as much as forming C would, and C is formed then if its products are the cheaper: never more
 * than about twice the cost of the better of the two choices made in hindsight. With dim / 2 rows or fewer, a
 * product through the rows is never the dearer, and C is formed only if `covariance()` asks for it.
 */
export function covarianceProducts(centred: Float64Array, rowCount: number, dim: number, divisor: number): CovarianceProducts {
  let formed: Float64Array | undefined;
  let spentThroughRows = 0;
  const formingCost = (rowCount * dim * (dim + 1)) / 2;
  const covariance = () => (formed ??= sampleCovariance(centred, rowCount, dim, divisor));
  const multiply: SymmetricOperator = (block, width, out) => {
    if (!formed && 2 * rowCount > dim && spentThroughRows >= formingCost) covariance();
    if (formed) {
      multiplyByMatrix(formed, dim, block, width, out);
    } else {
      multiplyThroughRows(centred, rowCount, dim, divisor, block, width, out);
      spentThroughRows += 2 * rowCount * dim * width;
    }
  };
  return { multiply, covariance };
}

/**
 * Xᵀ X / divisor, its lower triangle accumulated four rows at a time: the triangle outgrows the cache from a few
 * hundred dimensions on, and one sweep over it per four rows instead of per row quarters that memory traffic.
 */
function sampleCovariance(centred: Float64Array, rowCount: number, dim: number, divisor: number): Float64Array {
  const covariance = new Float64Array(dim * dim);
  for (let row = 0; row < rowCount; row += 4) {
    const [o0, o1, o2, o3] = groupOffsets(row, rowCount, dim);
    const [w1, w2, w3] = groupWeights(row, rowCount);
    for (let a = 0; a < dim; a++) {
      const v0 = centred[o0 + a];
      const v1 = w1 * centred[o1 + a];
      const v2 = w2 * centred[o2 + a];
      const v3 = w3 * centred[o3 + a];
      const base = a * dim;
      for (let b = 0; b <= a; b++) covariance[base + b] += v0 * centred[o0 + b] + v1 * centred[o1 + b] + v2 * centred[o2 + b] + v3 * centred[o3 + b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b <= a; b++) covariance[a * dim + b] = covariance[b * dim + a] = covariance[a * dim + b] / divisor;
  }
  return covariance;
}

/** One pass over C per block: each row of C serves every vector while it is in cache. */
function multiplyByMatrix(covariance: Float64Array, dim: number, block: Float64Array, width: number, out: Float64Array): void {
  for (let a = 0; a < dim; a++) {
    const base = a * dim;
    for (let i = 0; i < width; i++) {
      const offset = i * dim;
      let sum = 0;
      for (let b = 0; b < dim; b++) sum += covariance[base + b] * block[offset + b];
      out[offset + a] = sum;
    }
  }
}

/**
 * One pass over X per block, four rows at a time: their coordinates on each block vector, then their share of
 * Xᵀ (X v). The block and the output are read once per four rows rather than per row.
 */
function multiplyThroughRows(centred: Float64Array, rowCount: number, dim: number, divisor: number, block: Float64Array, width: number, out: Float64Array): void {
  out.fill(0);
  for (let row = 0; row < rowCount; row += 4) {
    const [o0, o1, o2, o3] = groupOffsets(row, rowCount, dim);
    const [w1, w2, w3] = groupWeights(row, rowCount);
    for (let i = 0; i < width; i++) {
      const target = i * dim;
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      let c3 = 0;
      for (let d = 0; d < dim; d++) {
        const value = block[target + d];
        c0 += centred[o0 + d] * value;
        c1 += centred[o1 + d] * value;
        c2 += centred[o2 + d] * value;
        c3 += centred[o3 + d] * value;
      }
      c0 /= divisor;
      c1 *= w1 / divisor;
      c2 *= w2 / divisor;
      c3 *= w3 / divisor;
      for (let d = 0; d < dim; d++) out[target + d] += c0 * centred[o0 + d] + c1 * centred[o1 + d] + c2 * centred[o2 + d] + c3 * centred[o3 + d];
    }
  }
}

/**
 * Offsets of rows `row` … `row + 3`. Past the last row a group repeats its first row, which `groupWeights` weighs
 * 0: the kernels then add exact zeros instead of branching on a short last group.
 */
function groupOffsets(row: number, rowCount: number, dim: number): [number, number, number, number] {
  const first = row * dim;
  const at = (step: number) => (row + step < rowCount ? first + step * dim : first);
  return [first, at(1), at(2), at(3)];
}

/** Weights of rows `row + 1` … `row + 3`: 1 for a row, 0 past the last. */
function groupWeights(row: number, rowCount: number): [number, number, number] {
  return [row + 1 < rowCount ? 1 : 0, row + 2 < rowCount ? 1 : 0, row + 3 < rowCount ? 1 : 0];
}
