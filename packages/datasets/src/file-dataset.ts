import { stat } from 'node:fs/promises';
import type { Dataset, DatasetItem, DecodeLimits } from '@radprobe/core';
import { hashImageFile, openImageFile } from './image-file.js';
import type { FilePath } from './listing.js';

/** An item of a file dataset, and the path that opens its file when that is not its printable `source`. */
export type FileItem = DatasetItem & { file?: FilePath };

/** A dataset whose items are image files: decoded on `open` within the run's decode limits, hashed for the cache. */
export interface FileDataset extends Dataset {
  /** The path that opens the item's file. */
  file(item: DatasetItem): FilePath;
}

/**
 * A file dataset of `items`; an item's `file`, when given, is kept here rather than in the item, which stays a
 * plain DatasetItem (its `source` is what messages show; `file` what opens, e.g. the bytes of a Latin-1 name).
 */
export function fileDataset(parts: Omit<Dataset, 'open' | 'contentKey' | 'items'> & { items: FileItem[] }, limits: DecodeLimits): FileDataset {
  const files = new Map<string, FilePath>();
  const items = parts.items.map(({ file, ...item }) => {
    if (file !== undefined && file !== item.source) files.set(item.id, file);
    return item;
  });
  const fileOf = (item: DatasetItem) => files.get(item.id) ?? item.source;
  return {
    ...parts,
    items,
    file: fileOf,
    async open(item: DatasetItem) {
      return openImageFile(fileOf(item), limits);
    },
    async contentKey(item: DatasetItem) {
      return hashImageFile(fileOf(item));
    },
    async itemSize(item: DatasetItem) {
      const { size, mtimeMs } = await stat(fileOf(item));
      return { bytes: size, modifiedMs: mtimeMs };
    },
  };
}

/** Whether a dataset reads its items from files it can name (what `radprobe data inspect` reads headers of). */
export function isFileDataset(dataset: Dataset): dataset is FileDataset {
  return typeof (dataset as Partial<FileDataset>).file === 'function';
}
