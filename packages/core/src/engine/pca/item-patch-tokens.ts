import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backbone, Dataset, DatasetItem } from '../../contracts/index.js';
import { FeatureCache, cacheEntryIdentity } from '../cache/feature-cache.js';
import { groupDirectoryName, type FeatureGroup } from '../cache/layout.js';
import type { ShardStore } from '../cache/shard-store.js';
import type { ResolvedPreprocessing } from '../image/preprocessing.js';
import type { OpenedBackbone } from '../run/checked-backbone.js';
import { extractFeatures } from '../run/extract.js';
import { RadprobeError, errorMessage } from '../util/errors.js';
import type { PatchGrid } from './patch-pca.js';

export interface ItemPatchTokensRequest {
  dataset: Dataset;
  /** From `openBackbone`: its options hash picks the cache entry a run with this backbone uses. */
  backbone: Backbone & Pick<OpenedBackbone, 'optionsHash'>;
  preprocessing: ResolvedPreprocessing;
  /** Root of the feature cache (the config's `cache`, resolved). */
  cacheDir: string;
  items: readonly DatasetItem[];
  batchSize: number;
  signal: AbortSignal;
  log(message: string): void;
}

/** The last block's patch tokens of one item, and whether the cache already held them. */
export interface ItemPatchTokens extends PatchGrid {
  item: DatasetItem;
  source: 'cache' | 'extracted';
}

/**
 * The last exposed block's patch tokens of `items`: read from any patch group of the feature cache entry a run
 * with this backbone and preprocessing uses (a U-Net run caches five blocks, a linear decoder one), and for items
 * found in none, embedded through the run's own extraction path into a one-block group, so that they are cached
 * for the next time. An item that cannot be read or embedded is an error naming it.
 */
export async function itemPatchTokens(request: ItemPatchTokensRequest): Promise<ItemPatchTokens[]> {
  const { backbone, preprocessing, dataset } = request;
  const { info } = backbone;
  if (!info.hasPatchTokens || info.patchSize <= 0) throw new RadprobeError(`${info.description} exposes no patch tokens, so its patch features have no PCA`);
  const grid = { rows: preprocessing.outputSize.height / info.patchSize, cols: preprocessing.outputSize.width / info.patchSize };
  const tokens = grid.rows * grid.cols;
  const cache = await FeatureCache.open(request.cacheDir, cacheEntryIdentity(info, backbone.optionsHash, preprocessing.description));
  const keys = await Promise.all(
    request.items.map((item) =>
      dataset.contentKey(item).catch((error: unknown) => {
        throw new RadprobeError(`${item.source}: cannot read (${errorMessage(error)})`, { file: item.source, cause: error });
      }),
    ),
  );

  const cached = await existingPatchStores(cache, info.exposedBlocks.length, info.embedDim, tokens);
  for (const { store } of cached) for (const warning of await store.setAsideBadShards(keys)) request.log(warning);
  const storeOf = (key: string) => cached.find(({ store }) => store.has(key)) ?? null;
  const missing = request.items.filter((_, index) => !storeOf(keys[index]));
  if (missing.length > 0) {
    const group: FeatureGroup = { kind: 'patch', blocks: 1, embedDim: info.embedDim, tokens };
    await extractFeatures({
      dataset: { ...dataset, items: missing },
      backbone,
      preprocessing,
      cache,
      groups: [group],
      batchSize: request.batchSize,
      onBadItem: 'fail',
      signal: request.signal,
      progress: () => undefined,
      log: request.log,
      warn: request.log,
    });
    if (!cached.some((entry) => entry.group.blocks === 1)) cached.push({ group, store: await cache.store(group) });
  }

  return Promise.all(
    request.items.map(async (item, index): Promise<ItemPatchTokens> => {
      const { group, store } = storeOf(keys[index])!;
      const record = await store.read([keys[index]]);
      const last = (group.blocks - 1) * tokens * info.embedDim;
      return { item, grid, dim: info.embedDim, data: record.slice(last, last + tokens * info.embedDim), source: missing.includes(item) ? 'extracted' : 'cache' };
    }),
  );
}

/** The patch groups of the entry that exist on disk for this token count and width, fewest blocks first. */
async function existingPatchStores(cache: FeatureCache, exposedBlocks: number, embedDim: number, tokens: number): Promise<Array<{ group: Extract<FeatureGroup, { kind: 'patch' }>; store: ShardStore }>> {
  const found: Array<{ group: Extract<FeatureGroup, { kind: 'patch' }>; store: ShardStore }> = [];
  for (let blocks = 1; blocks <= exposedBlocks; blocks++) {
    const group = { kind: 'patch' as const, blocks, embedDim, tokens };
    // Opening a store creates its folder: only groups a run made are opened.
    const exists = await stat(join(cache.dir, groupDirectoryName(group))).then((entry) => entry.isDirectory(), () => false);
    if (exists) found.push({ group, store: await cache.store(group) });
  }
  return found;
}
