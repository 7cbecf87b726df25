import { join } from 'node:path';
import { RadprobeError, Random, writeFileAtomic } from '@radprobe/core';
import { randomAnatomy, renderChest } from './chest-image.js';
import type { NihFinding } from './chest-image.js';
import { encodeGrayPng } from './gray-png.js';

export interface ImageFolderDatasetOptions {
  /** Class folder names; the first class has no lesion, class i > 0 shows lesion kind i (default 4 classes). */
  classes?: string[];
  perClass: { train: number; val: number; test: number };
  /** Image side in pixels (default 64). */
  size?: number;
  seed: number;
  bitDepth?: 8 | 16;
}

export const DEFAULT_IMAGE_FOLDER_CLASSES = ['normal', 'effusion', 'cardiomegaly', 'mass'];

/** Lesion kinds for classes 1, 2, ... in order: the most conspicuous first, so small class counts separate best. */
const CLASS_LESIONS: NihFinding[] = [
  'Effusion',
  'Cardiomegaly',
  'Mass',
  'Pneumothorax',
  'Consolidation',
  'Nodule',
  'Edema',
  'Emphysema',
  'Atelectasis',
  'Pneumonia',
  'Pleural_Thickening',
  'Fibrosis',
  'Infiltration',
  'Hernia',
];

const SPLITS = ['train', 'val', 'test'] as const;

/**
 * Writes `<root>/<split>/<class>/<class>_<nnnn>.png`: chest-X-ray-like gray images whose class decides the
 * lesion, deterministic in `seed` (same seed, same bytes).
 */
export async function writeImageFolderDataset(root: string, opts: ImageFolderDatasetOptions): Promise<void> {
  const classes = opts.classes ?? DEFAULT_IMAGE_FOLDER_CLASSES;
  if (classes.length < 1 || classes.length > CLASS_LESIONS.length + 1) {
    throw new RadprobeError(
      `writeImageFolderDataset: classes must hold 1 to ${CLASS_LESIONS.length + 1} names, got ${classes.length}`,
    );
  }
  if (new Set(classes).size !== classes.length) {
    throw new RadprobeError(`writeImageFolderDataset: class names repeat: ${classes.join(', ')}`);
  }
  const unusable = classes.find((name) => name === '' || name === '.' || name === '..' || /[\\/]/.test(name));
  if (unusable !== undefined) {
    throw new RadprobeError(`writeImageFolderDataset: class name '${unusable}' cannot be a folder name`);
  }
  for (const split of SPLITS) {
    const count = opts.perClass[split];
    if (!Number.isInteger(count) || count < 0) {
      throw new RadprobeError(`writeImageFolderDataset: perClass.${split} = ${count} is not a non-negative integer`);
    }
  }
  const size = opts.size ?? 64;
  const bitDepth = opts.bitDepth ?? 8;
  const seeds = new Random(opts.seed);
  for (const split of SPLITS) {
    for (let classIndex = 0; classIndex < classes.length; classIndex++) {
      const findings = classIndex === 0 ? [] : [CLASS_LESIONS[classIndex - 1]];
      for (let item = 0; item < opts.perClass[split]; item++) {
        const random = new Random(seeds.nextUint32());
        const pixels = renderChest(size, randomAnatomy(random), findings, random);
        const name = `${classes[classIndex]}_${String(item).padStart(4, '0')}.png`;
        await writeFileAtomic(join(root, split, classes[classIndex], name), encodeGrayPng(pixels, size, size, bitDepth));
      }
    }
  }
}
