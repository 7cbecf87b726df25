import { extname, join } from 'node:path';
import { RadprobeError, type DatasetFactory, type DatasetItem, type SkippedItem } from '@radprobe/core';
import { commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, type CommonOptions } from './common-options.js';
import { fileDataset, type FileItem } from './file-dataset.js';
import { FolderScan, type FolderEntry } from './listing.js';
import { compareStrings, sortById } from './ordering.js';
import { checkPatientLeakage, splitCounts } from './patient-splits.js';
import { evenlySpaced, positionalSplits } from './spaced-splits.js';

export interface SarsCov2CtOptions extends CommonOptions {
  /** Folder with `Covid/`, `Healthy/` and `Others/`, each holding one folder of PNG slices per patient. */
  root: string;
}

const KIND = 'sars-cov-2-ct';
/** Class folders and whether their patients are COVID-positive. */
const CLASS_FOLDERS: ReadonlyArray<[string, boolean]> = [['Covid', true], ['Healthy', false], ['Others', false]];
export const SARS_COV_2_CT_CLASSES = ['not COVID', 'COVID'];
/** The published set: 210 patients, of which the study put 70 in TEST and 50 in VAL. */
const PUBLISHED = { patients: 210, test: 70, val: 50 };

export const sarsCov2CtOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    root: pathOption('dir', 'Folder with Covid/, Healthy/, Others/: one subfolder of PNG slices per patient.'),
  },
  required: ['root'],
  additionalProperties: false,
};

/**
 * SARS-CoV-2 CT: COVID against healthy and other lung diseases, one label per patient. Items are the patients'
 * PNG slices, each with its patient as `volume` and `patient`. Patients (sorted) are split by position: TEST at
 * `round(arange(0, 210, 3))`, VAL at 50 evenly spaced positions of the rest, scaled for other patient counts.
 */
export const sarsCov2CtDataset: DatasetFactory<SarsCov2CtOptions> = {
  kind: KIND,
  optionsSchema: sarsCov2CtOptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const root = await existingPath(context.baseDir, options.root, 'root', 'directory');
    const skipped: SkippedItem[] = [];
    const patients: Array<{ id: string; covid: boolean; slices: FolderEntry[] }> = [];
    const scan = new FolderScan();
    const topLevel = new Map((await scan.entries(root)).map((entry) => [entry.name, entry]));
    for (const [folder, covid] of CLASS_FOLDERS) {
      if (!topLevel.get(folder)?.isDirectory) {
        throw new RadprobeError(`option "root": ${root} has no ${folder}/ folder (expected ${CLASS_FOLDERS.map(([f]) => `${f}/`).join(', ')})`, { file: root, pointer: '/root' });
      }
      for (const entry of await scan.entries(join(root, folder))) {
        if (entry.name.startsWith('.')) continue;
        if (!entry.isDirectory) {
          skipped.push({ source: entry.source, reason: 'not inside a patient folder' });
          continue;
        }
        const slices: FolderEntry[] = [];
        for (const file of await scan.entries(entry.path)) {
          if (file.name.startsWith('.')) continue;
          if (file.isFile && extname(file.name).toLowerCase() === '.png') slices.push(file);
          else skipped.push({ source: file.source, reason: file.isDirectory ? 'folder inside a patient folder' : 'not a .png slice' });
        }
        if (slices.length === 0) skipped.push({ source: entry.source, reason: 'patient folder without .png slices' });
        else patients.push({ id: `${folder}/${entry.name}`, covid, slices });
      }
    }
    if (patients.length === 0) throw new RadprobeError(`dataset "${name}": no patient folder with .png slices under ${root}`, { file: root });
    patients.sort((a, b) => compareStrings(a.id, b.id));
    const count = patients.length;
    const testCount = Math.round((count * PUBLISHED.test) / PUBLISHED.patients);
    const valCount = Math.round((count * PUBLISHED.val) / PUBLISHED.patients);
    const splits = positionalSplits(count, (n) => evenlySpaced(n, testCount), (n) => evenlySpaced(n, valCount));
    const items: FileItem[] = patients.flatMap((patient, index) =>
      patient.slices.map((slice) => ({
        id: `${patient.id}/${slice.name}`,
        split: splits[index],
        label: patient.covid ? 1 : 0,
        patient: patient.id,
        volume: patient.id,
        source: slice.source,
        file: slice.path,
      })),
    );
    skipped.push(...scan.skipped);
    sortById(items);
    checkPatientLeakage(items, name);
    const scaled = count === PUBLISHED.patients ? '' : ` (the published set has ${PUBLISHED.patients}; counts scaled from ${PUBLISHED.test} / ${PUBLISHED.val})`;
    const notes = [
      `${KIND}: ${count} patients sorted by folder; TEST ${testCount} at round(arange(0, ${count}, ${count}/${testCount})), VAL ${valCount} likewise over the rest, TRAIN the rest${scaled}`,
      `${KIND}: ${splitCounts(items)} slices; COVID (label 1) against Healthy and Others (label 0)`,
    ];
    return fileDataset({ name, task: 'binary', classes: SARS_COV_2_CT_CLASSES, items, skipped, notes }, decodeLimitsOf(context));
  },
};
