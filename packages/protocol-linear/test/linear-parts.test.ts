import { describe, expect, it } from 'vitest';
import type { DatasetView } from '@radprobe/core';
import { buildSamples, fitLogistic, minimizeNewtonCg, resolveLinearOptions, trainHeadGrid, type InputTable } from '../src/index.js';
import { syntheticItems } from './synthetic.js';

describe('trainHeadGrid', () => {
  it('trains heads side by side exactly as it trains each alone (one shared pass, own learning rates)', async () => {
    const items = syntheticItems({ task: 'multilabel', classes: 2, dim: 4, blocks: 1, counts: { train: 50, val: 0, test: 0 } });
    const dataset: DatasetView = { name: 'grid', task: 'multilabel', classes: ['a', 'b'], items, notes: [] };
    const table: InputTable = { rows: items.length, width: 4, embedDim: 4, clsBlocks: 1, withPatchMean: false, data: Float32Array.from(items.flatMap((item) => item.cls[0])), items: items.map((_, i) => i) };
    const samples = buildSamples(table, dataset, (i) => items[i].split);
    const train = samples.splits.map((_, s) => s);
    const setting = { blocks: 1, avgpool: false };
    const common = { samples, table, train, multiclass: false, epochs: 3, batchSize: 16, seed: 4, workers: 1 };
    const together = await trainHeadGrid({ ...common, heads: [{ setting, learningRate: 0.01 }, { setting, learningRate: 0.2 }] });
    const joint = await together.logits(train);
    together.dispose();
    // Alone, a head draws the first block of initial weights, so compare the first head only at equal init.
    const alone = await trainHeadGrid({ ...common, heads: [{ setting, learningRate: 0.01 }] });
    const [single] = await alone.logits(train);
    alone.dispose();
    single.forEach((v, i) => expect(joint[0][i]).toBeCloseTo(v, 5));
    expect(joint[1]).not.toEqual(joint[0]);
  });
});

describe('trainHeadGrid on worker threads', () => {
  // The workers run the packages' builds (`nx test` builds them first).
  const items = syntheticItems({ task: 'multiclass', classes: 3, dim: 6, blocks: 1, counts: { train: 45, val: 0, test: 0 } });
  const dataset: DatasetView = { name: 'grid', task: 'multiclass', classes: ['a', 'b', 'c'], items, notes: [] };
  const table: InputTable = { rows: items.length, width: 6, embedDim: 6, clsBlocks: 1, withPatchMean: false, data: Float32Array.from(items.flatMap((item) => item.cls[0])), items: items.map((_, i) => i) };
  const samples = buildSamples(table, dataset, (i) => items[i].split);
  const train = samples.splits.map((_, s) => s);
  const setting = { blocks: 1, avgpool: false };
  // Batches of 16 over 45 rows: the last batch (13 rows) splits unevenly, 7 + 6, exercising the mean's row shares.
  const trainOn = async (workers: number) => {
    const grid = await trainHeadGrid({ samples, table, train, multiclass: true, epochs: 3, batchSize: 16, seed: 9, workers, heads: [{ setting, learningRate: 0.05 }, { setting, learningRate: 0.5 }] });
    const logits = await grid.logits(train);
    grid.dispose();
    return { logits, losses: grid.training.epochLosses };
  };

  it('trains the same heads on 2 workers as on 1 (within float rounding), and repeats bit for bit on 2', async () => {
    const one = await trainOn(1);
    const two = await trainOn(2);
    const twoAgain = await trainOn(2);
    expect(twoAgain.logits).toEqual(two.logits);
    expect(twoAgain.losses).toEqual(two.losses);
    for (let h = 0; h < 2; h++) one.logits[h].forEach((value, i) => expect(two.logits[h][i]).toBeCloseTo(value, 4));
    one.losses.forEach((loss, e) => expect(two.losses[e]).toBeCloseTo(loss, 5));
    // Training moved the heads: the logits are not the initial near-zero ones.
    expect(Math.max(...one.logits[1].map(Math.abs))).toBeGreaterThan(0.5);
  });

  it('deals whole input settings to the workers where there are enough, and then trains exactly as on one', async () => {
    const blocks = syntheticItems({ task: 'multiclass', classes: 3, dim: 6, blocks: 2, counts: { train: 45, val: 0, test: 0 } });
    const view: DatasetView = { ...dataset, items: blocks };
    const wide: InputTable = {
      rows: blocks.length,
      width: 18,
      embedDim: 6,
      clsBlocks: 2,
      withPatchMean: true,
      data: Float32Array.from(blocks.flatMap((item) => [...item.cls[0], ...item.cls[1], ...item.patchMean])),
      items: blocks.map((_, i) => i),
    };
    const wideSamples = buildSamples(wide, view, (i) => blocks[i].split);
    // Three input settings (widths 6, 12, 12), two learning rates each: three terms for two workers.
    const heads = [{ blocks: 1, avgpool: false }, { blocks: 2, avgpool: false }, { blocks: 1, avgpool: true }].flatMap((setting) => [0.05, 0.5].map((learningRate) => ({ setting, learningRate })));
    const trainWide = async (workers: number) => {
      const grid = await trainHeadGrid({ samples: wideSamples, table: wide, train, multiclass: true, epochs: 3, batchSize: 16, seed: 9, workers, heads });
      const logits = await grid.logits(train);
      grid.dispose();
      return { logits, losses: grid.training.epochLosses };
    };
    const one = await trainWide(1);
    const two = await trainWide(2);
    // Each head's gradient comes from one thread, as on one: bit for bit.
    expect(two.logits).toEqual(one.logits);
    one.losses.forEach((loss, e) => expect(two.losses[e]).toBeCloseTo(loss, 5));
    for (const logits of one.logits) expect(Math.max(...logits.map(Math.abs))).toBeGreaterThan(0.1);
  });
});

describe('buildSamples', () => {
  it('averages the slices of a scan and labels it positive where any slice is', () => {
    const items = [
      { id: 'v1#0', split: 'train' as const, source: 'v1#0', volume: 'v1', labels: [1, 0] },
      { id: 'v1#1', split: 'train' as const, source: 'v1#1', volume: 'v1', labels: [0, 0] },
      { id: 'x', split: 'test' as const, source: 'x', labels: [0, 1] },
    ];
    const dataset: DatasetView = { name: 'scans', task: 'multilabel', classes: ['a', 'b'], items, notes: [] };
    const table: InputTable = { rows: 3, width: 2, embedDim: 2, clsBlocks: 1, withPatchMean: false, data: Float32Array.of(1, 2, 3, 6, 5, 5), items: [0, 1, 2] };
    const samples = buildSamples(table, dataset, (i) => items[i].split);
    // Scan v1: mean of (1, 2) and (3, 6) = (2, 4); labels OR = (1, 0). Item x alone.
    expect(samples.count).toBe(2);
    expect(Array.from(samples.data)).toEqual([2, 4, 5, 5]);
    expect(Array.from(samples.targets)).toEqual([1, 0, 0, 1]);
    expect(samples.splits).toEqual(['train', 'test']);
    expect(samples.volumes).toBe(1);
    expect(() => buildSamples(table, dataset, (i) => (i === 1 ? 'val' : items[i].split))).toThrow(/scan v1 of dataset scans has slices in train and val/);
  });
});

describe('minimizeNewtonCg', () => {
  it('finds the minimum of a badly conditioned convex function', async () => {
    // f(x) = Σ a_i·(x_i − m_i)⁴/4 + ½·Σ a_i·(x_i − m_i)² with a = (1, 10³, 10⁶), m = (1, −2, 3): minimum 0 at m.
    const a = [1, 1e3, 1e6];
    const m = [1, -2, 3];
    const objective = {
      value: async (x: Float64Array) => x.reduce((sum, v, i) => sum + a[i] * ((v - m[i]) ** 4 / 4 + (v - m[i]) ** 2 / 2), 0),
      point: async (x: Float64Array) => ({
        value: await objective.value(x),
        gradient: Float64Array.from(x, (v, i) => a[i] * ((v - m[i]) ** 3 + (v - m[i]))),
        gradientScale: Math.max(...Array.from(x, (v, i) => a[i] * Math.abs(v - m[i]) ** 3 + a[i] * Math.abs(v - m[i])), 1),
        hessianTimes: async (u: Float64Array) => Float64Array.from(u, (w, i) => a[i] * (3 * (x[i] - m[i]) ** 2 + 1) * w),
      }),
    };
    const result = await minimizeNewtonCg(objective, new Float64Array(3), { maxIterations: 100, tolerance: 1e-12, relativeDecrease: 0, maxCgIterations: 10 });
    expect(result.stop).toBe('gradient');
    Array.from(result.x).forEach((v, i) => expect(v).toBeCloseTo(m[i], 8));
  });
});

describe('fitLogistic', () => {
  it('matches a hand-solved one-dimensional case', async () => {
    // x = (−1, 1), y = (0, 1), C = 1: by symmetry b = 0 and f(w) = 2·softplus(−w) + w²/2, so f'(w) = 0 at
    // w = 2/(1 + eʷ), whose fixed point (Newton's method) is w = 0.674832.
    const model = await fitLogistic({ x: Float32Array.of(-1, 1), rows: 2, dim: 1, outputs: 1, link: 'sigmoid', targets: Float32Array.of(0, 1) }, 1, 100);
    expect(model.weights[0]).toBeCloseTo(0.674832, 4);
    expect(model.bias[0]).toBeCloseTo(0, 4);
  });

  it('fits the multinomial case deterministically', async () => {
    const problem = { x: Float32Array.of(1, 0, 0, 1, -1, -1), rows: 3, dim: 2, outputs: 3, link: 'softmax' as const, labels: Int32Array.of(0, 1, 2) };
    const first = await fitLogistic(problem, 10, 200);
    const again = await fitLogistic(problem, 10, 200);
    expect(Array.from(again.weights)).toEqual(Array.from(first.weights));
    // Each row's own class scores highest.
    for (let r = 0; r < 3; r++) {
      const z = [0, 1, 2].map((o) => first.bias[o] + problem.x[r * 2] * first.weights[o] + problem.x[r * 2 + 1] * first.weights[3 + o]);
      expect(z.indexOf(Math.max(...z))).toBe(r);
    }
  });
});

describe('resolveLinearOptions', () => {
  it('fills the presets', () => {
    const study = resolveLinearOptions({});
    expect(study.inputs).toHaveLength(4);
    expect(study.learningRates).toEqual([1e-3, 5e-3, 1e-2, 5e-2]);
    const upstream = resolveLinearOptions({ preset: 'upstream' });
    // 13 lrs × batch/256 = 0.5 for batch 128; 4 input settings: 52 heads.
    expect(upstream.learningRates).toHaveLength(13);
    expect(upstream.learningRates[0]).toBeCloseTo(0.5e-5, 15);
    expect(upstream.learningRates.at(-1)).toBeCloseTo(0.05, 15);
    expect(upstream.inputs.length * upstream.learningRates.length).toBe(52);
    const logreg = resolveLinearOptions({ method: 'logreg' });
    expect(logreg.logregC).toHaveLength(45);
    expect(logreg.logregC[0]).toBeCloseTo(1e-6, 18);
    expect(logreg.logregC[44]).toBeCloseTo(1e5, 6);
    expect(logreg.logregC[22]).toBeCloseTo(10 ** -0.5, 10);
  });

  it('names a bad option by its pointer', () => {
    expect(() => resolveLinearOptions({ blocks: [2] })).toThrow(expect.objectContaining({ pointer: '/blocks/0' }));
    expect(() => resolveLinearOptions({ epochs: 0 })).toThrow(expect.objectContaining({ pointer: '/epochs' }));
    expect(() => resolveLinearOptions({ seeds: [1, 1] })).toThrow(/lists 1 twice/);
  });
});
