import type { DatasetItem } from '../../contracts/dataset.js';
import { sha256 } from '../util/hash.js';

/**
 * The split's fingerprint (`DatasetSummary.splitHash`): sha256 of the items' `id:split` lines, sorted by code unit
 * and joined by `\n`, so that it depends on which item went where and not on the loader's order.
 */
export function splitHash(items: ReadonlyArray<Pick<DatasetItem, 'id' | 'split'>>): string {
  const lines = items.map((item) => `${item.id}:${item.split}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256(lines.join('\n'));
}
