import { join } from 'node:path';
import type { DatasetFactory } from '@radprobe/core';
import { commonOptionProperties, pathOption, type CommonOptions } from './common-options.js';
import { cxrSegmentationDataset } from './cxr-segmentation.js';

export interface MontgomeryOptions extends CommonOptions {
  /** Montgomery County set: `CXR_png/`, `ManualMask/leftMask/`, `ManualMask/rightMask/`. */
  root: string;
}

const KIND = 'montgomery';
export const MONTGOMERY_CLASSES = ['background', 'left lung', 'right lung'];

export const montgomeryOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    root: pathOption('dir', 'Montgomery County folder: CXR_png/, ManualMask/leftMask/, ManualMask/rightMask/.'),
  },
  required: ['root'],
  additionalProperties: false,
};

/** Montgomery County chest X-rays with left and right lung masks (138 images: TRAIN 69 / VAL 23 / TEST 46). */
export const montgomeryDataset: DatasetFactory<MontgomeryOptions> = {
  kind: KIND,
  optionsSchema: montgomeryOptionsSchema,
  create: (options, context) =>
    cxrSegmentationDataset(
      {
        kind: KIND,
        classes: MONTGOMERY_CLASSES,
        masksOf: (root, image) => [
          { path: join(root, 'ManualMask', 'leftMask', image), classIndex: 1 },
          { path: join(root, 'ManualMask', 'rightMask', image), classIndex: 2 },
        ],
        missingMask: 'bad item',
        every: { test: 3, val: 4 },
        publishedCount: 138,
      },
      options,
      context,
    ),
};
