import type { DatasetItem } from '../../contracts/index.js';
import { errorMessage, RadprobeError } from '../util/errors.js';

/**
 * What went wrong with an item, without the leading `<path>: ` its decoder put there: the item's source is said
 * beside the reason already. The decoder may name the item's file (`scan.nii.gz: truncated …`) where the source is
 * a slice of it (`scan.nii.gz#k=3`); either way the path is said once.
 */
export function itemReason(item: DatasetItem, error: unknown): string {
  const message = errorMessage(error);
  const named = error instanceof RadprobeError && error.file && item.source.startsWith(error.file) ? error.file : item.source;
  return message.startsWith(`${named}: `) ? message.slice(named.length + 2) : message;
}
