import { describe, expect, it } from 'vitest';
import { bicubicInterpolationMatrix } from '../src/vit/index.js';

/*
 * Keys' kernel with a = −0.75: W(x) = 1.25|x|³ − 2.25|x|² + 1 for |x| ≤ 1, −0.75|x|³ + 3.75|x|² − 6|x| + 3 for
 * 1 < |x| < 2. Hence W(0.25) = 0.01953125 − 0.140625 + 1 = 0.87890625, W(0.75) = 0.52734375 − 1.265625 + 1 =
 * 0.26171875, W(1.25) = −1.46484375 + 5.859375 − 7.5 + 3 = −0.10546875, W(1.75) = −4.01953125 + 11.484375 − 10.5 +
 * 3 = −0.03515625.
 * A source coordinate s = −0.25 has floor −1, t = 0.75: taps −2, −1, 0, 1 (clamped to 0, 0, 0, 1) with weights
 * W(1.75), W(0.75), W(0.25), W(1.25): row [1.10546875, −0.10546875]. s = 0.25: taps −1, 0, 1, 2 → 0, 0, 1, 1 with
 * W(1.25), W(0.25), W(0.75), W(1.75): row [0.7734375, 0.2265625]. s = 0.75 mirrors s = 0.25: [0.2265625, 0.7734375];
 * s = 1.25 mirrors s = −0.25: [−0.10546875, 1.10546875].
 */
const ROW_AT_MINUS_QUARTER = [1.10546875, -0.10546875];
const ROW_AT_QUARTER = [0.7734375, 0.2265625];
const ROW_AT_THREE_QUARTERS = [0.2265625, 0.7734375];
const ROW_AT_FIVE_QUARTERS = [-0.10546875, 1.10546875];

/*
 * Antialiased (PyTorch's _upsample_bicubic2d_aa, Pillow's filter): Keys' kernel with a = −0.5, W(x) = 1.5|x|³ −
 * 2.5|x|² + 1 for |x| ≤ 1, −0.5|x|³ + 2.5|x|² − 4|x| + 2 for 1 < |x| < 2: W(0.25) = 111/128, W(0.75) = 29/128,
 * W(1.25) = −9/128. Output o reads the inputs j with |j + ½ − ratio·(o + ½)| < support, ratio = in/out, support
 * 2·max(ratio, 1), at W((j + ½ − ratio·(o + ½)) / max(ratio, 1)), cut at the border and renormalised.
 * 4 → 2 (ratio 2, support 4): output 0 (centre 1) reads inputs 0..3 at W(−0.25), W(0.25), W(0.75), W(1.25) →
 * [111, 111, 29, −9] / 242; output 1 mirrors it. 2 → 4 (ratio ½, support 2): output 0 (source −0.25) keeps inputs
 * 0 and 1 of the taps −2..1, at W(0.25), W(1.25) → [111, −9] / 102; output 1 (source 0.25) keeps 0 and 1 of −1..2,
 * at W(0.25), W(0.75) → [111, 29] / 140. Both agree with torch.nn.functional.interpolate(antialias=True) in float64.
 */
const ANTIALIASED_4_TO_2 = [111, 111, 29, -9, -9, 29, 111, 111].map((weight) => weight / 242);
const ANTIALIASED_2_TO_4 = [111 / 102, -9 / 102, 111 / 140, 29 / 140, 29 / 140, 111 / 140, -9 / 102, 111 / 102];

describe('bicubic interpolation matrices of the positional grid', () => {
  it("antialiased 'size' mode, 4 → 2: the widened filter of a = −0.5 over all four inputs", () => {
    const matrix = bicubicInterpolationMatrix(4, 2, { mode: 'size', antialias: true });
    Array.from(matrix).forEach((weight, i) => expect(weight).toBeCloseTo(ANTIALIASED_4_TO_2[i], 7));
    // Without antialiasing the 4 → 2 rows are Keys' a = −0.75 at source 0.5 and 2.5: a different filter entirely.
    expect(Array.from(bicubicInterpolationMatrix(4, 2, { mode: 'size' }))).toEqual([0.5, 0.59375, -0.09375, 0, 0, -0.09375, 0.59375, 0.5]);
  });

  it("antialiased 'size' mode, 2 → 4: a = −0.5, taps beyond the border dropped and the rest renormalised (not clamped)", () => {
    const matrix = bicubicInterpolationMatrix(2, 4, { mode: 'size', antialias: true });
    Array.from(matrix).forEach((weight, i) => expect(weight).toBeCloseTo(ANTIALIASED_2_TO_4[i], 7));
  });

  it("a 'fixed' grid has no interpolation matrix", () => {
    expect(() => bicubicInterpolationMatrix(4, 2, { mode: 'fixed' })).toThrow('a fixed positional grid (4 positions a side) is not interpolated (to 2)');
  });

  it("'size' mode, 2 → 4: source (o + ½)·2/4 − ½ = −0.25, 0.25, 0.75, 1.25", () => {
    const matrix = bicubicInterpolationMatrix(2, 4, { mode: 'size' });
    expect(Array.from(matrix)).toEqual([...ROW_AT_MINUS_QUARTER, ...ROW_AT_QUARTER, ...ROW_AT_THREE_QUARTERS, ...ROW_AT_FIVE_QUARTERS]);
  });

  it("'scale' mode, 2 → 3 with offset 1: scale (3 + 1)/2 = 2, source (o + ½)/2 − ½ = −0.25, 0.25, 0.75", () => {
    const matrix = bicubicInterpolationMatrix(2, 3, { mode: 'scale', offset: 1 });
    expect(Array.from(matrix)).toEqual([...ROW_AT_MINUS_QUARTER, ...ROW_AT_QUARTER, ...ROW_AT_THREE_QUARTERS]);
  });

  it("'size' mode to the same size is the identity (W(0) = 1, W(1) = W(2) = 0)", () => {
    const matrix = bicubicInterpolationMatrix(3, 3, { mode: 'size' });
    expect(Array.from(matrix)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it("'scale' mode with offset 0.1 samples slightly off the 'size' positions, and every row sums to 1", () => {
    const bySize = bicubicInterpolationMatrix(4, 5, { mode: 'size' });
    const byScale = bicubicInterpolationMatrix(4, 5, { mode: 'scale', offset: 0.1 });
    expect(Array.from(byScale)).not.toEqual(Array.from(bySize));
    for (let row = 0; row < 5; row++) {
      expect(byScale.subarray(row * 4, row * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
  });
});
