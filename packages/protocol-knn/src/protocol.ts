import {
  RadprobeError,
  argmaxRows,
  aurocMetric,
  balancedAccuracyMetric,
  classificationDiagnostics,
  computeBackend,
  macroAurocMetric,
  metricValue,
  resamplingGroups,
  topKAccuracyMetric,
  topKSimilarities,
  type BootstrapOptions,
  type ClassAveragedMetric,
  type DiagnosedScores,
  type MetricValue,
  type Protocol,
  type ProtocolContext,
  type ProtocolResult,
  type ResamplingGroups,
  type ResultRow,
  type WeightedMetric,
} from '@radprobe/core';
import { classLabels, multiHotTargets, unitRows } from './features.js';
import { fitMlKnn, predictMlKnn } from './ml-knn.js';
import { knnOptionsSchema, resolveKnnOptions, type KnnOptions, type ResolvedKnnOptions } from './options.js';
import { weightedVoteScores } from './weighted-vote.js';

/** Metrics of one row with their intervals; skipped resamples become notes. */
class RowMetrics {
  readonly metrics: Record<string, MetricValue> = {};

  constructor(
    private readonly k: number,
    private readonly groups: ResamplingGroups,
    private readonly bootstrap: BootstrapOptions,
    private readonly notes: string[],
    private readonly diagnosed: { dataset: ProtocolContext['dataset']; scores: DiagnosedScores },
  ) {}

  add(name: string, metric: WeightedMetric | ClassAveragedMetric): this {
    const { value, skippedNote } = metricValue(metric, this.groups, this.bootstrap);
    this.metrics[name] = value;
    if (skippedNote) this.notes.push(`k = ${this.k}, ${name}: ${skippedNote}`);
    return this;
  }

  row(): ResultRow {
    const classification = classificationDiagnostics(this.diagnosed.dataset, this.diagnosed.scores, this.groups, this.bootstrap);
    return { setting: { k: this.k }, split: 'test', metrics: this.metrics, classification };
  }
}

/** The k values after capping at `available` neighbours, with a note for each capped one. */
function effectiveKs(options: ResolvedKnnOptions, available: number, what: string, notes: string[]): number[] {
  return options.k.map((k) => {
    if (k <= available) return k;
    notes.push(`k = ${k} exceeds the ${available} ${what}: it used ${available} neighbours.`);
    return available;
  });
}

function progressTo(context: ProtocolContext, label: string) {
  return (done: number, total: number) => context.progress({ label, done, total });
}

async function runWeightedVote(options: ResolvedKnnOptions, context: ProtocolContext): Promise<ProtocolResult> {
  const { dataset } = context;
  const train = await context.features.cls('train', 0);
  const test = await context.features.cls('test', 0);
  if (train.rows === 0 || test.rows === 0) {
    throw new RadprobeError(`kNN: dataset ${dataset.name} needs TRAIN and TEST items, has ${train.rows} and ${test.rows}`);
  }
  const numClasses = dataset.classes.length;
  const trainLabels = classLabels(train, dataset);
  const testLabels = classLabels(test, dataset);
  const binary = dataset.task === 'binary';
  if (binary && (numClasses !== 2 || testLabels.every((label) => label === testLabels[0]))) {
    throw new RadprobeError(`kNN: binary dataset ${dataset.name} needs 2 classes and both of them in TEST for an AUROC`);
  }
  const notes: string[] = [];
  const ks = effectiveKs(options, train.rows, 'TRAIN features', notes);
  const maxK = Math.max(...ks);
  context.log(`kNN vote: ${test.rows} TEST × ${train.rows} TRAIN features of dim ${train.dim}, ${numClasses} classes, on ${(await computeBackend()).name}`);

  const neighbours = await topKSimilarities(unitRows(test, dataset), unitRows(train, dataset), train.dim, maxK, {
    signal: context.signal,
    onProgress: progressTo(context, 'similarity blocks'),
  });
  const scoresPerK = weightedVoteScores(neighbours.indices, neighbours.scores, maxK, trainLabels, numClasses, ks, options.temperature);
  const groups = resamplingGroups(test.items.map((index) => dataset.items[index]));
  const bootstrap = { ...context.bootstrap, seed: context.seed };
  const positive = Uint8Array.from(testLabels, (label) => (label === 1 ? 1 : 0));
  const rows = scoresPerK.map((scores, i) => {
    const row = new RowMetrics(options.k[i], groups, bootstrap, notes, { dataset, scores: { outputs: numClasses, logits: scores, truth: { labels: testLabels } } })
      .add('top1', topKAccuracyMetric(scores, numClasses, testLabels, 1))
      .add('balancedAccuracy', balancedAccuracyMetric(argmaxRows(scores, numClasses), testLabels, numClasses));
    if (numClasses >= 5) row.add('top5', topKAccuracyMetric(scores, numClasses, testLabels, 5));
    if (binary) row.add('auroc', aurocMetric(scores.filter((_, cell) => cell % 2 === 1), positive));
    return row.row();
  });
  notes.push(`Weighted vote (upstream DINOv2): softmax(similarity / ${options.temperature}) over the ${maxK} nearest TRAIN features, not renormalised for smaller k; ties in prediction go to the lower class index.`);
  return { primaryMetric: binary ? 'auroc' : 'top1', rows, notes, skipped: [] };
}

async function runMlKnn(options: ResolvedKnnOptions, context: ProtocolContext): Promise<ProtocolResult> {
  const { dataset } = context;
  const train = await context.features.cls(['train', 'val'], 0);
  const test = await context.features.cls('test', 0);
  if (train.rows < 2 || test.rows === 0) {
    throw new RadprobeError(`kNN: dataset ${dataset.name} needs at least 2 TRAIN ∪ VAL items and 1 TEST item, has ${train.rows} and ${test.rows}`);
  }
  const numLabels = dataset.classes.length;
  const trainTargets = multiHotTargets(train, dataset);
  const testTargets = multiHotTargets(test, dataset);
  const notes: string[] = [];
  // At fit time a training point's neighbours are the other training points.
  const ks = effectiveKs(options, train.rows - 1, 'other TRAIN ∪ VAL features', notes);
  const maxK = Math.max(...ks);
  context.log(`ML-kNN: ${test.rows} TEST × ${train.rows} TRAIN ∪ VAL features of dim ${train.dim}, ${numLabels} labels, on ${(await computeBackend()).name}`);

  const trainUnit = unitRows(train, dataset);
  const fitNeighbours = await topKSimilarities(trainUnit, trainUnit, train.dim, maxK, {
    excludeSelf: true,
    signal: context.signal,
    onProgress: progressTo(context, 'similarity blocks (fit)'),
  });
  const testNeighbours = await topKSimilarities(unitRows(test, dataset), trainUnit, train.dim, maxK, {
    signal: context.signal,
    onProgress: progressTo(context, 'similarity blocks (test)'),
  });
  const groups = resamplingGroups(test.items.map((index) => dataset.items[index]));
  const bootstrap = { ...context.bootstrap, seed: context.seed };
  const rows = ks.map((k, i) => {
    const model = fitMlKnn(fitNeighbours.indices, maxK, k, trainTargets, numLabels, options.smoothing);
    const scores = predictMlKnn(model, testNeighbours.indices, maxK, trainTargets);
    return new RowMetrics(options.k[i], groups, bootstrap, notes, { dataset, scores: { outputs: numLabels, logits: scores, truth: { targets: testTargets } } }).add('auroc', macroAurocMetric(scores, testTargets, dataset.classes)).row();
  });
  notes.push(
    `ML-kNN (Zhang & Zhou 2007) on cosine neighbours, smoothing s = ${options.smoothing}, fitted on TRAIN ∪ VAL (${train.rows} items).`,
    "At fit time each training point's neighbours exclude the point itself (the intended algorithm); the study's code counted each point as its own neighbour.",
  );
  return { primaryMetric: 'auroc', rows, notes, skipped: [] };
}

export const knnProtocol: Protocol<KnnOptions> = {
  kind: 'knn',
  title: 'kNN',
  optionsSchema: knnOptionsSchema,
  tasks: ['multiclass', 'binary', 'multilabel'],
  featureNeeds: () => ({ clsBlocks: 1, patchMean: false, patchBlocks: 0 }),
  async run(options, context) {
    const resolved = resolveKnnOptions(options);
    return context.dataset.task === 'multilabel' ? runMlKnn(resolved, context) : runWeightedVote(resolved, context);
  },
};
