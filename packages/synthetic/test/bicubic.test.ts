import { describe, expect, it } from 'vitest';
import { antialiasedBicubicTaps, bicubicTaps, resizeBicubic } from '../src/bicubic.js';
import { erf } from '../src/erf.js';

describe('bicubic interpolation (PyTorch, a = -0.75, align_corners=False)', () => {
  it('is the identity at equal sizes', () => {
    // Source coordinate = output coordinate, t = 0: the kernel is [k(1), k(0), k(1), k(2)] = [0, 1, 0, 0].
    for (const { weight } of bicubicTaps(4, 4)) expect(weight).toEqual([0, 1, 0, 0]);
  });

  it('upsamples [0, 1] to 4 samples with the hand-computed overshoot', () => {
    // Output 0: source (0 + 0.5)·2/4 − 0.5 = −0.25 → floor −1, t = 0.75, taps clamped to [0, 0, 0, 1] with weights
    // k(1.75) = −0.03515625, k(0.75) = 0.26171875, k(0.25) = 0.87890625, k(1.25) = −0.10546875 (Keys' kernel,
    // a = −0.75: |x| ≤ 1: 1.25|x|³ − 2.25|x|² + 1; 1 < |x| < 2: −0.75|x|³ + 3.75|x|² − 6|x| + 3). Value = −0.10546875.
    // Output 1: source 0.25, t = 0.25, taps [0, 0, 1, 1]: k(0.75) − k(1.75) = 0.26171875 − 0.03515625 = 0.2265625.
    // Outputs 2 and 3 follow by symmetry: 1 − 0.2265625 and 1 + 0.10546875.
    const expected = [-0.10546875, 0.2265625, 0.7734375, 1.10546875];
    const wide = resizeBicubic([0, 1], 1, 2, 1, 1, 4);
    const tall = resizeBicubic([0, 1], 2, 1, 1, 4, 1);
    expected.forEach((value, index) => {
      expect(wide[index]).toBeCloseTo(value, 12);
      expect(tall[index]).toBeCloseTo(value, 12);
    });
  });

  it('keeps channels separate', () => {
    const resized = resizeBicubic([0, 5, 1, 5], 1, 2, 2, 1, 4);
    expect(resized[0]).toBeCloseTo(-0.10546875, 12);
    expect(resized[1]).toBeCloseTo(5, 12);
    expect(resized[6]).toBeCloseTo(1.10546875, 12);
  });
});

describe('antialiased bicubic interpolation (PyTorch antialias=True, Pillow: a = -0.5)', () => {
  // Keys' kernel with a = −0.5: W(x) = 1.5|x|³ − 2.5|x|² + 1 for |x| ≤ 1, −0.5|x|³ + 2.5|x|² − 4|x| + 2 for
  // 1 < |x| < 2, so W(0.25) = 111/128, W(0.75) = 29/128, W(1.25) = −9/128.
  it('downsamples 4 → 2 with the kernel stretched by 2: output 0 reads inputs 0..3 at W(−0.25), W(0.25), W(0.75), W(1.25)', () => {
    const [first, second] = antialiasedBicubicTaps(4, 2);
    expect(first.index).toEqual([0, 1, 2, 3]);
    [111, 111, 29, -9].forEach((weight, tap) => expect(first.weight[tap]).toBeCloseTo(weight / 242, 14));
    expect(second.index).toEqual([0, 1, 2, 3]);
    [-9, 29, 111, 111].forEach((weight, tap) => expect(second.weight[tap]).toBeCloseTo(weight / 242, 14));
  });

  it('upsamples 2 → 4 dropping the taps beyond the border and renormalising (no clamping)', () => {
    // Output 0: source −0.25, taps −2..1 of which 0 and 1 exist, at W(0.25), W(1.25): [111, −9] / 102.
    // Output 1: source 0.25, taps −1..2 → 0 and 1 at W(0.25), W(0.75): [111, 29] / 140.
    const resized = resizeBicubic([0, 1], 1, 2, 1, 1, 4, antialiasedBicubicTaps);
    [-9 / 102, 29 / 140, 111 / 140, 111 / 102].forEach((value, index) => expect(resized[index]).toBeCloseTo(value, 14));
  });
});

describe('erf', () => {
  it('matches tabulated values', () => {
    // Abramowitz & Stegun table 7.1 / high-precision values.
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 14);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 14);
    expect(erf(3)).toBeCloseTo(0.9999779095030014, 14);
    // Either side of the switch from the series to the continued fraction.
    expect(erf(2.5)).toBeCloseTo(0.999593047982555, 14);
    expect(erf(2.4)).toBeCloseTo(0.9993114861033549, 14);
    expect(erf(-6)).toBeCloseTo(-1, 14);
  });
});
