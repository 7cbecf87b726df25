import { RadprobeError, type DatasetItem } from '@radprobe/core';

/**
 * What a dataset keeps per item (a file and frame, a mask), found by the item's id. An item the dataset did not list
 * is refused by name: a caller that mixed up datasets must not get another item's pixels.
 */
export function itemLookup<T>(datasetName: string, byId: ReadonlyMap<string, T>): (item: DatasetItem) => T {
  return (item) => {
    const found = byId.get(item.id);
    if (found === undefined) throw new RadprobeError(`dataset "${datasetName}": item "${item.id}" is not one of its items`, { file: item.source });
    return found;
  };
}
