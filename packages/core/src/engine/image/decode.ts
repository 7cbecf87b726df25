import type { RawImage } from '../../contracts/dataset.js';
import { RadprobeError } from '../util/errors.js';
import { decodeJpeg, isJpeg } from './jpeg.js';
import { decodePngWithPngjs } from './png.js';
import { isPng, readChunks } from './png-chunks.js';
import { TruncatedImageData, decodePngDirect } from './png-direct.js';
import { toRawImage } from './raw-image.js';

/**
 * Decodes a PNG (any depth and colour type) or JPEG, recognised by its first bytes rather than its name. Alpha is
 * dropped; an image whose three colour channels are equal everywhere comes back with one channel. Values keep the
 * file's own scale, with `range` 0..255 or 0..65535. Throws a RadprobeError naming `source` when it cannot.
 */
export function decodeImage(bytes: Uint8Array, source: string): RawImage {
  if (isPng(bytes)) {
    const chunks = readChunks(bytes, source);
    try {
      return toRawImage(decodePngDirect(bytes, chunks) ?? decodePngWithPngjs(bytes, chunks, source));
    } catch (error) {
      if (error instanceof TruncatedImageData) throw new RadprobeError(`${source}: corrupt PNG (${error.message})`, { file: source });
      throw error;
    }
  }
  if (isJpeg(bytes)) return toRawImage(decodeJpeg(bytes, source));
  const reason = bytes.length === 0 ? 'the file is empty' : 'neither a PNG nor a JPEG signature at the start of the file';
  throw new RadprobeError(`${source}: unsupported or corrupt image (${reason})`, { file: source });
}
