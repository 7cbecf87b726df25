import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { checkDeclaredSize, RadprobeError, sha256, type Dataset, type DatasetFactory, type DatasetItem, type DecodeLimits, type RawImage, type Split } from '@radprobe/core';
import { commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, type CommonOptions } from './common-options.js';
import { MEDMNIST_DATASETS, medmnistFileName, type MedmnistInfo } from './medmnist-info.js';
import type { NpyArray } from './npy.js';
import { parseNpz } from './npz.js';
import { splitCounts } from './patient-splits.js';
import { SPLIT_ORDER } from './split-names.js';

export interface MedmnistOptions extends CommonOptions {
  /** A MedMNIST / MedMNIST+ archive, e.g. `pathmnist_224.npz` or `organmnist3d_64.npz`. */
  file: string;
  /** 3D datasets: every slice along the last axis is an item (`all`), or only the middle one (`middle`). */
  slices?: 'all' | 'middle';
}

const KIND = 'medmnist';

export const medmnistOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    file: pathOption('file', 'MedMNIST / MedMNIST+ .npz (train_images, train_labels, val_*, test_*).'),
    slices: { enum: ['all', 'middle'], default: 'all', description: '3D datasets: all slices along the last axis as items of one volume, or the middle slice only.' },
  },
  required: ['file'],
  additionalProperties: false,
};

/** How one split's image array is laid out. */
interface ImageLayout {
  height: number;
  width: number;
  channels: 1 | 3;
  /** Slices per sample along the last axis (1 for 2D). */
  depth: number;
}

/**
 * MedMNIST v2 / MedMNIST+ `.npz` with the official splits. 2D images are items; a 3D sample is a volume whose
 * slices along the last axis are its items (or only its middle slice). Class names come from the built-in table
 * of the 18 MedMNIST v2 datasets by file name, else `class 0`, `class 1`, ….
 */
export const medmnistDataset: DatasetFactory<MedmnistOptions> = {
  kind: KIND,
  optionsSchema: medmnistOptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const file = await existingPath(context.baseDir, options.file, 'file', 'file');
    const limits = decodeLimitsOf(context);
    const bytes = await readFile(file);
    const arrays = parseNpz(bytes, file, limits);
    const { name: fileDataset, size } = medmnistFileName(basename(file));
    const known = MEDMNIST_DATASETS[fileDataset];
    const notes: string[] = [];
    const splits = new Map<Split, { images: NpyArray; labels: NpyArray }>();
    for (const split of SPLIT_ORDER) {
      const images = arrays.get(`${split}_images`);
      const labels = arrays.get(`${split}_labels`);
      if (!images || !labels) {
        throw new RadprobeError(`${file}: no ${images ? `${split}_labels` : `${split}_images`} array (a MedMNIST archive has train_*, val_* and test_* images and labels)`, { file });
      }
      if (images.shape[0] !== labels.shape[0]) throw new RadprobeError(`${file}: ${split}_images holds ${images.shape[0]} samples but ${split}_labels ${labels.shape[0]}`, { file });
      splits.set(split, { images, labels });
    }
    const info = known ?? inferInfo(splits, notes, basename(file));
    const layouts = new Map(SPLIT_ORDER.map((split) => [split, layoutOf(splits.get(split)!.images, info, `${file}: ${split}_images`, limits)]));
    const fileHash = sha256(bytes);
    const middleOnly = info.volumetric && options.slices === 'middle';
    const items: DatasetItem[] = [];
    for (const split of SPLIT_ORDER) {
      const { labels } = splits.get(split)!;
      const { depth } = layouts.get(split)!;
      const count = labels.shape[0];
      const perSample = labels.shape.slice(1).reduce((a, b) => a * b, 1);
      const digits = String(Math.max(count - 1, 0)).length;
      const sliceDigits = String(depth - 1).length;
      const slices = middleOnly ? [Math.floor(depth / 2)] : Array.from({ length: depth }, (_, slice) => slice);
      for (let sample = 0; sample < count; sample++) {
        const label = labelFields(labels.data.subarray(sample * perSample, (sample + 1) * perSample), info, `${file}: ${split}_labels[${sample}]`);
        const sampleId = `${split}/${String(sample).padStart(digits, '0')}`;
        if (!info.volumetric) {
          items.push({ id: sampleId, split, ...label, source: `${file}#${split}_images[${sample}]` });
          continue;
        }
        for (const slice of slices) {
          items.push({ id: `${sampleId}#${String(slice).padStart(sliceDigits, '0')}`, split, ...label, volume: sampleId, source: `${file}#${split}_images[${sample}][..., ${slice}]` });
        }
      }
    }
    if (known) notes.push(`${KIND}: ${fileDataset}${size === null ? ' (28)' : ` (${size})`}, ${info.publishedTask}${info.publishedTask === 'ordinal-regression' ? ' evaluated as multi-class' : ''}; official splits`);
    if (info.volumetric) notes.push(`${KIND}: 3D samples are volumes; ${middleOnly ? 'only the middle slice along the last axis is an item' : 'every slice along the last axis is an item'}`);
    notes.push(`${KIND}: ${splitCounts(items)}`);
    const dataset: Dataset = {
      name,
      task: info.task,
      classes: info.classes,
      items,
      skipped: [],
      notes,
      async open(item) {
        const { split, sample, slice } = locate(item);
        return imageOf(splits.get(split)!.images, layouts.get(split)!, sample, slice);
      },
      async contentKey(item) {
        const { split, sample, slice } = locate(item);
        return sha256(`${fileHash}#${split}_images[${sample}]#${slice}`);
      },
    };
    return dataset;
  },
};

/** Split, sample and slice of an item, from its id `split/sample[#slice]`. */
function locate(item: DatasetItem): { split: Split; sample: number; slice: number } {
  const [path, slice] = item.id.split('#');
  const [split, sample] = path.split('/');
  return { split: split as Split, sample: Number(sample), slice: slice === undefined ? 0 : Number(slice) };
}

/**
 * 2D: `[N, H, W]` gray or `[N, H, W, 3]` RGB; 3D: `[N, H, W, D]` gray (MedMNIST's 3D arrays are cubes). An image
 * (or slice) of H × W pixels is checked against the pixel cap.
 */
function layoutOf(array: NpyArray, info: MedmnistInfo, where: string, limits: DecodeLimits): ImageLayout {
  const layout = imageLayout(array, info, where);
  checkDeclaredSize(where, { description: `images of ${layout.height}×${layout.width} pixels`, pixels: layout.height * layout.width }, limits);
  return layout;
}

function imageLayout(array: NpyArray, info: MedmnistInfo, where: string): ImageLayout {
  const [, height, width, last] = array.shape;
  if (info.volumetric) {
    if (array.shape.length !== 4) throw new RadprobeError(`${where}: a 3D dataset needs shape [N, H, W, D], found [${array.shape.join(', ')}]`);
    return { height, width, channels: 1, depth: last };
  }
  if (array.shape.length === 3) return { height, width, channels: 1, depth: 1 };
  if (array.shape.length === 4 && last === 3) return { height, width, channels: 3, depth: 1 };
  throw new RadprobeError(`${where}: a 2D dataset needs shape [N, H, W] or [N, H, W, 3], found [${array.shape.join(', ')}]`);
}

function imageOf(array: NpyArray, layout: ImageLayout, sample: number, slice: number): RawImage {
  const { height, width, channels, depth } = layout;
  const pixels = height * width;
  const data = new Float32Array(pixels * channels);
  if (depth === 1) {
    data.set(array.data.subarray(sample * pixels * channels, (sample + 1) * pixels * channels));
  } else {
    const start = sample * pixels * depth + slice;
    for (let pixel = 0; pixel < pixels; pixel++) data[pixel] = array.data[start + pixel * depth];
  }
  const range = array.dtype.endsWith('u1') ? { min: 0, max: 255 } : undefined;
  return { width, height, channels, data, ...(range ? { range } : {}) };
}

/** The label fields of one sample: a class index, or a multi-hot vector for multi-label datasets. */
function labelFields(values: ArrayLike<number>, info: MedmnistInfo, where: string): Pick<DatasetItem, 'label' | 'labels'> {
  if (info.task === 'multilabel') {
    if (values.length !== info.classes.length) throw new RadprobeError(`${where}: ${values.length} labels, expected ${info.classes.length}`);
    return { labels: Array.from(values, (value) => (value ? 1 : 0)) };
  }
  const label = values[0];
  if (values.length !== 1 || !Number.isInteger(label) || label < 0 || label >= info.classes.length) {
    throw new RadprobeError(`${where}: label ${Array.from(values).join(',')} is not a class index below ${info.classes.length}`);
  }
  return { label };
}

/**
 * A dataset missing from the table: 4D images whose last axis is not 3 make it 3D; several label columns make it
 * multi-label, else multi-class over 0..max.
 */
function inferInfo(splits: Map<Split, { images: NpyArray; labels: NpyArray }>, notes: string[], fileName: string): MedmnistInfo {
  const { images, labels } = splits.get('train')!;
  const volumetric = images.shape.length === 4 && images.shape[3] !== 3;
  const columns = labels.shape.slice(1).reduce((a, b) => a * b, 1);
  const generic = (count: number) => Array.from({ length: count }, (_, index) => `class ${index}`);
  notes.push(`${KIND}: ${fileName} is not one of the 18 MedMNIST v2 datasets; class names are generic`);
  if (columns > 1) return { task: 'multilabel', publishedTask: 'multi-label, binary-class', volumetric, classes: generic(columns) };
  let max = 0;
  for (const { labels: array } of splits.values()) for (const value of array.data) max = Math.max(max, value);
  return { task: 'multiclass', publishedTask: 'multi-class', volumetric, classes: generic(max + 1) };
}
