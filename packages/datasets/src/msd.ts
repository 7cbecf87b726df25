import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DatasetFactory } from '@radprobe/core';
import { BadItems } from './bad-items.js';
import { commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, type CommonOptions } from './common-options.js';
import { readDecathlonJson } from './volume/decathlon-json.js';
import { evenlySpacedSplits } from './spaced-splits.js';
import { volumeSegmentationDataset } from './volume/volume-dataset.js';
import { pairVolumes } from './volume/volume-folders.js';
import { FolderScan } from './listing.js';
import { resolveVolumeOptions, volumeOptionProperties, type VolumeOptions } from './volume/volume-options.js';

export interface MsdOptions extends CommonOptions, VolumeOptions {
  /** A Decathlon task folder (`dataset.json`, `imagesTr/`, `labelsTr/`), or a folder holding `<task>/`. */
  root: string;
  /** Task folder name, e.g. `Task04_Hippocampus`; defaults to the name of `root`. */
  task?: string;
}

const KIND = 'msd';
const INTENSITY_DEFAULTS = { window: 'none', clip: { low: 5, high: 95 } } as const;

/** The study's split sizes, for the published number of training volumes. */
const STUDY_SPLITS: Record<string, { volumes: number; test: number; val: number }> = {
  Task04_Hippocampus: { volumes: 260, test: 80, val: 60 },
  Task09_Spleen: { volumes: 41, test: 15, val: 10 },
};
/** Tasks without a split of their own (Task02_Heart, any other) take Hippocampus's shares. */
const DEFAULT_SHARES = STUDY_SPLITS.Task04_Hippocampus;

export const msdOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    root: pathOption('dir', 'Decathlon task folder (dataset.json, imagesTr/, labelsTr/), or a folder holding the task folder.'),
    task: { type: 'string', minLength: 1, description: 'Task folder name (Task02_Heart, Task04_Hippocampus, Task09_Spleen, …); default: the name of root.' },
    ...volumeOptionProperties(INTENSITY_DEFAULTS),
  },
  required: ['root'],
  additionalProperties: false,
};

/**
 * Medical Segmentation Decathlon tasks: classes and modality from `dataset.json`, the labelled `imagesTr/` volumes
 * split by volume, evenly spaced over the sorted names: TEST first, VAL from the rest (Hippocampus 80 / 60,
 * Spleen 15 / 10; other tasks and other volume counts in proportion). Per-slice clip to [p5, p95] by default.
 */
export const msdDataset: DatasetFactory<MsdOptions> = {
  kind: KIND,
  optionsSchema: msdOptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const given = await existingPath(context.baseDir, options.root, 'root', 'directory');
    const root = options.task !== undefined && (await stat(join(given, options.task)).catch(() => null))?.isDirectory() ? join(given, options.task) : given;
    const task = options.task ?? basename(root);
    const slicing = resolveVolumeOptions(options, INTENSITY_DEFAULTS);
    const { classes, modalities } = await readDecathlonJson(root);
    const bad = new BadItems(options.onBadItem ?? 'fail', name);
    const scan = new FolderScan();
    const found = await pairVolumes(root, { images: 'imagesTr', labels: 'labelsTr' }, bad, scan);
    const notes: string[] = [];
    const counts = splitSizes(task, found.length, notes);
    const splits = evenlySpacedSplits(found.length, counts);
    const volumes = found.map((volume, index) => ({ ...volume, split: splits[index] }));
    notes.push(`${KIND}: ${task}, modality ${modalities.join(', ') || 'not given'}; TEST ${counts.test} and VAL ${counts.val} of ${found.length} volumes, evenly spaced over the sorted names`);
    return volumeSegmentationDataset({ kind: KIND, name, classes, notes, bad, scan, limits: decodeLimitsOf(context), volumes, slicing });
  },
};

function splitSizes(task: string, volumes: number, notes: string[]): { test: number; val: number } {
  const study = STUDY_SPLITS[task];
  if (study && study.volumes === volumes) return { test: study.test, val: study.val };
  const shares = study ?? DEFAULT_SHARES;
  const test = Math.round((volumes * shares.test) / shares.volumes);
  const val = Math.min(volumes - test, Math.round((volumes * shares.val) / shares.volumes));
  const basis = study ? `${task}'s ${study.test} / ${study.val} of ${study.volumes}` : `Task04_Hippocampus's ${DEFAULT_SHARES.test} / ${DEFAULT_SHARES.val} of ${DEFAULT_SHARES.volumes}`;
  notes.push(`${KIND}: ${task} has ${volumes} labelled volumes; TEST ${test} / VAL ${val} in proportion to ${basis} (the study's shares)`);
  return { test, val };
}
