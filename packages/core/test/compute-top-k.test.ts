import { describe, expect, it } from 'vitest';
import { computeBackend } from '../src/engine/compute/backend.js';
import { topKSimilarities } from '../src/engine/compute/top-k.js';
import { RadprobeError } from '../src/engine/util/errors.js';
import { Random } from '../src/engine/util/random.js';

/** Exact top-k of query row `i` by full sort: (−score, index) order, optionally skipping key row `i`. */
function bruteForceRow(queries: Float32Array, i: number, keys: Float32Array, dim: number, k: number, excludeSelf: boolean) {
  const row: Array<[number, number]> = [];
  for (let j = 0; j < keys.length / dim; j++) {
    if (excludeSelf && i === j) continue;
    let dot = 0;
    for (let t = 0; t < dim; t++) dot += queries[i * dim + t] * keys[j * dim + t];
    row.push([dot, j]);
  }
  row.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return { scores: row.slice(0, k).map(([s]) => s), indices: row.slice(0, k).map(([, j]) => j) };
}

function bruteForce(queries: Float32Array, keys: Float32Array, dim: number, k: number, excludeSelf: boolean) {
  const rows = Array.from({ length: queries.length / dim }, (_, i) => bruteForceRow(queries, i, keys, dim, k, excludeSelf));
  return { scores: rows.flatMap((row) => row.scores), indices: rows.flatMap((row) => row.indices) };
}

/** Entries in {−1, 0, 1}: products are exact in float32, and the few distinct dot products make ties everywhere. */
function ternary(random: Random, rows: number, dim: number): Float32Array {
  return Float32Array.from({ length: rows * dim }, () => random.int(3) - 1);
}

describe('computeBackend', () => {
  it('names a tfjs backend, never the pure-JS cpu one', async () => {
    expect(['tensorflow-gpu', 'tensorflow', 'wasm']).toContain((await computeBackend()).name);
    expect((await computeBackend()).tf.getBackend()).not.toBe('cpu');
  });
});

describe('topKSimilarities', () => {
  it('sorts by similarity, equal similarities by lower index', async () => {
    // Query (1, 0) against keys (1,0), (0,1), (0.6,0.8), (1,0): dot products 1, 0, 0.6, 1.
    const keys = Float32Array.from([1, 0, 0, 1, 0.6, 0.8, 1, 0]);
    const { indices, scores } = await topKSimilarities(Float32Array.from([1, 0]), keys, 2, 3);
    expect(Array.from(indices)).toEqual([0, 3, 2]);
    expect(Array.from(scores)).toEqual([1, 1, Math.fround(0.6)]);
  });

  it('matches a full sort across several query and key blocks', async () => {
    const random = new Random(1);
    const dim = 6;
    const queries = ternary(random, 300, dim);
    const keys = ternary(random, 8300, dim);
    const result = await topKSimilarities(queries, keys, dim, 20);
    const expected = bruteForce(queries, keys, dim, 20, false);
    expect(Array.from(result.indices)).toEqual(expected.indices);
    expect(Array.from(result.scores)).toEqual(expected.scores);
  });

  it('leaves each row out of its own neighbours with excludeSelf', async () => {
    const random = new Random(2);
    const dim = 5;
    const rows = ternary(random, 400, dim);
    const result = await topKSimilarities(rows, rows, dim, 7, { excludeSelf: true });
    const expected = bruteForce(rows, rows, dim, 7, true);
    expect(Array.from(result.indices)).toEqual(expected.indices);
    for (let i = 0; i < 400; i++) expect(Array.from(result.indices.subarray(i * 7, i * 7 + 7))).not.toContain(i);
  });

  it('leaves each row out of its own neighbours in later key blocks too', async () => {
    const random = new Random(3);
    const dim = 4;
    const rows = ternary(random, 8300, dim);
    const result = await topKSimilarities(rows, rows, dim, 5, { excludeSelf: true });
    // Rows 8192.. sit in the second key block, whose local index differs from the global one.
    for (const i of [0, 1, 8191, 8192, 8299]) {
      expect(Array.from(result.indices.subarray(i * 5, i * 5 + 5))).toEqual(bruteForceRow(rows, i, rows, dim, 5, true).indices);
    }
  });

  it('reports progress per block and stops when aborted', async () => {
    const rows = new Float32Array(600 * 2).fill(1);
    const seen: Array<[number, number]> = [];
    await topKSimilarities(rows, rows, 2, 1, { onProgress: (done, total) => seen.push([done, total]) });
    // 600 queries → 3 query blocks of ≤ 256, one key block.
    expect(seen).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(topKSimilarities(rows, rows, 2, 1, { signal: controller.signal })).rejects.toThrow('cancelled');
  });

  it('rejects k beyond the keys, bad shapes and non-finite values', async () => {
    const keys = new Float32Array([1, 0, 0, 1]);
    await expect(topKSimilarities(keys, keys, 2, 3)).rejects.toThrow(RadprobeError);
    await expect(topKSimilarities(keys, keys, 2, 2, { excludeSelf: true })).rejects.toThrow(/\[1, 1\]/);
    await expect(topKSimilarities(new Float32Array(3), keys, 2, 1)).rejects.toThrow(/multiple of dim/);
    await expect(topKSimilarities(Float32Array.from([1, Number.NaN]), keys, 2, 1)).rejects.toThrow(/queries row 0/);
  });
});
