import { RadprobeError, type ClassificationScores, type DatasetItem, type DatasetView, type TaskType } from '@radprobe/core';

/** What the head fits, per dataset item. */
export interface ItemTargets {
  /** Head outputs: classes, or 1 for a binary task. */
  outputs: number;
  multiclass: boolean;
  /** Multiclass: class index per item; binary: 0/1; multi-label: empty. */
  labels: Int32Array;
  /** Binary: `[items, 1]`; multi-label: `[items, classes]` of 0/1; multiclass: empty. */
  targets: Float32Array;
}

function labelOf(item: DatasetItem, dataset: DatasetView): number {
  const label = item.label;
  if (label === undefined || !Number.isInteger(label) || label < 0 || label >= dataset.classes.length) {
    throw new RadprobeError(`peft: item ${item.id} (${item.source}) of dataset ${dataset.name} has label ${label}, not a class index in [0, ${dataset.classes.length})`);
  }
  return label;
}

/** The labels of every item of the dataset, checked: a bad label names the item and its file. */
export function itemTargets(dataset: DatasetView): ItemTargets {
  const count = dataset.items.length;
  const classes = dataset.classes.length;
  if (dataset.task === 'multiclass') {
    return { outputs: classes, multiclass: true, labels: Int32Array.from(dataset.items, (item) => labelOf(item, dataset)), targets: new Float32Array(0) };
  }
  if (dataset.task === 'binary') {
    const labels = Int32Array.from(dataset.items, (item) => (labelOf(item, dataset) === 1 ? 1 : 0));
    return { outputs: 1, multiclass: false, labels, targets: Float32Array.from(labels) };
  }
  if (dataset.task !== 'multilabel') throw new RadprobeError(`peft: dataset ${dataset.name} is a ${dataset.task} task; peft evaluates classification tasks`);
  const targets = new Float32Array(count * classes);
  dataset.items.forEach((item, i) => {
    const labels = item.labels;
    if (!labels || labels.length !== classes || labels.some((v) => v !== 0 && v !== 1)) {
      throw new RadprobeError(`peft: item ${item.id} (${item.source}) of dataset ${dataset.name} needs labels as ${classes} values of 0 or 1`);
    }
    targets.set(labels, i * classes);
  });
  return { outputs: classes, multiclass: false, labels: new Int32Array(0), targets };
}

/** The multiclass labels of `items`, in order. */
export function labelsOf(targets: ItemTargets, items: readonly number[]): Int32Array {
  return Int32Array.from(items, (i) => targets.labels[i]);
}

/** The `[items, outputs]` 0/1 targets of `items` (binary, multi-label), in order. */
export function targetRowsOf(targets: ItemTargets, items: readonly number[]): Float32Array {
  const k = targets.outputs;
  const out = new Float32Array(items.length * k);
  items.forEach((i, r) => out.set(targets.targets.subarray(i * k, (i + 1) * k), r * k));
  return out;
}

/** `[items, outputs]` logits of `items` with their truth, as core's classification metrics take them. */
export function scoresOf(task: TaskType, targets: ItemTargets, items: readonly number[], logits: Float32Array): ClassificationScores {
  const truth = task === 'multilabel' ? { targets: targetRowsOf(targets, items) } : { labels: labelsOf(targets, items) };
  return { outputs: targets.outputs, logits, truth };
}
