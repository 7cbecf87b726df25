import { stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { errorMessage, printablePath, RadprobeError, type Dataset, type DatasetFactory, type SkippedItem, type Split } from '@radprobe/core';
import { entryOptions, loadConfig, loadRegistry, loadRegistryForConfig, type PluginRegistry } from '@radprobe/core/engine';
import { FolderScan, isFileDataset, readImageHeader, type FolderEntry } from '@radprobe/datasets';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';
import { formatFileReport, inspectFile, singleFileFormat, type FileReport } from './inspect-file.js';

/** Items whose PNG/JPEG header is read for image sizes; more are sampled evenly. */
const HEADER_SAMPLE = 1000;
/** Items decoded for intensity ranges (and for sizes of formats without a cheap header). */
const DECODE_SAMPLE = 8;
const SPLITS: readonly Split[] = ['train', 'val', 'test'];
const HEADER_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

export interface SplitReport {
  items: number;
  patients: number;
  volumes: number;
  /** Items per class: the label count for single-label tasks, positives for multi-label; empty for segmentation. */
  perClass: Record<string, number>;
  /** Segmentation: pixels of each class over the split's label maps, read at their own size (every item's). */
  pixelsPerClass?: Record<string, number>;
}

export interface DatasetReport {
  name: string;
  kind: string;
  task: Dataset['task'];
  classes: string[];
  items: number;
  patients: number;
  volumes: number;
  /** Items that are slices of a volume. */
  slices: number;
  splits: Record<Split, SplitReport>;
  /** Distinct image sizes with how many sampled items have each, and where the size came from. */
  imageSizes: Array<{ width: number; height: number; channels: number; bitDepth: number | null; count: number; from: 'header' | 'decoded' }>;
  headersRead: number;
  /** Value range over the decoded sample (after the loader's own intensity steps). */
  intensity: { decoded: number; min: number; max: number; mean: number; nominal: Array<{ min: number; max: number }> } | null;
  decodeErrors: SkippedItem[];
  /** Segmentation: items whose label map could not be read (a value outside the classes, a damaged file, …). */
  maskErrors: SkippedItem[];
  skipped: SkippedItem[];
  notes: string[];
}

export interface InspectReport {
  target: string;
  /** `config` for a config file; `file` for one image, volume, DICOM series folder or npz; else a folder's guessed layout. */
  source: 'config' | 'folder' | 'file';
  /** For `file`: its geometry, data type, intensities and slicing. */
  file?: FileReport;
  datasets: DatasetReport[];
}

/**
 * Loads every dataset of a config (through the installed plugins, as `radprobe run` does) or the dataset a folder's
 * layout points to, and summarises it: counts per split and class, patients, volumes, slices, image sizes from
 * PNG/JPEG headers (no pixel decoded), intensity ranges from a few decoded items, and for segmentation sets the
 * pixels of each class per split (every label map is read). Bad items are skipped, not fatal; a dataset the loader
 * refuses (a label value outside a benchmark's classes) is an error.
 */
export async function inspectData(target: string): Promise<InspectReport> {
  const path = resolve(target);
  const found = await stat(path).catch(() => null);
  if (!found) throw new RadprobeError(`radprobe data inspect: ${path} does not exist`, { file: path });
  const log = () => {};
  if (found.isFile() && ['.json', '.jsonc'].includes(extname(path).toLowerCase())) {
    const registry = await loadRegistryForConfig(path, builtinPlugins, cliSearchDirs);
    const { config, baseDir } = await loadConfig(path, registry);
    const datasets: DatasetReport[] = [];
    for (const entry of config.datasets) {
      const dataset = await factoryOf(registry, entry.kind).create(
        { ...entryOptions(entry), name: entry.name, onBadItem: 'skip' },
        { baseDir, log, decodeLimits: config.decodeLimits, cacheDir: resolve(baseDir, config.cache) },
      );
      datasets.push(await summarise(dataset, entry.kind));
    }
    return { target: path, source: 'config', datasets };
  }
  const baseDir = found.isDirectory() ? path : dirname(path);
  const registry = await loadRegistry({ baseDir, explicit: [], builtins: builtinPlugins, searchDirs: cliSearchDirs });
  const format = extname(path).toLowerCase() === '.csv' ? null : await singleFileFormat(path, found.isDirectory());
  if (format) {
    const file = await inspectFile(path, format, registry);
    // An npz is also a MedMNIST dataset: its splits and classes, as a run would see them.
    const datasets = format === 'npz' ? [await summariseLayout(registry, path, baseDir, log)] : [];
    return { target: path, source: 'file', file, datasets };
  }
  return { target: path, source: 'folder', datasets: [await summariseLayout(registry, path, baseDir, log)] };
}

/** The dataset a folder's (or file's) layout points to, summarised. */
async function summariseLayout(registry: PluginRegistry, path: string, baseDir: string, log: () => void): Promise<DatasetReport> {
  const guess = await guessLayout(path, (await stat(path)).isDirectory());
  const dataset = await factoryOf(registry, guess.kind).create({ ...guess.options, onBadItem: 'skip' }, { baseDir, log });
  return summarise(dataset, guess.kind);
}

function factoryOf(registry: PluginRegistry, kind: string): DatasetFactory {
  const entry = registry.datasets.get(kind);
  if (!entry) throw new RadprobeError(`no installed plugin provides the dataset kind "${kind}" (radprobe list shows what is installed)`);
  return entry.factory;
}

/** The dataset kind a folder's (or file's) layout points to, with its options. */
export async function guessLayout(path: string, isFolder: boolean): Promise<{ kind: string; options: Record<string, unknown> }> {
  if (!isFolder) {
    if (extname(path).toLowerCase() === '.npz') return { kind: 'medmnist', options: { file: path } };
    if (extname(path).toLowerCase() === '.csv') return { kind: 'csv', options: { manifest: path } };
    throw new RadprobeError(
      `radprobe data inspect: ${path} is none of a config (.json), a folder, a .csv manifest, an image (PNG, JPEG, DICOM), a NIfTI volume (.nii, .nii.gz) or an .npz`,
      { file: path },
    );
  }
  const entries = await new FolderScan().entries(path);
  const folders = new Set(entries.filter((entry) => entry.isDirectory).map((entry) => entry.name));
  const files = entries.filter((entry) => entry.isFile).map((entry) => entry.name);
  const has = (name: string) => files.includes(name);
  const root = { root: path };
  if (files.some((name) => /^Data_Entry_2017.*\.csv$/.test(name))) return { kind: 'nih-chestxray14', options: root };
  if (has('train.csv') && has('valid.csv')) return { kind: 'chexpert', options: root };
  if (folders.has('CXR_png') && folders.has('ManualMask')) return { kind: 'montgomery', options: root };
  if (folders.has('CXR_png') && folders.has('masks')) return { kind: 'shenzhen', options: root };
  if (['Covid', 'Healthy', 'Others'].every((name) => folders.has(name))) return { kind: 'sars-cov-2-ct', options: root };
  if (folders.has('images') && folders.has('masks')) return { kind: 'segmentation-folder', options: root };
  if (folders.has('imagesTr')) return { kind: folders.has('imagesVa') ? 'amos' : has('dataset.json') ? 'msd' : 'btcv', options: root };
  const archives = files.filter((name) => extname(name).toLowerCase() === '.npz');
  if (archives.length === 1) return { kind: 'medmnist', options: { file: join(path, archives[0]) } };
  if (archives.length > 1) throw new RadprobeError(`radprobe data inspect: ${path} holds ${archives.length} .npz archives; name one (${archives.join(', ')})`, { file: path });
  const withExtension = (extension: string) => containsExtension(new FolderScan(), entries, extension, 3);
  if (await withExtension('.mat')) return { kind: 'brain-tumor-mri', options: root };
  if (await withExtension('.dcm')) return { kind: 'dicom', options: root };
  if ([...folders].some((name) => ['train', 'val', 'valid', 'validation', 'test'].includes(name.toLowerCase()))) return { kind: 'image-folder', options: root };
  const manifests = files.filter((name) => extname(name).toLowerCase() === '.csv');
  if (manifests.length === 1) return { kind: 'csv', options: { manifest: join(path, manifests[0]) } };
  throw new RadprobeError(
    `radprobe data inspect: cannot tell the layout of ${path}: expected Data_Entry_2017.csv (NIH), train.csv + valid.csv (CheXpert), ` +
      'CXR_png/ with ManualMask/ or masks/ (Montgomery, Shenzhen), Covid/ Healthy/ Others/ (SARS-CoV-2 CT), images/ + masks/ (segmentation-folder), imagesTr/ (BTCV, AMOS, MSD), ' +
      'a .npz (MedMNIST), .mat files (Brain Tumor), .dcm files (DICOM), split folders (image-folder) or one .csv manifest',
    { file: path },
  );
}

/**
 * Whether a file with `extension` is among `entries` or in their subfolders down to `depth` levels (DICOM sits in
 * split/class/series); `scan` reads every real folder once, so links that loop end.
 */
async function containsExtension(scan: FolderScan, entries: readonly FolderEntry[], extension: string, depth: number): Promise<boolean> {
  if (entries.some((entry) => entry.isFile && extname(entry.name).toLowerCase() === extension)) return true;
  if (depth === 0) return false;
  for (const entry of entries) {
    if (entry.isDirectory && (await containsExtension(scan, await scan.entries(entry.path).catch(() => []), extension, depth - 1))) return true;
  }
  return false;
}

/** `count` positions spread evenly over `0..total-1` (all of them when there are fewer). */
function evenSample(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, index) => index);
  return Array.from({ length: count }, (_, index) => Math.floor((index * total) / count));
}

export async function summarise(dataset: Dataset, kind: string): Promise<DatasetReport> {
  const emptySplit = (): SplitReport => ({ items: 0, patients: 0, volumes: 0, perClass: Object.fromEntries(dataset.task === 'segmentation' ? [] : dataset.classes.map((name) => [name, 0])) });
  const splits = Object.fromEntries(SPLITS.map((split) => [split, emptySplit()])) as Record<Split, SplitReport>;
  const patients = Object.fromEntries(SPLITS.map((split) => [split, new Set<string>()])) as Record<Split, Set<string>>;
  const volumes = Object.fromEntries(SPLITS.map((split) => [split, new Set<string>()])) as Record<Split, Set<string>>;
  let slices = 0;
  for (const item of dataset.items) {
    const report = splits[item.split];
    report.items++;
    if (item.patient !== undefined) patients[item.split].add(item.patient);
    if (item.volume !== undefined) {
      volumes[item.split].add(item.volume);
      slices++;
    }
    if (item.label !== undefined) report.perClass[dataset.classes[item.label]]++;
    item.labels?.forEach((value, index) => (report.perClass[dataset.classes[index]] += value ? 1 : 0));
  }
  for (const split of SPLITS) {
    splits[split].patients = patients[split].size;
    splits[split].volumes = volumes[split].size;
  }
  const sizes = new Map<string, DatasetReport['imageSizes'][number]>();
  const countSize = (width: number, height: number, channels: number, bitDepth: number | null, from: 'header' | 'decoded') => {
    const key = `${width}x${height}x${channels}x${bitDepth}x${from}`;
    const known = sizes.get(key);
    if (known) known.count++;
    else sizes.set(key, { width, height, channels, bitDepth, count: 1, from });
  };
  let headersRead = 0;
  const decodeErrors: SkippedItem[] = [];
  for (const index of evenSample(dataset.items.length, HEADER_SAMPLE)) {
    const item = dataset.items[index];
    const { source } = item;
    if (!HEADER_EXTENSIONS.has(extname(source).toLowerCase())) continue;
    const file = isFileDataset(dataset) ? dataset.file(item) : source;
    const header = await readImageHeader(file).catch((error: unknown) => (decodeErrors.push({ source, reason: errorMessage(error) }), null));
    if (!header) continue;
    headersRead++;
    countSize(header.width, header.height, header.channels, header.bitDepth, 'header');
  }
  let intensity: DatasetReport['intensity'] = null;
  for (const index of evenSample(dataset.items.length, DECODE_SAMPLE)) {
    const item = dataset.items[index];
    try {
      const image = await dataset.open(item);
      if (!HEADER_EXTENSIONS.has(extname(item.source).toLowerCase())) countSize(image.width, image.height, image.channels, null, 'decoded');
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (const value of image.data) {
        if (value < min) min = value;
        if (value > max) max = value;
        sum += value;
      }
      intensity ??= { decoded: 0, min: Infinity, max: -Infinity, mean: 0, nominal: [] };
      intensity.mean = (intensity.mean * intensity.decoded + sum / image.data.length) / (intensity.decoded + 1);
      intensity.decoded++;
      intensity.min = Math.min(intensity.min, min);
      intensity.max = Math.max(intensity.max, max);
      if (image.range && !intensity.nominal.some((range) => range.min === image.range!.min && range.max === image.range!.max)) intensity.nominal.push(image.range);
    } catch (error) {
      decodeErrors.push({ source: item.source, reason: errorMessage(error) });
    }
  }
  const maskErrors = await countClassPixels(dataset, splits);
  return {
    name: dataset.name,
    kind,
    task: dataset.task,
    classes: dataset.classes,
    items: dataset.items.length,
    patients: new Set(dataset.items.flatMap((item) => (item.patient === undefined ? [] : [item.patient]))).size,
    volumes: new Set(dataset.items.flatMap((item) => (item.volume === undefined ? [] : [item.volume]))).size,
    slices,
    splits,
    imageSizes: [...sizes.values()].sort((a, b) => b.count - a.count),
    headersRead,
    intensity,
    decodeErrors,
    maskErrors,
    skipped: dataset.skipped,
    notes: dataset.notes,
  };
}

/**
 * Adds each split's pixels per class to `splits` (segmentation sets: every item's label map, at its own size); the
 * items whose label map cannot be read are returned with the reason.
 */
async function countClassPixels(dataset: Dataset, splits: Record<Split, SplitReport>): Promise<SkippedItem[]> {
  if (dataset.task !== 'segmentation' || !dataset.openMask) return [];
  const counts = Object.fromEntries(SPLITS.map((split) => [split, new Array<number>(dataset.classes.length).fill(0)])) as Record<Split, number[]>;
  const errors: SkippedItem[] = [];
  for (const item of dataset.items) {
    try {
      const { data } = await dataset.openMask(item);
      const perClass = counts[item.split];
      for (let at = 0; at < data.length; at++) perClass[data[at]]++;
    } catch (error) {
      errors.push({ source: item.source, reason: errorMessage(error) });
    }
  }
  for (const split of SPLITS) splits[split].pixelsPerClass = Object.fromEntries(dataset.classes.map((name, index) => [name, counts[split][index]]));
  return errors;
}

/** Rows of cells as aligned text lines, indented by two spaces. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()}`);
}

/** The report as text for a terminal. */
export function formatReport(report: InspectReport): string {
  const lines: string[] = report.file ? formatFileReport(report.target, report.file) : [`${report.target} (${report.source === 'config' ? 'config' : 'folder, layout guessed'})`];
  for (const dataset of report.datasets) {
    lines.push('', `dataset ${dataset.name} (${dataset.kind}): ${dataset.task}, ${dataset.items} items, ${dataset.classes.length} classes`);
    lines.push(`  patients ${dataset.patients}, volumes ${dataset.volumes}, slices ${dataset.slices}`);
    const classes = dataset.task === 'segmentation' ? [] : dataset.classes;
    const header = ['split', 'items', 'patients', 'volumes', ...classes];
    const rows = SPLITS.map((split) => {
      const counts = dataset.splits[split];
      return [split, counts.items, counts.patients, counts.volumes, ...classes.map((name) => counts.perClass[name])].map(String);
    });
    lines.push(...table([header, ...rows]));
    if (dataset.task === 'segmentation') lines.push(`  classes: ${dataset.classes.join(', ')}`);
    if (dataset.splits.train.pixelsPerClass) {
      const pixels = dataset.classes.map((name) => [name, ...SPLITS.map((split) => String(dataset.splits[split].pixelsPerClass![name]))]);
      lines.push(...table([['pixels per class', ...SPLITS], ...pixels]));
    }
    for (const size of dataset.imageSizes) {
      const depth = size.bitDepth === null ? '' : `, ${size.bitDepth}-bit`;
      lines.push(`  size ${size.width}×${size.height}, ${size.channels} channel(s)${depth}: ${size.count} (${size.from === 'header' ? 'from file headers' : 'decoded'})`);
    }
    if (dataset.headersRead > 0) lines.push(`  image headers read: ${dataset.headersRead} of ${dataset.items} items (no pixels decoded for sizes)`);
    if (dataset.intensity) {
      const { decoded, min, max, mean, nominal } = dataset.intensity;
      const ranges = nominal.map((range) => `${range.min}..${range.max}`).join(', ');
      lines.push(`  intensity over ${decoded} decoded sample item(s): min ${min}, max ${max}, mean ${mean.toFixed(2)}${ranges ? `; nominal range ${ranges}` : ''}`);
    }
    for (const error of dataset.decodeErrors) lines.push(`  cannot decode ${error.source}: ${error.reason}`);
    for (const error of dataset.maskErrors) lines.push(`  cannot read the label map of ${error.source}: ${error.reason}`);
    lines.push(`  skipped: ${dataset.skipped.length}`);
    for (const item of dataset.skipped) lines.push(`    ${item.source}: ${item.reason}`);
    for (const note of dataset.notes) lines.push(`  note: ${note}`);
  }
  // File names are bytes: whatever escaped the loaders, no name may forge a line or drive the terminal.
  return `${lines.map(printablePath).join('\n')}\n`;
}

/** `radprobe data inspect <config or folder>`. */
export async function dataInspectCommand(options: { target: string; json: boolean }): Promise<number> {
  const report = await inspectData(options.target);
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return 0;
}
