// Shared by the segmentation benchmarks: a ProtocolContext that serves random patch tokens item by item.

/**
 * A ProtocolContext over `indices` of a benchmark's items: each item's patch tokens of `blocks` blocks,
 * `grid`×`grid`×`dim`, streamed item by item from windows of the random `pool` (at least grid²·dim + 4096 values),
 * so that, as with the real cache, only the chunk being trained is in memory. No masks source.
 */
export function tokenContext(indices, { grid, dim, blocks, classes, pool }) {
  const record = grid * grid * dim;
  const items = indices.map((i) => ({ id: `${i}`, split: 'train', source: `item ${i}` }));
  return {
    dataset: { name: 'bench', task: 'segmentation', classes: Array.from({ length: classes }, (_, c) => (c === 0 ? 'background' : `class ${c}`)), items, notes: [] },
    signal: new AbortController().signal,
    features: {
      clsBlocks: 0,
      patchBlocks: blocks,
      patchTokens: (_splits, fromEnd = 0) => ({
        async *[Symbol.asyncIterator]() {
          for (let position = 0; position < indices.length; position++) {
            const offset = (indices[position] * 131 + fromEnd * 977) % 4096;
            yield { item: position, grid: { rows: grid, cols: grid }, dim, data: pool.slice(offset, offset + record) };
          }
        },
      }),
    },
    restrict: (subset) => tokenContext(subset.map((i) => indices[i]), { grid, dim, blocks, classes, pool }),
  };
}
