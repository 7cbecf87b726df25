/**
 * Ranks of `values` from the highest (rank 1) down; tied values share the mean of the ranks they span
 * (fractional ranking), so that [0.9, 0.8, 0.8, 0.7] ranks [1, 2.5, 2.5, 4].
 */
export function ranksHighestFirst(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => b.value - a.value);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].value === order[start].value) end += 1;
    const shared = (start + end) / 2 + 1;
    for (let i = start; i <= end; i += 1) ranks[order[i].index] = shared;
    start = end + 1;
  }
  return ranks;
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
