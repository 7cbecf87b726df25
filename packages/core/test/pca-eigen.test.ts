import { describe, expect, it } from 'vitest';
import { Random, RadprobeError, symmetricEigen } from '../src/index.js';
import { principalComponents, projectRows } from '../src/engine/index.js';

const close = (actual: ArrayLike<number>, expected: readonly number[], digits = 12) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, index) => expect(actual[index]).toBeCloseTo(value, digits));
};

describe('symmetricEigen', () => {
  it('solves a 2 × 2 matrix by hand, with the sign convention flipping the second vector', () => {
    // [[4, 1], [1, 3]]: λ = (7 ± √5) / 2. For λ₁ the first row gives y = (λ₁ − 4) x = ((√5 − 1) / 2) x; the second
    // vector is the first turned by 90°, (−y, x), whose larger entry x is already positive.
    const { values, vectors } = symmetricEigen([4, 1, 1, 3], 2);
    close(values, [(7 + Math.sqrt(5)) / 2, (7 - Math.sqrt(5)) / 2]);
    const slope = (Math.sqrt(5) - 1) / 2;
    const x = 1 / Math.hypot(1, slope);
    const y = slope * x;
    close(vectors, [x, y, -y, x]);
  });

  it('recovers Q diag(6, 3, 1) Qᵀ with Q of the Pythagorean quadruple (2, 3, 6) / 7', () => {
    // Columns q₁ = (2, 3, 6)/7, q₂ = (3, −6, 2)/7, q₃ = (6, 2, −3)/7 are orthonormal; 49 · Σ λᵢ qᵢqᵢᵀ, entry by entry:
    // (0,0) 6·4 + 3·9 + 36 = 87, (0,1) 6·6 − 3·18 + 12 = −6, (0,2) 6·12 + 3·6 − 18 = 72, (1,1) 6·9 + 3·36 + 4 = 166,
    // (1,2) 6·18 − 3·12 − 6 = 66, (2,2) 6·36 + 3·4 + 9 = 237.
    const matrix = [87, -6, 72, -6, 166, 66, 72, 66, 237].map((value) => value / 49);
    const { values, vectors } = symmetricEigen(matrix, 3);
    close(values, [6, 3, 1]);
    // q₂'s largest entry is −6/7, so it comes out negated.
    close(vectors, [2 / 7, 3 / 7, 6 / 7, -3 / 7, 6 / 7, -2 / 7, 6 / 7, 2 / 7, -3 / 7]);
  });

  it('orders a diagonal matrix largest first and reads only the lower triangle', () => {
    // Upper-triangle garbage (99) must be ignored: the matrix is taken as symmetric from its lower half.
    const { values, vectors } = symmetricEigen([1, 99, 99, 0, 3, 99, 0, 0, 2], 3);
    close(values, [3, 2, 1]);
    close(vectors, [0, 1, 0, 0, 0, 1, 1, 0, 0]);
  });

  it('handles a 1 × 1 matrix and a repeated eigenvalue', () => {
    close(symmetricEigen([-2], 1).values, [-2]);
    close(symmetricEigen([-2], 1).vectors, [1]);
    const { values, vectors } = symmetricEigen([2, 0, 0, 0, 2, 0, 0, 0, 2], 3);
    close(values, [2, 2, 2]);
    close(vectors, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('satisfies A v = λ v with orthonormal vectors on a random 40 × 40 matrix, and repeats itself exactly', () => {
    const n = 40;
    const random = new Random(3);
    const matrix = new Float64Array(n * n);
    for (let row = 0; row < n; row++) for (let column = 0; column <= row; column++) matrix[row * n + column] = matrix[column * n + row] = random.next() * 2 - 1;
    const { values, vectors } = symmetricEigen(matrix, n);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += matrix[i * n + i];
    expect(values.reduce((sum, value) => sum + value, 0)).toBeCloseTo(trace, 10);
    for (let i = 0; i < n; i++) {
      if (i > 0) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
      const vector = vectors.subarray(i * n, (i + 1) * n);
      for (let row = 0; row < n; row++) {
        let product = 0;
        for (let k = 0; k < n; k++) product += matrix[row * n + k] * vector[k];
        expect(product).toBeCloseTo(values[i] * vector[row], 10);
      }
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += vector[k] * vectors[j * n + k];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
      let largest = 0;
      for (let k = 1; k < n; k++) if (Math.abs(vector[k]) > Math.abs(vector[largest])) largest = k;
      expect(vector[largest]).toBeGreaterThan(0);
    }
    const again = symmetricEigen(matrix, n);
    expect(Buffer.from(again.vectors.buffer).equals(Buffer.from(vectors.buffer))).toBe(true);
  });

  it('rejects a matrix of the wrong size or with a non-finite value, saying where', () => {
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/expected an 2 × 2 matrix \(4 values\), got 3/);
    expect(() => symmetricEigen([1, 0, NaN, 1], 2)).toThrow(RadprobeError);
    expect(() => symmetricEigen([1, 0, NaN, 1], 2)).toThrow(/row 1, column 0/);
  });
});

describe('principalComponents', () => {
  // Points c + a·u + b·w on the plane spanned by u = (2, 3, 6)/7 and w = (3, −6, 2)/7 through c = (1, 1, 1), with
  // (a, b) the corners (±2, ±1). The sample variances (divisor 3) along u and w are 4·4/3 = 16/3 and 4·1/3 = 4/3,
  // a and b are uncorrelated, and nothing varies off the plane: shares 16/20 = 0.8, 0.2 and 0.
  const u = [2 / 7, 3 / 7, 6 / 7];
  const w = [3 / 7, -6 / 7, 2 / 7];
  const corners = [[2, 1], [2, -1], [-2, 1], [-2, -1]];
  const rows = Float64Array.from(corners.flatMap(([a, b]) => [0, 1, 2].map((d) => 1 + a * u[d] + b * w[d])));

  it('finds the plane, its variances and the mean', () => {
    const pca = principalComponents(rows, 4, 3, 3);
    close(pca.mean, [1, 1, 1]);
    close(pca.variances, [16 / 3, 4 / 3, 0]);
    close(pca.explainedVariance, [0.8, 0.2, 0]);
    // w's largest entry is −6/7, so the second component is −w; the third is the normal (6, 2, −3)/7.
    close(pca.components, [...u, ...w.map((value) => -value), 6 / 7, 2 / 7, -3 / 7]);
  });

  it('projects each point to (a, −b, 0)', () => {
    const pca = principalComponents(rows, 4, 3, 3);
    close(projectRows(pca, rows, 4), corners.flatMap(([a, b]) => [a, -b, 0]));
  });

  it('rejects more components than dimensions and rows of the wrong length', () => {
    expect(() => principalComponents(rows, 4, 3, 4)).toThrow(/cannot take 4 components of 3-dimensional rows/);
    expect(() => principalComponents(rows, 5, 3, 1)).toThrow(/expected 5 rows of 3 values \(15 in all\), got 12/);
  });
});
