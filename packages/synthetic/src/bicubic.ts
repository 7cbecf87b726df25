/** Keys' cubic convolution kernel with a = -0.75, as PyTorch's bicubic interpolation uses. */
const CUBIC_A = -0.75;
/** Keys' coefficient of PyTorch's antialiased bicubic (`_upsample_bicubic2d_aa`), Pillow's. */
const ANTIALIASED_CUBIC_A = -0.5;

function cubicNear(x: number): number {
  return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
}

function cubicFar(x: number): number {
  return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
}

/** Keys' kernel with a = −0.5 at any x (zero from |x| = 2 on). */
function antialiasedCubic(x: number): number {
  const a = ANTIALIASED_CUBIC_A;
  const t = Math.abs(x);
  if (t <= 1) return (a + 2) * t ** 3 - (a + 3) * t ** 2 + 1;
  if (t < 2) return a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a;
  return 0;
}

/** Source indices and weights of each output sample along one axis. */
export type AxisTaps = { index: number[]; weight: number[] }[];

/**
 * Source taps and weights along one axis for PyTorch's `interpolate(size=out, mode="bicubic",
 * align_corners=False)`: source coordinate (o + 0.5)·in/out − 0.5 (not clamped at 0, as for cubic), four taps
 * around it, indices clamped to the border. With `scaleOffset`, Meta's `interpolate(scale_factor=(out + offset) /
 * in)`: the source coordinate follows that factor, (o + 0.5)·in/(out + offset) − 0.5.
 */
export function bicubicTaps(inputLength: number, outputLength: number, scaleOffset = 0): AxisTaps {
  const scale = inputLength / (outputLength + scaleOffset);
  const taps: AxisTaps = [];
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
 * Taps of PyTorch's `interpolate(size=out, mode="bicubic", antialias=True)` (Pillow's resampling filter): a = −0.5,
 * the kernel stretched by the downsampling factor f = max(in/out, 1), so output o averages every input j within 2f
 * of its centre (o + 0.5)·in/out, at weight W((j + 0.5 − centre)/f); inputs beyond the border are left out and the
 * weights renormalised to sum to 1.
 */
export function antialiasedBicubicTaps(inputLength: number, outputLength: number): AxisTaps {
  const ratio = inputLength / outputLength;
  const stretch = Math.max(ratio, 1);
  const taps: AxisTaps = [];
  for (let out = 0; out < outputLength; out++) {
    const centre = (out + 0.5) * ratio;
    const first = Math.max(Math.floor(centre - 2 * stretch + 0.5), 0);
    const end = Math.min(Math.floor(centre + 2 * stretch + 0.5), inputLength);
    const index = Array.from({ length: end - first }, (_, tap) => first + tap);
    const raw = index.map((j) => antialiasedCubic((j + 0.5 - centre) / stretch));
    const total = raw.reduce((sum, weight) => sum + weight, 0);
    taps.push({ index, weight: raw.map((weight) => weight / total) });
  }
  return taps;
}

/**
 * Resizes a channels-last grid [inHeight, inWidth, channels] to [outHeight, outWidth, channels] separably (rows,
 * then columns) with the taps of `axisTaps` (PyTorch's bicubic interpolation by default).
 */
export function resizeBicubic(
  grid: ArrayLike<number>,
  inHeight: number,
  inWidth: number,
  channels: number,
  outHeight: number,
  outWidth: number,
  axisTaps: (inputLength: number, outputLength: number) => AxisTaps = bicubicTaps,
): Float64Array {
  const rowTaps = axisTaps(inHeight, outHeight);
  const columnTaps = axisTaps(inWidth, outWidth);
  const rows = new Float64Array(outHeight * inWidth * channels);
  for (let y = 0; y < outHeight; y++) {
    const { index, weight } = rowTaps[y];
    for (let x = 0; x < inWidth; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let tap = 0; tap < index.length; tap++) sum += weight[tap] * grid[(index[tap] * inWidth + x) * channels + c];
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
        for (let tap = 0; tap < index.length; tap++) sum += weight[tap] * rows[(y * inWidth + index[tap]) * channels + c];
        out[(y * outWidth + x) * channels + c] = sum;
      }
    }
  }
  return out;
}
