import { PNG } from 'pngjs';
import { RadprobeError, errorMessage } from '../util/errors.js';
import type { DecodedPixels } from './pixels.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PALETTE_COLOR_TYPE = 3;

/** Whether the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= SIGNATURE.length && SIGNATURE.every((byte, index) => bytes[index] === byte);
}

/**
 * Decodes a PNG of any bit depth and colour type to RGBA samples with the file's own values: 16-bit samples
 * stay 0..65535 (pngjs' `skipRescale`), 1/2/4-bit gray is stretched to 0..255 as every viewer shows it.
 */
export function decodePng(bytes: Uint8Array, source: string): DecodedPixels {
  const { bytes: parsable, colorType, bitDepth } = checkChunks(bytes, source);
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(parsable.buffer, parsable.byteOffset, parsable.byteLength), { skipRescale: true });
  } catch (error) {
    throw new RadprobeError(`${source}: corrupt PNG (${errorMessage(error)})`, { file: source, cause: error });
  }
  const samples = png.data as unknown as ArrayLike<number>;
  const isPalette = colorType === PALETTE_COLOR_TYPE;
  if (isPalette || bitDepth === 8 || bitDepth === 16) {
    return { width: png.width, height: png.height, samples, samplesPerPixel: 4, max: isPalette || bitDepth === 8 ? 255 : 65535 };
  }
  const stretch = 255 / (2 ** bitDepth - 1);
  const stretched = new Float32Array(samples.length);
  for (let index = 0; index < samples.length; index++) stretched[index] = samples[index] * stretch;
  return { width: png.width, height: png.height, samples: stretched, samplesPerPixel: 4, max: 255 };
}

/**
 * Walks the chunk list so that a truncated file is reported as such (pngjs only says that reads were left
 * waiting), and removes `tRNS` from non-palette images: pngjs paints the transparent colour black, which would
 * change pixel values, while radprobe drops alpha and keeps the colour.
 */
function checkChunks(bytes: Uint8Array, source: string): { bytes: Uint8Array; colorType: number; bitDepth: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = SIGNATURE.length;
  let colorType = -1;
  let bitDepth = -1;
  let transparency: { start: number; end: number } | null = null;
  for (;;) {
    if (offset + 8 > bytes.length) {
      throw new RadprobeError(`${source}: truncated PNG (file ends at byte ${bytes.length} before the IEND chunk)`, { file: source });
    }
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.length) {
      throw new RadprobeError(`${source}: truncated PNG (chunk ${type} at byte ${offset} needs ${length} bytes, the file ends at byte ${bytes.length})`, { file: source });
    }
    if (type === 'IHDR') {
      if (length < 13) throw new RadprobeError(`${source}: corrupt PNG (IHDR chunk of ${length} bytes)`, { file: source });
      bitDepth = bytes[offset + 16];
      colorType = bytes[offset + 17];
    } else if (type === 'tRNS') {
      transparency = { start: offset, end };
    } else if (type === 'IEND') {
      break;
    }
    offset = end;
  }
  if (colorType < 0) throw new RadprobeError(`${source}: corrupt PNG (no IHDR chunk)`, { file: source });
  if (!transparency || colorType === PALETTE_COLOR_TYPE) return { bytes, colorType, bitDepth };
  const stripped = new Uint8Array(bytes.length - (transparency.end - transparency.start));
  stripped.set(bytes.subarray(0, transparency.start), 0);
  stripped.set(bytes.subarray(transparency.end), transparency.start);
  return { bytes: stripped, colorType, bitDepth };
}
