import type { ImageSamples, RawImage } from '../../contracts/dataset.js';
import type { DecodedPixels } from './pixels.js';

/**
 * A decoder's pixels as a RawImage: alpha dropped, and one channel when the three colour channels are equal
 * everywhere. Samples already in the final layout are handed over without a copy, in the array type they came in.
 */
export function toRawImage(pixels: DecodedPixels): RawImage {
  const { width, height, samples, max } = pixels;
  const stride = pixels.samplesPerPixel;
  const count = width * height;
  const range = { min: 0, max };
  if (stride === 1) return { width, height, channels: 1, data: samples, range };
  if (isGray(samples, count, stride)) return { width, height, channels: 1, data: channelsOf(samples, count, stride, 1), range };
  if (stride === 3) return { width, height, channels: 3, data: samples, range };
  return { width, height, channels: 3, data: channelsOf(samples, count, stride, 3), range };
}

/** The first `channels` samples of every pixel, in an array of the samples' own type. */
function channelsOf(samples: ImageSamples, count: number, stride: number, channels: number): ImageSamples {
  const length = count * channels;
  const data = samples instanceof Float32Array ? new Float32Array(length) : samples instanceof Uint16Array ? new Uint16Array(length) : new Uint8Array(length);
  for (let pixel = 0, at = 0, to = 0; pixel < count; pixel++, at += stride) {
    for (let channel = 0; channel < channels; channel++) data[to++] = samples[at + channel];
  }
  return data;
}

function isGray(samples: ImageSamples, count: number, stride: number): boolean {
  for (let pixel = 0, at = 0; pixel < count; pixel++, at += stride) {
    if (samples[at] !== samples[at + 1] || samples[at] !== samples[at + 2]) return false;
  }
  return true;
}
