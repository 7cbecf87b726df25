import { RadprobeError, type Split } from '@radprobe/core';
import type { FolderScan } from './listing.js';
import { splitFromName } from './split-names.js';

/**
 * The split folders of a `<root>/<split>/…` layout, sorted by name, with a note (prefixed by the dataset kind)
 * for every other folder; two folders for one split, or none at all, are errors naming the root.
 */
export async function findSplitFolders(root: string, kind: string, notes: string[], scan: FolderScan): Promise<Array<{ folder: string; split: Split }>> {
  const folders: Array<{ folder: string; split: Split }> = [];
  for (const entry of await scan.entries(root)) {
    if (!entry.isDirectory || entry.name.startsWith('.')) continue;
    const split = splitFromName(entry.name);
    if (split === null) {
      notes.push(`${kind}: ignored folder "${entry.name}" (not a split name: train, val, valid, validation, test)`);
      continue;
    }
    const twin = folders.find((other) => other.split === split);
    if (twin) throw new RadprobeError(`${root}: folders "${twin.folder}" and "${entry.name}" both hold the ${split} split`, { file: root });
    folders.push({ folder: entry.name, split });
  }
  if (folders.length === 0) {
    throw new RadprobeError(`${root}: no split folders (expected train/, val/ (or valid/, validation/), test/)`, { file: root, pointer: '/root' });
  }
  return folders;
}
