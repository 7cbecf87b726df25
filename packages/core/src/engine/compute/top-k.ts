import { RadprobeError } from '../util/errors.js';
import { computeBackend } from './backend.js';

export interface TopKOptions {
  /** Queries and keys are the same rows: never pair row i with itself. */
  excludeSelf?: boolean;
  signal?: AbortSignal;
  /** Called after each similarity block with blocks done and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface TopKResult {
  /** `[queries, k]`: key rows, most similar first, equal similarities by lower index. */
  indices: Int32Array;
  /** `[queries, k]`: the matching dot products. */
  scores: Float32Array;
}

const QUERY_BLOCK_ROWS = 256;
/** Keys per block: a `[dim, 8192]` float32 slice of the keys and a `[256, 8192]` similarity block (8 MiB). */
const KEY_BLOCK_ROWS = 8192;
const EMPTY_INDEX = 0x7fffffff;

function checkMatrix(name: string, data: Float32Array, dim: number): number {
  if (data.length % dim !== 0) throw new RadprobeError(`top-k similarities: ${name} has ${data.length} values, not a multiple of dim ${dim}`);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new RadprobeError(`top-k similarities: ${name} row ${Math.floor(i / dim)} holds ${data[i]}, not a finite number`);
    }
  }
  return data.length / dim;
}

/** Columns `[start, end)` of the keys' transpose, `[dim, end - start]`: tfjs-wasm's matMul is ~10× slower with transposeB. */
function transposedKeys(keys: Float32Array, dim: number, start: number, end: number): Float32Array {
  const width = end - start;
  const out = new Float32Array(dim * width);
  for (let j = 0; j < width; j++) {
    const row = (start + j) * dim;
    for (let t = 0; t < dim; t++) out[t * width + j] = keys[row + t];
  }
  return out;
}

/**
 * Per query, one min-heap of its k best keys so far, the worst at the root ("worse" = lower score, or equal score
 * and higher index). Keys arrive in ascending index order, so a newcomer with the root's score is worse than the
 * root and only a strictly higher score enters.
 */
class TopKHeaps {
  readonly scores: Float32Array;
  readonly indices: Int32Array;

  constructor(
    rows: number,
    readonly k: number,
  ) {
    this.scores = new Float32Array(rows * k).fill(-Infinity);
    this.indices = new Int32Array(rows * k).fill(EMPTY_INDEX);
  }

  /** Offers similarities `block[r * width + j]` of query rows `[rowStart, rowStart + blockRows)` against keys `keyStart + j`. */
  offerBlock(block: Float32Array, rowStart: number, blockRows: number, keyStart: number, width: number, excludeSelf: boolean): void {
    const { k, scores } = this;
    for (let r = 0; r < blockRows; r++) {
      const base = (rowStart + r) * k;
      const self = excludeSelf ? rowStart + r - keyStart : -1;
      const offset = r * width;
      let threshold = scores[base];
      for (let j = 0; j < width; j++) {
        const s = block[offset + j];
        if (s > threshold && j !== self) {
          this.replaceRoot(base, s, keyStart + j);
          threshold = scores[base];
        }
      }
    }
  }

  private replaceRoot(base: number, score: number, index: number): void {
    const { k, scores, indices } = this;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= k) break;
      const right = left + 1;
      let child = left;
      if (right < k && worse(scores[base + right], indices[base + right], scores[base + left], indices[base + left])) child = right;
      if (!worse(scores[base + child], indices[base + child], score, index)) break;
      scores[base + i] = scores[base + child];
      indices[base + i] = indices[base + child];
      i = child;
    }
    scores[base + i] = score;
    indices[base + i] = index;
  }

  /** Each row's heap sorted best first, in place. */
  sortRows(): void {
    const { k, scores, indices } = this;
    const order = Array.from({ length: k }, (_, i) => i);
    const rowScores = new Float32Array(k);
    const rowIndices = new Int32Array(k);
    for (let base = 0; base < scores.length; base += k) {
      rowScores.set(scores.subarray(base, base + k));
      rowIndices.set(indices.subarray(base, base + k));
      for (let i = 0; i < k; i++) order[i] = i;
      order.sort((a, b) => rowScores[b] - rowScores[a] || rowIndices[a] - rowIndices[b]);
      for (let i = 0; i < k; i++) {
        scores[base + i] = rowScores[order[i]];
        indices[base + i] = rowIndices[order[i]];
      }
    }
  }
}

function worse(scoreA: number, indexA: number, scoreB: number, indexB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && indexA > indexB);
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The `k` largest dot products of each query row with the key rows (cosine similarities when both are
 * L2-normalised), computed block by block on the compute backend so that memory stays bounded by one
 * `[256, 8192]` block plus the `[queries, k]` result, whatever the sizes. Rows of the result are sorted by
 * descending similarity, equal similarities by lower key index.
 */
export async function topKSimilarities(
  queries: Float32Array,
  keys: Float32Array,
  dim: number,
  k: number,
  options: TopKOptions = {},
): Promise<TopKResult> {
  if (!Number.isInteger(dim) || dim < 1) throw new RadprobeError(`top-k similarities: dim ${dim} must be a positive integer`);
  const queryRows = checkMatrix('queries', queries, dim);
  const keyRows = checkMatrix('keys', keys, dim);
  const excludeSelf = options.excludeSelf ?? false;
  if (excludeSelf && queryRows !== keyRows) {
    throw new RadprobeError(`top-k similarities: excludeSelf needs queries and keys to be the same rows, got ${queryRows} and ${keyRows}`);
  }
  const available = keyRows - (excludeSelf ? 1 : 0);
  if (!Number.isInteger(k) || k < 1 || k > available) {
    throw new RadprobeError(`top-k similarities: k = ${k} must be an integer in [1, ${available}] (the keys available per query)`);
  }
  const { tf } = await computeBackend();
  const heaps = new TopKHeaps(queryRows, k);
  const queryBlocks = Math.ceil(queryRows / QUERY_BLOCK_ROWS);
  const total = queryBlocks * Math.ceil(keyRows / KEY_BLOCK_ROWS);
  let done = 0;
  for (let keyStart = 0; keyStart < keyRows; keyStart += KEY_BLOCK_ROWS) {
    const keyEnd = Math.min(keyRows, keyStart + KEY_BLOCK_ROWS);
    const width = keyEnd - keyStart;
    const keyBlock = tf.tensor2d(transposedKeys(keys, dim, keyStart, keyEnd), [dim, width]);
    try {
      for (let rowStart = 0; rowStart < queryRows; rowStart += QUERY_BLOCK_ROWS) {
        options.signal?.throwIfAborted();
        const blockRows = Math.min(QUERY_BLOCK_ROWS, queryRows - rowStart);
        const similarities = tf.tidy(() =>
          tf.matMul(tf.tensor2d(queries.subarray(rowStart * dim, (rowStart + blockRows) * dim), [blockRows, dim]), keyBlock),
        );
        const block = similarities.dataSync() as Float32Array;
        similarities.dispose();
        heaps.offerBlock(block, rowStart, blockRows, keyStart, width, excludeSelf);
        options.onProgress?.(++done, total);
        await nextTurn();
      }
    } finally {
      keyBlock.dispose();
    }
  }
  heaps.sortRows();
  return { indices: heaps.indices, scores: heaps.scores };
}
