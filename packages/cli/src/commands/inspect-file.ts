import { open, readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { DEFAULT_DECODE_LIMITS, errorMessage, type JsonSchema, type RawImage } from '@radprobe/core';
import {
  applyIntensitySteps,
  describeIntensitySteps,
  percentiles,
  resolveClip,
  resolveWindow,
  type ClipOption,
  type IntensitySteps,
  type PluginRegistry,
  type WindowOption,
} from '@radprobe/core/engine';
import {
  decodeDicomFrame,
  extractSlice,
  isDicom,
  openImageFile,
  orderSeries,
  parseDicomFile,
  parseNpz,
  readImageBytes,
  readImageHeader,
  readNiftiFile,
  resolveDicomWindow,
  sliceGrid,
  type DicomFile,
  type DicomWindowOption,
  type NiftiVolume,
  type SliceAxis,
  type VolumeOrientation,
} from '@radprobe/datasets';

/** Values whose percentiles are computed at most: a CT has tens of millions of voxels; an even sample of a million gives the same percentiles to the precision shown. */
const PERCENTILE_SAMPLE = 1_000_000;
const PERCENTILES = [1, 5, 50, 95, 99];
/** Slices of a DICOM series (or frames of a file) decoded for the intensity range. */
const DECODED_SLICES = 16;
/** A DICOM preamble (128 bytes) and `DICM`, or the first elements of a bare data set. */
const DICOM_HEAD = 256;

/** Min and max over every value; percentiles over an even sample. */
export interface ValueRange {
  min: number;
  max: number;
  /** `p1`, `p5`, `p50`, `p95`, `p99`. */
  percentiles: Record<string, number>;
  /** Values the percentiles were computed from, and how many there are. */
  sampled: number;
  values: number;
}

/** What a dataset kind makes of the image: its items (slices) and their intensities after the kind's own step. */
export interface SlicingReport {
  /** Dataset kinds with these defaults. */
  kinds: string[];
  /** Voxel axis sliced along, and the grid it is cut from; null for a stack of 2D images (DICOM). */
  axis: SliceAxis | null;
  orientation: VolumeOrientation | null;
  slices: number;
  sliceSize: { width: number; height: number };
  /** The kind's intensity step, e.g. `window[-1024,600];clip:none`, or `header window` for DICOM. */
  step: string;
  /** Values of the middle slice after the step, and the range the step declares. */
  middleSlice: { min: number; max: number; range: { min: number; max: number } | null };
}

export interface FileImageReport {
  /** The file, or `file:array` in an npz. */
  name: string;
  dataType: string;
  dims: number[];
  /** What each of `dims` counts, e.g. `i, j, k` or `width, height, channels`. */
  dimNames: string[];
  /** mm per step along each of `dims`, when the format says. */
  spacing: number[] | null;
  /** Direction each voxel axis runs towards (`RAS`, `LPS`), when the format says. */
  orientation: string | null;
  /** Values in the file's units (Hounsfield units for CT, after a rescale slope and intercept). */
  intensity: ValueRange;
  slicing: SlicingReport[];
  notes: string[];
}

export interface FileReport {
  format: 'nifti' | 'dicom' | 'dicom-series' | 'png' | 'jpeg' | 'npz';
  images: FileImageReport[];
}

/** Whether a path is one image, volume, DICOM series folder or archive (not a dataset layout), and which. */
export async function singleFileFormat(path: string, isFolder: boolean): Promise<FileReport['format'] | null> {
  const name = basename(path).toLowerCase();
  if (isFolder) return (await seriesFiles(path)) ? 'dicom-series' : null;
  if (name.endsWith('.nii') || name.endsWith('.nii.gz')) return 'nifti';
  if (extname(name) === '.npz') return 'npz';
  const header = await readImageHeader(path).catch(() => null);
  if (header) return header.format;
  return (await startsAsDicom(path)) ? 'dicom' : null;
}

/**
 * Geometry, data type and intensities of one image file, volume, DICOM series folder or npz archive, and what the
 * installed dataset kinds would slice from it, through the dataset readers' public functions.
 */
export async function inspectFile(path: string, format: FileReport['format'], registry: PluginRegistry): Promise<FileReport> {
  switch (format) {
    case 'nifti':
      return { format, images: [niftiReport(path, await readNiftiFile(path), registry)] };
    case 'dicom': {
      const file = parseDicomFile(await readImageBytes(path), path, DEFAULT_DECODE_LIMITS);
      return { format, images: [await dicomReport(path, Array.from({ length: file.header.frames }, (_, frame) => ({ file, frame })), 'frames', null, registry)] };
    }
    case 'dicom-series':
      return { format, images: await seriesReports(path, registry) };
    case 'png':
    case 'jpeg':
      return { format, images: [await imageReport(path)] };
    case 'npz':
      return { format, images: npzReports(path, parseNpz(await readFile(path), path, DEFAULT_DECODE_LIMITS)) };
  }
}

export function valueRange(values: ArrayLike<number>): ValueRange {
  let min = Infinity;
  let max = -Infinity;
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const step = Math.max(1, Math.ceil(values.length / PERCENTILE_SAMPLE));
  const sample = new Float64Array(Math.ceil(values.length / step));
  for (let index = 0, at = 0; index < values.length; index += step, at++) sample[at] = values[index];
  const found = percentiles(sample, PERCENTILES);
  return { min, max, percentiles: Object.fromEntries(PERCENTILES.map((p, index) => [`p${p}`, found[index]])), sampled: sample.length, values: values.length };
}

/** Installed dataset kinds whose options carry the volume slicing steps, grouped by their defaults. */
function volumeSlicings(registry: PluginRegistry): Array<{ kinds: string[]; axis: SliceAxis; orientation: VolumeOrientation; window: WindowOption; clip: ClipOption }> {
  const groups = new Map<string, { kinds: string[]; axis: SliceAxis; orientation: VolumeOrientation; window: WindowOption; clip: ClipOption }>();
  for (const [kind, { factory }] of [...registry.datasets].sort(([a], [b]) => a.localeCompare(b))) {
    const properties = (factory.optionsSchema.properties ?? {}) as Record<string, JsonSchema>;
    if (!properties.axis || !properties.window || !properties.clip) continue;
    const defaults = { axis: properties.axis.default as SliceAxis, orientation: (properties.orientation?.default ?? 'file') as VolumeOrientation, window: properties.window.default as WindowOption, clip: properties.clip.default as ClipOption };
    const key = JSON.stringify(defaults);
    const group = groups.get(key);
    if (group) group.kinds.push(kind);
    else groups.set(key, { kinds: [kind], ...defaults });
  }
  return [...groups.values()];
}

function niftiReport(path: string, volume: NiftiVolume, registry: PluginRegistry): FileImageReport {
  const { geometry, voxels } = volume;
  const slope = geometry.scale?.slope ?? 1;
  const intercept = geometry.scale?.intercept ?? 0;
  const values = geometry.scale ? Float32Array.from(voxels, (value) => value * slope + intercept) : voxels;
  const slicing = volumeSlicings(registry).map(({ kinds, axis, orientation, window, clip }): SlicingReport => {
    const grid = sliceGrid(geometry, orientation);
    const slices = grid.dims[axis];
    const middle = extractSlice(volume, grid, axis, Math.floor(slices / 2), path);
    const steps: IntensitySteps = { window: resolveWindow(window, '/window'), clip: resolveClip(clip, '/clip') };
    const image = applyIntensitySteps({ width: middle.width, height: middle.height, channels: 1, data: middle.values }, steps);
    return { kinds, axis, orientation, slices, sliceSize: { width: middle.width, height: middle.height }, step: describeIntensitySteps(steps), middleSlice: middleOf(image) };
  });
  return {
    name: path,
    dataType: geometry.scale ? `${geometry.datatype} (stored; ${rescaling(slope, intercept)})` : geometry.datatype,
    dims: [...geometry.dims],
    dimNames: ['i', 'j', 'k'],
    spacing: [...geometry.voxelSizes],
    orientation: geometry.orientation,
    intensity: valueRange(values),
    slicing,
    notes: [`NIfTI-${geometry.niftiVersion}, voxel-to-world from ${geometry.affineSource}`],
  };
}

/** `value = stored × 1 - 1024`: how stored values become the file's units. */
function rescaling(slope: number, intercept: number): string {
  return `value = stored × ${slope} ${intercept < 0 ? '-' : '+'} ${Math.abs(intercept)}`;
}

function middleOf(image: RawImage): SlicingReport['middleSlice'] {
  const { min, max } = valueRange(image.data);
  return { min, max, range: image.range ?? null };
}

/** The files of a folder when it holds no subfolders and its first file is DICOM (one or more series), else null. */
async function seriesFiles(folder: string): Promise<string[] | null> {
  const entries = await readdir(folder, { withFileTypes: true });
  if (entries.some((entry) => entry.isDirectory())) return null;
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(folder, entry.name)).sort();
  return files.length > 0 && (await startsAsDicom(files[0])) ? files : null;
}

/** Whether a file starts as DICOM does (the preamble and `DICM`, or a bare data set), reading only its first bytes. */
async function startsAsDicom(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = new Uint8Array(DICOM_HEAD);
    const { bytesRead } = await handle.read(head, 0, DICOM_HEAD, 0);
    return isDicom(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

async function seriesReports(folder: string, registry: PluginRegistry): Promise<FileImageReport[]> {
  const parsed: DicomFile[] = [];
  const notes: string[] = [];
  for (const file of (await seriesFiles(folder)) ?? []) {
    try {
      const bytes = await readImageBytes(file);
      if (isDicom(bytes)) parsed.push(parseDicomFile(bytes, file, DEFAULT_DECODE_LIMITS));
    } catch (error) {
      notes.push(`${file}: ${errorMessage(error)}`);
    }
  }
  const bySeries = new Map<string, DicomFile[]>();
  for (const file of parsed) {
    const uid = file.header.seriesInstanceUid ?? '(no Series Instance UID)';
    bySeries.set(uid, [...(bySeries.get(uid) ?? []), file]);
  }
  const reports: FileImageReport[] = [];
  for (const [uid, files] of bySeries) {
    const series = orderSeries(files, (file) => file.header, (file) => file.source);
    const frames = series.slices.map((file) => ({ file, frame: 0 }));
    const report = await dicomReport(`${folder} (series ${uid})`, frames, 'slices', series, registry);
    report.notes.push(`${files.length} files, ordered by ${series.orderedBy === 'position' ? 'Image Position along the slice normal' : 'Instance Number'}`, ...notes);
    reports.push(report);
  }
  return reports;
}

/** A DICOM file's frames, or a series' slices, as the `dicom` dataset kind reads them (each one item). */
async function dicomReport(
  name: string,
  frames: Array<{ file: DicomFile; frame: number }>,
  unit: 'frames' | 'slices',
  series: { spacing?: number; normal?: [number, number, number] } | null,
  registry: PluginRegistry,
): Promise<FileImageReport> {
  const { header } = frames[0].file;
  const sampled = frames.filter((_, index) => index % Math.max(1, Math.ceil(frames.length / DECODED_SLICES)) === 0);
  const unwindowed = await Promise.all(sampled.map(({ file, frame }) => decodeDicomFrame(file, frame, { kind: 'fixed', window: null })));
  const values = new Float32Array(unwindowed.reduce((sum, image) => sum + image.data.length, 0));
  unwindowed.reduce((offset, image) => (values.set(image.data, offset), offset + image.data.length), 0);
  const windowOption = ((registry.datasets.get('dicom')?.factory.optionsSchema.properties as Record<string, JsonSchema> | undefined)?.window?.default ?? 'header') as DicomWindowOption;
  const middle = frames[Math.floor(frames.length / 2)];
  const stepped = await decodeDicomFrame(middle.file, middle.frame, resolveDicomWindow(windowOption, '/window'));
  const cosines = header.orientation;
  const orientation = cosines && series?.normal ? axisCodes([cosines.slice(0, 3), cosines.slice(3, 6), series.normal]) : cosines ? axisCodes([cosines.slice(0, 3), cosines.slice(3, 6)]) : null;
  const spacing = header.pixelSpacing ? [header.pixelSpacing[1], header.pixelSpacing[0], ...(series?.spacing === undefined ? [] : [series.spacing])] : null;
  const rescaled = header.rescaleSlope !== 1 || header.rescaleIntercept !== 0;
  return {
    name,
    dataType: `${header.signed ? 'int' : 'uint'}${header.bitsAllocated} (${header.bitsStored} bits stored, ${header.photometric}${rescaled ? `; ${rescaling(header.rescaleSlope, header.rescaleIntercept)}` : ''})`,
    dims: [header.columns, header.rows, frames.length],
    dimNames: ['columns', 'rows', unit],
    spacing,
    orientation,
    intensity: valueRange(values),
    slicing: [
      {
        kinds: ['dicom'],
        axis: null,
        orientation: null,
        slices: frames.length,
        sliceSize: { width: header.columns, height: header.rows },
        step: windowOption === 'header' ? `header window${header.window ? ` (center ${header.window.center}, width ${header.window.width})` : ' (none in this file)'}` : JSON.stringify(windowOption),
        middleSlice: middleOf(stepped),
      },
    ],
    notes: sampled.length < frames.length ? [`intensity over ${sampled.length} of ${frames.length} ${unit}, evenly spaced`] : [],
  };
}

/** DICOM patient axes run towards L, P, S: each direction named by its largest component (e.g. `LPS` for axial). */
function axisCodes(directions: number[][]): string {
  const letters = [['L', 'R'], ['P', 'A'], ['S', 'I']];
  return directions
    .map((direction) => {
      const axis = [0, 1, 2].reduce((best, index) => (Math.abs(direction[index]) > Math.abs(direction[best]) ? index : best), 0);
      return letters[axis][direction[axis] >= 0 ? 0 : 1];
    })
    .join('');
}

async function imageReport(path: string): Promise<FileImageReport> {
  const header = await readImageHeader(path);
  const image = await openImageFile(path);
  return {
    name: path,
    dataType: `${header ? `uint${header.bitDepth}` : 'unknown'} (${header?.channels ?? image.channels} channel(s) stored)`,
    dims: [image.width, image.height, image.channels],
    dimNames: ['width', 'height', 'channels'],
    spacing: null,
    orientation: null,
    intensity: valueRange(image.data),
    slicing: [],
    notes: ['a 2D image is one item; image-folder and csv apply no intensity step (the preprocessing scales each image)'],
  };
}

function npzReports(path: string, arrays: ReturnType<typeof parseNpz>): FileImageReport[] {
  return [...arrays].map(([name, array]) => ({
    name: `${path}:${name}`,
    dataType: `numpy ${array.dtype}`,
    dims: array.shape,
    dimNames: array.shape.map((_, index) => (index === 0 ? 'samples' : `axis ${index}`)),
    spacing: null,
    orientation: null,
    intensity: valueRange(array.data),
    slicing: [],
    notes: [],
  }));
}

const number = (value: number) => (Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, ''));

/** The report as text for a terminal. */
export function formatFileReport(path: string, report: FileReport): string[] {
  const lines = [`${path} (${report.format})`];
  for (const image of report.images) {
    const { intensity } = image;
    const share = intensity.sampled < intensity.values ? ` (percentiles over ${intensity.sampled} of ${intensity.values} values)` : '';
    lines.push(
      ...(image.name === path ? [] : ['', image.name]),
      `  data type    ${image.dataType}`,
      `  dims         ${image.dims.join(' × ')} (${image.dimNames.join(', ')})`,
      ...(image.spacing ? [`  spacing      ${image.spacing.map(number).join(' × ')} mm`] : []),
      ...(image.orientation ? [`  orientation  ${image.orientation}`] : []),
      `  intensity    min ${number(intensity.min)}, max ${number(intensity.max)}; ${Object.entries(intensity.percentiles).map(([p, value]) => `${p} ${number(value)}`).join(', ')}${share}`,
    );
    for (const slicing of image.slicing) {
      const along = slicing.axis === null ? 'one item per slice' : `axis ${slicing.axis} of the ${slicing.orientation === 'RAS' ? 'RAS-reoriented' : 'stored'} grid`;
      const { min, max, range } = slicing.middleSlice;
      lines.push(
        `  slicing      ${slicing.kinds.join(', ')}: ${along}: ${slicing.slices} slices of ${slicing.sliceSize.width} × ${slicing.sliceSize.height}; ` +
          `intensity step ${slicing.step}: middle slice ${number(min)}..${number(max)}${range ? ` (range ${number(range.min)}..${number(range.max)})` : ''}`,
      );
    }
    for (const note of image.notes) lines.push(`  note: ${note}`);
  }
  return lines;
}
