import { describe, expect, it } from 'vitest';
import { RadprobeError, type RawImage } from '../src/index.js';
import {
  applyIntensitySteps,
  applyPercentileClip,
  applyWindow,
  CT_WINDOW_PRESETS,
  describeIntensitySteps,
  percentiles,
  resolveClip,
  resolveWindow,
} from '../src/engine/index.js';

describe('percentiles (linear interpolation, h = (n − 1)·p/100)', () => {
  it('interpolates between order statistics', () => {
    // n = 5: p5 → h = 0.2 → 1 + 0.2·(2 − 1) = 1.2; p95 → h = 3.8 → 4 + 0.8·(5 − 4) = 4.8.
    expect(percentiles([3, 1, 5, 2, 4], [5, 95]).map((v) => +v.toFixed(10))).toEqual([1.2, 4.8]);
    // Sorted 0, 10, 20, 30: p0 = 0, p25 → h = 0.75 → 7.5, p50 → h = 1.5 → 15, p100 = 30.
    expect(percentiles([10, 0, 30, 20], [0, 25, 50, 100])).toEqual([0, 7.5, 15, 30]);
  });

  it('leaves NaN out and handles one value and none', () => {
    // Without the NaN: 1, 3 → p50 at h = 0.5 → 2.
    expect(percentiles([Number.NaN, 3, 1], [50])).toEqual([2]);
    expect(percentiles([7], [5, 95])).toEqual([7, 7]);
    expect(percentiles([], [50])[0]).toBeNaN();
  });

  it('rejects a percentile outside [0, 100]', () => {
    expect(() => percentiles([1], [101])).toThrow(RadprobeError);
  });
});

describe('CT windows', () => {
  it('has the study clamp and the level/width presets as [L − W/2, L + W/2]', () => {
    expect(CT_WINDOW_PRESETS).toEqual({
      study: { low: -1024, high: 600 },
      lung: { low: -1350, high: 150 }, // L −600, W 1500
      abdomen: { low: -160, high: 240 }, // L 40, W 400
      bone: { low: -500, high: 1300 }, // L 400, W 1800
      brain: { low: 0, high: 80 }, // L 40, W 80
    });
  });

  it('clamps into the window', () => {
    const data = Float32Array.from([-2000, -1024, 0, 600, 3000]);
    applyWindow(data, CT_WINDOW_PRESETS.study);
    expect(Array.from(data)).toEqual([-1024, -1024, 0, 600, 600]);
  });

  it('resolves presets, bounds and level/width; rejects an empty window naming the option', () => {
    expect(resolveWindow('none', '/window')).toBeNull();
    expect(resolveWindow('abdomen', '/window')).toEqual({ low: -160, high: 240 });
    expect(resolveWindow({ low: -100, high: 100 }, '/window')).toEqual({ low: -100, high: 100 });
    expect(resolveWindow({ level: 50, width: 350 }, '/window')).toEqual({ low: -125, high: 225 });
    expect(() => resolveWindow({ low: 5, high: 5 }, '/datasets/0/window')).toThrow(/\/datasets\/0\/window: window low 5 must be below high 5/);
    expect(() => resolveWindow('liver' as never, '/window')).toThrow(/unknown window preset "liver"/);
  });
});

describe('percentile clipping', () => {
  it('clamp: [p5, p95] of the image itself', () => {
    // 1..20: p5 → h = 0.95 → 1.95; p95 → h = 18.05 → 19.05.
    const data = Float32Array.from({ length: 20 }, (_, index) => index + 1);
    const bounds = applyPercentileClip(data, { low: 5, high: 95, mode: 'clamp' });
    expect(bounds.low).toBeCloseTo(1.95, 12);
    expect(bounds.high).toBeCloseTo(19.05, 12);
    expect(data[0]).toBeCloseTo(1.95, 5);
    expect(data[1]).toBe(2);
    expect(data[18]).toBe(19);
    expect(data[19]).toBeCloseTo(19.05, 5);
  });

  it('zero-low (Brain Tumor as coded): > p95 → p95, ≤ p5 → 0, ties at p5 included', () => {
    // 5, 5, 5, 5, 10: p5 → h = 0.2 → 5; p95 → h = 3.8 → 5 + 0.8·5 = 9.
    const zeroLow = Float32Array.from([5, 5, 5, 5, 10]);
    applyPercentileClip(zeroLow, { low: 5, high: 95, mode: 'zero-low' });
    expect(Array.from(zeroLow)).toEqual([0, 0, 0, 0, 9]);
    // The same data clamped: 5 is not below p5, so it stays.
    const clamped = Float32Array.from([5, 5, 5, 5, 10]);
    applyPercentileClip(clamped, { low: 5, high: 95, mode: 'clamp' });
    expect(Array.from(clamped)).toEqual([5, 5, 5, 5, 9]);
  });

  it('resolves the option with clamp as the default mode and rejects bad percentiles', () => {
    expect(resolveClip('none', '/clip')).toBeNull();
    expect(resolveClip({ low: 5, high: 95 }, '/clip')).toEqual({ low: 5, high: 95, mode: 'clamp' });
    expect(() => resolveClip({ low: 95, high: 5 }, '/clip')).toThrow(/\/clip: percentiles must satisfy/);
  });
});

describe('applyIntensitySteps', () => {
  const image = (values: number[]): RawImage => ({ width: values.length, height: 1, channels: 1, data: Float32Array.from(values) });

  it('windows, then clips, and reports the range the values can span', () => {
    const windowed = applyIntensitySteps(image([-3000, 0, 3000]), { window: { low: -1024, high: 600 }, clip: null });
    expect(Array.from(windowed.data)).toEqual([-1024, 0, 600]);
    expect(windowed.range).toEqual({ min: -1024, max: 600 });
    // After the window: −1024, 0, 600; p0 = −1024, p50 = 0.
    const both = applyIntensitySteps(image([-3000, 0, 3000]), { window: { low: -1024, high: 600 }, clip: { low: 0, high: 50, mode: 'clamp' } });
    expect(Array.from(both.data)).toEqual([-1024, 0, 0]);
    expect(both.range).toEqual({ min: -1024, max: 0 });
    // 10, 20, 30: p0 = 10 → zeroed; p50 = 20; range widened to include 0.
    const zeroLow = applyIntensitySteps(image([10, 20, 30]), { window: null, clip: { low: 0, high: 50, mode: 'zero-low' } });
    expect(Array.from(zeroLow.data)).toEqual([0, 20, 20]);
    expect(zeroLow.range).toEqual({ min: 0, max: 20 });
  });

  it('clips integer samples as floats, leaving the decoded array as it was', () => {
    const samples = Uint8Array.from([10, 20, 30]);
    const decoded: RawImage = { width: 3, height: 1, channels: 1, data: samples, range: { min: 0, max: 255 } };
    // p25 = 15 and p75 = 25 fall between the bytes: a Uint8Array clipped in place would hold neither exactly.
    const clipped = applyIntensitySteps(decoded, { window: null, clip: { low: 25, high: 75, mode: 'clamp' } });
    expect(clipped.data).toBeInstanceOf(Float32Array);
    expect(Array.from(clipped.data)).toEqual([15, 20, 25]);
    expect(clipped.range).toEqual({ min: 15, max: 25 });
    expect(Array.from(samples)).toEqual([10, 20, 30]);
  });

  it('describes every setting, so cache keys change with them', () => {
    const keys = new Set([
      describeIntensitySteps({ window: null, clip: null }),
      describeIntensitySteps({ window: { low: -1024, high: 600 }, clip: null }),
      describeIntensitySteps({ window: { low: -1000, high: 600 }, clip: null }),
      describeIntensitySteps({ window: null, clip: { low: 5, high: 95, mode: 'clamp' } }),
      describeIntensitySteps({ window: null, clip: { low: 5, high: 95, mode: 'zero-low' } }),
      describeIntensitySteps({ window: null, clip: { low: 1, high: 99, mode: 'clamp' } }),
    ]);
    expect(keys.size).toBe(6);
  });
});
