import { describe, expect, it } from 'vitest';
import { axisWeights, resampleChannel } from '../src/engine/image/resample.js';

/**
 * Expected values are worked by hand from the Keys cubic with a = -0.5, f(t) = 1.5|t|³ - 2.5|t|² + 1 for |t| < 1
 * and -0.5|t|³ + 2.5|t|² - 4|t| + 2 for 1 ≤ |t| < 2, sampled as PyTorch's antialiased kernel does:
 * centre c = scale·(i + 0.5), taps j from trunc(c - support + 0.5) (≥ 0) to trunc(c + support + 0.5) (≤ size),
 * weight f((j - c + 0.5)·min(1, 1/scale)), then divided by the sum.
 */
function resize(data: number[], width: number, height: number, toWidth: number, toHeight: number): number[] {
  const out = new Float32Array(toWidth * toHeight);
  resampleChannel(
    { data: Float32Array.from(data), width, height, channels: 1, channel: 0 },
    { width: toWidth, height: toHeight, crop: { top: 0, left: 0, width: toWidth, height: toHeight } },
    out,
    0,
  );
  return Array.from(out);
}

describe('bicubic resampling (torchvision antialias, a = -0.5)', () => {
  it('upscaling 2 → 4: output 0 reads inputs 0, 1 with f(0.25) = 111/128, f(1.25) = -9/128 → 37/34, -3/34', () => {
    const weights = axisWeights(2, 4);
    expect(Array.from(weights.starts)).toEqual([0, 0, 0, 0]);
    expect(Array.from(weights.counts)).toEqual([2, 2, 2, 2]);
    expect(weights.weights[0]).toBeCloseTo(37 / 34, 12);
    expect(weights.weights[1]).toBeCloseTo(-3 / 34, 12);
    // Output 1 (c = 0.75): f(-0.25) = 111/128, f(0.75) = 29/128 → 111/140, 29/140.
    expect(weights.weights[weights.stride]).toBeCloseTo(111 / 140, 12);
    expect(weights.weights[weights.stride + 1]).toBeCloseTo(29 / 140, 12);
  });

  it('upscales a 2×2 image: [0, 34] per axis becomes [-3, 986/140, 34 - 986/140, 37], added over both axes', () => {
    // The image x·34 + y·34 is a sum of per-axis ramps and the weights sum to 1, so out[y][x] = r[x] + r[y].
    const r = [-3, 986 / 140, 34 - 986 / 140, 37];
    const out = resize([0, 34, 34, 68], 2, 2, 4, 4);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(out[y * 4 + x]).toBeCloseTo(r[x] + r[y], 4);
  });

  it('keeps a constant image constant, up and down', () => {
    for (const value of resize(new Array(35).fill(7.5), 7, 5, 3, 11)) expect(value).toBeCloseTo(7.5, 5);
  });

  it('is the identity at equal size', () => {
    const data = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
    expect(resize(data, 4, 3, 4, 3)).toEqual(data);
  });

  it('averages a 4×4 checkerboard down to 2×2 (scale 2: support 4, weights 111, 111, 29, -9 over 242)', () => {
    // (x + y) mod 2 = 0.5 - 0.5·(-1)^x·(-1)^y; filtering (-1)^x gives s0 = 38/242, s1 = -38/242,
    // so out[i][j] = 0.5 - 0.5·s_i·s_j.
    const board = Array.from({ length: 16 }, (_, index) => ((index % 4) + Math.floor(index / 4)) % 2);
    const out = resize(board, 4, 4, 2, 2);
    const ripple = 0.5 * (38 / 242) ** 2;
    expect(out[0]).toBeCloseTo(0.5 - ripple, 6);
    expect(out[1]).toBeCloseTo(0.5 + ripple, 6);
    expect(out[2]).toBeCloseTo(0.5 + ripple, 6);
    expect(out[3]).toBeCloseTo(0.5 - ripple, 6);
  });

  it('computes only the cropped window, equal to cropping the full resize', () => {
    const data = Array.from({ length: 9 * 7 }, (_, index) => (index * 37) % 11);
    const full = resize(data, 9, 7, 6, 5);
    const out = new Float32Array(3 * 2 + 1);
    resampleChannel(
      { data: Float32Array.from(data), width: 9, height: 7, channels: 1, channel: 0 },
      { width: 6, height: 5, crop: { top: 2, left: 1, width: 3, height: 2 } },
      out,
      1,
    );
    expect(Array.from(out.subarray(1))).toEqual([full[13], full[14], full[15], full[19], full[20], full[21]]);
  });

  it('reads one channel of interleaved data', () => {
    const rgb = Float32Array.from([1, 10, 100, 2, 20, 200]);
    const out = new Float32Array(2);
    resampleChannel({ data: rgb, width: 2, height: 1, channels: 3, channel: 1 }, { width: 2, height: 1, crop: { top: 0, left: 0, width: 2, height: 1 } }, out, 0);
    expect(Array.from(out)).toEqual([10, 20]);
  });
});
