import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RadprobeError, type DatasetFactory, type DatasetItem, type Split } from '@radprobe/core';
import { BadItems } from './bad-items.js';
import { commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, type CommonOptions } from './common-options.js';
import { columnIndex, parseCsv } from './csv-table.js';
import { fileDataset } from './file-dataset.js';
import { existingFiles } from './listing.js';
import { sortById } from './ordering.js';
import { carveSplits, checkPatientLeakage, groupOf, splitCounts } from './patient-splits.js';

export interface ChexpertOptions extends CommonOptions {
  /** The CheXpert folder holding `train.csv`, `valid.csv`, `train/` and `valid/` (e.g. `CheXpert-v1.0-small`). */
  root: string;
  /** Adds "Uncertain" as a 6th output: 1 when any of the five findings was labelled -1 (the study's variant). */
  uncertainOutput?: boolean;
  /** Share of `train.csv`'s patients carved into VAL. */
  valFraction?: number;
}

const KIND = 'chexpert';
/** The five competition findings, in the order of CheXpert's columns. */
export const CHEXPERT_FINDINGS = ['Cardiomegaly', 'Edema', 'Consolidation', 'Atelectasis', 'Pleural Effusion'] as const;
const UNCERTAIN = 'Uncertain';
const VIEW_COLUMN = 'Frontal/Lateral';
const DEFAULT_VAL_FRACTION = 0.1;
const LISTS: ReadonlyArray<{ file: string; split: 'train' | 'test' }> = [
  { file: 'train.csv', split: 'train' },
  { file: 'valid.csv', split: 'test' },
];

export const chexpertOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    root: pathOption('dir', 'CheXpert folder with train.csv, valid.csv and the images they list.'),
    uncertainOutput: { type: 'boolean', default: false, description: 'Add "Uncertain" as a 6th output (any of the five findings labelled -1), as the study did.' },
    valFraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: DEFAULT_VAL_FRACTION, description: "Share of train.csv's patients carved into VAL." },
  },
  required: ['root'],
  additionalProperties: false,
};

/**
 * CheXpert, frontal views only, multi-label over the five competition findings. Label cells: 1 → 1; 0 and blank →
 * 0; -1 → 0 (U-Zeros), remembered as "Uncertain". TEST = `valid.csv` (the official, radiologist-labelled set);
 * VAL = a share of `train.csv`'s patients; TRAIN = the rest of `train.csv`.
 */
export const chexpertDataset: DatasetFactory<ChexpertOptions> = {
  kind: KIND,
  optionsSchema: chexpertOptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const root = await existingPath(context.baseDir, options.root, 'root', 'directory');
    const valFraction = options.valFraction ?? DEFAULT_VAL_FRACTION;
    const classes: string[] = [...CHEXPERT_FINDINGS, ...(options.uncertainOutput ? [UNCERTAIN] : [])];
    const bad = new BadItems(options.onBadItem ?? 'fail', name);
    const rows: Array<DatasetItem & { where: string }> = [];
    let lateral = 0;
    for (const { file, split } of LISTS) {
      const path = join(root, file);
      const text = await readFile(path, 'utf8').catch((error: unknown) => {
        throw new RadprobeError(`option "root": ${root} has no readable ${file}`, { file: path, pointer: '/root', cause: error });
      });
      const table = parseCsv(text, path);
      const columns = columnIndex(table, path, ['Path', VIEW_COLUMN, ...CHEXPERT_FINDINGS]);
      for (const { line, cells } of table.records) {
        const where = `${path}:${line}`;
        const relative = cells[columns.Path]?.trim() ?? '';
        const source = join(root, withinRoot(relative));
        if (cells.length < table.header.length) {
          bad.add(source, `${where}: expected ${table.header.length} columns, found ${cells.length}`);
          continue;
        }
        if (cells[columns[VIEW_COLUMN]].trim() !== 'Frontal') {
          lateral++;
          continue;
        }
        const patient = /(?:^|\/)(patient\d+)\//.exec(relative)?.[1];
        if (patient === undefined) {
          bad.add(source, `${where}: no patientNNNNN folder in the path "${relative}"`);
          continue;
        }
        const labels = readFindings(CHEXPERT_FINDINGS.map((finding) => cells[columns[finding]].trim()));
        if (typeof labels === 'string') {
          bad.add(source, `${where}: ${labels}`);
          continue;
        }
        const outputs = options.uncertainOutput ? [...labels.values, labels.uncertain ? 1 : 0] : labels.values;
        rows.push({ id: withinRoot(relative), split, labels: outputs, patient, source, where });
      }
    }
    const existing = await existingFiles(rows.map((row) => row.source));
    const found = rows.filter((row) => existing.has(row.source) || (bad.add(row.source, `${row.where}: file not found`), false));
    const skipped = bad.settle();
    if (found.length === 0) throw new RadprobeError(`dataset "${name}": no frontal image listed in ${root}/train.csv or valid.csv could be used`, { file: root });
    const carved = carveSplits(found.filter((row) => row.split === 'train').map(groupOf), { val: valFraction, test: 0 });
    const items: DatasetItem[] = found.map(({ where: _where, ...item }) => ({ ...item, split: item.split === 'test' ? 'test' : (carved.get(groupOf(item)) as Split) }));
    sortById(items);
    checkPatientLeakage(items, name);
    const notes = [
      `${KIND}: frontal views only (${lateral} lateral left out); blank and 0 → 0, 1 → 1, -1 → 0 (U-Zeros)${options.uncertainOutput ? ' and "Uncertain" = 1 as a 6th output' : ''}`,
      `${KIND}: TEST = valid.csv; VAL = ${valFraction} of train.csv's patients (in sha256 order of the patient ids); TRAIN = the rest`,
      `${KIND}: ${splitCounts(items)}`,
    ];
    return fileDataset({ name, task: 'multilabel', classes, items, skipped, notes }, decodeLimitsOf(context));
  },
};

/** `CheXpert-v1.0-small/train/patient00001/…` → `train/patient00001/…`: the csv names the release folder too. */
function withinRoot(relative: string): string {
  const parts = relative.replaceAll('\\', '/').split('/');
  return (parts[0] === 'train' || parts[0] === 'valid' || parts[0] === 'test' ? parts : parts.slice(1)).join('/');
}

/** The five label cells as 0/1 with the U-Zeros rule, or the reason a cell cannot be read. */
function readFindings(cells: string[]): { values: number[]; uncertain: boolean } | string {
  let uncertain = false;
  const values: number[] = [];
  for (const [index, cell] of cells.entries()) {
    const value = cell === '' ? 0 : Number(cell);
    if (value === -1) uncertain = true;
    else if (value !== 0 && value !== 1) return `${CHEXPERT_FINDINGS[index]} is "${cell}", expected 1, 0, -1 or blank`;
    values.push(value === 1 ? 1 : 0);
  }
  return { values, uncertain };
}
