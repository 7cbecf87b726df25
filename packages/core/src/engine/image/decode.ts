import type { RawImage } from '../../contracts/dataset.js';
import { RadprobeError } from '../util/errors.js';
import { decodeJpeg, isJpeg } from './jpeg.js';
import type { DecodedPixels } from './pixels.js';
import { decodePng, isPng } from './png.js';

/**
 * Decodes a PNG (any depth and colour type) or JPEG, recognised by its first bytes rather than its name. Alpha is
 * dropped; an image whose three colour channels are equal everywhere comes back with one channel. Values keep the
 * file's own scale, with `range` 0..255 or 0..65535. Throws a RadprobeError naming `source` when it cannot.
 */
export function decodeImage(bytes: Uint8Array, source: string): RawImage {
  if (isPng(bytes)) return toRawImage(decodePng(bytes, source));
  if (isJpeg(bytes)) return toRawImage(decodeJpeg(bytes, source));
  const reason = bytes.length === 0 ? 'the file is empty' : 'neither a PNG nor a JPEG signature at the start of the file';
  throw new RadprobeError(`${source}: unsupported or corrupt image (${reason})`, { file: source });
}

function toRawImage(pixels: DecodedPixels): RawImage {
  const { width, height, samples, max } = pixels;
  const stride = pixels.samplesPerPixel;
  const count = width * height;
  const range = { min: 0, max };
  if (isGray(samples, count, stride)) {
    const data = new Float32Array(count);
    for (let pixel = 0, at = 0; pixel < count; pixel++, at += stride) data[pixel] = samples[at];
    return { width, height, channels: 1, data, range };
  }
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
