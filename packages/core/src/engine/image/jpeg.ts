import jpeg from 'jpeg-js';
import { RadprobeError, errorMessage } from '../util/errors.js';
import type { DecodedPixels } from './pixels.js';

/**
 * jpeg-js refuses images whose decoding would allocate more than this. Radiographs reach ~4k × 5k pixels
 * (≈ 60 MiB of RGB plus the decoder's component buffers); the cap stops a corrupt header from asking for gigabytes.
 */
const MAX_MEMORY_MIB = 1024;
const MAX_RESOLUTION_MEGAPIXELS = 200;

/** Whether the bytes start with a JPEG start-of-image marker. */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Decodes a baseline or progressive JPEG to 8-bit RGB (gray JPEGs come back with three equal channels). */
export function decodeJpeg(bytes: Uint8Array, source: string): DecodedPixels {
  try {
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxMemoryUsageInMB: MAX_MEMORY_MIB,
      maxResolutionInMP: MAX_RESOLUTION_MEGAPIXELS,
    });
    if (image.width === 0 || image.height === 0) throw new Error('no image data');
    return { width: image.width, height: image.height, samples: image.data, samplesPerPixel: 3, max: 255 };
  } catch (error) {
    throw new RadprobeError(`${source}: corrupt or truncated JPEG (${errorMessage(error)})`, { file: source, cause: error });
  }
}
