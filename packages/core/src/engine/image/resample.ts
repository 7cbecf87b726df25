/**
 * Separable bicubic resampling that matches torchvision's `Resize(size, interpolation=BICUBIC, antialias=True)`
 * on float tensors. That call runs PyTorch's `_upsample_bicubic2d_aa` (aten/src/ATen/native/cpu/UpSampleKernel.cpp,
 * `HelperInterpCubic::aa_filter` and `_compute_indices_min_size_weights_aa`), which ports Pillow's
 * `ImagingResample` (src/libImaging/Resample.c): Keys' cubic with a = -0.5, its support widened by the scale when
 * downsampling (so each output averages the inputs it covers instead of aliasing), taps cut at the image border
 * and the remaining weights renormalised to sum to 1. Like torchvision on float tensors, results are not clamped
 * (bicubic may overshoot the input range slightly near edges).
 */

/** Filter taps of every output index along one axis. */
export interface AxisWeights {
  /** First input index read by output `i`. */
  starts: Int32Array;
  /** Number of inputs read by output `i`. */
  counts: Int32Array;
  /** Row `i` (of `stride` entries) holds output `i`'s weights, summing to 1. */
  weights: Float64Array;
  stride: number;
}

const KEYS_A = -0.5;
/** Bicubic reads 4 neighbours at scale 1. */
const INTERPOLATION_SIZE = 4;
/** Distinct (input, output) lengths kept: a dataset of mixed image sizes meets many, each costs a few kB. */
const CACHE_LIMIT = 512;
const cache = new Map<string, AxisWeights>();

function cubic(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return ((KEYS_A + 2) * t - (KEYS_A + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * KEYS_A;
  return 0;
}

/** Weights resizing an axis of `inputSize` samples to `outputSize`, computed once per pair of lengths. */
export function axisWeights(inputSize: number, outputSize: number): AxisWeights {
  const key = `${inputSize}:${outputSize}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const computed = computeAxisWeights(inputSize, outputSize);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, computed);
  return computed;
}

function computeAxisWeights(inputSize: number, outputSize: number): AxisWeights {
  const scale = inputSize / outputSize;
  const support = scale >= 1 ? (INTERPOLATION_SIZE / 2) * scale : INTERPOLATION_SIZE / 2;
  const inverseScale = scale >= 1 ? 1 / scale : 1;
  const stride = Math.ceil(support) * 2 + 1;
  const starts = new Int32Array(outputSize);
  const counts = new Int32Array(outputSize);
  const weights = new Float64Array(outputSize * stride);
  for (let output = 0; output < outputSize; output++) {
    const center = scale * (output + 0.5);
    // Math.trunc reproduces the C++ static_cast<int64_t> (towards zero) of the reference implementation.
    const start = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inputSize) - start;
    let total = 0;
    for (let tap = 0; tap < count; tap++) {
      const weight = cubic((tap + start - center + 0.5) * inverseScale);
      weights[output * stride + tap] = weight;
      total += weight;
    }
    if (total !== 0) for (let tap = 0; tap < count; tap++) weights[output * stride + tap] /= total;
    starts[output] = start;
    counts[output] = count;
  }
  return { starts, counts, weights, stride };
}

/** Source of a resize: one channel of an interleaved `[height, width, channels]` image. */
export interface ResampleSource {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
  channel: number;
}

/** The window of the resized image to produce: resized to `width`×`height`, then `crop` cut out of it. */
export interface ResampleTarget {
  width: number;
  height: number;
  crop: { top: number; left: number; height: number; width: number };
}

/**
 * Resizes one channel and writes only the cropped window, row-major, at `out[offset…]`. The vertical pass runs
 * first, as contiguous multiply-adds over just the input columns the cropped outputs read, so the costly pass
 * over every input row touches each value once per tap; the horizontal pass then only sees the output rows.
 */
export function resampleChannel(source: ResampleSource, target: ResampleTarget, out: Float32Array, offset: number): void {
  const { data, width, channels, channel } = source;
  const { crop } = target;
  const horizontal = axisWeights(width, target.width);
  const vertical = axisWeights(source.height, target.height);
  const firstColumn = horizontal.starts[crop.left];
  let endColumn = firstColumn;
  for (let column = crop.left; column < crop.left + crop.width; column++) {
    endColumn = Math.max(endColumn, horizontal.starts[column] + horizontal.counts[column]);
  }
  const span = endColumn - firstColumn;
  const columnsPassed = new Float32Array(crop.height * span);
  for (let row = 0; row < crop.height; row++) {
    const output = crop.top + row;
    const start = vertical.starts[output];
    const count = vertical.counts[output];
    const weightBase = output * vertical.stride;
    const passedBase = row * span;
    for (let tap = 0; tap < count; tap++) {
      const weight = vertical.weights[weightBase + tap];
      let at = ((start + tap) * width + firstColumn) * channels + channel;
      for (let column = 0; column < span; column++, at += channels) columnsPassed[passedBase + column] += weight * data[at];
    }
  }
  const horizontalWeights = horizontal.weights;
  for (let row = 0; row < crop.height; row++) {
    const passedBase = row * span - firstColumn;
    const outBase = offset + row * crop.width;
    for (let column = 0; column < crop.width; column++) {
      const output = crop.left + column;
      const start = horizontal.starts[output];
      const count = horizontal.counts[output];
      const weightBase = output * horizontal.stride;
      let sum = 0;
      for (let tap = 0; tap < count; tap++) sum += horizontalWeights[weightBase + tap] * columnsPassed[passedBase + start + tap];
      out[outBase + column] = sum;
    }
  }
}
