import { resolve } from 'node:path';
import type { BackboneInfo, Dataset, DatasetItem, FeatureNeeds, RunConfig, RunReporter } from '../../contracts/index.js';
import { FeatureCache, cacheEntryIdentity } from '../cache/feature-cache.js';
import { groupDirectoryName, groupsFor, mergeNeeds, type FeatureGroup } from '../cache/layout.js';
import { claimPart, itemIdHash, readDoneRecord, releaseClaim } from '../cache/work-records.js';
import { resolvePreprocessing, type ResolvedPreprocessing } from '../image/preprocessing.js';
import { itemsOfPart, type ItemList } from '../scale/item-list.js';
import { formatPart, type PartRef } from '../scale/partition.js';
import type { OpenedBackbone } from './checked-backbone.js';
import { extractFeatures, type ExtractionResult } from './extract.js';

/** Where a (backbone, dataset) pair's features live: the cache entry and groups its protocols' needs call for. */
export interface PairCache {
  cache: FeatureCache;
  groups: FeatureGroup[];
  preprocessing: ResolvedPreprocessing;
  grid: { rows: number; cols: number };
}

/** Opens the cache entry of a backbone under the config's preprocessing, with the groups `needs` call for. */
export async function openPairCache(args: { config: RunConfig; baseDir: string; backbone: OpenedBackbone; needs: FeatureNeeds[]; log(message: string): void }): Promise<PairCache> {
  const { config, backbone } = args;
  const preprocessing = resolvePreprocessing(config.preprocessing, backbone.info);
  for (const note of preprocessing.notes) args.log(note);
  const side = patchSide(backbone.info);
  const grid = { rows: preprocessing.outputSize.height / side, cols: preprocessing.outputSize.width / side };
  const groups = groupsFor(mergeNeeds(args.needs), backbone.info, grid.rows * grid.cols);
  const identity = cacheEntryIdentity(backbone.info, backbone.optionsHash, preprocessing.description);
  const cache = await FeatureCache.open(resolve(args.baseDir, config.cache), identity);
  return { cache, groups, preprocessing, grid };
}

function patchSide(info: BackboneInfo): number {
  return info.patchSize > 0 ? info.patchSize : 1;
}

/**
 * Whether `part` of the list is in the cache already, by its finished-part record alone (no file is read): the
 * record must be of this very list (same items, sizes and times), cover the groups asked for, and every key it
 * lists must have a checked shard in each group. Only for lists whose items' sizes and times are known.
 */
export async function partComplete(pair: PairCache, list: ItemList, part: PartRef): Promise<boolean> {
  if (!list.stamped) return false;
  const record = await readDoneRecord(pair.cache.dir, list.hash, part);
  if (!record) return false;
  const names = pair.groups.map(groupDirectoryName);
  if (!names.every((name) => record.groups.includes(name))) return false;
  const stores = await Promise.all(pair.groups.map((group) => pair.cache.store(group)));
  return record.items.every(([, key]) => key === null || stores.every((store) => store.has(key)));
}

/**
 * Embeds `part` of a dataset's item list into the pair's cache entry (items already cached are reused), under a
 * claim that says which worker does it, and records the part as finished. A worker killed at any point leaves its
 * claim and whole shards; the next worker for the part reuses the shards and embeds the rest.
 */
export async function embedPart(args: {
  pair: PairCache;
  dataset: Dataset;
  list: ItemList;
  part: PartRef;
  backbone: OpenedBackbone;
  /** The backbone entry's name in the config, for progress. */
  backboneName: string;
  batchSize: number;
  onBadItem: 'fail' | 'skip';
  openEveryItem: boolean;
  signal: AbortSignal;
  reporter: RunReporter;
  log(message: string): void;
}): Promise<ExtractionResult & { items: readonly DatasetItem[] }> {
  const { pair, dataset, part, reporter } = args;
  const items = itemsOfPart(args.list, part);
  const names = { backbone: args.backboneName, dataset: dataset.name };
  const claim = await claimPart(pair.cache.dir, dataset.name, args.list.hash, part);
  let extraction: ExtractionResult;
  try {
    extraction = await extractFeatures({
      dataset,
      items,
      backbone: args.backbone,
      preprocessing: pair.preprocessing,
      cache: pair.cache,
      groups: pair.groups,
      batchSize: args.batchSize,
      onBadItem: args.onBadItem,
      openEveryItem: args.openEveryItem,
      signal: args.signal,
      log: args.log,
      warn: (message) => reporter({ type: 'log', level: 'warn', message }),
      progress: (done, total) =>
        reporter({ type: 'progress', task: `extract:${names.backbone}:${names.dataset}${part.count > 1 ? `:${formatPart(part)}` : ''}`, label: 'images embedded', done, total }),
    });
  } catch (error) {
    await releaseClaim(claim.file);
    throw error;
  }
  await claim.finish({
    groups: pair.groups.map(groupDirectoryName),
    items: items.map((item, index) => [itemIdHash(item.id), extraction.keys[index]]),
    executionProvider: args.backbone.info.executionProvider,
  });
  return { ...extraction, items };
}
