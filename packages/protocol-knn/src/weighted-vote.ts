/**
 * The upstream DINOv2 kNN vote. Each query's `maxK` neighbours (sorted, most similar first) get weights
 * `softmax(similarity / temperature)` over all `maxK`; for each `k`, `score[c]` sums the weights of the first `k`
 * neighbours labelled `c`, without renormalising when `k < maxK`. One pass over the neighbours serves every k.
 * Returns, per entry of `ks` (each ≤ maxK), row-major `[queries, classes]` scores.
 */
export function weightedVoteScores(
  neighbourIndices: Int32Array,
  neighbourSimilarities: Float32Array,
  maxK: number,
  trainLabels: Int32Array,
  numClasses: number,
  ks: readonly number[],
  temperature: number,
): Float64Array[] {
  const queries = neighbourIndices.length / maxK;
  const out = ks.map(() => new Float64Array(queries * numClasses));
  const running = new Float64Array(numClasses);
  const weights = new Float64Array(maxK);
  for (let q = 0; q < queries; q++) {
    const base = q * maxK;
    // Similarities are sorted, so the first is the largest: subtracting it keeps exp() in range.
    const top = neighbourSimilarities[base];
    let total = 0;
    for (let j = 0; j < maxK; j++) {
      weights[j] = Math.exp((neighbourSimilarities[base + j] - top) / temperature);
      total += weights[j];
    }
    running.fill(0);
    for (let j = 0; j < maxK; j++) {
      running[trainLabels[neighbourIndices[base + j]]] += weights[j] / total;
      ks.forEach((k, i) => {
        if (k === j + 1) out[i].set(running, q * numClasses);
      });
    }
  }
  return out;
}
