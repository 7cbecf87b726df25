/**
 * Separable bicubic resampling that matches torchvision's `Resize(size, interpolation=BICUBIC, antialias=True)`
 * on float tensors. That call runs PyTorch's `_upsample_bicubic2d_aa` (aten/src/ATen/native/cpu/UpSampleKernel.cpp,
 * `HelperInterpCubic::aa_filter` and `_compute_indices_min_size_weights_aa`), which ports Pillow's
 * `ImagingResample` (src/libImaging/Resample.c): Keys' cubic with a = -0.5, its support widened by the scale when
 * downsampling (so each output averages the inputs it covers instead of aliasing), taps cut at the image border
 * and the remaining weights renormalised to sum to 1. Like torchvision on float tensors, results are not clamped
 * (bicubic may overshoot the input range slightly near edges).
 */

import type { ImageSamples } from '../../contracts/dataset.js';

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
  data: ImageSamples;
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

/** Vertical-pass results, kept between calls: allocating and zeroing ~2 MB per image costs more than the reuse. */
let columnsScratch = new Float64Array(0);

/**
 * Resizes one channel and writes only the cropped window, row-major, at `out[offset…]`. The vertical pass runs
 * first, as contiguous multiply-adds over just the input columns the cropped outputs read, so the costly pass
 * over every input row touches each value once per tap; the horizontal pass then only sees the output rows.
 */
export function resampleChannel(source: ResampleSource, target: ResampleTarget, out: Float32Array, offset: number): void {
  const { crop } = target;
  const horizontal = axisWeights(source.width, target.width);
  const vertical = axisWeights(source.height, target.height);
  const firstColumn = horizontal.starts[crop.left];
  let endColumn = firstColumn;
  for (let column = crop.left; column < crop.left + crop.width; column++) {
    endColumn = Math.max(endColumn, horizontal.starts[column] + horizontal.counts[column]);
  }
  const span = endColumn - firstColumn;
  if (columnsScratch.length < crop.height * span) columnsScratch = new Float64Array(crop.height * span);
  const columnsPassed = columnsScratch;
  for (let row = 0; row < crop.height; row++) {
    resampleColumns(source, firstColumn, span, vertical, crop.top + row, columnsPassed, row * span);
  }
  resampleRows(columnsPassed, span, firstColumn, crop, horizontal, out, offset);
}

/**
 * One output row of the vertical pass over `span` input columns from `firstColumn`. Each output is
 * `((0 + Σ taps 0–3) + Σ taps 4–7) + …`, then the last taps one by one: the grouping the results are defined by.
 * Taps are taken eight rows per sweep over the columns (two groups of four), so each partial sum is read and
 * written once per eight multiply-adds, and the first sweep writes its sums instead of adding to zeroed memory.
 */
function resampleColumns(
  source: ResampleSource,
  firstColumn: number,
  span: number,
  vertical: AxisWeights,
  output: number,
  passed: Float64Array,
  passedBase: number,
): void {
  const { data, width, channels, channel } = source;
  const weights = vertical.weights;
  const weightBase = output * vertical.stride;
  const count = vertical.counts[output];
  const rowStride = width * channels;
  const passedEnd = passedBase + span;
  let sourceRow = vertical.starts[output] * rowStride + firstColumn * channels + channel;
  let tap = 0;
  for (; tap + 8 <= count; tap += 8, sourceRow += 8 * rowStride) {
    const weightAt = weightBase + tap;
    const weight0 = weights[weightAt];
    const weight1 = weights[weightAt + 1];
    const weight2 = weights[weightAt + 2];
    const weight3 = weights[weightAt + 3];
    const weight4 = weights[weightAt + 4];
    const weight5 = weights[weightAt + 5];
    const weight6 = weights[weightAt + 6];
    const weight7 = weights[weightAt + 7];
    const row1 = sourceRow + rowStride;
    const row2 = row1 + rowStride;
    const row3 = row2 + rowStride;
    const row4 = row3 + rowStride;
    const row5 = row4 + rowStride;
    const row6 = row5 + rowStride;
    const row7 = row6 + rowStride;
    // `0 +` keeps the first sum what adding to a zeroed entry gave: +0 where the taps sum to -0.
    const first = tap === 0;
    for (let at = passedBase, column = 0; at < passedEnd; at++, column += channels) {
      const low = weight0 * data[sourceRow + column] + weight1 * data[row1 + column] + weight2 * data[row2 + column] + weight3 * data[row3 + column];
      const high = weight4 * data[row4 + column] + weight5 * data[row5 + column] + weight6 * data[row6 + column] + weight7 * data[row7 + column];
      passed[at] = ((first ? 0 : passed[at]) + low) + high;
    }
  }
  if (tap === 0) passed.fill(0, passedBase, passedEnd);
  for (; tap + 4 <= count; tap += 4, sourceRow += 4 * rowStride) {
    const weight0 = weights[weightBase + tap];
    const weight1 = weights[weightBase + tap + 1];
    const weight2 = weights[weightBase + tap + 2];
    const weight3 = weights[weightBase + tap + 3];
    const row1 = sourceRow + rowStride;
    const row2 = row1 + rowStride;
    const row3 = row2 + rowStride;
    for (let at = passedBase, column = 0; at < passedEnd; at++, column += channels) {
      passed[at] += weight0 * data[sourceRow + column] + weight1 * data[row1 + column] + weight2 * data[row2 + column] + weight3 * data[row3 + column];
    }
  }
  for (; tap < count; tap++, sourceRow += rowStride) {
    const weight = weights[weightBase + tap];
    for (let at = passedBase, column = 0; at < passedEnd; at++, column += channels) passed[at] += weight * data[sourceRow + column];
  }
}

/** The horizontal pass: each cropped output row from its row of vertical-pass results. */
function resampleRows(
  passed: Float64Array,
  span: number,
  firstColumn: number,
  crop: ResampleTarget['crop'],
  horizontal: AxisWeights,
  out: Float32Array,
  offset: number,
): void {
  const { starts, counts, weights, stride } = horizontal;
  for (let row = 0; row < crop.height; row++) {
    const passedBase = row * span - firstColumn;
    const outBase = offset + row * crop.width;
    for (let column = 0; column < crop.width; column++) {
      const output = crop.left + column;
      const weightBase = output * stride;
      const inputBase = passedBase + starts[output];
      const count = counts[output];
      let sum = 0;
      for (let tap = 0; tap < count; tap++) sum += weights[weightBase + tap] * passed[inputBase + tap];
      out[outBase + column] = sum;
    }
  }
}
