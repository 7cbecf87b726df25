import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { RadprobeError, errorMessage } from '../util/errors.js';
import { parseImageHeader } from './image-header.js';
import type { PngChunk } from './png-chunks.js';
import type { DecodedPixels } from './pixels.js';

const PALETTE_COLOR_TYPE = 3;
/** Adam7's passes: first column and row, column and row steps. */
const ADAM7_PASSES = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

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
  if (bytes[header.dataStart + 12] === 1) checkInterlacedData(bytes, chunks, source);
  const transparency = colorType === PALETTE_COLOR_TYPE ? undefined : chunks.findLast((chunk) => chunk.type === 'tRNS');
  const parsable = transparency ? withoutRange(bytes, transparency.start, transparency.end) : bytes;
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(parsable.buffer, parsable.byteOffset, parsable.byteLength), { skipRescale: true });
  } catch (error) {
    throw new RadprobeError(`${source}: corrupt PNG (${errorMessage(error)})`, { file: source, cause: error });
  }
  // pngjs gives 16-bit samples as a Uint16Array (with skipRescale), the others as a Buffer.
  const samples = png.data as unknown as Uint8Array | Uint16Array;
  const isPalette = colorType === PALETTE_COLOR_TYPE;
  if (isPalette || bitDepth === 8 || bitDepth === 16) {
    return { width: png.width, height: png.height, samples, samplesPerPixel: 4, max: isPalette || bitDepth === 8 ? 255 : 65535 };
  }
  const stretch = 255 / (2 ** bitDepth - 1);
  const stretched = new Uint8Array(samples.length);
  for (let index = 0; index < samples.length; index++) stretched[index] = samples[index] * stretch;
  return { width: png.width, height: png.height, samples: stretched, samplesPerPixel: 4, max: 255 };
}

/**
 * pngjs inflates the image data of an interlaced PNG without a limit (that of others, to the size the header
 * declares): it is inflated here first, no further than Adam7's seven passes need, so a small interlaced header
 * cannot carry a bomb behind it.
 */
function checkInterlacedData(bytes: Uint8Array, chunks: PngChunk[], source: string): void {
  const { width, height, bitDepth, channels } = parseImageHeader(bytes)!;
  const bitsPerPixel = bitDepth * channels;
  let needed = 0;
  for (const [column, row, columnStep, rowStep] of ADAM7_PASSES) {
    const columns = Math.ceil((width - column) / columnStep);
    const rows = Math.ceil((height - row) / rowStep);
    if (columns > 0 && rows > 0) needed += rows * (1 + Math.ceil((columns * bitsPerPixel) / 8));
  }
  const imageData = Buffer.concat(chunks.filter((chunk) => chunk.type === 'IDAT').map((chunk) => bytes.subarray(chunk.dataStart, chunk.dataEnd)));
  try {
    inflateSync(imageData, { maxOutputLength: needed });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') return;
    throw new RadprobeError(`${source}: corrupt PNG (the interlaced image data inflates past the ${needed} bytes its header declares)`, { file: source });
  }
}

function withoutRange(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const kept = new Uint8Array(bytes.length - (end - start));
  kept.set(bytes.subarray(0, start), 0);
  kept.set(bytes.subarray(end), start);
  return kept;
}
