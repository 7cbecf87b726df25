import { describe, expect, it } from 'vitest';
import { acrossSeeds, type ConfidenceInterval } from '../src/index.js';

const ci = (low: number, high: number): ConfidenceInterval => ({ low, high, confidence: 0.95, samples: 100, unit: 'item' });

describe('acrossSeeds', () => {
  it('averages the runs, with the sample std and each run’s interval', () => {
    // mean (0.79 + 0.80 + 0.81) / 3 = 0.80; squared deviations 1e-4, 0, 1e-4 → variance 2e-4 / 2 = 1e-4 → std 0.01.
    const merged = acrossSeeds([3, 4, 5], [
      { value: 0.79, ci: ci(0.7, 0.85), perClass: { a: 0.6, b: 1 } },
      { value: 0.8, perClass: { a: 0.7, b: null } },
      { value: 0.81, ci: ci(0.75, 0.9), perClass: { a: 0.8, b: 0.5 } },
    ]);
    expect(merged.value).toBeCloseTo(0.8, 12);
    expect(merged.seeds!.seeds).toEqual([3, 4, 5]);
    expect(merged.seeds!.std).toBeCloseTo(0.01, 12);
    expect(merged.seeds!.intervals).toEqual([ci(0.7, 0.85), null, ci(0.75, 0.9)]);
    expect(merged.ci).toBeUndefined();
    // a: (0.6 + 0.7 + 0.8) / 3 = 0.7; b: undefined on one seed → null.
    expect(merged.perClass!.a).toBeCloseTo(0.7, 12);
    expect(merged.perClass!.b).toBeNull();
  });

  it('keeps a single run’s interval and gives it std 0', () => {
    const merged = acrossSeeds([0], [{ value: 0.5, ci: ci(0.4, 0.6) }]);
    expect(merged).toEqual({ value: 0.5, ci: ci(0.4, 0.6), seeds: { seeds: [0], values: [0.5], mean: 0.5, std: 0, intervals: [ci(0.4, 0.6)] } });
  });
});
