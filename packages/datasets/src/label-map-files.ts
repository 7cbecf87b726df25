import { decodeLabelImage, errorMessage, printablePath, RadprobeError, type Dataset, type DecodeLimits, type LabelMap } from '@radprobe/core';
import { mapConcurrent } from '@radprobe/core/engine';
import type { BadItems } from './bad-items.js';
import { fileDataset, type FileDataset, type FileItem } from './file-dataset.js';
import { openImageFile, readImageBytes } from './image-file.js';
import { readImageHeader } from './image-header.js';
import { describeClasses, type SegmentationClasses } from './label-classes.js';
import type { FilePath } from './listing.js';
import { itemLookup } from './item-lookup.js';

/** Masks read at once while a loader checks them. */
const PARALLEL_MASKS = 4;

/** An item of a user's segmentation set: its image (`file`, else `source`) and its label PNG. */
export type MaskedItem = FileItem & { mask: FilePath };

/**
 * A label PNG as a label map of class indices. A value that is not one of the classes is an error naming the file,
 * the value and the first pixel holding it.
 */
export async function readLabelMap(path: FilePath, classes: SegmentationClasses, limits: DecodeLimits): Promise<LabelMap> {
  const source = printablePath(path);
  const { width, height, values } = decodeLabelImage(await readImageBytes(path), source, limits);
  const data = classes.names.length <= 256 ? new Uint8Array(values.length) : new Uint16Array(values.length);
  for (let at = 0; at < values.length; at++) {
    const index = classes.indexOf[values[at]];
    if (index < 0) {
      throw new RadprobeError(
        `${source}: label value ${values[at]} at pixel (${at % width}, ${Math.floor(at / width)}) is not one of the classes (${describeClasses(classes.names, classes.values)}) of ${classes.origin}`,
        { file: source },
      );
    }
    data[at] = index;
  }
  return { width, height, data };
}

/**
 * Reads every item's mask once: a mask that cannot be read, holds a value outside the classes or differs in size
 * from its image makes the item a bad item (with the mask's message). Returns which items are usable.
 */
export async function checkMasks(items: ReadonlyArray<Pick<MaskedItem, 'source' | 'file' | 'mask'>>, classes: SegmentationClasses, limits: DecodeLimits, bad: BadItems): Promise<boolean[]> {
  return mapConcurrent(items, PARALLEL_MASKS, async (item) => {
    try {
      const mask = await readLabelMap(item.mask, classes, limits);
      const image = item.file ?? item.source;
      const size = (await readImageHeader(image)) ?? (await openImageFile(image, limits));
      if (size.width !== mask.width || size.height !== mask.height) {
        throw new RadprobeError(`mask ${printablePath(item.mask)} is ${mask.width}×${mask.height} but its image is ${size.width}×${size.height}`);
      }
      return true;
    } catch (error) {
      bad.add(item.source, errorMessage(error));
      return false;
    }
  });
}

/** A file dataset of a user's segmentation set: each item's label map from its mask file. */
export function maskedFileDataset(parts: Omit<Dataset, 'open' | 'contentKey' | 'items' | 'task' | 'classes'> & { classes: SegmentationClasses; items: MaskedItem[] }, limits: DecodeLimits): FileDataset {
  const maskOf = itemLookup(parts.name, new Map(parts.items.map((item) => [item.id, item.mask])));
  const items = parts.items.map(({ mask: _mask, ...item }) => item);
  const dataset = fileDataset({ ...parts, task: 'segmentation', classes: parts.classes.names, items }, limits);
  return {
    ...dataset,
    async openMask(item) {
      return readLabelMap(maskOf(item), parts.classes, limits);
    },
  };
}
