import { RadprobeError } from '../util/errors.js';

/** Eigen-decomposition of a real symmetric matrix. */
export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /**
   * Unit eigenvectors, row-major `[n, n]`: row `i` belongs to `values[i]`. Each is oriented so that its component
   * of largest magnitude (the first such, on a tie) is positive: an eigenvector's sign is otherwise arbitrary, and
   * a figure drawn from it would flip its colours between two solvers or two platforms.
   */
  vectors: Float64Array;
}

/** QL sweeps allowed per eigenvalue before giving up; the implicit shift converges in two or three. */
const MAX_SWEEPS_PER_VALUE = 60;

/**
 * Eigenvalues and eigenvectors of the symmetric `[n, n]` row-major `matrix` (only its lower triangle is read), in
 * float64: Householder reduction to tridiagonal form, then the QL algorithm with implicit shifts (the EISPACK
 * tred2/tql2 pair, as in JAMA). O(n³) and deterministic; exact to rounding for any symmetric input, including
 * repeated eigenvalues, where Jacobi or power iteration would be slow or ambiguous.
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1 || matrix.length !== n * n) {
    throw new RadprobeError(`symmetricEigen: expected an ${n} × ${n} matrix (${n * n} values), got ${matrix.length} values`);
  }
  for (let index = 0; index < matrix.length; index++) {
    if (!Number.isFinite(matrix[index])) throw new RadprobeError(`symmetricEigen: the matrix holds a non-finite value at row ${Math.floor(index / n)}, column ${index % n}`);
  }
  const v = new Float64Array(n * n);
  for (let row = 0; row < n; row++) for (let column = 0; column <= row; column++) v[row * n + column] = v[column * n + row] = matrix[row * n + column];
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(n);
  tridiagonalize(v, n, diagonal, offDiagonal);
  diagonalize(v, n, diagonal, offDiagonal);
  return sortedAndOriented(diagonal, v, n);
}

/**
 * Householder reduction (EISPACK tred2): on return `d` holds the diagonal, `e[1..]` the subdiagonal and `v` the
 * orthogonal transform, transposed (its columns as rows).
 */
function tridiagonalize(v: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  // EISPACK's inner loops run down columns; addressing the matrix transposed makes them run along contiguous memory
  // (the input is symmetric, so it reads the same either way), and leaves the transform's columns as rows for QL.
  const at = (row: number, column: number) => column * n + row;
  for (let j = 0; j < n; j++) d[j] = v[at(n - 1, j)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[at(i - 1, j)];
        v[at(i, j)] = 0;
        v[at(j, i)] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[at(j, i)] = f;
        g = e[j] + v[at(j, j)] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[at(k, j)] * d[k];
          e[k] += v[at(k, j)] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[at(k, j)] -= f * e[k] + g * d[k];
        d[j] = v[at(i - 1, j)];
        v[at(i, j)] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[at(n - 1, i)] = v[at(i, i)];
    v[at(i, i)] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[at(k, i + 1)] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[at(k, i + 1)] * v[at(k, j)];
        for (let k = 0; k <= i; k++) v[at(k, j)] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[at(k, i + 1)] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[at(n - 1, j)];
    v[at(n - 1, j)] = 0;
  }
  v[at(n - 1, n - 1)] = 1;
  e[0] = 0;
}

/** Implicit-shift QL on the tridiagonal `d`, `e` (EISPACK tql2), rotating `rows` (eigenvectors as rows) along. */
function diagonalize(rows: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let shift = 0;
  let magnitude = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    magnitude = Math.max(magnitude, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n && Math.abs(e[m]) > eps * magnitude) m++;
    if (m > l) {
      let sweeps = 0;
      do {
        if (++sweeps > MAX_SWEEPS_PER_VALUE) throw new RadprobeError(`symmetricEigen: the QL iteration did not converge for eigenvalue ${l} of ${n}`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        shift += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const lower = i * n;
          const upper = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const next = rows[upper + k];
            rows[upper + k] = s * rows[lower + k] + c * next;
            rows[lower + k] = c * rows[lower + k] - s * next;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * magnitude);
    }
    d[l] += shift;
    e[l] = 0;
  }
}

/** Largest eigenvalue first (ties keep the solver's order), each vector with its largest-magnitude component positive. */
function sortedAndOriented(d: Float64Array, rows: Float64Array, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, index) => index).sort((a, b) => d[b] - d[a] || a - b);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((source, target) => {
    values[target] = d[source];
    const vector = rows.subarray(source * n, (source + 1) * n);
    let largest = 0;
    for (let k = 1; k < n; k++) if (Math.abs(vector[k]) > Math.abs(vector[largest])) largest = k;
    const sign = vector[largest] < 0 ? -1 : 1;
    // `+ 0` turns a negated zero into 0, so that equal results serialise to equal bytes.
    for (let k = 0; k < n; k++) vectors[target * n + k] = sign * vector[k] + 0;
  });
  return { values, vectors };
}
