import { RadprobeError, type ClassificationScores, type DatasetItem, type DatasetView, type FeatureSource, type Split, type TaskType } from '@radprobe/core';
import type { InputSetting } from './options.js';

/**
 * Every item's linear-input features side by side, `[rows, width]`: the CLS tokens of the last `clsBlocks`
 * blocks, oldest first (upstream's concatenation order), then the last block's mean patch token if read. Each
 * input setting is then one contiguous column range.
 */
export interface InputTable {
  rows: number;
  width: number;
  embedDim: number;
  clsBlocks: number;
  withPatchMean: boolean;
  data: Float32Array;
  /** Dataset item index of each row. */
  items: number[];
}

/** Columns `[start, start + width)` of the table that form a setting's input (dimension n·D + (avgpool ? D : 0)). */
export function inputColumns(table: InputTable, setting: InputSetting): { start: number; width: number } {
  const start = (table.clsBlocks - setting.blocks) * table.embedDim;
  return { start, width: (setting.blocks + (setting.avgpool ? 1 : 0)) * table.embedDim };
}

const ALL_SPLITS: readonly Split[] = ['train', 'val', 'test'];

/** Reads the cached features every setting needs, for all items. */
export async function readInputTable(features: FeatureSource, settings: readonly InputSetting[]): Promise<InputTable> {
  const clsBlocks = Math.max(...settings.map((s) => s.blocks));
  const withPatchMean = settings.some((s) => s.avgpool);
  const columns = [];
  for (let fromEnd = clsBlocks - 1; fromEnd >= 0; fromEnd--) columns.push(await features.cls(ALL_SPLITS, fromEnd));
  if (withPatchMean) columns.push(await features.patchMean(ALL_SPLITS, 0));
  const { rows, dim, items } = columns[0];
  const width = columns.length * dim;
  const data = new Float32Array(rows * width);
  columns.forEach((column, c) => {
    for (let r = 0; r < rows; r++) data.set(column.data.subarray(r * dim, (r + 1) * dim), r * width + c * dim);
  });
  return { rows, width, embedDim: dim, clsBlocks, withPatchMean, data, items };
}

/** Samples of the probe: single images, or whole scans whose slices' inputs are averaged. */
export interface Samples {
  count: number;
  width: number;
  /** `[count, width]` linear-input features. */
  data: Float32Array;
  /** The split of each sample. */
  splits: Split[];
  /** One dataset item per sample (its first slice), for bootstrap groups and messages. */
  representatives: DatasetItem[];
  /** Multiclass: class index per sample; binary: 0/1. */
  labels: Int32Array;
  /** Multi-label: `[count, classes]` 0/1; binary: `[count, 1]`; multiclass: empty. */
  targets: Float32Array;
  /** Outputs per head: classes, or 1 for binary. */
  outputs: number;
  /** Whether slices of scans were averaged. */
  volumes: number;
}

function labelOf(item: DatasetItem, dataset: DatasetView): number {
  const label = item.label;
  if (label === undefined || !Number.isInteger(label) || label < 0 || label >= dataset.classes.length) {
    throw new RadprobeError(`linear: item ${item.id} (${item.source}) of dataset ${dataset.name} has label ${label}, not a class index in [0, ${dataset.classes.length})`);
  }
  return label;
}

function labelsOf(item: DatasetItem, dataset: DatasetView): number[] {
  const labels = item.labels;
  if (!labels || labels.length !== dataset.classes.length || labels.some((v) => v !== 0 && v !== 1)) {
    throw new RadprobeError(`linear: item ${item.id} (${item.source}) of dataset ${dataset.name} needs labels as ${dataset.classes.length} values of 0 or 1`);
  }
  return labels;
}

/**
 * Groups the table's rows into samples: items sharing a `volume` form one sample whose input is the mean of
 * their rows (a 3D scan), others are samples alone. A scan is positive for a class when any slice is
 * (multi-label, binary); multiclass slices must agree. `splitOf(itemIndex)` gives each item's split.
 */
export function buildSamples(table: InputTable, dataset: DatasetView, splitOf: (item: number) => Split): Samples {
  const groups = new Map<string, number[]>();
  table.items.forEach((itemIndex, row) => {
    const item = dataset.items[itemIndex];
    const key = item.volume === undefined ? `item:${itemIndex}` : `volume:${item.volume}`;
    const members = groups.get(key);
    if (members) members.push(row);
    else groups.set(key, [row]);
  });
  const multiclass = dataset.task === 'multiclass';
  const binary = dataset.task === 'binary';
  const outputs = binary ? 1 : dataset.classes.length;
  const count = groups.size;
  const { width } = table;
  const data = new Float32Array(count * width);
  const labels = new Int32Array(multiclass || binary ? count : 0);
  const targets = new Float32Array(multiclass ? 0 : count * outputs);
  const splits: Split[] = [];
  const representatives: DatasetItem[] = [];
  let volumes = 0;
  [...groups.values()].forEach((rows, s) => {
    const first = dataset.items[table.items[rows[0]]];
    if (rows.length > 1) volumes++;
    const split = splitOf(table.items[rows[0]]);
    for (const row of rows) {
      const item = dataset.items[table.items[row]];
      if (splitOf(table.items[row]) !== split) {
        throw new RadprobeError(`linear: scan ${first.volume} of dataset ${dataset.name} has slices in ${split} and ${splitOf(table.items[row])} (${first.source}, ${item.source})`);
      }
      for (let t = 0; t < width; t++) data[s * width + t] += table.data[row * width + t] / rows.length;
      if (multiclass) {
        const label = labelOf(item, dataset);
        if (row !== rows[0] && label !== labels[s]) {
          throw new RadprobeError(`linear: the slices of scan ${first.volume} of dataset ${dataset.name} disagree on the class (${first.source}, ${item.source})`);
        }
        labels[s] = label;
      } else if (binary) {
        labels[s] = Math.max(row === rows[0] ? 0 : labels[s], labelOf(item, dataset) === 1 ? 1 : 0);
        targets[s] = labels[s];
      } else {
        labelsOf(item, dataset).forEach((v, c) => (targets[s * outputs + c] = Math.max(targets[s * outputs + c], v)));
      }
    }
    splits.push(split);
    representatives.push(first);
  });
  return { count, width, data, splits, representatives, labels, targets, outputs, volumes };
}

/** The samples of `wanted` splits: indices into `samples`, in sample order. */
export function samplesOf(samples: Samples, wanted: readonly Split[]): number[] {
  return samples.splits.flatMap((split, s) => (wanted.includes(split) ? [s] : []));
}

/** `[rows, outputs]` logits of sample `rows` with their truth, as core's classification metrics take them. */
export function scoresOf(task: TaskType, samples: Samples, rows: readonly number[], logits: Float32Array): ClassificationScores {
  const k = samples.outputs;
  if (task !== 'multilabel') return { outputs: k, logits, truth: { labels: Int32Array.from(rows, (s) => samples.labels[s]) } };
  const targets = new Float32Array(rows.length * k);
  rows.forEach((s, r) => targets.set(samples.targets.subarray(s * k, (s + 1) * k), r * k));
  return { outputs: k, logits, truth: { targets } };
}
