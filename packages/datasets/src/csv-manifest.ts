import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { printablePath, RadprobeError, type DatasetFactory, type DatasetItem, type Split } from '@radprobe/core';
import { BadItems } from './bad-items.js';
import { singleLabelOptionProperties, singleLabelScheme, type SingleLabelOptions } from './class-labels.js';
import { checkedSplitFractions, commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, splitFractionsOption, type CommonOptions, type SplitFractions } from './common-options.js';
import { columnIndex, parseCsv } from './csv-table.js';
import { fileDataset, type FileItem } from './file-dataset.js';
import { segmentationClasses, type ClassListOption } from './label-classes.js';
import { checkMasks, maskedFileDataset } from './label-map-files.js';
import { existingFiles } from './listing.js';
import { compareStrings, sortById } from './ordering.js';
import { carveSplits, checkPatientLeakage, checkVolumeLeakage, groupOf, splitCounts } from './patient-splits.js';
import { splitFromName } from './split-names.js';

export interface CsvManifestOptions extends CommonOptions, SingleLabelOptions {
  /**
   * CSV file with a header `path,label` (classification) or `path,mask` (segmentation), optionally `patient`,
   * `split`, `volume` and `slice`; paths are relative to its folder.
   */
  manifest: string;
  /** Labels are `|`-separated class sets. */
  multiLabel?: boolean;
  /**
   * Classification: the class list in label order (default: the sorted set of labels in the manifest).
   * Segmentation: names in label-value order, or label value → name (default: classes.json or classes.csv beside the manifest).
   */
  classes?: ClassListOption;
  /** Shares of patients (or volumes, or items) carved into VAL and TEST when the manifest has no split column. */
  splitFractions?: SplitFractions;
}

const KIND = 'csv';
const LABEL_SEPARATOR = '|';
/** Missing slice indices of a volume listed in a note. */
const LISTED_GAPS = 5;

export const csvManifestOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    manifest: pathOption('file', 'CSV with header path,label (classification) or path,mask (segmentation) [,patient][,split][,volume][,slice]; paths relative to its folder.'),
    multiLabel: { type: 'boolean', default: false, description: 'Labels are |-separated sets of classes.' },
    classes: {
      anyOf: [
        { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true },
        { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
      ],
      description:
        'Classification: class list in label order (default: sorted labels found). Segmentation (a mask column): names in label-value order, or label value → name ({ "0": "background", "255": "lesion" }); default: classes.json or classes.csv beside the manifest.',
    },
    splitFractions: splitFractionsOption('Without a split column: shares of patients (or volumes, or items) carved into VAL and TEST.'),
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
  /** Class names (classification). */
  labels: string[];
  /** The label PNG, resolved against the manifest's folder (segmentation). */
  mask?: string;
  patient?: string;
  volume?: string;
  slice?: number;
  split?: Split;
}

/**
 * A CSV manifest (header required; extra columns are ignored): `path,label` for classification, `path,mask` for
 * segmentation (label PNGs of any bit depth), with optional `patient`, `split`, `volume` (the scan a slice belongs to:
 * kept in one split, and the unit of 3D Dice) and `slice` (its index in the volume).
 */
export const csvManifestDataset: DatasetFactory<CsvManifestOptions> = {
  kind: KIND,
  optionsSchema: csvManifestOptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const manifest = await existingPath(context.baseDir, options.manifest, 'manifest', 'file');
    const fractions = checkedSplitFractions(options.splitFractions);
    if (options.multiLabel && options.task === 'binary') {
      throw new RadprobeError('option "task": "binary" needs single labels; it cannot be combined with multiLabel', { pointer: '/task' });
    }
    const bad = new BadItems(options.onBadItem ?? 'fail', name);
    const { rows, hasSplit, segmentation } = readRows(await readFile(manifest, 'utf8'), manifest, options.multiLabel === true, bad);
    const limits = decodeLimitsOf(context);
    const notes: string[] = [];
    if (segmentation) checkSegmentationOptions(options, manifest);
    else if (options.classes !== undefined && !Array.isArray(options.classes)) {
      throw new RadprobeError('option "classes": label value → name is for segmentation manifests (a mask column); a classification manifest takes a list of class names', { pointer: '/classes' });
    }
    const classNames = segmentation ? [] : ((options.classes as string[] | undefined) ?? [...new Set(rows.flatMap((row) => row.labels))].sort(compareStrings));
    const known = new Set(classNames);
    const existing = await existingFiles(rows.flatMap((row) => (row.mask === undefined ? [row.file] : [row.file, row.mask])));
    const rowOfFile = new Map<string, ManifestRow>();
    let usable = rows.filter((row) => {
      const unknown = row.labels.find((label) => !known.has(label));
      const identity = existing.get(row.file);
      const earlier = identity === undefined ? undefined : rowOfFile.get(identity);
      if (unknown !== undefined) bad.add(row.source, `${manifest}:${row.line}: label "${unknown}" is not in the class list (${classNames.join(', ')})`);
      else if (identity === undefined) bad.add(row.source, `${manifest}:${row.line}: file not found`);
      else if (earlier) bad.add(row.source, `${manifest}:${row.line}: the same file as line ${earlier.line} (${earlier.source}), listed once`);
      else if (row.mask !== undefined && !existing.has(row.mask)) bad.add(row.source, `${manifest}:${row.line}: mask not found: ${printablePath(row.mask)}`);
      else {
        rowOfFile.set(identity, row);
        return true;
      }
      return false;
    });
    const classes = segmentation ? await segmentationClasses(options.classes, dirname(manifest)) : null;
    if (classes) {
      const masked = usable.map((row) => ({ source: row.source, file: row.file, mask: row.mask! }));
      const fine = await checkMasks(masked, classes, limits, bad);
      usable = usable.filter((_, index) => fine[index]);
    }
    const skipped = bad.settle();
    if (usable.length === 0) throw new RadprobeError(`dataset "${name}": ${manifest} lists no usable image`, { file: manifest });
    const carved = hasSplit ? null : carveSplits(usable.map(groupOf), fractions);
    if (carved) {
      const unit = usable.some((row) => row.patient !== undefined) ? 'patients' : usable.some((row) => row.volume !== undefined) ? 'volumes' : 'items';
      const ids = { patients: 'patient ids', volumes: 'volume ids (patients where given)', items: 'item ids (volumes where given)' }[unit];
      notes.push(`${KIND}: no split column; carved ${unit}: TEST ${fractions.test}, VAL ${fractions.val}, TRAIN the rest, in sha256 order of the ${ids}`);
    }
    const splitOf = (row: ManifestRow) => row.split ?? carved!.get(groupOf(row))!;
    const grouping = (row: ManifestRow) => ({ ...(row.patient === undefined ? {} : { patient: row.patient }), ...(row.volume === undefined ? {} : { volume: row.volume }) });
    notes.push(...sliceGaps(usable));
    if (classes) {
      const items = sortById(usable.map((row) => ({ id: row.id, split: splitOf(row), ...grouping(row), source: row.source, file: row.file, mask: row.mask! })));
      checkLeakage(items, name);
      notes.push(`${KIND}: segmentation, classes from ${classes.origin}`, `${KIND}: ${splitCounts(items)}`);
      return maskedFileDataset({ name, classes, items, skipped, notes }, limits);
    }
    let task: 'multilabel' | 'multiclass' | 'binary' = 'multilabel';
    let classList = classNames;
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
      ({ task, classes: classList } = scheme);
      notes.push(...scheme.notes);
      labelOf = (row) => ({ label: scheme.labelOf(row.labels[0]) });
    }
    const items: FileItem[] = sortById(usable.map((row) => ({ id: row.id, split: splitOf(row), ...labelOf(row), ...grouping(row), source: row.source, file: row.file })));
    checkLeakage(items, name);
    notes.push(`${KIND}: ${splitCounts(items)}`);
    return fileDataset({ name, task, classes: classList, items, skipped, notes }, limits);
  },
};

function checkLeakage(items: readonly DatasetItem[], name: string): void {
  checkPatientLeakage(items, name);
  checkVolumeLeakage(items, name);
}

/** Options that only classification has, refused for a segmentation manifest (the engine fills `task`'s default). */
function checkSegmentationOptions(options: CsvManifestOptions, manifest: string): void {
  const why = `${manifest} has a mask column (segmentation)`;
  if (options.multiLabel) throw new RadprobeError(`option "multiLabel": ${why}; labels come from its masks`, { pointer: '/multiLabel' });
  if (options.task === 'binary') throw new RadprobeError(`option "task": ${why}; "binary" is for classification`, { pointer: '/task' });
  if (options.positive !== undefined) throw new RadprobeError(`option "positive": ${why}; it has no positive class`, { pointer: '/positive' });
}

/**
 * Notes on volumes whose listed slice indices leave gaps: 3D Dice of such a volume covers only the slices listed.
 */
function sliceGaps(rows: readonly ManifestRow[]): string[] {
  const slicesOf = new Map<string, number[]>();
  for (const row of rows) if (row.volume !== undefined && row.slice !== undefined) slicesOf.set(row.volume, [...(slicesOf.get(row.volume) ?? []), row.slice]);
  const notes: string[] = [];
  for (const [volume, slices] of [...slicesOf].sort(([a], [b]) => compareStrings(a, b))) {
    const listed = new Set(slices);
    const low = Math.min(...slices);
    const high = Math.max(...slices);
    const missing = Array.from({ length: high - low + 1 }, (_, offset) => low + offset).filter((slice) => !listed.has(slice));
    if (missing.length === 0) continue;
    const shown = missing.slice(0, LISTED_GAPS).join(', ') + (missing.length > LISTED_GAPS ? ', …' : '');
    notes.push(`${KIND}: volume "${volume}" lists slices ${low}..${high} without ${missing.length} of them (${shown}); its 3D Dice covers the slices listed`);
  }
  return notes;
}

/** Rows of the manifest; malformed rows go to `bad` (with the manifest's name and line). */
function readRows(text: string, manifest: string, multiLabel: boolean, bad: BadItems): { rows: ManifestRow[]; hasSplit: boolean; segmentation: boolean } {
  const table = parseCsv(text, manifest);
  const segmentation = table.header.includes('mask');
  if (segmentation && table.header.includes('label')) {
    throw new RadprobeError(`${manifest}: the header has both a label column (classification) and a mask column (segmentation); keep one`, { file: manifest });
  }
  const columns = columnIndex(table, manifest, ['path', segmentation ? 'mask' : 'label'], ['patient', 'split', 'volume', 'slice']);
  if ('slice' in columns && !('volume' in columns)) {
    throw new RadprobeError(`${manifest}: a slice column needs a volume column (the scan each slice belongs to)`, { file: manifest });
  }
  const hasSplit = 'split' in columns;
  const folder = dirname(manifest);
  const firstLine = new Map<string, number>();
  const sliceLine = new Map<string, number>();
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
    let labels: string[] = [];
    let mask: string | undefined;
    if (segmentation) {
      const maskCell = cells[columns.mask].trim();
      if (maskCell === '') {
        bad.add(source, `${where}: empty mask path`);
        continue;
      }
      mask = resolve(folder, maskCell);
    } else {
      const labelCell = cells[columns.label].trim();
      labels = multiLabel ? labelCell.split(LABEL_SEPARATOR).map((label) => label.trim()).filter((label) => label !== '') : [labelCell];
      if (!multiLabel && labelCell === '') {
        bad.add(source, `${where}: empty label`);
        continue;
      }
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
    const volume = 'volume' in columns ? cells[columns.volume].trim() || undefined : undefined;
    const sliceCell = 'slice' in columns ? cells[columns.slice].trim() : '';
    let slice: number | undefined;
    if (sliceCell !== '') {
      slice = /^[0-9]+$/.test(sliceCell) ? Number(sliceCell) : undefined;
      if (slice === undefined) {
        bad.add(source, `${where}: slice "${sliceCell}" is not a whole number ≥ 0`);
        continue;
      }
      if (volume === undefined) {
        bad.add(source, `${where}: slice ${slice} without a volume`);
        continue;
      }
      const key = `${volume}\u0000${slice}`;
      const first = sliceLine.get(key);
      if (first !== undefined) {
        bad.add(source, `${where}: slice ${slice} of volume "${volume}" is listed again (first at line ${first})`);
        continue;
      }
      sliceLine.set(key, line);
    }
    rows.push({ line, id, file, source, labels, mask, patient, volume, slice, split });
  }
  return { rows, hasSplit, segmentation };
}
