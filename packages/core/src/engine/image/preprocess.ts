import type { ImageSamples, RawImage } from '../../contracts/dataset.js';
import { RadprobeError } from '../util/errors.js';
import type { ResolvedPreprocessing } from './preprocessing.js';
import { resampleChannel, type ResampleTarget } from './resample.js';
import { resamplePilChannel } from './resample-pil.js';
import { roundHalfEven } from '../util/rounding.js';

/**
 * Runs the resolved pipeline on one image and writes `[3, H, W]` (channel-major) float32 at `out[offset…]`:
 * resize → centre crop → scale to [0, 1] → `(x - mean) / std`. A gray image is resized once and replicated to
 * the three channels (each normalised with its own mean and std). With `resampling: "pil-uint8"` the scale step
 * comes first and lands on 8 bits (`eightBitChannel`), the resize runs Pillow's 8-bit arithmetic, and the result is
 * divided by 255, as torchvision's ToTensor does with a PIL image. An image with NaN or infinite values (a float
 * NIfTI or .npy can hold them) is refused here: it would reach the backbone and make the model look at fault.
 */
export function preprocessInto(image: RawImage, resolved: ResolvedPreprocessing, out: Float32Array, offset: number): void {
  const { height, width } = resolved.outputSize;
  const plane = height * width;
  if (offset < 0 || offset + 3 * plane > out.length) {
    throw new RadprobeError(`preprocessInto: output buffer of ${out.length} values cannot hold [3, ${height}, ${width}] at offset ${offset}`);
  }
  const nonFinite = image.data instanceof Float32Array ? countNonFinite(image.data) : 0;
  if (nonFinite > 0) throw new RadprobeError(`the image contains NaN/Inf values (${nonFinite} of ${image.data.length})`);
  const target = resampleTarget(image, resolved);
  const channels = Array.from({ length: image.channels }, (_, channel) => channel);
  let ranges: ValueRange[];
  if (resolved.resampling === 'pil-uint8') {
    for (const channel of channels) {
      const data = eightBitChannel(image, channel, scaleRange(image.data, channel, image.data.length, image.channels, image, resolved));
      resamplePilChannel({ data, width: image.width, height: image.height }, target, out, offset + channel * plane);
    }
    ranges = channels.map(() => EIGHT_BIT);
  } else {
    const source = { data: image.data, width: image.width, height: image.height, channels: image.channels };
    for (const channel of channels) resampleChannel({ ...source, channel }, target, out, offset + channel * plane);
    ranges = channels.map((channel) => scaleRange(out, offset + channel * plane, offset + (channel + 1) * plane, 1, image, resolved));
  }
  // Channel 0 last: a gray image's only resized plane is the source of all three and is overwritten last.
  for (let channel = 2; channel >= 0; channel--) {
    const sourceChannel = image.channels === 1 ? 0 : channel;
    const from = offset + sourceChannel * plane;
    const to = offset + channel * plane;
    const { factor, bias } = scaleOf(ranges[sourceChannel], resolved, channel);
    for (let index = 0; index < plane; index++) out[to + index] = out[from + index] * factor + bias;
  }
}

/** The values that scaling maps to 0 and 1. */
interface ValueRange {
  low: number;
  high: number;
}

const EIGHT_BIT: ValueRange = { low: 0, high: 255 };

function countNonFinite(values: Float32Array): number {
  let count = 0;
  for (let index = 0; index < values.length; index++) if (!Number.isFinite(values[index])) count++;
  return count;
}

/**
 * The values that scaling maps to 0 and 1: for `minmax` the extremes of `values[from], values[from + stride], …`
 * before `end` (a resized plane, or one channel of the source), else the format's nominal range.
 */
function scaleRange(values: ImageSamples, from: number, end: number, stride: number, image: RawImage, resolved: ResolvedPreprocessing): ValueRange {
  if (resolved.scale === 'minmax') {
    let low = values[from];
    let high = low;
    for (let index = from + stride; index < end; index += stride) {
      const value = values[index];
      if (value < low) low = value;
      else if (value > high) high = value;
    }
    return { low, high };
  }
  if (!image.range) {
    throw new RadprobeError('preprocessing: scale "range" needs an image format with a nominal range (this one has none); use "minmax"');
  }
  return { low: image.range.min, high: image.range.max };
}

/**
 * One channel of the image on 8 bits: `round(255 · (x - low) / (high - low))`, clamped to 0..255. An 8-bit image
 * scaled by its range (0..255) keeps its values exactly; a 16-bit one is divided by 257 and rounded.
 */
function eightBitChannel(image: RawImage, channel: number, { low, high }: ValueRange): Uint8Array {
  const data = new Uint8Array(image.width * image.height);
  if (!(high > low)) return data;
  const span = high - low;
  for (let pixel = 0, at = channel; pixel < data.length; pixel++, at += image.channels) {
    // Multiplying before dividing keeps exact halves exact (50 · 255 / 100 = 127.5, where 50 · 2.55 is 127.4999…).
    const value = Math.round(((image.data[at] - low) * 255) / span);
    data[pixel] = value < 0 ? 0 : value > 255 ? 255 : value;
  }
  return data;
}

/** `x * factor + bias` = `((x - low) / (high - low) - mean) / std`: scaling and normalising in one multiply-add. */
function scaleOf({ low, high }: ValueRange, resolved: ResolvedPreprocessing, channel: number): { factor: number; bias: number } {
  const mean = resolved.normalize.mean[channel];
  const std = resolved.normalize.std[channel];
  // A constant channel carries no contrast: it scales to 0 rather than 0/0.
  const unit = high > low ? 1 / (high - low) : 0;
  return { factor: unit / std, bias: (-low * unit - mean) / std };
}

/**
 * Resized size and centre-crop window as torchvision computes them: `Resize(int)` keeps the aspect ratio with
 * the longer side truncated (`int(size * long / short)`), and `CenterCrop` offsets by Python's `round`
 * (half to even) of the margin / 2.
 */
export function resampleTarget(image: Pick<RawImage, 'width' | 'height'>, resolved: ResolvedPreprocessing): ResampleTarget {
  const size = resolved.resize.size;
  let width = size;
  let height = size;
  if (resolved.resize.mode === 'shorter-side') {
    const shorter = Math.min(image.width, image.height);
    const longer = Math.trunc((size * Math.max(image.width, image.height)) / shorter);
    if (image.width <= image.height) height = longer;
    else width = longer;
  }
  const crop = resolved.centerCrop;
  if (crop === null) return { width, height, crop: { top: 0, left: 0, height, width } };
  return { width, height, crop: { top: roundHalfEven((height - crop) / 2), left: roundHalfEven((width - crop) / 2), height: crop, width: crop } };
}
