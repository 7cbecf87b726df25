import { RadprobeError, type DatasetView, type FeatureMatrix } from '@radprobe/core';

/** The rows scaled to unit length, so that dot products are cosine similarities. */
export function unitRows(matrix: FeatureMatrix, dataset: DatasetView): Float32Array {
  const { rows, dim, data } = matrix;
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let t = 0; t < dim; t++) sum += data[r * dim + t] * data[r * dim + t];
    const norm = Math.sqrt(sum);
    if (!(norm > 0) || !Number.isFinite(norm)) {
      const item = dataset.items[matrix.items[r]];
      throw new RadprobeError(`kNN: the CLS feature of item ${item.id} (${item.source}) has norm ${norm}, so it has no direction`);
    }
    for (let t = 0; t < dim; t++) out[r * dim + t] = data[r * dim + t] / norm;
  }
  return out;
}

/** Class index of each row's item. */
export function classLabels(matrix: FeatureMatrix, dataset: DatasetView): Int32Array {
  return Int32Array.from(matrix.items, (index) => {
    const item = dataset.items[index];
    const label = item.label;
    if (label === undefined || !Number.isInteger(label) || label < 0 || label >= dataset.classes.length) {
      throw new RadprobeError(`kNN: item ${item.id} (${item.source}) of dataset ${dataset.name} has label ${label}, not a class index in [0, ${dataset.classes.length})`);
    }
    return label;
  });
}

/** Row-major `[rows, classes]` 0/1 targets of each row's item. */
export function multiHotTargets(matrix: FeatureMatrix, dataset: DatasetView): Uint8Array {
  const numClasses = dataset.classes.length;
  const targets = new Uint8Array(matrix.rows * numClasses);
  matrix.items.forEach((index, r) => {
    const item = dataset.items[index];
    const labels = item.labels;
    if (!labels || labels.length !== numClasses || labels.some((v) => v !== 0 && v !== 1)) {
      throw new RadprobeError(`kNN: item ${item.id} (${item.source}) of dataset ${dataset.name} needs labels as ${numClasses} values of 0 or 1`);
    }
    targets.set(labels, r * numClasses);
  });
  return targets;
}
