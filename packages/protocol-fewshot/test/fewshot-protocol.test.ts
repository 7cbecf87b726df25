import { describe, expect, it } from 'vitest';
import { Random, type Protocol, type ProtocolContext, type ResultRow } from '@radprobe/core';
import { knnProtocol } from '@radprobe/protocol-knn';
import { linearProtocol } from '@radprobe/protocol-linear';
import plugin, { fewshotProtocol } from '../src/index.js';
import { contextOf, patientData } from './data.js';

const installed = [linearProtocol, knnProtocol];
const shotsOf = (rows: ResultRow[]) => rows.map((row) => row.setting.shots);

/** A stand-in for a wrapped protocol that records what each run saw; its TEST metric is the TRAIN item count. */
function spy(kind: 'linear' | 'knn') {
  const runs: Array<{ options: Record<string, unknown>; seed: number; splits: Record<string, string[]> }> = [];
  const protocol: Protocol = {
    kind,
    title: `spy ${kind}`,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { kind: { const: kind }, name: { type: 'string' }, k: { type: 'integer' }, ...(kind === 'linear' ? { finalTraining: { enum: ['train+val', 'train'], default: 'train+val' } } : {}) },
    },
    tasks: ['multilabel', 'multiclass'],
    featureNeeds: () => ({ clsBlocks: 1, patchMean: false, patchBlocks: 0 }),
    async run(options, context: ProtocolContext) {
      const splits: Record<string, string[]> = { train: [], val: [], test: [] };
      for (const item of context.dataset.items) splits[item.split].push(item.id);
      runs.push({ options, seed: context.seed, splits });
      const selected: ResultRow['setting'] = kind === 'linear' ? { selected: true } : { k: 1 };
      return { primaryMetric: 'auroc', rows: [{ setting: selected, split: 'test', metrics: { auroc: { value: splits.train.length } } }], notes: ['inner note'], skipped: [] };
    },
  };
  return { protocol, runs };
}

describe('fewshot protocol around a recording stand-in', () => {
  const data = patientData({ task: 'multilabel', counts: { train: 12, val: 4, test: 5 } });

  it('linear: VAL is kept whole for choosing, never trained on (finalTraining = train), TEST whole', async () => {
    const { protocol, runs } = spy('linear');
    const result = await fewshotProtocol.run({ protocol: { kind: 'linear' }, shots: [1, 'all'], nTries: 3 }, contextOf(data, [protocol], 10));
    expect(runs).toHaveLength(4);
    for (const run of runs) {
      expect(run.options).toEqual({ finalTraining: 'train' });
      expect(run.splits.val).toHaveLength(8);
      expect(run.splits.test).toHaveLength(10);
      expect(run.splits.train.every((id) => id.startsWith('P-train-'))).toBe(true);
    }
    // Try t runs with seed = config seed + t; "all" runs once.
    expect(runs.map((run) => run.seed)).toEqual([10, 11, 12, 10]);
    expect(runs[3].splits.train).toHaveLength(24);
    expect(shotsOf(result.rows)).toEqual([1, 'all']);
    expect(result.rows[0].setting).toEqual({ shots: 1, unit: 'patient' });
    expect(result.rows[0].metrics.auroc.seeds?.seeds).toEqual([10, 11, 12]);
    expect(result.rows[1].metrics.auroc.seeds?.seeds).toEqual([10]);
    expect(result.notes).toContain('inner note');
    expect(result.notes.filter((note) => note === 'inner note')).toHaveLength(1);
  });

  it('knn: VAL is left out entirely (ML-kNN would fit on it); one row per inner TEST setting', async () => {
    const { protocol, runs } = spy('knn');
    const result = await fewshotProtocol.run({ protocol: { kind: 'knn', k: 1 }, shots: [2], unit: 'image' }, contextOf(data, [protocol]));
    expect(runs[0].splits.val).toEqual([]);
    expect(runs[0].options).toEqual({ k: 1 });
    expect(runs[0].splits.train).toHaveLength(2);
    expect(result.rows.map((row) => row.setting)).toEqual([{ shots: 2, unit: 'image', k: 1 }]);
    expect(result.rows[0].metrics.auroc.value).toBe(2);
  });

  it('refuses to let the wrapped protocol retrain with VAL, and names the pointer of bad inner options', async () => {
    const { protocol } = spy('linear');
    const context = contextOf(data, [protocol]);
    await expect(fewshotProtocol.run({ protocol: { kind: 'linear', finalTraining: 'train+val' } }, context)).rejects.toMatchObject({ pointer: '/protocol/finalTraining' });
    await expect(fewshotProtocol.run({ protocol: { kind: 'linear', k: 'x' } }, context)).rejects.toThrow('few-shot option protocol (linear) at /protocol/k: must be integer');
    await expect(fewshotProtocol.run({ protocol: { kind: 'linear', lr: 1 } }, context)).rejects.toThrow("at /protocol/lr: unknown key 'lr'");
    await expect(fewshotProtocol.run({ protocol: { kind: 'seg' } }, context)).rejects.toThrow("few-shot wraps protocol kind 'seg', which is not installed");
    await expect(fewshotProtocol.run({ protocol: { kind: 'fewshot' } }, context)).rejects.toMatchObject({ pointer: '/protocol/kind' });
    await expect(fewshotProtocol.run({ protocol: { kind: 'linear' }, shots: [2, 0] }, context)).rejects.toMatchObject({ pointer: '/shots/1' });
  });

  it('skips a shots value that selects nobody (no patient keeps a class on all their images)', async () => {
    const { protocol, runs } = spy('linear');
    // Each patient's second image carries the complement of the first's labels: every intersection is empty.
    const disjoint = { ...data, items: data.items.map((item) => (item.id.endsWith('-1') ? { ...item, labels: item.labels!.map((v) => 1 - v) } : item)) };
    const result = await fewshotProtocol.run({ protocol: { kind: 'linear' }, shots: [1, 'all'], nTries: 2 }, contextOf(disjoint, [protocol]));
    expect(result.rows.map((row) => row.setting)).toEqual([{ shots: 'all', unit: 'patient' }]);
    expect(result.skipped).toEqual([{ setting: { shots: 1, unit: 'patient' }, reason: "no TRAIN patient's label set (the intersection over their images) holds any class" }]);
    expect(runs).toHaveLength(1);
    await expect(fewshotProtocol.run({ protocol: { kind: 'linear' }, shots: [1] }, contextOf(disjoint, [protocol]))).rejects.toThrow(/no shots value could run/);
  });

  it('needs a VAL split for a protocol that chooses on VAL instead of carving one out of a few shots', async () => {
    const { protocol } = spy('linear');
    const noVal = { ...data, items: data.items.map((item) => (item.split === 'val' ? { ...item, split: 'train' as const } : item)) };
    await expect(fewshotProtocol.run({ protocol: { kind: 'linear' } }, contextOf(noVal, [protocol]))).rejects.toThrow(/has no VAL split/);
  });
});

describe('fewshot protocol wrapping the real linear probe and kNN', () => {
  const data = patientData({ task: 'multilabel', counts: { train: 40, val: 15, test: 30 } });
  const linear = { kind: 'linear', blocks: [1], avgpool: [false], learningRates: [0.05, 0.5], epochs: 20 };

  it('is the plugin’s one protocol and reads what the wrapped protocol reads', () => {
    expect(plugin.protocols).toEqual([fewshotProtocol]);
    const backbone = contextOf(data, installed).backbone;
    const lookup = (kind: string) => installed.find((p) => p.kind === kind);
    expect(fewshotProtocol.featureNeeds({ protocol: linear }, backbone, lookup)).toEqual({ clsBlocks: 1, patchMean: false, patchBlocks: 0 });
    expect(fewshotProtocol.featureNeeds({ protocol: { kind: 'linear' } }, { ...backbone, hasPatchTokens: true }, lookup)).toEqual(
      linearProtocol.featureNeeds({}, { ...backbone, hasPatchTokens: true }, lookup),
    );
    expect(fewshotProtocol.featureNeeds({ protocol: { kind: 'knn' } }, backbone, lookup)).toEqual({ clsBlocks: 1, patchMean: false, patchBlocks: 0 });
  });

  it('linear, patients per class: a curve from few shots to all, mean ± std over tries, deterministic', async () => {
    const options = { protocol: linear, shots: [1, 4, 'all' as const], nTries: 3 };
    const result = await fewshotProtocol.run(options, contextOf(data, installed));
    expect(result.primaryMetric).toBe('auroc');
    expect(result.rows.map((row) => row.setting)).toEqual([
      { shots: 1, unit: 'patient' },
      { shots: 4, unit: 'patient' },
      { shots: 'all', unit: 'patient' },
    ]);
    const [one, four, all] = result.rows.map((row) => row.metrics.auroc);
    expect(one.seeds!.values).toHaveLength(3);
    expect(new Set(one.seeds!.values).size).toBeGreaterThan(1);
    expect(one.seeds!.std).toBeGreaterThan(0);
    expect(all.value).toBeGreaterThan(0.9);
    expect(all.value).toBeGreaterThan(one.value);
    expect(four.seeds!.intervals.every((ci) => ci !== null)).toBe(true);
    expect(result.notes[0]).toMatch(/^Few-shot Linear probe: shots = patients per class/);
    expect(result.notes.some((note) => note.includes('retrained fresh on TRAIN alone'))).toBe(true);
    expect(result.notes.find((note) => note.startsWith('shots 1:'))).toMatch(/^shots 1: seed 0: 3 patients, 6 images, chose blocks=1, avgpool=false, lr=0\.0?5; seed 1: /);
    const again = await fewshotProtocol.run(options, contextOf(data, installed));
    expect(again.rows).toEqual(result.rows);
  });

  it('linear: scrambling VAL labels moves nothing but the choice — VAL is not in the training set', async () => {
    // One candidate head, so VAL cannot change the choice: any change in TEST would mean VAL was trained on.
    const single = { ...linear, learningRates: [0.05] };
    const random = new Random(9);
    const valLabels = random.shuffle(data.items.filter((item) => item.split === 'val').map((item) => item.labels!));
    let next = 0;
    const scrambled = { ...data, items: data.items.map((item) => (item.split === 'val' ? { ...item, labels: valLabels[next++] } : item)) };
    const run = async (d: typeof data) => (await fewshotProtocol.run({ protocol: single, shots: [4, 'all'], nTries: 2 }, contextOf(d, installed))).rows.map((row) => row.metrics.auroc.seeds!.values);
    expect(await run(scrambled)).toEqual(await run(data));
  });

  it('kNN (ML-kNN on multi-label): VAL scrambled changes nothing, the curve rises', async () => {
    const random = new Random(9);
    const valLabels = random.shuffle(data.items.filter((item) => item.split === 'val').map((item) => item.labels!));
    let next = 0;
    const scrambled = { ...data, items: data.items.map((item) => (item.split === 'val' ? { ...item, labels: valLabels[next++] } : item)) };
    const options = { protocol: { kind: 'knn', k: [3] }, shots: [1, 8, 'all' as const], nTries: 2 };
    const result = await fewshotProtocol.run(options, contextOf(data, installed));
    expect(result.rows.map((row) => row.setting)).toEqual([
      { shots: 1, unit: 'patient', k: 3 },
      { shots: 8, unit: 'patient', k: 3 },
      { shots: 'all', unit: 'patient', k: 3 },
    ]);
    expect((await fewshotProtocol.run(options, contextOf(scrambled, installed))).rows).toEqual(result.rows);
    expect(result.rows[2].metrics.auroc.value).toBeGreaterThan(result.rows[0].metrics.auroc.value);
  });

  it('kNN vote on image-level multiclass data: shots = images in total, evenly spaced', async () => {
    const images = patientData({ task: 'multiclass', counts: { train: 60, val: 0, test: 30 }, images: 1, patients: false });
    const result = await fewshotProtocol.run({ protocol: { kind: 'knn', k: [1, 5] }, shots: [3, 'all'] }, contextOf(images, installed));
    expect(result.primaryMetric).toBe('top1');
    expect(result.rows.map((row) => row.setting)).toEqual([
      { shots: 3, unit: 'image', k: 1 },
      { shots: 3, unit: 'image', k: 5 },
      { shots: 'all', unit: 'image', k: 1 },
      { shots: 'all', unit: 'image', k: 5 },
    ]);
    expect(result.notes).toContain('k = 5 exceeds the 3 TRAIN features: it used 3 neighbours.');
    expect(result.rows[2].metrics.top1.value).toBeGreaterThan(0.7);
    // Each row carries its first try's TEST confusion matrix: every one of the 30 TEST images once.
    for (const row of result.rows) expect(row.classification!.confusion!.counts.flat().reduce((a, b) => a + b, 0)).toBe(30);
  });
});
