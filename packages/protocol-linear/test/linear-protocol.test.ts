import { describe, expect, it } from 'vitest';
import { Random, type ResultRow } from '@radprobe/core';
import { linearProtocol } from '../src/index.js';
import { syntheticContext, syntheticItems } from './synthetic.js';

const CLASSES = ['a', 'b', 'c'];
const testRow = (rows: ResultRow[]) => rows.find((row) => row.split === 'test')!;

describe('linear protocol, study grid', () => {
  const items = syntheticItems({ task: 'multilabel', classes: 3 });

  it('learns a linear rule to near-perfect AUROC, trains 16 heads, reports VAL rows and one TEST row', async () => {
    const result = await linearProtocol.run({}, syntheticContext('multilabel', CLASSES, items));
    expect(result.primaryMetric).toBe('auroc');
    const val = result.rows.filter((row) => row.split === 'val');
    expect(val).toHaveLength(16);
    expect(val[0].setting).toEqual({ blocks: 1, avgpool: false, lr: 1e-3, seed: 0 });
    const test = testRow(result.rows);
    expect(result.rows[0]).toBe(test);
    expect(test.setting.selected).toBe(true);
    expect(test.metrics.auroc.value).toBeGreaterThan(0.97);
    expect(test.metrics.auroc.ci).toMatchObject({ unit: 'patient', confidence: 0.95 });
    expect(Object.keys(test.metrics.auroc.perClass!)).toEqual(CLASSES);
    // The TEST diagnostics come from the same scores: each class's curve carries its per-class AUROC exactly.
    const curves = test.classification!.curves!;
    expect(curves.map((curve) => [curve.className, curve.auroc])).toEqual(CLASSES.map((name) => [name, test.metrics.auroc.perClass![name]]));
    expect(curves[0].aurocInterval).toMatchObject({ unit: 'patient', confidence: 0.95 });
    expect(result.rows.filter((row) => row.classification)).toEqual([test]);
    // The chosen setting is the best VAL row.
    const best = Math.max(...val.map((row) => row.metrics.auroc.value));
    const chosen = val.find((row) => row.setting.blocks === test.setting.blocks && row.setting.avgpool === test.setting.avgpool && row.setting.lr === test.setting.lr)!;
    expect(chosen.metrics.auroc.value).toBe(best);
  });

  it('gives the same chosen head and TEST metric for the same seed, and never lets TEST steer the choice', async () => {
    const first = await linearProtocol.run({ blocks: [1], avgpool: [false, true] }, syntheticContext('multilabel', CLASSES, items));
    const again = await linearProtocol.run({ blocks: [1], avgpool: [false, true] }, syntheticContext('multilabel', CLASSES, items));
    expect(again.rows).toEqual(first.rows);
    // TEST labels scrambled: the VAL rows and the choice stay exactly the same; only the TEST metric moves.
    const random = new Random(5);
    const testLabels = random.shuffle(items.filter((item) => item.split === 'test').map((item) => item.labels!));
    let next = 0;
    const poisoned = items.map((item) => (item.split === 'test' ? { ...item, labels: testLabels[next++] } : item));
    const scrambled = await linearProtocol.run({ blocks: [1], avgpool: [false, true] }, syntheticContext('multilabel', CLASSES, poisoned));
    expect(scrambled.rows.filter((row) => row.split === 'val')).toEqual(first.rows.filter((row) => row.split === 'val'));
    expect(testRow(scrambled.rows).setting).toEqual(testRow(first.rows).setting);
    expect(testRow(scrambled.rows).metrics.auroc.value).toBeLessThan(0.75);
  });

  it('skips settings that need blocks the cache does not expose', async () => {
    const oneBlock = items.map((item) => ({ ...item, cls: item.cls.slice(-1) }));
    const result = await linearProtocol.run({ learningRates: [0.01] }, syntheticContext('multilabel', CLASSES, oneBlock));
    expect(result.skipped).toEqual([
      { setting: { blocks: 4, avgpool: false }, reason: 'needs the CLS tokens of the last 4 blocks; fake ViT exposes 1' },
      { setting: { blocks: 4, avgpool: true }, reason: 'needs the CLS tokens of the last 4 blocks; fake ViT exposes 1' },
    ]);
    expect(result.rows.filter((row) => row.split === 'val').map((row) => row.setting.blocks)).toEqual([1, 1]);
    await expect(linearProtocol.run({ blocks: [4] }, syntheticContext('multilabel', CLASSES, oneBlock))).rejects.toThrow(/no input setting can run/);
  });

  it('carves VAL from TRAIN by patient when the dataset has none, and says so', async () => {
    const noVal = items.map((item) => (item.split === 'val' ? { ...item, split: 'train' as const } : item));
    const result = await linearProtocol.run({ blocks: [1], avgpool: [false], learningRates: [0.01] }, syntheticContext('multilabel', CLASSES, noVal));
    expect(result.notes.join('\n')).toMatch(/VAL carved from TRAIN: 30 of 300 patients/);
    expect(testRow(result.rows).metrics.auroc.value).toBeGreaterThan(0.95);
  });

  it('runs every seed and reports the spread, each seed with its interval', async () => {
    const result = await linearProtocol.run({ blocks: [1], avgpool: [false], learningRates: [0.01, 0.05], seeds: [0, 1, 2] }, syntheticContext('multilabel', CLASSES, items));
    const auroc = testRow(result.rows).metrics.auroc;
    expect(auroc.seeds!.seeds).toEqual([0, 1, 2]);
    expect(auroc.seeds!.values).toHaveLength(3);
    const mean = auroc.seeds!.values.reduce((a, b) => a + b, 0) / 3;
    expect(auroc.value).toBeCloseTo(mean, 12);
    expect(auroc.seeds!.std).toBeCloseTo(Math.sqrt(auroc.seeds!.values.reduce((s, v) => s + (v - mean) ** 2, 0) / 2), 12);
    expect(auroc.seeds!.intervals.every((ci) => ci !== null && ci.low <= ci.high)).toBe(true);
    expect(result.rows.filter((row) => row.split === 'val').map((row) => row.setting.seed)).toEqual([0, 0, 1, 1, 2, 2]);
    // The curves are the first seed's scores.
    expect(testRow(result.rows).classification!.seed).toBe(0);
  });

  it('declares the features it reads', () => {
    const info = syntheticContext('multilabel', CLASSES, items).backbone;
    expect(linearProtocol.featureNeeds({}, info, () => undefined)).toEqual({ clsBlocks: 4, patchMean: true, patchBlocks: 0 });
    expect(linearProtocol.featureNeeds({ blocks: [1], avgpool: [false] }, info, () => undefined)).toEqual({ clsBlocks: 1, patchMean: false, patchBlocks: 0 });
    expect(linearProtocol.featureNeeds({ preset: 'upstream' }, info, () => undefined)).toEqual({ clsBlocks: 4, patchMean: true, patchBlocks: 0 });
  });
});

describe('linear protocol, other tasks', () => {
  it('multiclass: cross-entropy heads, top-1 selection, accuracy metrics', async () => {
    const items = syntheticItems({ task: 'multiclass', classes: 5, counts: { train: 400 } });
    const result = await linearProtocol.run({ blocks: [1], avgpool: [false], learningRates: [0.01, 0.05] }, syntheticContext('multiclass', ['a', 'b', 'c', 'd', 'e'], items));
    expect(result.primaryMetric).toBe('top1');
    const test = testRow(result.rows);
    expect(Object.keys(test.metrics)).toEqual(['top1', 'top5', 'balancedAccuracy']);
    expect(test.metrics.top1.value).toBeGreaterThan(0.8);
    // The confusion matrix counts every TEST item once; its diagonal is the top-1 hits.
    const { counts } = test.classification!.confusion!;
    const total = counts.flat().reduce((a, b) => a + b, 0);
    expect(counts.reduce((hits, row, t) => hits + row[t], 0) / total).toBe(test.metrics.top1.value);
    expect(test.classification!.decisions!.map((entry) => entry.className)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('binary: one output, AUROC', async () => {
    const items = syntheticItems({ task: 'binary', classes: 1 });
    const result = await linearProtocol.run({ blocks: [1], avgpool: [false] }, syntheticContext('binary', ['negative', 'positive'], items));
    expect(testRow(result.rows).metrics.auroc.value).toBeGreaterThan(0.97);
  });

  it('3D: averages the slices of a scan into one sample labelled by any slice', async () => {
    // Three slices per scan: the scan's rule input plus noise that averages out; labels on one slice only.
    const base = syntheticItems({ task: 'binary', classes: 1, counts: { train: 120, val: 40, test: 60 } });
    const random = new Random(2);
    const slices = base.flatMap((item) =>
      [0, 1, 2].map((s) => ({
        ...item,
        id: `${item.id}#${s}`,
        volume: item.id,
        patient: undefined,
        label: s === 1 ? item.label : 0,
        cls: item.cls.map((block) => block.map((v) => v + 0.3 * random.normal())),
      })),
    );
    const result = await linearProtocol.run({ blocks: [1], avgpool: [false] }, syntheticContext('binary', ['negative', 'positive'], slices));
    expect(result.notes.join('\n')).toMatch(/averaged into one sample \(220 scans\)/);
    const auroc = testRow(result.rows).metrics.auroc;
    expect(auroc.ci!.unit).toBe('volume');
    expect(auroc.value).toBeGreaterThan(0.95);
  });
});

describe('linear protocol, logistic regression', () => {
  it('separates a linearly separable problem and sweeps C on VAL', async () => {
    const items = syntheticItems({ task: 'multilabel', classes: 3, counts: { train: 150, val: 50, test: 80 } });
    const C = [1e-4, 1e-2, 1, 100];
    const result = await linearProtocol.run({ method: 'logreg', logregC: C, logregMaxIterations: 200 }, syntheticContext('multilabel', CLASSES, items));
    const val = result.rows.filter((row) => row.split === 'val');
    expect(val.map((row) => row.setting)).toEqual(C.map((c) => ({ C: c, seed: 0 })));
    const test = testRow(result.rows);
    expect(C).toContain(test.setting.C);
    expect(test.metrics.auroc.value).toBeGreaterThan(0.97);
  });
});

describe('linear protocol, logistic regression that does not converge', () => {
  it('names the fits that stopped on the iteration limit and marks their rows', async () => {
    const items = syntheticItems({ task: 'multiclass', classes: 3, counts: { train: 90, val: 30, test: 30 } });
    const converged = await linearProtocol.run({ method: 'logreg', logregC: [1e-2, 1e3] }, syntheticContext('multiclass', ['a', 'b', 'c'], items));
    expect(converged.rows.flatMap((row) => row.warnings ?? [])).toEqual([]);
    expect(converged.notes.join('\n')).toMatch(/seed 0: Newton steps per C: \d+, \d+; refit at C = [\d.e+]+: \d+ \(limit 100\)\./);

    const limited = await linearProtocol.run({ method: 'logreg', logregC: [1e-2, 1e3], logregMaxIterations: 1 }, syntheticContext('multiclass', ['a', 'b', 'c'], items));
    const warning = 'not converged: the fit stopped on its iteration limit (1 Newton step)';
    expect(testRow(limited.rows).warnings).toEqual([warning]);
    expect(limited.rows.filter((row) => row.split === 'val').map((row) => row.warnings)).toEqual([[warning], [warning]]);
    expect(limited.notes.join('\n')).toMatch(
      /seed 0: not converged, stopped on the iteration limit of 1 Newton step: C = 0\.01 on TRAIN, C = 1000 on TRAIN, the refit at C = 0\.01; their rows are marked/,
    );
  });
});
