import type { DecodeLimits } from '../../contracts/config.js';
import type { RawImage } from '../../contracts/dataset.js';
import { RadprobeError } from '../util/errors.js';
import { checkDeclaredSize, DEFAULT_DECODE_LIMITS, type DeclaredSize } from './decode-limits.js';
import { parseImageHeader } from './image-header.js';
import { decodeJpeg, isJpeg } from './jpeg.js';
import { decodePngWithPngjs } from './png.js';
import { isPng, readChunks, type PngChunk } from './png-chunks.js';
import { TruncatedImageData, decodePngDirect } from './png-direct.js';
import { toRawImage } from './raw-image.js';

/** IHDR's data: width, height, bit depth, colour type, compression, filter, interlace. */
const IHDR_LENGTH = 13;

/**
 * Decodes a PNG (any depth and colour type) or JPEG, recognised by its first bytes rather than its name. Alpha is
 * dropped; an image whose three colour channels are equal everywhere comes back with one channel. Values keep the
 * file's own scale, with `range` 0..255 or 0..65535. The size the header declares is checked against `limits`
 * before anything is inflated. Throws a RadprobeError naming `source` when it cannot decode.
 */
export function decodeImage(bytes: Uint8Array, source: string, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): RawImage {
  if (isPng(bytes)) {
    const chunks = checkedPngChunks(bytes, source, limits);
    try {
      return toRawImage(decodePngDirect(bytes, chunks) ?? decodePngWithPngjs(bytes, chunks, source));
    } catch (error) {
      if (error instanceof TruncatedImageData) throw new RadprobeError(`${source}: corrupt PNG (${error.message})`, { file: source });
      throw error;
    }
  }
  if (isJpeg(bytes)) return toRawImage(decodeJpeg(bytes, source, limits));
  const reason = bytes.length === 0 ? 'the file is empty' : 'neither a PNG nor a JPEG signature at the start of the file';
  throw new RadprobeError(`${source}: unsupported or corrupt image (${reason})`, { file: source });
}

/** The chunks of a PNG whose header declares a size within `limits`: what every PNG decoder starts from. */
export function checkedPngChunks(bytes: Uint8Array, source: string, limits: DecodeLimits): PngChunk[] {
  const chunks = readChunks(bytes, source);
  checkDeclaredSize(source, declaredPngSize(bytes, chunks, source), limits);
  return chunks;
}

function declaredPngSize(bytes: Uint8Array, chunks: PngChunk[], source: string): DeclaredSize {
  const [first] = chunks;
  const header = parseImageHeader(bytes);
  if (!header || first.dataEnd - first.dataStart !== IHDR_LENGTH) {
    throw new RadprobeError(`${source}: corrupt PNG (the first chunk is ${first.type} of ${first.dataEnd - first.dataStart} bytes, not a ${IHDR_LENGTH}-byte IHDR)`, { file: source });
  }
  const { width, height, bitDepth, channels } = header;
  if (channels === 0) throw new RadprobeError(`${source}: corrupt PNG (colour type ${bytes[first.dataStart + 9]} does not exist)`, { file: source });
  return {
    description: `a ${width}×${height} PNG, ${channels} sample(s) of ${bitDepth} bits per pixel`,
    pixels: width * height,
    bytes: height * Math.ceil((width * channels * bitDepth) / 8),
  };
}
