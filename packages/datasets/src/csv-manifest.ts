import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { printablePath, RadprobeError, type DatasetFactory, type DatasetItem, type Split } from '@radprobe/core';
import { BadItems } from './bad-items.js';
import { singleLabelOptionProperties, singleLabelScheme, type SingleLabelOptions } from './class-labels.js';
import { commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, type CommonOptions } from './common-options.js';
import { columnIndex, parseCsv } from './csv-table.js';
import { fileDataset, type FileItem } from './file-dataset.js';
import { existingFiles } from './listing.js';
import { compareStrings, sortById } from './ordering.js';
import { carveSplits, checkPatientLeakage, groupOf, splitCounts } from './patient-splits.js';
import { splitFromName } from './split-names.js';

export interface CsvManifestOptions extends CommonOptions, SingleLabelOptions {
  /** CSV file with a header `path,label[,patient][,split]`; paths are relative to its folder. */
  manifest: string;
  /** Labels are `|`-separated class sets. */
  multiLabel?: boolean;
  /** Class list (label order); default: the sorted set of labels in the manifest. */
  classes?: string[];
  /** Shares of patients carved into VAL and TEST when the manifest has no split column. */
  splitFractions?: { val: number; test: number };
}

const KIND = 'csv';
const DEFAULT_FRACTIONS = { val: 0.1, test: 0.2 };
const LABEL_SEPARATOR = '|';

export const csvManifestOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    manifest: pathOption('file', 'CSV with header path,label[,patient][,split]; image paths relative to its folder.'),
    multiLabel: { type: 'boolean', default: false, description: 'Labels are |-separated sets of classes.' },
    classes: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true, description: 'Class list in label order; default: sorted labels found.' },
    splitFractions: {
      type: 'object',
      properties: { val: { type: 'number', minimum: 0, exclusiveMaximum: 1 }, test: { type: 'number', minimum: 0, exclusiveMaximum: 1 } },
      required: ['val', 'test'],
      additionalProperties: false,
      default: DEFAULT_FRACTIONS,
      description: 'Without a split column: shares of patients (or items) carved into VAL and TEST.',
    },
    ...singleLabelOptionProperties,
  },
  required: ['manifest'],
  additionalProperties: false,
};

interface ManifestRow {
  line: number;
  id: string;
  /** The listed path resolved against the manifest's folder. */
  file: string;
  /** `file`, printable. */
  source: string;
  labels: string[];
  patient?: string;
  split?: Split;
}

/** A CSV manifest `path,label[,patient][,split]` (header required; extra columns are ignored). */
export const csvManifestDataset: DatasetFactory<CsvManifestOptions> = {
  kind: KIND,
  optionsSchema: csvManifestOptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const manifest = await existingPath(context.baseDir, options.manifest, 'manifest', 'file');
    const fractions = options.splitFractions ?? DEFAULT_FRACTIONS;
    if (fractions.val + fractions.test >= 1) {
      throw new RadprobeError(`option "splitFractions": val + test must leave some TRAIN (got ${fractions.val} + ${fractions.test})`, { pointer: '/splitFractions' });
    }
    if (options.multiLabel && options.task === 'binary') {
      throw new RadprobeError('option "task": "binary" needs single labels; it cannot be combined with multiLabel', { pointer: '/task' });
    }
    const bad = new BadItems(options.onBadItem ?? 'fail', name);
    const { rows, hasSplit } = readRows(await readFile(manifest, 'utf8'), manifest, options.multiLabel === true, bad);
    const classNames = options.classes ?? [...new Set(rows.flatMap((row) => row.labels))].sort(compareStrings);
    const known = new Set(classNames);
    const existing = await existingFiles(rows.map((row) => row.file));
    const rowOfFile = new Map<string, ManifestRow>();
    const usable = rows.filter((row) => {
      const unknown = row.labels.find((label) => !known.has(label));
      const identity = existing.get(row.file);
      const earlier = identity === undefined ? undefined : rowOfFile.get(identity);
      if (unknown !== undefined) bad.add(row.source, `${manifest}:${row.line}: label "${unknown}" is not in the class list (${classNames.join(', ')})`);
      else if (identity === undefined) bad.add(row.source, `${manifest}:${row.line}: file not found`);
      else if (earlier) bad.add(row.source, `${manifest}:${row.line}: the same file as line ${earlier.line} (${earlier.source}), listed once`);
      else {
        rowOfFile.set(identity, row);
        return true;
      }
      return false;
    });
    const skipped = bad.settle();
    if (usable.length === 0) throw new RadprobeError(`dataset "${name}": ${manifest} lists no usable image`, { file: manifest });
    const notes: string[] = [];
    let task: 'multilabel' | 'multiclass' | 'binary' = 'multilabel';
    let classes = classNames;
    let labelOf: (row: ManifestRow) => Pick<DatasetItem, 'label' | 'labels'>;
    if (options.multiLabel) {
      const index = new Map(classNames.map((className, label) => [className, label]));
      labelOf = (row) => {
        const labels = new Array<number>(classNames.length).fill(0);
        for (const label of row.labels) labels[index.get(label)!] = 1;
        return { labels };
      };
    } else {
      const scheme = singleLabelScheme(classNames, options);
      ({ task, classes } = scheme);
      notes.push(...scheme.notes);
      labelOf = (row) => ({ label: scheme.labelOf(row.labels[0]) });
    }
    const carved = hasSplit ? null : carveSplits(usable.map(groupOf), fractions);
    if (carved) {
      const unit = usable.some((row) => row.patient !== undefined) ? 'patients' : 'items';
      notes.push(`${KIND}: no split column; carved ${unit}: TEST ${fractions.test}, VAL ${fractions.val}, TRAIN the rest, in sha256 order of the ${unit === 'patients' ? 'patient ids' : 'item ids'}`);
    }
    const items: FileItem[] = usable.map((row) => ({
      id: row.id,
      split: row.split ?? carved!.get(groupOf(row))!,
      ...labelOf(row),
      ...(row.patient === undefined ? {} : { patient: row.patient }),
      source: row.source,
      file: row.file,
    }));
    sortById(items);
    checkPatientLeakage(items, name);
    notes.push(`${KIND}: ${splitCounts(items)}`);
    return fileDataset({ name, task, classes, items, skipped, notes }, decodeLimitsOf(context));
  },
};

/** Rows of the manifest; malformed rows go to `bad` (with the manifest's name and line). */
function readRows(text: string, manifest: string, multiLabel: boolean, bad: BadItems): { rows: ManifestRow[]; hasSplit: boolean } {
  const table = parseCsv(text, manifest);
  const columns = columnIndex(table, manifest, ['path', 'label'], ['patient', 'split']);
  const hasSplit = 'split' in columns;
  const folder = dirname(manifest);
  const firstLine = new Map<string, number>();
  const rows: ManifestRow[] = [];
  for (const { line, cells } of table.records) {
    const where = `${manifest}:${line}`;
    if (cells.length !== table.header.length) {
      bad.add(manifest, `${where}: expected ${table.header.length} columns, found ${cells.length}`);
      continue;
    }
    const path = cells[columns.path].trim();
    if (path === '') {
      bad.add(manifest, `${where}: empty path`);
      continue;
    }
    const file = resolve(folder, path);
    const source = printablePath(file);
    const id = printablePath(path.replaceAll('\\', '/'));
    const earlier = firstLine.get(id);
    if (earlier !== undefined) {
      bad.add(source, `${where}: listed again (first at line ${earlier})`);
      continue;
    }
    firstLine.set(id, line);
    const labelCell = cells[columns.label].trim();
    const labels = multiLabel ? labelCell.split(LABEL_SEPARATOR).map((label) => label.trim()).filter((label) => label !== '') : [labelCell];
    if (!multiLabel && labelCell === '') {
      bad.add(source, `${where}: empty label`);
      continue;
    }
    let split: Split | undefined;
    if (hasSplit) {
      const value = cells[columns.split];
      split = splitFromName(value) ?? undefined;
      if (split === undefined) {
        bad.add(source, `${where}: split "${value}" is not train, val (valid, validation) or test`);
        continue;
      }
    }
    const patient = 'patient' in columns ? cells[columns.patient].trim() || undefined : undefined;
    rows.push({ line, id, file, source, labels, patient, split });
  }
  return { rows, hasSplit };
}
