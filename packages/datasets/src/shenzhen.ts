import { join, parse } from 'node:path';
import type { DatasetFactory } from '@radprobe/core';
import { commonOptionProperties, pathOption, type CommonOptions } from './common-options.js';
import { cxrSegmentationDataset } from './cxr-segmentation.js';

export interface ShenzhenOptions extends CommonOptions {
  /** Shenzhen set: `CXR_png/<name>.png` and `masks/<name>_mask.png`. */
  root: string;
}

const KIND = 'shenzhen';
export const SHENZHEN_CLASSES = ['background', 'lung'];

export const shenzhenOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    root: pathOption('dir', 'Shenzhen folder: CXR_png/<name>.png and masks/<name>_mask.png.'),
  },
  required: ['root'],
  additionalProperties: false,
};

/** Shenzhen chest X-rays with lung masks (255 = lung): only the 566 images that have a mask; the others are listed as left out. */
export const shenzhenDataset: DatasetFactory<ShenzhenOptions> = {
  kind: KIND,
  optionsSchema: shenzhenOptionsSchema,
  create: (options, context) =>
    cxrSegmentationDataset(
      {
        kind: KIND,
        classes: SHENZHEN_CLASSES,
        masksOf: (root, image) => [{ path: join(root, 'masks', `${parse(image).name}_mask.png`), classIndex: 1 }],
        missingMask: 'left out',
        every: { test: 5, val: 5 },
        publishedCount: 566,
      },
      options,
      context,
    ),
};
