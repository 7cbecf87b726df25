/**
 * A hand-crafted radiomics descriptor: first-order intensity statistics, a gradient measure and an intensity
 * histogram, computed over a region of a gray image. `descriptorWidth(bins)` values per region, in this order:
 *
 * 0. mean, 1. standard deviation (population), 2. skewness, 3. excess kurtosis (both 0 for a constant region),
 * 4. energy (mean of squares), 5. histogram entropy in bits, 6. mean gradient magnitude (forward differences on
 * the whole image, 0 past its last row and column, averaged over the region's pixels), 7… the share of the
 * region's pixels in each of `bins` equal bins of [0, 1] (values outside are clamped into the end bins).
 */
export const FIRST_ORDER_FEATURES = ['mean', 'std', 'skewness', 'kurtosis', 'energy', 'entropy', 'gradient'] as const;

export function descriptorWidth(bins: number): number {
  return FIRST_ORDER_FEATURES.length + bins;
}

/** A gray image, row-major `[height, width]`. */
export interface GrayImage {
  width: number;
  height: number;
  values: Float32Array;
}

/** Gradient magnitude of every pixel: forward differences, 0 past the last row and column. */
export function gradientMagnitude(image: GrayImage): Float32Array {
  const { width, height, values } = image;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const here = values[y * width + x];
      const dx = x + 1 < width ? values[y * width + x + 1] - here : 0;
      const dy = y + 1 < height ? values[(y + 1) * width + x] - here : 0;
      out[y * width + x] = Math.sqrt(dx * dx + dy * dy);
    }
  }
  return out;
}

/** A rectangle of the image: rows `top..top+rows-1`, columns `left..left+cols-1`. */
export interface Region {
  top: number;
  left: number;
  rows: number;
  cols: number;
}

/** Writes the descriptor of `region` into `out` at `offset`. */
export function describeRegion(image: GrayImage, gradient: Float32Array, region: Region, bins: number, out: Float32Array, offset: number): void {
  const { width, values } = image;
  const n = region.rows * region.cols;
  const histogram = new Float64Array(bins);
  let sum = 0;
  let sumSquares = 0;
  let gradientSum = 0;
  for (let y = region.top; y < region.top + region.rows; y++) {
    for (let x = region.left; x < region.left + region.cols; x++) {
      const value = values[y * width + x];
      sum += value;
      sumSquares += value * value;
      gradientSum += gradient[y * width + x];
      histogram[Math.min(bins - 1, Math.max(0, Math.floor(value * bins)))]++;
    }
  }
  const mean = sum / n;
  // Central moments in a second pass: one-pass formulas lose the digits that skewness and kurtosis need.
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let y = region.top; y < region.top + region.rows; y++) {
    for (let x = region.left; x < region.left + region.cols; x++) {
      const d = values[y * width + x] - mean;
      const d2 = d * d;
      m2 += d2;
      m3 += d2 * d;
      m4 += d2 * d2;
    }
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const std = Math.sqrt(m2);
  // A region flat to float precision has no shape to its distribution.
  const flat = std < 1e-6;
  let entropy = 0;
  for (let b = 0; b < bins; b++) {
    const share = histogram[b] / n;
    if (share > 0) entropy -= share * Math.log2(share);
  }
  out[offset] = mean;
  out[offset + 1] = std;
  out[offset + 2] = flat ? 0 : m3 / (std * m2);
  out[offset + 3] = flat ? 0 : m4 / (m2 * m2) - 3;
  out[offset + 4] = sumSquares / n;
  out[offset + 5] = entropy;
  out[offset + 6] = gradientSum / n;
  for (let b = 0; b < bins; b++) out[offset + FIRST_ORDER_FEATURES.length + b] = histogram[b] / n;
}
