import type { Distance } from './options.js';

/** Row-major `[rows, dim]` features, as `FeatureMatrix.data` holds them. */
export interface Rows {
  rows: number;
  dim: number;
  data: Float32Array;
}

/** Each row scaled to unit length; null when a row has no direction (zero or non-finite norm). */
export function unitRows(matrix: Rows): Float32Array | null {
  const out = new Float32Array(matrix.data.length);
  for (let r = 0; r < matrix.rows; r++) {
    let sum = 0;
    for (let t = 0; t < matrix.dim; t++) sum += matrix.data[r * matrix.dim + t] ** 2;
    const norm = Math.sqrt(sum);
    if (!(norm > 0) || !Number.isFinite(norm)) return null;
    for (let t = 0; t < matrix.dim; t++) out[r * matrix.dim + t] = matrix.data[r * matrix.dim + t] / norm;
  }
  return out;
}

/**
 * `[classes, dim]` means of the rows listed in `members` per class (each list non-empty). Cosine centroids are
 * means of unit rows, scaled to unit length themselves.
 */
export function centroids(data: Float32Array, dim: number, members: readonly (readonly number[])[], distance: Distance): Float32Array {
  const out = new Float32Array(members.length * dim);
  members.forEach((rows, c) => {
    for (const r of rows) for (let t = 0; t < dim; t++) out[c * dim + t] += data[r * dim + t];
    let norm = 0;
    for (let t = 0; t < dim; t++) {
      out[c * dim + t] /= rows.length;
      norm += out[c * dim + t] ** 2;
    }
    if (distance === 'cosine' && norm > 0) for (let t = 0; t < dim; t++) out[c * dim + t] /= Math.sqrt(norm);
  });
  return out;
}

/**
 * `[rows.length, classes]` scores, higher = nearer: cosine similarity (unit rows and centroids), or the negative
 * squared Euclidean distance.
 */
export function centroidScores(data: Float32Array, dim: number, rows: readonly number[], centres: Float32Array, distance: Distance): Float32Array {
  const classes = centres.length / dim;
  const out = new Float32Array(rows.length * classes);
  rows.forEach((r, i) => {
    for (let c = 0; c < classes; c++) {
      let score = 0;
      for (let t = 0; t < dim; t++) {
        const x = data[r * dim + t];
        const m = centres[c * dim + t];
        score += distance === 'cosine' ? x * m : -((x - m) ** 2);
      }
      out[i * classes + c] = score;
    }
  });
  return out;
}
