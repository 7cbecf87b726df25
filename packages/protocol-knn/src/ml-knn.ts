/** A fitted ML-kNN (Zhang & Zhou 2007) for one k. */
export interface MlKnnModel {
  k: number;
  numLabels: number;
  /** `P(H1_l)`, per label. */
  prior: Float64Array;
  /** `P(δ | H1_l)`, row-major `[labels, k + 1]`. */
  likelihoodPositive: Float64Array;
  /** `P(δ | H0_l)`, row-major `[labels, k + 1]`. */
  likelihoodNegative: Float64Array;
}

/** Per row and label, how many of the row's first `k` neighbours carry the label. */
function neighbourLabelCounts(
  neighbourIndices: Int32Array,
  stride: number,
  k: number,
  trainTargets: Uint8Array,
  numLabels: number,
): Int32Array {
  const rows = neighbourIndices.length / stride;
  const counts = new Int32Array(rows * numLabels);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) {
      const neighbour = neighbourIndices[r * stride + j] * numLabels;
      for (let l = 0; l < numLabels; l++) counts[r * numLabels + l] += trainTargets[neighbour + l];
    }
  }
  return counts;
}

/**
 * Fits ML-kNN from each training point's neighbours among the other training points (`[N, stride]`, most
 * similar first; the first `k` are used), with smoothing `s`:
 * `P(H1_l) = (s + Σ_i y_il) / (2s + N)`, `P(δ | H1_l) = (s + c[l,δ]) / (s(k+1) + Σ_δ c[l,δ])` where `c[l,δ]` counts
 * training points having label `l` and `δ` neighbours with it; `P(δ | H0_l)` likewise from those without it.
 */
export function fitMlKnn(
  neighbourIndices: Int32Array,
  stride: number,
  k: number,
  trainTargets: Uint8Array,
  numLabels: number,
  smoothing: number,
): MlKnnModel {
  const n = neighbourIndices.length / stride;
  const counts = neighbourLabelCounts(neighbourIndices, stride, k, trainTargets, numLabels);
  const withLabel = new Float64Array(numLabels * (k + 1));
  const withoutLabel = new Float64Array(numLabels * (k + 1));
  const positives = new Float64Array(numLabels);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < numLabels; l++) {
      const delta = counts[i * numLabels + l];
      if (trainTargets[i * numLabels + l]) {
        withLabel[l * (k + 1) + delta]++;
        positives[l]++;
      } else {
        withoutLabel[l * (k + 1) + delta]++;
      }
    }
  }
  const prior = positives.map((p) => (smoothing + p) / (2 * smoothing + n));
  const likelihood = (table: Float64Array, members: (l: number) => number) =>
    table.map((count, cell) => {
      const l = Math.floor(cell / (k + 1));
      return (smoothing + count) / (smoothing * (k + 1) + members(l));
    });
  return {
    k,
    numLabels,
    prior,
    likelihoodPositive: likelihood(withLabel, (l) => positives[l]),
    likelihoodNegative: likelihood(withoutLabel, (l) => n - positives[l]),
  };
}

/**
 * Scores `p1 / (p1 + p0)` per query and label, with `p1 = P(H1_l) P(δ | H1_l)` and `p0 = P(H0_l) P(δ | H0_l)`, `δ`
 * counted over the query's first `k` training neighbours (`[queries, stride]`). Row-major `[queries, labels]`.
 */
export function predictMlKnn(model: MlKnnModel, neighbourIndices: Int32Array, stride: number, trainTargets: Uint8Array): Float64Array {
  const { k, numLabels, prior, likelihoodPositive, likelihoodNegative } = model;
  const counts = neighbourLabelCounts(neighbourIndices, stride, k, trainTargets, numLabels);
  const scores = new Float64Array(counts.length);
  for (let cell = 0; cell < counts.length; cell++) {
    const l = cell % numLabels;
    const delta = counts[cell];
    const p1 = prior[l] * likelihoodPositive[l * (k + 1) + delta];
    const p0 = (1 - prior[l]) * likelihoodNegative[l * (k + 1) + delta];
    scores[cell] = p1 / (p1 + p0);
  }
  return scores;
}
