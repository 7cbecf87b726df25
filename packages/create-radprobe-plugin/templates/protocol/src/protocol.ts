import { RadprobeError, metricValue, resamplingGroups, topKAccuracyMetric, type Protocol, type ProtocolResult } from '@radprobe/core';

/** 1-nearest neighbour (Euclidean) on the last block's CLS token: replace `run` with your protocol. */
export const protocol: Protocol = {
  kind: '__KIND__',
  title: '1-NN',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  tasks: ['multiclass'],
  featureNeeds: () => ({ clsBlocks: 1, patchMean: false, patchBlocks: 0 }),
  async run(_options, context): Promise<ProtocolResult> {
    const { dataset } = context;
    const train = await context.features.cls('train');
    const test = await context.features.cls('test');
    if (train.rows === 0 || test.rows === 0) {
      throw new RadprobeError(`__KIND__: dataset ${dataset.name} needs TRAIN and TEST items, has ${train.rows} and ${test.rows}`);
    }
    const classes = dataset.classes.length;
    const labelOf = (item: number) => dataset.items[item].label ?? -1;
    const { dim } = train;
    // One score per TEST item and class: 1 for the nearest TRAIN item's class, 0 for the others.
    const scores = new Float32Array(test.rows * classes);
    for (let q = 0; q < test.rows; q++) {
      context.signal.throwIfAborted();
      let nearest = 0;
      let nearestDistance = Infinity;
      for (let t = 0; t < train.rows; t++) {
        let distance = 0;
        for (let k = 0; k < dim; k++) distance += (test.data[q * dim + k] - train.data[t * dim + k]) ** 2;
        if (distance < nearestDistance) [nearest, nearestDistance] = [t, distance];
      }
      scores[q * classes + labelOf(train.items[nearest])] = 1;
      context.progress({ label: 'test queries', done: q + 1, total: test.rows });
    }
    const labels = Int32Array.from(test.items, labelOf);
    const groups = resamplingGroups(test.items.map((item) => dataset.items[item]));
    const bootstrap = { ...context.bootstrap, seed: context.seed };
    const { value, skippedNote } = metricValue(topKAccuracyMetric(scores, classes, labels, 1), groups, bootstrap);
    return {
      primaryMetric: 'top1',
      rows: [{ setting: {}, split: 'test', metrics: { top1: value } }],
      notes: ["1-nearest neighbour (Euclidean) on the last block's CLS token, TRAIN items only.", ...(skippedNote ? [skippedNote] : [])],
      skipped: [],
    };
  },
};
