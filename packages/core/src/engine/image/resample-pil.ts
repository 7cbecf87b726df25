import { axisWeights, type AxisWeights, type ResampleTarget } from './resample.js';

/**
 * Pillow's `Image.resize(size, BICUBIC)` on an 8-bit image, as Meta's DINOv2 evaluation runs it on PIL images
 * (src/libImaging/Resample.c: `ImagingResampleInner` with the 8-bit passes). The taps and weights are the float
 * resize's (`axisWeights` computes them as Pillow's `precompute_coeffs` does), turned into integers with
 * `PRECISION_BITS` = 22 fraction bits, rounded half away from zero (`normalize_coeffs_8bpc`). The horizontal pass
 * runs first and keeps 8-bit results, as Pillow's intermediate image does: each output is
 * `clip8(2^21 + Σ sample · coefficient)`, the sum rounded half up to an integer and clamped to 0..255; the vertical
 * pass then reads those rounded values. Pillow skips a pass whose size does not change; at scale 1 the fixed-point
 * taps are 0, 2^22, 0, 0, so running it gives the same values.
 */

const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

/** An 8-bit, one-channel image, row-major. */
export interface EightBitPlane {
  data: Uint8Array;
  width: number;
  height: number;
}

const fixedPointCache = new WeakMap<AxisWeights, Int32Array>();

function fixedPoint(weights: AxisWeights): Int32Array {
  let fixed = fixedPointCache.get(weights);
  if (!fixed) {
    fixed = Int32Array.from(weights.weights, (weight) => Math.trunc(weight < 0 ? weight * ONE - 0.5 : weight * ONE + 0.5));
    fixedPointCache.set(weights, fixed);
  }
  return fixed;
}

/**
 * Pillow's `clip8`: the integer part of a fixed-point sum, clamped to 0..255. With 8-bit samples and bicubic weights
 * the sum stays within ±2^31 (what Pillow's two spare bits are for), so `>>` (int32) floors it exactly.
 */
function clip8(sum: number): number {
  const value = sum >> PRECISION_BITS;
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

/**
 * Resizes `plane` as Pillow does and writes only the cropped window, row-major, at `out[offset…]` (values 0..255).
 * Each output depends only on its own taps, so producing just the rows and columns the crop needs gives Pillow's
 * values for them.
 */
export function resamplePilChannel(plane: EightBitPlane, target: ResampleTarget, out: Float32Array, offset: number): void {
  const { crop } = target;
  const horizontal = axisWeights(plane.width, target.width);
  const vertical = axisWeights(plane.height, target.height);
  const horizontalFixed = fixedPoint(horizontal);
  const verticalFixed = fixedPoint(vertical);
  const firstRow = vertical.starts[crop.top];
  let endRow = firstRow;
  for (let row = crop.top; row < crop.top + crop.height; row++) endRow = Math.max(endRow, vertical.starts[row] + vertical.counts[row]);

  const passed = new Uint8Array((endRow - firstRow) * crop.width);
  for (let row = firstRow; row < endRow; row++) {
    const rowBase = row * plane.width;
    const passedBase = (row - firstRow) * crop.width;
    for (let column = 0; column < crop.width; column++) {
      const output = crop.left + column;
      const weightBase = output * horizontal.stride;
      const inputBase = rowBase + horizontal.starts[output];
      const count = horizontal.counts[output];
      let sum = HALF;
      for (let tap = 0; tap < count; tap++) sum += plane.data[inputBase + tap] * horizontalFixed[weightBase + tap];
      passed[passedBase + column] = clip8(sum);
    }
  }
  for (let row = 0; row < crop.height; row++) {
    const output = crop.top + row;
    const weightBase = output * vertical.stride;
    const inputBase = (vertical.starts[output] - firstRow) * crop.width;
    const count = vertical.counts[output];
    const outBase = offset + row * crop.width;
    for (let column = 0; column < crop.width; column++) {
      let sum = HALF;
      for (let tap = 0; tap < count; tap++) sum += passed[inputBase + tap * crop.width + column] * verticalFixed[weightBase + tap];
      out[outBase + column] = clip8(sum);
    }
  }
}
