import { RadprobeError } from '../util/errors.js';
import { principalComponents, projectRows } from './principal-components.js';

/** Which side of the first component is foreground (see `patchPca`). */
export type ForegroundSide = 'auto' | 'positive' | 'negative';

export interface PatchPcaOptions {
  /**
   * A patch is foreground when its first-component value, on the foreground side, exceeds this share of that side's
   * extreme value; 0 keeps the whole side (DINOv2's "positive value" rule). In [0, 1).
   */
  threshold: number;
  foreground: ForegroundSide;
}

export const DEFAULT_PATCH_PCA_OPTIONS: Readonly<PatchPcaOptions> = { threshold: 0, foreground: 'auto' };

/** Patch tokens of one image: `[grid.rows * grid.cols, dim]` row-major. */
export interface PatchGrid {
  grid: { rows: number; cols: number };
  dim: number;
  data: Float32Array;
}

/** One image of the figure, on its patch grid. */
export interface PatchPcaImage {
  grid: { rows: number; cols: number };
  /** `[rows * cols]`: 1 for a foreground patch. */
  foreground: Uint8Array;
  /** `[rows * cols, 3]` red, green, blue in [0, 1]: the foreground PCA's three components; 0 for background. */
  rgb: Float32Array;
}

export interface PatchPcaFigure {
  images: PatchPcaImage[];
  /** The side of the first component taken as foreground (`positive`: along the oriented component). */
  side: 'positive' | 'negative';
  /** Foreground patches have `sign(side) · value > cut` on the first component of all patches. */
  cut: number;
  patches: number;
  foregroundPatches: number;
  /** Shares of variance of the first three components over all patches (the first one makes the mask). */
  allPatchesExplainedVariance: number[];
  /** Shares of variance of the three components over the foreground patches (the colours). */
  explainedVariance: number[];
}

const COLOUR_COMPONENTS = 3;

/**
 * The study's PCA figure (as in the DINOv2 paper): the patch tokens of all images are pooled and centred, and
 * their first principal component separates background from foreground. The foreground side is the side of the
 * component reaching furthest from the mean under `auto` — a homogeneous background crowds near the mean, so the
 * patches that stand out lie on the far side; `positive` or `negative` fix it instead, `positive` meaning along
 * the component oriented with its largest entry positive. A second PCA over the foreground patches alone gives
 * three components shown as red, green and blue, each min–max scaled over the foreground of all images together
 * so that colours compare across images; background patches are black.
 */
export function patchPca(images: readonly PatchGrid[], options: PatchPcaOptions = DEFAULT_PATCH_PCA_OPTIONS): PatchPcaFigure {
  if (images.length === 0) throw new RadprobeError('PCA of patch features: no images were given');
  if (!(options.threshold >= 0 && options.threshold < 1)) throw new RadprobeError(`PCA of patch features: threshold must be in [0, 1), got ${options.threshold}`);
  const { dim } = images[0];
  const counts = images.map((image, index) => {
    const tokens = image.grid.rows * image.grid.cols;
    if (image.dim !== dim || image.data.length !== tokens * dim) {
      throw new RadprobeError(`PCA of patch features: image ${index} has ${image.data.length} values, expected ${tokens} patches of ${dim}`);
    }
    return tokens;
  });
  const patches = counts.reduce((sum, count) => sum + count, 0);
  const pooled = new Float32Array(patches * dim);
  let offset = 0;
  for (const image of images) {
    pooled.set(image.data, offset);
    offset += image.data.length;
  }

  const all = principalComponents(pooled, patches, dim, COLOUR_COMPONENTS);
  const allCoordinates = projectRows(all, pooled, patches);
  const first = Float64Array.from({ length: patches }, (_, patch) => allCoordinates[patch * COLOUR_COMPONENTS]);
  let highest = -Infinity;
  let lowest = Infinity;
  for (const value of first) {
    highest = Math.max(highest, value);
    lowest = Math.min(lowest, value);
  }
  const side = options.foreground === 'auto' ? (highest >= -lowest ? 'positive' : 'negative') : options.foreground;
  const sign = side === 'positive' ? 1 : -1;
  const cut = options.threshold * (side === 'positive' ? highest : -lowest);
  const isForeground = Uint8Array.from(first, (value) => (sign * value > cut ? 1 : 0));
  const foregroundPatches = isForeground.reduce((sum, flag) => sum + flag, 0);
  if (foregroundPatches === 0) {
    throw new RadprobeError(`PCA of patch features: no patch lies above the threshold ${options.threshold} on the ${side} side of the first component; lower the threshold or pick the other side`);
  }

  const kept = new Float32Array(foregroundPatches * dim);
  let row = 0;
  isForeground.forEach((flag, patch) => {
    if (flag) kept.set(pooled.subarray(patch * dim, (patch + 1) * dim), row++ * dim);
  });
  const colours = principalComponents(kept, foregroundPatches, dim, COLOUR_COMPONENTS);
  const coordinates = projectRows(colours, kept, foregroundPatches);
  const scaled = minMaxColumns(coordinates, foregroundPatches, COLOUR_COMPONENTS);

  let patchIndex = 0;
  let keptIndex = 0;
  const figureImages = images.map((image, index): PatchPcaImage => {
    const foreground = isForeground.slice(patchIndex, patchIndex + counts[index]);
    const rgb = new Float32Array(counts[index] * COLOUR_COMPONENTS);
    foreground.forEach((flag, patch) => {
      if (!flag) return;
      rgb.set(scaled.subarray(keptIndex * COLOUR_COMPONENTS, (keptIndex + 1) * COLOUR_COMPONENTS), patch * COLOUR_COMPONENTS);
      keptIndex++;
    });
    patchIndex += counts[index];
    return { grid: { ...image.grid }, foreground, rgb };
  });
  return {
    images: figureImages,
    side,
    cut,
    patches,
    foregroundPatches,
    allPatchesExplainedVariance: all.explainedVariance,
    explainedVariance: colours.explainedVariance,
  };
}

/** Each column of `[rows, columns]` scaled to [0, 1] by its own minimum and maximum; a constant column becomes 0. */
function minMaxColumns(values: Float64Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(rows * columns);
  for (let column = 0; column < columns; column++) {
    let low = Infinity;
    let high = -Infinity;
    for (let row = 0; row < rows; row++) {
      low = Math.min(low, values[row * columns + column]);
      high = Math.max(high, values[row * columns + column]);
    }
    const range = high - low;
    for (let row = 0; row < rows; row++) out[row * columns + column] = range > 0 ? (values[row * columns + column] - low) / range : 0;
  }
  return out;
}
