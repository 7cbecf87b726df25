import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RadprobeError, type DatasetFactory, type Split } from '@radprobe/core';
import { BadItems } from './bad-items.js';
import { commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, type CommonOptions } from './common-options.js';
import { columnIndex, parseCsv } from './csv-table.js';
import { fileDataset, type FileItem } from './file-dataset.js';
import { FolderScan, type ListedFile } from './listing.js';
import { sortById } from './ordering.js';
import { checkPatientLeakage, sharedPatients, splitCounts } from './patient-splits.js';

export interface NihChestXray14Options extends CommonOptions {
  /** Folder of the NIH release: `Data_Entry_2017.csv`, the `images*` folders, `train_val_list.txt`, `test_list.txt`. */
  root: string;
  /** VAL = this many last entries of `train_val_list.txt`. */
  valSize?: number;
  /** Adds "No Finding" as a 15th output, as the study did. */
  includeNoFinding?: boolean;
}

const KIND = 'nih-chestxray14';
/** The 14 findings in the order of the NIH release and every paper since. */
export const NIH_FINDINGS = [
  'Atelectasis', 'Cardiomegaly', 'Effusion', 'Infiltration', 'Mass', 'Nodule', 'Pneumonia',
  'Pneumothorax', 'Consolidation', 'Edema', 'Emphysema', 'Fibrosis', 'Pleural_Thickening', 'Hernia',
] as const;
const NO_FINDING = 'No Finding';
/** The study's VAL: the last 10,002 of the official 86,524 train_val entries. */
const OFFICIAL_VAL_SIZE = 10002;
const OFFICIAL_TRAIN_VAL_SIZE = 86524;
/** The 2020 re-release renamed the file but kept its columns. */
const ENTRY_FILES = ['Data_Entry_2017.csv', 'Data_Entry_2017_v2020.csv'];
const TRAIN_VAL_LIST = 'train_val_list.txt';
const TEST_LIST = 'test_list.txt';
const COLUMNS = { image: 'Image Index', findings: 'Finding Labels', patient: 'Patient ID' };

export const nihChestXray14OptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    root: pathOption('dir', 'NIH ChestX-ray14 folder: Data_Entry_2017.csv, images*/, train_val_list.txt, test_list.txt.'),
    // train_val_list.txt lists 86,524 images: VAL cannot take more.
    valSize: { type: 'integer', minimum: 1, maximum: 86_524, default: OFFICIAL_VAL_SIZE, description: 'VAL = the last valSize entries of train_val_list.txt.' },
    includeNoFinding: { type: 'boolean', default: false, description: 'Add "No Finding" as a 15th output (the study).' },
  },
  required: ['root'],
  additionalProperties: false,
};

interface Entry {
  line: number;
  findings: string;
  patient: string;
}

/**
 * NIH ChestX-ray14 as published: TEST = `test_list.txt`; VAL = the last `valSize` entries of
 * `train_val_list.txt`; TRAIN = the rest. Multi-label over the 14 findings (+ "No Finding" on request).
 */
export const nihChestXray14Dataset: DatasetFactory<NihChestXray14Options> = {
  kind: KIND,
  optionsSchema: nihChestXray14OptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const root = await existingPath(context.baseDir, options.root, 'root', 'directory');
    const classes: string[] = [...NIH_FINDINGS, ...(options.includeNoFinding ? [NO_FINDING] : [])];
    const classIndex = new Map(classes.map((className, index) => [className, index]));
    const entryFile = await findEntryFile(root);
    const scan = new FolderScan();
    const [entries, images, trainVal, test] = await Promise.all([
      readEntries(entryFile),
      indexImages(root, scan),
      readList(root, TRAIN_VAL_LIST),
      readList(root, TEST_LIST),
    ]);
    const notes: string[] = [];
    const valCount = valSizeFor(trainVal.length, options.valSize ?? OFFICIAL_VAL_SIZE, notes);
    const assignments: Array<{ image: string; split: Split; list: string }> = [
      ...trainVal.map((image, index) => ({ image, split: (index >= trainVal.length - valCount ? 'val' : 'train') as Split, list: TRAIN_VAL_LIST })),
      ...test.map((image) => ({ image, split: 'test' as Split, list: TEST_LIST })),
    ];
    const bad = new BadItems(options.onBadItem ?? 'fail', name);
    const listed = new Map<string, string>();
    const items: FileItem[] = [];
    for (const { image, split, list } of assignments) {
      const earlier = listed.get(image);
      if (earlier !== undefined) {
        const where = earlier === list ? `twice in ${list}` : `in both ${earlier} and ${list}`;
        throw new RadprobeError(`${root}: ${image} is listed ${where}`, { file: join(root, list) });
      }
      listed.set(image, list);
      const entry = entries.get(image);
      const file = images.get(image);
      const source = file?.source;
      if (!entry) {
        bad.add(source ?? join(root, image), `listed for ${split} but not in ${entryFile}`);
        continue;
      }
      if (!file || !source) {
        bad.add(join(root, image), `listed for ${split} but no such file under ${root}/images*/`);
        continue;
      }
      const labels = new Array<number>(classes.length).fill(0);
      const unknown = entry.findings.split('|').find((finding) => {
        if (finding === NO_FINDING && !options.includeNoFinding) return false;
        const index = classIndex.get(finding);
        if (index === undefined) return true;
        labels[index] = 1;
        return false;
      });
      if (unknown !== undefined) {
        bad.add(source, `${entryFile}:${entry.line}: finding "${unknown}" is not one of ${[...NIH_FINDINGS, NO_FINDING].join(', ')}`);
        continue;
      }
      items.push({ id: image, split, labels, patient: entry.patient, source, file: file.path });
    }
    const skipped = [...bad.settle(), ...scan.skipped];
    if (items.length === 0) throw new RadprobeError(`dataset "${name}": no listed image of ${root} could be used`, { file: root });
    sortById(items);
    checkPatientLeakage(items, name, ['train', 'val']);
    const unlisted = entries.size - [...entries.keys()].filter((image) => listed.has(image)).length;
    if (unlisted > 0) notes.push(`${KIND}: ${unlisted} row(s) of ${entryFile} are in neither list and were left out`);
    const shared = sharedPatients(items, 'train', 'val');
    if (shared > 0) notes.push(`${KIND}: TRAIN and VAL share ${shared} patients (the official train_val_list is split by position, not by patient)`);
    notes.push(`${KIND}: ${splitCounts(items)}${options.includeNoFinding ? '; "No Finding" is a 15th output' : ''}`);
    return fileDataset({ name, task: 'multilabel', classes, items, skipped, notes }, decodeLimitsOf(context));
  },
};

function valSizeFor(trainValCount: number, requested: number, notes: string[]): number {
  if (requested < trainValCount) {
    notes.push(`${KIND}: VAL = the last ${requested} of ${trainValCount} entries of ${TRAIN_VAL_LIST}`);
    return requested;
  }
  const proportional = Math.max(1, Math.round((trainValCount * OFFICIAL_VAL_SIZE) / OFFICIAL_TRAIN_VAL_SIZE));
  notes.push(
    `${KIND}: ${TRAIN_VAL_LIST} has ${trainValCount} entries, not more than valSize ${requested}; VAL = the last ${proportional} ` +
      `(the official ${OFFICIAL_VAL_SIZE}/${OFFICIAL_TRAIN_VAL_SIZE} share)`,
  );
  return proportional;
}

async function findEntryFile(root: string): Promise<string> {
  for (const file of ENTRY_FILES) {
    const path = join(root, file);
    if ((await stat(path).catch(() => null))?.isFile()) return path;
  }
  throw new RadprobeError(`option "root": ${root} has no ${ENTRY_FILES.join(' or ')}`, { file: root, pointer: '/root' });
}

/** `Image Index` → its findings and patient. */
async function readEntries(file: string): Promise<Map<string, Entry>> {
  const table = parseCsv(await readFile(file, 'utf8'), file);
  const columns = columnIndex(table, file, [COLUMNS.image, COLUMNS.findings, COLUMNS.patient]);
  const image = columns[COLUMNS.image];
  const findings = columns[COLUMNS.findings];
  const patient = columns[COLUMNS.patient];
  const needed = Math.max(image, findings, patient) + 1;
  const entries = new Map<string, Entry>();
  for (const { line, cells } of table.records) {
    if (cells.length < needed) throw new RadprobeError(`${file}:${line}: expected at least ${needed} columns, found ${cells.length}`, { file });
    entries.set(cells[image].trim(), { line, findings: cells[findings].trim(), patient: cells[patient].trim() });
  }
  return entries;
}

/** Every file under the root's `images*` folders, by file name; listing the folders once beats a stat per image. */
async function indexImages(root: string, scan: FolderScan): Promise<Map<string, ListedFile>> {
  const folders = (await scan.entries(root)).filter((entry) => entry.isDirectory && entry.name.startsWith('images'));
  const byName = new Map<string, ListedFile>();
  for (const folder of folders) {
    for (const file of await scan.files(folder.path)) {
      const fileName = file.relative.slice(file.relative.lastIndexOf('/') + 1);
      const earlier = byName.get(fileName);
      if (earlier !== undefined) throw new RadprobeError(`${root}: two images named ${fileName}: ${earlier.source} and ${file.source}`, { file: file.source });
      byName.set(fileName, file);
    }
  }
  return byName;
}

async function readList(root: string, file: string): Promise<string[]> {
  const path = join(root, file);
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new RadprobeError(`option "root": ${root} has no readable ${file}`, { file: path, pointer: '/root', cause: error });
  });
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
}
