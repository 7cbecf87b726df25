import jpeg from 'jpeg-js';
import type { DecodeLimits } from '../../contracts/config.js';
import { RadprobeError, errorMessage } from '../util/errors.js';
import { checkDeclaredSize } from './decode-limits.js';
import { parseImageHeader } from './image-header.js';
import type { DecodedPixels } from './pixels.js';

/**
 * jpeg-js's working memory per byte of decoded samples, at most: 4 bytes of coefficients and 1 of output lines per
 * sample, and 3 bytes of RGB per pixel (8 in all for gray). Its own cap is a backstop: the declared size is checked
 * against `decodeLimits` before it runs.
 */
const JPEG_WORKING_MEMORY = 8;

/** jpeg-js's own caps, from the decode limits (DICOM's JPEG baseline frames use them too). */
export function jpegJsLimits(limits: DecodeLimits): { maxResolutionInMP: number; maxMemoryUsageInMB: number } {
  return { maxResolutionInMP: limits.maxMegapixels, maxMemoryUsageInMB: Math.ceil(limits.maxDecodedMiB * JPEG_WORKING_MEMORY) };
}

/** Whether the bytes start with a JPEG start-of-image marker. */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/**
 * Decodes a baseline or progressive JPEG to 8-bit RGB (gray JPEGs come back with three equal channels), once the size
 * its start of frame declares is within `limits`.
 */
export function decodeJpeg(bytes: Uint8Array, source: string, limits: DecodeLimits): DecodedPixels {
  const header = parseImageHeader(bytes);
  if (header) {
    const { width, height, channels, bitDepth } = header;
    const description = `a ${width}×${height} JPEG, ${channels} component(s) of ${bitDepth} bits`;
    checkDeclaredSize(source, { description, pixels: width * height, bytes: width * height * channels * Math.ceil(bitDepth / 8) }, limits);
  }
  try {
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, ...jpegJsLimits(limits) });
    if (image.width === 0 || image.height === 0) throw new Error('no image data');
    return { width: image.width, height: image.height, samples: image.data, samplesPerPixel: 3, max: 255 };
  } catch (error) {
    throw new RadprobeError(`${source}: corrupt or truncated JPEG (${errorMessage(error)})`, { file: source, cause: error });
  }
}
