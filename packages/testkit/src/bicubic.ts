/** Keys' cubic convolution kernel with a = -0.75, as PyTorch's bicubic interpolation uses. */
const CUBIC_A = -0.75;

function cubicNear(x: number): number {
  return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
}

function cubicFar(x: number): number {
  return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
}

/**
 * Source taps and weights along one axis for PyTorch's `interpolate(size=out, mode="bicubic",
 * align_corners=False)`: source coordinate (o + 0.5)·in/out − 0.5 (not clamped at 0, as for cubic), four taps
 * around it, indices clamped to the border.
 */
export function bicubicTaps(inputLength: number, outputLength: number): { index: number[]; weight: number[] }[] {
  const scale = inputLength / outputLength;
  const taps: { index: number[]; weight: number[] }[] = [];
  for (let out = 0; out < outputLength; out++) {
    const source = (out + 0.5) * scale - 0.5;
    const floor = Math.floor(source);
    const t = source - floor;
    const clamp = (index: number) => Math.min(Math.max(index, 0), inputLength - 1);
    taps.push({
      index: [clamp(floor - 1), clamp(floor), clamp(floor + 1), clamp(floor + 2)],
      weight: [cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)],
    });
  }
  return taps;
}

/**
 * Resizes a channels-last grid [inHeight, inWidth, channels] to [outHeight, outWidth, channels] with PyTorch's
 * bicubic interpolation (separable: rows, then columns).
 */
export function resizeBicubic(
  grid: ArrayLike<number>,
  inHeight: number,
  inWidth: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Float64Array {
  const rowTaps = bicubicTaps(inHeight, outHeight);
  const columnTaps = bicubicTaps(inWidth, outWidth);
  const rows = new Float64Array(outHeight * inWidth * channels);
  for (let y = 0; y < outHeight; y++) {
    const { index, weight } = rowTaps[y];
    for (let x = 0; x < inWidth; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let tap = 0; tap < 4; tap++) sum += weight[tap] * grid[(index[tap] * inWidth + x) * channels + c];
        rows[(y * inWidth + x) * channels + c] = sum;
      }
    }
  }
  const out = new Float64Array(outHeight * outWidth * channels);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const { index, weight } = columnTaps[x];
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let tap = 0; tap < 4; tap++) sum += weight[tap] * rows[(y * inWidth + index[tap]) * channels + c];
        out[(y * outWidth + x) * channels + c] = sum;
      }
    }
  }
  return out;
}
