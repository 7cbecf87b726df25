import type { Dataset, DatasetItem } from '../../contracts/index.js';
import { mapConcurrent } from '../util/concurrency.js';
import { canonicalJson, sha256 } from '../util/hash.js';
import { partitionItems, type ItemWeight, type PartRef } from './partition.js';

/** A dataset's item list as sharding sees it: each item's size (when the dataset tells), and the list's hash. */
export interface ItemList {
  items: readonly DatasetItem[];
  weights: ItemWeight[];
  /**
   * 16 hex digits of the sha256 of every item's id, split, size and modification time: a finished part's record
   * names it, and is stale once an item is added, removed, resized or touched. Without sizes (the dataset has no
   * `itemSize`), ids and splits alone.
   */
  hash: string;
  /** Whether every item's size and time are known: only then is a finished part trusted without reading its files. */
  stamped: boolean;
}

/** Reads the sizes of a dataset's items (a `stat` each, 32 at a time) and hashes the list. */
export async function readItemList(dataset: Dataset): Promise<ItemList> {
  const { items } = dataset;
  const itemSize = dataset.itemSize?.bind(dataset);
  const stamps = itemSize ? await mapConcurrent(items, 32, (item) => itemSize(item).catch(() => null)) : items.map(() => null);
  const weights = items.map((item, index) => ({ id: item.id, bytes: stamps[index]?.bytes ?? null }));
  const hash = sha256(canonicalJson(items.map((item, index) => [item.id, item.split, stamps[index]?.bytes ?? null, stamps[index]?.modifiedMs ?? null]))).slice(0, 16);
  return { items, weights, hash, stamped: stamps.every((stamp) => stamp !== null) };
}

/** The items of `part` of the list, in the dataset's order. */
export function itemsOfPart(list: ItemList, part: PartRef): DatasetItem[] {
  if (part.count === 1) return [...list.items];
  const parts = partitionItems(list.weights, part.count);
  return list.items.filter((_, index) => parts[index] === part.index);
}
