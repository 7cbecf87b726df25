import { describe, expect, it } from 'vitest';
import type { DatasetItem } from '../src/contracts/dataset.js';
import { aurocMetric, macroAurocMetric } from '../src/engine/metrics/auroc.js';
import { bootstrapInterval, metricValue, resamplingGroups } from '../src/engine/metrics/bootstrap.js';
import { topKAccuracyMetric } from '../src/engine/metrics/accuracy.js';
import { type WeightedMetric } from '../src/engine/metrics/weighted-metric.js';
import { formatMetricValue } from '../src/engine/results/format.js';
import { Random } from '../src/engine/util/random.js';

const item = (id: string, extra: Partial<DatasetItem> = {}): DatasetItem => ({ id, split: 'test', source: id, ...extra });

/** A metric that reports the s-th value of `values` on the s-th resample, whatever the weights. */
function scripted(values: Array<number | null>): WeightedMetric {
  let call = 0;
  return { evaluate: (weights) => (weights === null ? 0 : values[call++]) };
}

describe('resamplingGroups', () => {
  it('groups by patient when patients are known', () => {
    const groups = resamplingGroups([item('a', { patient: 'P1' }), item('b', { patient: 'P2' }), item('c', { patient: 'P1' })]);
    expect(groups.unit).toBe('patient');
    expect(Array.from(groups.groups)).toEqual([0, 1, 0]);
    expect(groups.count).toBe(2);
  });

  it('falls back to volume, then to the item itself', () => {
    const byVolume = resamplingGroups([item('a', { volume: 'V1' }), item('b', { volume: 'V1' }), item('c')]);
    expect(byVolume.unit).toBe('volume');
    expect(Array.from(byVolume.groups)).toEqual([0, 0, 1]);
    const byItem = resamplingGroups([item('a'), item('b')]);
    expect(byItem.unit).toBe('item');
    expect(Array.from(byItem.groups)).toEqual([0, 1]);
  });

  it('keeps an item without a patient apart from patients and other items', () => {
    const groups = resamplingGroups([item('a', { patient: 'P1' }), item('b', { volume: 'V' }), item('c'), item('d', { volume: 'V' })]);
    expect(groups.unit).toBe('patient');
    expect(Array.from(groups.groups)).toEqual([0, 1, 2, 1]);
  });
});

describe('bootstrapInterval', () => {
  it('takes linear-interpolation percentiles of the resample values', () => {
    // Values 0..99; 90 %: positions 0.05·99 = 4.95 and 0.95·99 = 94.05.
    const groups = resamplingGroups([item('a'), item('b')]);
    const { ci, skipped } = bootstrapInterval(scripted(Array.from({ length: 100 }, (_, s) => s)), groups, {
      samples: 100,
      confidence: 0.9,
      seed: 1,
    });
    expect(skipped).toBe(0);
    expect(ci?.low).toBeCloseTo(4.95, 12);
    expect(ci?.high).toBeCloseTo(94.05, 12);
    expect(ci).toMatchObject({ confidence: 0.9, samples: 100, unit: 'item' });
  });

  it('skips and counts resamples where the metric is undefined', () => {
    // Odd resamples undefined: values 0, 2, …, 98 (50); positions 0.05·49 = 2.45 → 4.9 and 0.95·49 = 46.55 → 93.1.
    const values = Array.from({ length: 100 }, (_, s) => (s % 2 === 0 ? s : null));
    const { ci, skipped } = bootstrapInterval(scripted(values), resamplingGroups([item('a')]), { samples: 100, confidence: 0.9, seed: 1 });
    expect(skipped).toBe(50);
    expect(ci?.low).toBeCloseTo(4.9, 12);
    expect(ci?.high).toBeCloseTo(93.1, 12);
  });

  it('returns no interval when every resample is undefined', () => {
    const result = bootstrapInterval(scripted(Array(10).fill(null)), resamplingGroups([item('a')]), { samples: 10, confidence: 0.95, seed: 0 });
    expect(result).toEqual({ ci: null, skipped: 10, skipReasons: ['metric undefined (10)'] });
  });

  it('draws whole patients: their items always carry the same weight, and as many groups as there are', () => {
    const items = [item('a', { patient: 'P1' }), item('b', { patient: 'P2' }), item('c', { patient: 'P1' }), item('d', { patient: 'P3' })];
    const seen: number[][] = [];
    const spy: WeightedMetric = {
      evaluate(weights) {
        if (weights) seen.push(Array.from(weights));
        return 0;
      },
    };
    bootstrapInterval(spy, resamplingGroups(items), { samples: 200, confidence: 0.95, seed: 3 });
    expect(seen).toHaveLength(200);
    for (const weights of seen) {
      expect(weights[0]).toBe(weights[2]);
      // Three patients drawn per resample: P1's draws count once though it has two items.
      expect(weights[0] + weights[1] + weights[3]).toBe(3);
    }
    expect(new Set(seen.map((w) => w.join())).size).toBeGreaterThan(1);
  });

  it('gives the same interval for the same seed and another for another seed', () => {
    const random = new Random(11);
    const scores = Array.from({ length: 200 }, () => random.next());
    const positive = scores.map((s) => (random.next() < s ? 1 : 0));
    const groups = resamplingGroups(scores.map((_, i) => item(`i${i}`)));
    const metric = aurocMetric(scores, positive);
    const first = bootstrapInterval(metric, groups, { samples: 300, confidence: 0.95, seed: 5 });
    const again = bootstrapInterval(metric, groups, { samples: 300, confidence: 0.95, seed: 5 });
    const other = bootstrapInterval(metric, groups, { samples: 300, confidence: 0.95, seed: 6 });
    expect(again).toEqual(first);
    expect(other.ci).not.toEqual(first.ci);
  });

  it('brackets an accuracy with about the binomial width', () => {
    // 700 of 1000 items correct: normal-approximation 95 % half-width 1.96·√(0.7·0.3/1000) ≈ 0.0284.
    const labels = Array.from({ length: 1000 }, (_, i) => (i < 700 ? 0 : 1));
    const scores = labels.flatMap(() => [1, 0]);
    const { ci } = bootstrapInterval(topKAccuracyMetric(scores, 2, labels, 1), resamplingGroups(labels.map((_, i) => item(`i${i}`))), {
      samples: 1000,
      confidence: 0.95,
      seed: 0,
    });
    expect(ci!.low).toBeGreaterThan(0.7 - 0.0284 - 0.006);
    expect(ci!.low).toBeLessThan(0.7 - 0.0284 + 0.006);
    expect(ci!.high).toBeGreaterThan(0.7 + 0.0284 - 0.006);
    expect(ci!.high).toBeLessThan(0.7 + 0.0284 + 0.006);
  });

  it('rejects settings that cannot make an interval', () => {
    const groups = resamplingGroups([item('a')]);
    expect(() => bootstrapInterval(scripted([]), groups, { samples: 0, confidence: 0.95, seed: 0 })).toThrow(/samples/);
    expect(() => bootstrapInterval(scripted([]), groups, { samples: 10, confidence: 1, seed: 0 })).toThrow(/confidence/);
  });
});

describe('metricValue', () => {
  it('carries the value, the interval and a macro metric’s per-class values', () => {
    const metric = macroAurocMetric([0.9, 0.1, 0.2, 0.3, 0.8, 0.6], [1, 0, 0, 0, 1, 0], ['x', 'y']);
    const groups = resamplingGroups([item('a'), item('b'), item('c')]);
    const { value, skippedNote } = metricValue(metric, groups, { samples: 50, confidence: 0.95, seed: 0 });
    // x: positives 0.9, 0.8 vs negative 0.2 → 1. y has no positives.
    expect(value.value).toBe(1);
    expect(value.perClass).toEqual({ x: 1, y: null });
    expect(value.excludedClasses).toEqual([{ name: 'y', reason: 'no positives in split' }]);
    expect(value.ci).toMatchObject({ samples: 50, unit: 'item' });
    expect(skippedNote).toMatch(/^\d+ of 50 bootstrap resamples left out of the interval: no (positives|negatives) of x \(\d+\)/);
  });
});

describe('an interval built from too few resamples', () => {
  // 40 items; class "rare" has one positive, so most resamples lose it; class "common" always has both labels.
  const n = 40;
  const classes = ['common', 'rare'];
  const scores = Array.from({ length: n * 2 }, (_, i) => ((i * 7919) % 101) / 101);
  const targets = Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? (i / 2) % 2 : i === 1 ? 1 : 0));
  const groups = resamplingGroups(Array.from({ length: n }, (_, i) => item(`i${i}`)));
  const options = { samples: 500, confidence: 0.95, seed: 3 };

  it('is marked unreliable, with how many resamples it rests on and why the others were left out', () => {
    const { value, skippedNote } = metricValue(macroAurocMetric(scores, targets, classes), groups, options);
    // A resample keeps the rare positive with probability 1 − (39/40)^40 ≈ 0.64: about 180 of 500 lose it.
    const defined = value.ci!.defined!;
    expect(500 - defined).toBeGreaterThan(100);
    expect(value.ci!.unreliable).toBe(`built from ${defined} of 500 resamples; the others had no positives of rare (${500 - defined})`);
    expect(skippedNote).toBe(`${500 - defined} of 500 bootstrap resamples left out of the interval: no positives of rare (${500 - defined}); the interval is unreliable.`);
    expect(formatMetricValue(value)).toBe(`${value.value.toFixed(3)} (interval unreliable: ${value.ci!.unreliable})`);
    expect(formatMetricValue(value)).not.toMatch(/\[/);
  });

  it('is an ordinary interval when at least 90 % of the resamples define the metric', () => {
    const common = aurocMetric(scores.filter((_, i) => i % 2 === 0), targets.filter((_, i) => i % 2 === 0));
    const { value, skippedNote } = metricValue(common, groups, options);
    expect(value.ci).toMatchObject({ samples: 500, defined: 500 });
    expect(value.ci!.unreliable).toBeUndefined();
    expect(skippedNote).toBeNull();
    expect(formatMetricValue(value)).toMatch(/^\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]$/);
  });
});
