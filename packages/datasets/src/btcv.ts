import type { DatasetFactory, Split } from '@radprobe/core';
import { BadItems } from './bad-items.js';
import { commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, type CommonOptions } from './common-options.js';
import { volumeSegmentationDataset } from './volume/volume-dataset.js';
import { pairVolumes } from './volume/volume-folders.js';
import { FolderScan } from './listing.js';
import { resolveVolumeOptions, volumeOptionProperties, type VolumeOptions } from './volume/volume-options.js';

export interface BtcvOptions extends CommonOptions, VolumeOptions {
  /** Folder with `imagesTr/` and `labelsTr/` (`img0001.nii.gz` ↔ `label0001.nii.gz`, or equal names). */
  root: string;
}

const KIND = 'btcv';
/** Label values 1..13 of the Multi-Atlas Labeling Beyond the Cranial Vault challenge (Synapse), 0 = background. */
export const BTCV_CLASSES = [
  'background', 'spleen', 'right kidney', 'left kidney', 'gallbladder', 'esophagus', 'liver', 'stomach', 'aorta',
  'inferior vena cava', 'portal vein and splenic vein', 'pancreas', 'right adrenal gland', 'left adrenal gland',
] as const;
const INTENSITY_DEFAULTS = { window: 'study', clip: 'none' } as const;

export const btcvOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    root: pathOption('dir', 'BTCV folder: imagesTr/*.nii.gz and labelsTr/*.nii.gz.'),
    ...volumeOptionProperties(INTENSITY_DEFAULTS),
  },
  required: ['root'],
  additionalProperties: false,
};

/**
 * BTCV abdominal CT (13 organs). The official test volumes have no labels, so, as in the study, every second
 * training volume (sorted by name: the 2nd, 4th, …) is held out and reported as TEST; the others are TRAIN.
 */
export const btcvDataset: DatasetFactory<BtcvOptions> = {
  kind: KIND,
  optionsSchema: btcvOptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const root = await existingPath(context.baseDir, options.root, 'root', 'directory');
    const slicing = resolveVolumeOptions(options, INTENSITY_DEFAULTS);
    const bad = new BadItems(options.onBadItem ?? 'fail', name);
    const scan = new FolderScan();
    const found = await pairVolumes(root, { images: 'imagesTr', labels: 'labelsTr' }, bad, scan, (image) => image.replace(/^img/, 'label'));
    const volumes = found.map((volume, index) => ({ ...volume, split: (index % 2 === 1 ? 'test' : 'train') as Split }));
    const notes = [
      `${KIND}: the official test set has no labels; every second training volume (sorted) is the study's VAL, reported here as TEST (VAL-as-test); VAL is empty`,
    ];
    return volumeSegmentationDataset({ kind: KIND, name, classes: [...BTCV_CLASSES], notes, bad, scan, limits: decodeLimitsOf(context), volumes, slicing });
  },
};
