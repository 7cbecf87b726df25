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

describe('bicubic interpolation matrices of the positional grid', () => {
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
