import type { DatasetItem, FeatureMatrix, FeatureSource, PatchTokens, Split } from '../../contracts/index.js';
import type { FeatureGroup } from '../cache/layout.js';
import type { ShardStore } from '../cache/shard-store.js';
import { RadprobeError } from '../util/errors.js';

export interface CachedGroup<K extends FeatureGroup['kind']> {
  group: Extract<FeatureGroup, { kind: K }>;
  store: ShardStore;
}

/**
 * Protocols' read-only view of the cache for one (backbone, dataset) cell. `items[i]` has its features under
 * `keys[i]`. The small global records are read once and kept; patch tokens are streamed item by item.
 */
export function cachedFeatureSource(options: {
  items: readonly DatasetItem[];
  keys: readonly string[];
  global: CachedGroup<'global'> | null;
  patch: CachedGroup<'patch'> | null;
  grid: { rows: number; cols: number };
}): FeatureSource {
  const { items, keys, global, patch, grid } = options;
  let globalRecords: Promise<Float32Array> | null = null;
  const rowsOf = (splits: Split | readonly Split[]) => {
    const wanted = new Set<Split>(typeof splits === 'string' ? [splits] : splits);
    return items.flatMap((item, index) => (wanted.has(item.split) ? [index] : []));
  };

  const globalColumn = async (splits: Split | readonly Split[], fromEnd: number, patchMean: boolean): Promise<FeatureMatrix> => {
    if (!global) throw new RadprobeError('no CLS features were cached for this cell: the protocol did not declare them in featureNeeds');
    const { blocks, embedDim, withPatchMean } = global.group;
    if (patchMean && !withPatchMean) throw new RadprobeError('this backbone exposes no patch tokens, so it has no mean patch token');
    const block = checkBlock(fromEnd, blocks);
    globalRecords ??= global.store.read(keys);
    const records = await globalRecords;
    const stride = embedDim * (withPatchMean ? 2 : 1);
    const offset = block * stride + (patchMean ? embedDim : 0);
    const rows = rowsOf(splits);
    const data = new Float32Array(rows.length * embedDim);
    rows.forEach((row, position) => {
      const start = row * blocks * stride + offset;
      data.set(records.subarray(start, start + embedDim), position * embedDim);
    });
    return { rows: rows.length, dim: embedDim, data, items: rows };
  };

  return {
    clsBlocks: global?.group.blocks ?? 0,
    patchBlocks: patch?.group.blocks ?? 0,
    cls: (splits, fromEnd = 0) => globalColumn(splits, fromEnd, false),
    patchMean: (splits, fromEnd = 0) => globalColumn(splits, fromEnd, true),
    patchTokens(splits, fromEnd = 0): AsyncIterable<PatchTokens> {
      if (!patch) throw new RadprobeError('no patch tokens were cached for this cell: the protocol did not declare them in featureNeeds');
      const { blocks, tokens, embedDim } = patch.group;
      const block = checkBlock(fromEnd, blocks);
      const rows = rowsOf(splits);
      return {
        async *[Symbol.asyncIterator]() {
          for (const row of rows) {
            const record = await patch.store.read([keys[row]]);
            const start = block * tokens * embedDim;
            yield { item: row, grid, dim: embedDim, data: record.slice(start, start + tokens * embedDim) };
          }
        },
      };
    },
  };
}

function checkBlock(fromEnd: number, blocks: number): number {
  if (!Number.isInteger(fromEnd) || fromEnd < 0 || fromEnd >= blocks) {
    throw new RadprobeError(`block ${fromEnd} before the last was requested, but only the last ${blocks} block(s) are cached`);
  }
  return blocks - 1 - fromEnd;
}
