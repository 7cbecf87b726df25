import {
  canonicalJson,
  errorMessage,
  RadprobeError,
  sha256,
  sha256File,
  type Dataset,
  type DatasetItem,
  type DecodeLimits,
  type EncodedFile,
  type LabelMap,
  type RawImage,
  type Split,
} from '@radprobe/core';
import { applyIntensitySteps, describeIntensitySteps, mapConcurrent, type IntensitySteps } from '@radprobe/core/engine';
import type { BadItems } from '../bad-items.js';
import type { FolderScan } from '../listing.js';
import { sortById } from '../ordering.js';
import { splitCounts } from '../patient-splits.js';
import type { Affine } from './affine.js';
import { encodeLabelVolumeFile } from './label-volume.js';
import { readNiftiFile, readNiftiGeometry, type VolumeGeometry } from './nifti.js';
import { describeClasses } from '../label-classes.js';
import { scanLabelVolume } from './label-scan.js';
import { extractLabelSlice, extractSlice, sliceGrid, type SliceAxis, type SliceGrid, type VolumeOrientation } from './slicing.js';
import { VolumeCache } from './volume-cache.js';

/** One labelled volume of a segmentation dataset. */
export interface VolumePair {
  /** Volume id: the image's path relative to the dataset root. */
  id: string;
  image: string;
  label: string;
  split: Split;
}

/** How volumes become 2D items. */
export interface VolumeSlicing {
  axis: SliceAxis;
  orientation: VolumeOrientation;
  slices: 'all' | 'foreground';
  intensity: IntensitySteps;
}

/** Where a slice item sits: enough to write a prediction back into a NIfTI on the volume's grid. */
export interface SliceGeometry {
  /** The image file's geometry (file order). */
  volume: VolumeGeometry;
  /** The grid the slice was cut from (the file's, or reoriented to RAS). */
  grid: SliceGrid;
  axis: SliceAxis;
  index: number;
}

/** A segmentation dataset cut from volumes; `geometry` locates each item in its volume. */
export interface VolumeDataset extends Dataset {
  openMask(item: DatasetItem): Promise<LabelMap>;
  encodeLabelVolume(volume: string, slices: ReadonlyArray<{ item: DatasetItem; labels: LabelMap }>): Promise<EncodedFile>;
  geometry(item: DatasetItem): Promise<SliceGeometry>;
}

/** Type guard for datasets that carry volume geometry. */
export function isVolumeDataset(dataset: Dataset): dataset is VolumeDataset {
  return typeof (dataset as Partial<VolumeDataset>).geometry === 'function';
}

interface SliceRecord {
  pair: VolumePair;
  grid: SliceGrid;
  geometry: VolumeGeometry;
  index: number;
}

/** Decoded volumes kept: an image and its labels, and the next pair while slices of both are in flight. */
const CACHED_VOLUMES = 4;
const PARALLEL_HEADERS = 8;
/** Image and label affines may differ by float32 rounding of the writer, not by more. */
const AFFINE_TOLERANCE = 1e-3;

/**
 * A segmentation dataset whose items are the 2D slices of labelled NIfTI volumes. Headers are read up front
 * (inflating only the header of a `.nii.gz`): unreadable volumes and image/label pairs on different grids are bad
 * items. Every label volume is then read once: a value that is not a class index (an atlas's region codes under a
 * benchmark's layout) is a dataset error naming the file, the value and its voxel, since the class list belongs
 * to the dataset (its kind, or its `dataset.json`), not to one volume. Slices keep their volume id; item ids sort
 * volume by volume and slice by slice.
 */
export async function volumeSegmentationDataset(parts: {
  kind: string;
  name: string;
  classes: string[];
  notes: string[];
  bad: BadItems;
  /** The scan that found the volumes: its loops and duplicates are skipped items too. */
  scan: FolderScan;
  limits: DecodeLimits;
  volumes: VolumePair[];
  slicing: VolumeSlicing;
}): Promise<VolumeDataset> {
  const { kind, name, classes, bad, slicing, limits } = parts;
  const cache = new VolumeCache(CACHED_VOLUMES, (file) => readNiftiFile(file, limits));
  const checked = await mapConcurrent(parts.volumes, PARALLEL_HEADERS, (pair) => checkPair(pair, bad, limits));
  const records = new Map<string, SliceRecord>();
  const volumeGrids = new Map<string, { geometry: VolumeGeometry; grid: SliceGrid }>();
  const items: DatasetItem[] = [];
  let emptyVolumes = 0;
  for (const entry of checked) {
    if (!entry) continue;
    const { pair, geometry } = entry;
    const grid = sliceGrid(geometry, slicing.orientation);
    volumeGrids.set(pair.id, { geometry, grid });
    const axisName = grid.axisNames[slicing.axis];
    const count = grid.dims[slicing.axis];
    const digits = String(count - 1).length;
    const labels = scanLabelVolume(await cache.get(pair.label), grid, slicing.axis, classes.length);
    if (labels.invalid) {
      const { value, voxel, largest } = labels.invalid;
      throw new RadprobeError(
        `dataset "${name}": ${pair.label}: label value ${value} at voxel (${voxel.join(', ')}) is not one of the ${classes.length} classes of ${kind} ` +
          `(${describeClasses(classes)}); the largest value is ${largest}`,
        { file: pair.label },
      );
    }
    let kept = 0;
    for (let index = 0; index < count; index++) {
      const source = `${pair.image}#${axisName}=${index}`;
      if (slicing.slices === 'foreground' && !labels.foreground[index]) continue;
      const id = `${pair.id}#${axisName}=${String(index).padStart(digits, '0')}`;
      items.push({ id, split: pair.split, volume: pair.id, source });
      records.set(id, { pair, grid, geometry, index });
      kept++;
    }
    if (kept === 0) emptyVolumes++;
  }
  const skipped = [...bad.settle(), ...parts.scan.skipped];
  if (items.length === 0) throw new RadprobeError(`dataset "${name}": no slice of any volume could be used`);
  sortById(items);
  const notes = [...parts.notes];
  if (emptyVolumes > 0) notes.push(`${kind}: ${emptyVolumes} volume(s) have no slice with foreground and contribute no items`);
  notes.push(
    `${kind}: ${splitCounts(items)} slices of ${checked.filter(Boolean).length} volumes, along ${slicing.orientation === 'RAS' ? 'the RAS-reoriented' : 'the stored'} voxel axis ${slicing.axis}` +
      `${slicing.slices === 'foreground' ? ', slices with foreground only' : ''}; intensity ${describeIntensitySteps(slicing.intensity)}`,
  );

  const recordOf = (item: DatasetItem): SliceRecord => {
    const record = records.get(item.id);
    if (!record) throw new RadprobeError(`dataset "${name}": item "${item.id}" is not one of its slices`, { file: item.source });
    return record;
  };
  const fileHashes = new Map<string, Promise<string>>();
  const hashOf = (file: string): Promise<string> => {
    let hash = fileHashes.get(file);
    if (!hash) {
      hash = sha256File(file).catch((error: unknown) => {
        fileHashes.delete(file);
        throw new RadprobeError(`${file}: cannot read (${errorMessage(error)})`, { file, cause: error });
      });
      fileHashes.set(file, hash);
    }
    return hash;
  };

  return {
    name,
    task: 'segmentation',
    classes,
    items,
    skipped,
    notes,
    async open(item): Promise<RawImage> {
      const { pair, grid, index } = recordOf(item);
      const slice = extractSlice(await cache.get(pair.image), grid, slicing.axis, index, item.source);
      return applyIntensitySteps({ width: slice.width, height: slice.height, channels: 1, data: slice.values }, slicing.intensity);
    },
    async openMask(item): Promise<LabelMap> {
      const { pair, grid, index } = recordOf(item);
      return extractLabelSlice(await cache.get(pair.label), grid, slicing.axis, index, classes.length, `${pair.label}#${grid.axisNames[slicing.axis]}=${index}`);
    },
    async encodeLabelVolume(volume, slices): Promise<EncodedFile> {
      const located = volumeGrids.get(volume);
      if (!located) throw new RadprobeError(`dataset "${name}": no volume "${volume}"`);
      const placed = slices.map(({ item, labels }) => {
        const { pair, index } = recordOf(item);
        if (pair.id !== volume) throw new RadprobeError(`dataset "${name}": item "${item.id}" is a slice of volume "${pair.id}", not "${volume}"`, { file: item.source });
        return { index, labels, source: item.source };
      });
      return encodeLabelVolumeFile({ volume, ...located, axis: slicing.axis, classCount: classes.length, slices: placed });
    },
    async contentKey(item): Promise<string> {
      const { pair, index } = recordOf(item);
      const { axis, orientation, intensity } = slicing;
      return sha256(canonicalJson({ file: await hashOf(pair.image), axis, orientation, index, intensity: describeIntensitySteps(intensity) }));
    },
    async geometry(item): Promise<SliceGeometry> {
      const { geometry, grid, index } = recordOf(item);
      return { volume: geometry, grid, axis: slicing.axis, index };
    },
  };
}

/** The image's geometry when both headers read and describe the same grid; otherwise a bad item. */
async function checkPair(pair: VolumePair, bad: BadItems, limits: DecodeLimits): Promise<{ pair: VolumePair; geometry: VolumeGeometry } | null> {
  let image: VolumeGeometry;
  let label: VolumeGeometry;
  try {
    [image, label] = await Promise.all([readNiftiGeometry(pair.image, limits), readNiftiGeometry(pair.label, limits)]);
  } catch (error) {
    const file = error instanceof RadprobeError && error.file ? error.file : pair.image;
    const message = errorMessage(error);
    bad.add(file, message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message);
    return null;
  }
  const difference = gridDifference(image, label);
  if (difference !== null) {
    bad.add(pair.image, `image and label map ${pair.label} are on different grids: ${difference}`);
    return null;
  }
  return { pair, geometry: image };
}

function gridDifference(image: VolumeGeometry, label: VolumeGeometry): string | null {
  if (image.dims.some((size, axis) => size !== label.dims[axis])) return `dims ${image.dims.join('×')} vs ${label.dims.join('×')}`;
  const close = (a: number, b: number) => Math.abs(a - b) <= AFFINE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
  if (!image.affine.every((row, r) => row.every((value, c) => close(value, label.affine[r][c])))) {
    return `affines ${formatAffine(image.affine)} vs ${formatAffine(label.affine)}`;
  }
  return null;
}

function formatAffine(affine: Affine): string {
  return `[${affine.slice(0, 3).map((row) => row.map((value) => +value.toFixed(4)).join(' ')).join('; ')}]`;
}
