import type { RawImage } from '../../contracts/dataset.js';
import type { DecodedPixels } from './pixels.js';

/**
 * A decoder's pixels as a RawImage: alpha dropped, and one channel when the three colour channels are equal
 * everywhere. Float32 samples already in the final layout are handed over without a copy.
 */
export function toRawImage(pixels: DecodedPixels): RawImage {
  const { width, height, samples, max } = pixels;
  const stride = pixels.samplesPerPixel;
  const count = width * height;
  const range = { min: 0, max };
  if (stride === 1) return { width, height, channels: 1, data: samples instanceof Float32Array ? samples : Float32Array.from(samples), range };
  if (isGray(samples, count, stride)) {
    const data = new Float32Array(count);
    for (let pixel = 0, at = 0; pixel < count; pixel++, at += stride) data[pixel] = samples[at];
    return { width, height, channels: 1, data, range };
  }
  if (stride === 3 && samples instanceof Float32Array) return { width, height, channels: 3, data: samples, range };
  const data = new Float32Array(count * 3);
  for (let pixel = 0, at = 0, to = 0; pixel < count; pixel++, at += stride, to += 3) {
    data[to] = samples[at];
    data[to + 1] = samples[at + 1];
    data[to + 2] = samples[at + 2];
  }
  return { width, height, channels: 3, data, range };
}

function isGray(samples: ArrayLike<number>, count: number, stride: number): boolean {
  for (let pixel = 0, at = 0; pixel < count; pixel++, at += stride) {
    if (samples[at] !== samples[at + 1] || samples[at] !== samples[at + 2]) return false;
  }
  return true;
}
