import { PNG } from 'pngjs';
import { RadprobeError, errorMessage } from '../util/errors.js';
import type { PngChunk } from './png-chunks.js';
import type { DecodedPixels } from './pixels.js';

const PALETTE_COLOR_TYPE = 3;

/**
 * Decodes a PNG of any bit depth, colour type and interlacing through pngjs, to RGBA samples with the file's own
 * values: 16-bit samples stay 0..65535 (pngjs' `skipRescale`), 1/2/4-bit gray is stretched to 0..255 as every
 * viewer shows it. `tRNS` is removed from non-palette images first: pngjs paints the transparent colour black,
 * which would change pixel values, while radprobe drops alpha and keeps the colour. This is the reference that
 * `decodePngDirect` reproduces, and the path for every file that it leaves alone.
 */
export function decodePngWithPngjs(bytes: Uint8Array, chunks: PngChunk[], source: string): DecodedPixels {
  const headers = chunks.filter((chunk) => chunk.type === 'IHDR');
  for (const { dataStart, dataEnd } of headers) {
    if (dataEnd - dataStart < 13) throw new RadprobeError(`${source}: corrupt PNG (IHDR chunk of ${dataEnd - dataStart} bytes)`, { file: source });
  }
  const header = headers.at(-1);
  if (!header) throw new RadprobeError(`${source}: corrupt PNG (no IHDR chunk)`, { file: source });
  const bitDepth = bytes[header.dataStart + 8];
  const colorType = bytes[header.dataStart + 9];
  const transparency = colorType === PALETTE_COLOR_TYPE ? undefined : chunks.findLast((chunk) => chunk.type === 'tRNS');
  const parsable = transparency ? withoutRange(bytes, transparency.start, transparency.end) : bytes;
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

function withoutRange(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const kept = new Uint8Array(bytes.length - (end - start));
  kept.set(bytes.subarray(0, start), 0);
  kept.set(bytes.subarray(end), start);
  return kept;
}
