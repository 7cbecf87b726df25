import { axisWeights, RadprobeError, type PositionInterpolation } from '@radprobe/core';

/** Keys' cubic convolution coefficient that PyTorch's bicubic interpolation uses. */
const CUBIC_A = -0.75;

/** Keys' kernel W(x) for |x| ≤ 1 and for 1 < |x| < 2. */
const cubicNear = (x: number) => ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
const cubicFar = (x: number) => ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;

/**
 * The `[outSize, trainedSize]` matrix of PyTorch's 1-D bicubic interpolation (align_corners=False) of the trained
 * positional grid's side to `outSize`. Without antialiasing, output `o` samples source coordinate
 * `(o + ½)/scale − ½`, with `scale = outSize / trainedSize` (`size` mode) or `(outSize + offset) / trainedSize`
 * (`scale` mode, the factor Meta's code passes), from four taps whose indices are clamped to the border (so clamped
 * taps add up). Antialiased (`size` mode of register models) it is `_upsample_bicubic2d_aa`'s filter, the one
 * torchvision's antialiased resize uses too. Applied along rows and along columns it is the 2-D resize, as a linear
 * map the gradient passes through exactly. A `fixed` grid has no interpolation.
 */
export function bicubicInterpolationMatrix(trainedSize: number, outSize: number, interpolation: PositionInterpolation): Float32Array {
  if (interpolation.mode === 'fixed') {
    throw new RadprobeError(`bicubicInterpolationMatrix: a fixed positional grid (${trainedSize} positions a side) is not interpolated (to ${outSize})`);
  }
  const matrix = new Float64Array(outSize * trainedSize);
  if (interpolation.mode === 'size' && interpolation.antialias) {
    const { starts, counts, weights, stride } = axisWeights(trainedSize, outSize);
    for (let o = 0; o < outSize; o++) {
      for (let tap = 0; tap < counts[o]; tap++) matrix[o * trainedSize + starts[o] + tap] = weights[o * stride + tap];
    }
    return Float32Array.from(matrix);
  }
  const scale = (outSize + (interpolation.mode === 'scale' ? interpolation.offset : 0)) / trainedSize;
  const clamp = (index: number) => Math.min(Math.max(index, 0), trainedSize - 1);
  for (let o = 0; o < outSize; o++) {
    const source = (o + 0.5) / scale - 0.5;
    const floor = Math.floor(source);
    const t = source - floor;
    const weights = [cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)];
    weights.forEach((weight, tap) => (matrix[o * trainedSize + clamp(floor - 1 + tap)] += weight));
  }
  return Float32Array.from(matrix);
}
