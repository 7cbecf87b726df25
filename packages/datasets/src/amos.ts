import type { DatasetFactory, Split } from '@radprobe/core';
import { BadItems } from './bad-items.js';
import { commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, type CommonOptions } from './common-options.js';
import { readDecathlonJson } from './volume/decathlon-json.js';
import { evenlySpacedSplits } from './spaced-splits.js';
import { volumeSegmentationDataset } from './volume/volume-dataset.js';
import { pairVolumes } from './volume/volume-folders.js';
import { FolderScan } from './listing.js';
import { resolveVolumeOptions, volumeOptionProperties, type VolumeOptions } from './volume/volume-options.js';

export interface AmosOptions extends CommonOptions, VolumeOptions {
  /** AMOS folder: `dataset.json`, `imagesTr/`, `labelsTr/`, `imagesVa/`, `labelsVa/`. */
  root: string;
  /** Share of the official training volumes held out as TEST (evenly spaced over the sorted volumes). */
  testFraction?: number;
}

const KIND = 'amos';
const DEFAULT_TEST_FRACTION = 0.2;
const INTENSITY_DEFAULTS = { window: 'study', clip: 'none' } as const;

export const amosOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    root: pathOption('dir', 'AMOS folder: dataset.json, imagesTr/, labelsTr/, imagesVa/, labelsVa/.'),
    testFraction: {
      type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: DEFAULT_TEST_FRACTION,
      description: 'Share of the official training volumes held out as TEST, evenly spaced over the sorted volumes.',
    },
    ...volumeOptionProperties(INTENSITY_DEFAULTS),
  },
  required: ['root'],
  additionalProperties: false,
};

/**
 * AMOS abdominal organs (15 + background, names from `dataset.json`). VAL = the official validation volumes;
 * TEST = `testFraction` of the official training volumes, evenly spaced over them sorted; TRAIN = the rest.
 */
export const amosDataset: DatasetFactory<AmosOptions> = {
  kind: KIND,
  optionsSchema: amosOptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const root = await existingPath(context.baseDir, options.root, 'root', 'directory');
    const slicing = resolveVolumeOptions(options, INTENSITY_DEFAULTS);
    const { classes } = await readDecathlonJson(root);
    const bad = new BadItems(options.onBadItem ?? 'fail', name);
    const scan = new FolderScan();
    const training = await pairVolumes(root, { images: 'imagesTr', labels: 'labelsTr' }, bad, scan);
    const validation = await pairVolumes(root, { images: 'imagesVa', labels: 'labelsVa' }, bad, scan);
    const fraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
    const test = Math.round(training.length * fraction);
    const trainingSplits = evenlySpacedSplits(training.length, { test, val: 0 });
    const volumes = [
      ...training.map((volume, index) => ({ ...volume, split: trainingSplits[index] })),
      ...validation.map((volume) => ({ ...volume, split: 'val' as Split })),
    ];
    const notes = [`${KIND}: VAL = the official validation volumes; TEST = ${test} of the ${training.length} official training volumes (evenly spaced, sorted by name), as AMOS publishes no test labels`];
    return volumeSegmentationDataset({ kind: KIND, name, classes, notes, bad, scan, limits: decodeLimitsOf(context), volumes, slicing });
  },
};
