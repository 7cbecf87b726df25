import type { Dataset, DatasetItem } from '@radprobe/core';
import { hashImageFile, openImageFile } from './image-file.js';

/** A dataset whose items are image files named by `item.source`: read and decoded on `open`, hashed for the cache. */
export function fileDataset(parts: Omit<Dataset, 'open' | 'contentKey'>): Dataset {
  return {
    ...parts,
    async open(item: DatasetItem) {
      return openImageFile(item.source);
    },
    async contentKey(item: DatasetItem) {
      return hashImageFile(item.source);
    },
  };
}
