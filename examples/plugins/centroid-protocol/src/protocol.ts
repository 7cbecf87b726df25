import {
  RadprobeError,
  carveValidation,
  classificationDiagnostics,
  classificationPrimaryMetric,
  classificationTestValues,
  classificationValidationValue,
  resamplingGroups,
  type ClassificationScores,
  type DatasetView,
  type Protocol,
  type ProtocolContext,
  type ProtocolResult,
  type ResultRow,
  type Split,
} from '@radprobe/core';
import { centroidScores, centroids, unitRows } from './centroids.js';
import { CENTROID_DEFAULTS, centroidOptionsSchema, type CentroidOptions, type Distance } from './options.js';

/** The class index of every feature row's item, checked. */
function rowLabels(dataset: DatasetView, items: readonly number[]): Int32Array {
  return Int32Array.from(items, (index) => {
    const item = dataset.items[index];
    if (item.label === undefined || !Number.isInteger(item.label) || item.label < 0 || item.label >= dataset.classes.length) {
      throw new RadprobeError(`centroid: item ${item.id} (${item.source}) of dataset ${dataset.name} has label ${item.label}, not a class index in [0, ${dataset.classes.length})`);
    }
    return item.label;
  });
}

/** What core's classification metrics take: one logit per row for a binary task (positive minus negative), else one score per class. */
function classificationScores(dataset: DatasetView, scores: Float32Array, labels: Int32Array, rows: readonly number[]): ClassificationScores {
  const truth = { labels: Int32Array.from(rows, (r) => labels[r]) };
  if (dataset.task !== 'binary') return { outputs: dataset.classes.length, logits: scores, truth };
  return { outputs: 1, logits: Float32Array.from(rows, (_, i) => scores[i * 2 + 1] - scores[i * 2]), truth };
}

async function runCentroid(options: Required<CentroidOptions>, context: ProtocolContext): Promise<ProtocolResult> {
  const { dataset } = context;
  const notes: string[] = [];
  // TEST never chooses: without a VAL split, VAL is carved out of TRAIN (whole patients), and the results say so.
  let splitOf = (index: number): Split => dataset.items[index].split;
  if (!dataset.items.some((item) => item.split === 'val')) {
    const carved = carveValidation(dataset.items, options.valFraction, context.seed);
    notes.push(carved.note);
    splitOf = (index) => carved.splits[index];
  }
  const features = await context.features.cls(['train', 'val', 'test'], 0);
  const { dim } = features;
  const rowsOf = (split: Split) => features.items.flatMap((item, row) => (splitOf(item) === split ? [row] : []));
  const [train, val, test] = [rowsOf('train'), rowsOf('val'), rowsOf('test')];
  if (train.length === 0 || val.length === 0 || test.length === 0) {
    throw new RadprobeError(`centroid: dataset ${dataset.name} needs TRAIN, VAL and TEST items, has ${train.length}, ${val.length} and ${test.length}`);
  }
  const labels = rowLabels(dataset, features.items);
  const byClass = (rows: readonly number[]) => dataset.classes.map((_, c) => rows.filter((r) => labels[r] === c));
  const trainMembers = byClass(train);
  const absent = dataset.classes.filter((_, c) => trainMembers[c].length === 0);
  if (absent.length) throw new RadprobeError(`centroid: dataset ${dataset.name} has no TRAIN item of class ${absent.join(', ')}`);

  const unit = unitRows(features);
  const dataFor = (distance: Distance) => (distance === 'cosine' ? unit : features.data);
  const primary = classificationPrimaryMetric(dataset.task);
  const skipped: ProtocolResult['skipped'] = [];
  const valRows: ResultRow[] = [];
  let chosen: { distance: Distance; value: number } | null = null;
  for (const [done, distance] of options.distances.entries()) {
    context.signal.throwIfAborted();
    context.progress({ label: 'distances tried on VAL', done, total: options.distances.length });
    const data = dataFor(distance);
    if (!data) {
      skipped.push({ setting: { distance }, reason: 'a feature has length 0, so it has no direction to compare' });
      continue;
    }
    const scores = centroidScores(data, dim, val, centroids(data, dim, trainMembers, distance), distance);
    const value = classificationValidationValue(dataset, classificationScores(dataset, scores, labels, val));
    if (value === null) {
      skipped.push({ setting: { distance }, reason: 'non-finite scores on VAL' });
      continue;
    }
    valRows.push({ setting: { distance }, split: 'val', metrics: { [primary]: { value } } });
    // Ties go to the distance listed first.
    if (!chosen || value > chosen.value) chosen = { distance, value };
  }
  context.progress({ label: 'distances tried on VAL', done: options.distances.length, total: options.distances.length });
  if (!chosen) throw new RadprobeError(`centroid: no distance could run on dataset ${dataset.name} (${skipped.map((entry) => entry.reason).join('; ')})`);

  const data = dataFor(chosen.distance)!;
  const centres = centroids(data, dim, byClass([...train, ...val]), chosen.distance);
  const scores = classificationScores(dataset, centroidScores(data, dim, test, centres, chosen.distance), labels, test);
  // Intervals resample whole patients (else volumes, else items) of TEST, from the run's seed.
  const groups = resamplingGroups(test.map((r) => dataset.items[features.items[r]]));
  const bootstrap = { ...context.bootstrap, seed: context.seed };
  const testRow: ResultRow = {
    setting: { distance: chosen.distance, selected: true },
    split: 'test',
    metrics: classificationTestValues(dataset, scores, groups, bootstrap, notes),
    classification: classificationDiagnostics(dataset, scores, groups, bootstrap),
  };
  notes.push(
    `Nearest class centroid on the last block's CLS token: the distance chosen by VAL ${primary} among ${options.distances.join(', ')}, centroids recomputed on TRAIN ∪ VAL and reported on TEST. TEST never takes part in the choice.`,
  );
  return { primaryMetric: primary, rows: [testRow, ...valRows], notes, skipped };
}

export const centroidProtocol: Protocol<CentroidOptions> = {
  kind: 'centroid',
  title: 'Nearest centroid',
  optionsSchema: centroidOptionsSchema,
  // Multi-label and segmentation cells are skipped by the engine with a message naming the task.
  tasks: ['multiclass', 'binary'],
  featureNeeds: () => ({ clsBlocks: 1, patchMean: false, patchBlocks: 0 }),
  async run(options, context) {
    return runCentroid({ ...CENTROID_DEFAULTS, ...options }, context);
  },
};
