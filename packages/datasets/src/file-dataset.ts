import { readFile } from 'node:fs/promises';
import { decodeImage, errorMessage, RadprobeError, sha256File, type Dataset, type DatasetItem } from '@radprobe/core';

/** A dataset whose items are image files named by `item.source`: read and decoded on `open`, hashed for the cache. */
export function fileDataset(parts: Omit<Dataset, 'open' | 'contentKey'>): Dataset {
  return {
    ...parts,
    async open(item: DatasetItem) {
      return decodeImage(await readItem(item.source), item.source);
    },
    async contentKey(item: DatasetItem) {
      try {
        return await sha256File(item.source);
      } catch (error) {
        throw new RadprobeError(`${item.source}: cannot read (${errorMessage(error)})`, { file: item.source, cause: error });
      }
    },
  };
}

async function readItem(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new RadprobeError(`${path}: cannot read (${errorMessage(error)})`, { file: path, cause: error });
  }
}
