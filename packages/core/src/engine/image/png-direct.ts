import { inflateSync } from 'node:zlib';
import type { PngChunk } from './png-chunks.js';
import { directSamples, packedGraySamples, paletteIndices, paletteSamples, type ScanlineLayout } from './png-samples.js';
import { unfilterScanlines } from './png-unfilter.js';
import type { DecodedPixels } from './pixels.js';

/** Samples per pixel of each colour type, and the bit depths the PNG spec allows it. */
const COLOR_TYPES: Record<number, { samplesPerPixel: number; bitDepths: number[] }> = {
  0: { samplesPerPixel: 1, bitDepths: [1, 2, 4, 8, 16] },
  2: { samplesPerPixel: 3, bitDepths: [8, 16] },
  3: { samplesPerPixel: 1, bitDepths: [1, 2, 4, 8] },
  4: { samplesPerPixel: 2, bitDepths: [8, 16] },
  6: { samplesPerPixel: 4, bitDepths: [8, 16] },
};
const PALETTE_COLOR_TYPE = 3;
/** Chunks whose first letter is lower case may be skipped by a decoder that does not know them. */
const ANCILLARY_BIT = 0x20;

/**
 * Decodes a well-formed, non-interlaced PNG without pngjs: one native inflate of the IDAT stream, scanlines
 * unfiltered in place, samples read straight into floats with alpha dropped. It gives exactly the values of
 * `decodePngWithPngjs`; gray (and gray + alpha) come back with one sample per pixel, the rest as RGB.
 *
 * Returns null for anything it does not handle or that pngjs would reject (interlacing, data after IEND, an unknown critical chunk, a short or overlong image stream, a bad filter type, a palette index
 * out of range, ...): the caller then runs pngjs, which decodes the file or reports what is wrong with it.
 */
export function decodePngDirect(bytes: Uint8Array, chunks: PngChunk[]): DecodedPixels | null {
  const read = readScanlines(bytes, chunks);
  if (!read) return null;
  const { header, layout, scanlines, palette } = read;
  const { width, height, bitDepth, colorType } = header;
  if (colorType === PALETTE_COLOR_TYPE) {
    const samples = paletteSamples(scanlines, layout, palette);
    return samples && { width, height, samples, samplesPerPixel: 3, max: 255 };
  }
  if (bitDepth < 8) return { width, height, samples: packedGraySamples(scanlines, layout), samplesPerPixel: 1, max: 255 };
  const { samplesPerPixel } = COLOR_TYPES[colorType];
  const channels = samplesPerPixel >= 3 ? 3 : 1;
  const samples = directSamples(scanlines, layout, samplesPerPixel, channels);
  return { width, height, samples, samplesPerPixel: channels, max: bitDepth === 8 ? 255 : 65535 };
}

/**
 * The palette indices of a palette PNG, row-major, one per pixel (what a label map stored as a palette image
 * holds); null where `decodePngDirect` would return null (interlacing, an index past the palette, …) or for
 * another colour type.
 */
export function decodePngPaletteIndices(bytes: Uint8Array, chunks: PngChunk[]): Uint8Array | null {
  const read = readScanlines(bytes, chunks);
  if (!read || read.header.colorType !== PALETTE_COLOR_TYPE) return null;
  return paletteIndices(read.scanlines, read.layout, read.palette.length / 3);
}

/** The unfiltered scanlines of a PNG this decoder handles, with its header and palette; null for the others. */
function readScanlines(bytes: Uint8Array, chunks: PngChunk[]): { header: Header; layout: ScanlineLayout; scanlines: Uint8Array; palette: Uint8Array } | null {
  if (!chunksAreSound(bytes, chunks)) return null;
  const header = readHeader(bytes, chunks[0]);
  if (!header) return null;
  const { width, height, bitDepth, colorType } = header;
  const { samplesPerPixel } = COLOR_TYPES[colorType];
  const parts = imageParts(bytes, chunks, colorType);
  if (!parts) return null;
  const rowBytes = Math.ceil((width * samplesPerPixel * bitDepth) / 8);
  const streamLength = (rowBytes + 1) * height;
  const scanlines = inflateExactly(parts.imageData, streamLength);
  if (!scanlines) return null;
  const pixelBytes = Math.max(1, (samplesPerPixel * bitDepth) / 8);
  if (!unfilterScanlines(scanlines, rowBytes, height, pixelBytes)) return null;
  return { header, layout: { width, height, rowBytes, bitDepth }, scanlines, palette: parts.palette };
}

/** IHDR first and only once, nothing after IEND (`readChunks` has checked every CRC). */
function chunksAreSound(bytes: Uint8Array, chunks: PngChunk[]): boolean {
  if (chunks[0].type !== 'IHDR' || chunks[chunks.length - 1].end !== bytes.length) return false;
  return chunks.every(({ type }, index) => index === 0 || type !== 'IHDR');
}

interface Header {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

function readHeader(bytes: Uint8Array, chunk: PngChunk): Header | null {
  if (chunk.dataEnd - chunk.dataStart !== 13) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + chunk.dataStart, 13);
  const header = { width: view.getUint32(0), height: view.getUint32(4), bitDepth: view.getUint8(8), colorType: view.getUint8(9) };
  const compression = view.getUint8(10);
  const filter = view.getUint8(11);
  const interlace = view.getUint8(12);
  const colorType = COLOR_TYPES[header.colorType];
  if (!colorType || !colorType.bitDepths.includes(header.bitDepth)) return null;
  if (header.width === 0 || header.height === 0 || compression !== 0 || filter !== 0 || interlace !== 0) return null;
  return header;
}

/**
 * The concatenated IDAT data and, for palette images, the palette; null when the chunk sequence is one that
 * pngjs rejects or reads in its own way (several PLTE or tRNS, a palette after the image data, a short gAMA, ...).
 */
function imageParts(bytes: Uint8Array, chunks: PngChunk[], colorType: number): { imageData: Uint8Array; palette: Uint8Array } | null {
  const isPalette = colorType === PALETTE_COLOR_TYPE;
  const imageChunks: PngChunk[] = [];
  let palette: Uint8Array | null = null;
  let transparencySeen = false;
  for (const chunk of chunks.slice(1, -1)) {
    const length = chunk.dataEnd - chunk.dataStart;
    if (chunk.type === 'IDAT') {
      if (isPalette && !palette) return null;
      imageChunks.push(chunk);
    } else if (chunk.type === 'PLTE') {
      if (palette || imageChunks.length > 0 || length === 0 || length % 3 !== 0) return null;
      palette = bytes.subarray(chunk.dataStart, chunk.dataEnd);
    } else if (chunk.type === 'tRNS') {
      if (transparencySeen || (isPalette && (!palette || length > palette.length / 3))) return null;
      transparencySeen = true;
    } else if (chunk.type === 'gAMA') {
      if (length < 4) return null;
    } else if ((bytes[chunk.start + 4] & ANCILLARY_BIT) === 0) {
      return null;
    }
  }
  if (imageChunks.length === 0) return null;
  const imageData = imageChunks.length === 1
    ? bytes.subarray(imageChunks[0].dataStart, imageChunks[0].dataEnd)
    : Buffer.concat(imageChunks.map((chunk) => bytes.subarray(chunk.dataStart, chunk.dataEnd)));
  return { imageData, palette: palette ?? new Uint8Array(0) };
}

/** Thrown when the image data inflates to fewer bytes than the header's size needs. */
export class TruncatedImageData extends Error {}

/**
 * The inflated stream when it is a complete zlib stream of exactly `length` bytes; null when it is longer or
 * otherwise unusual (pngjs then decides). A stream that ends early throws TruncatedImageData: pngjs would return
 * pixels from uninitialised memory for it, different at every call, so it must never reach pngjs (or the cache).
 */
function inflateExactly(compressed: Uint8Array, length: number): Uint8Array | null {
  let inflated: Buffer;
  try {
    // One output chunk of the expected size spares zlib's concatenation of 16 KiB pieces.
    inflated = inflateSync(compressed, { chunkSize: Math.max(length, 64), maxOutputLength: length });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') throw new TruncatedImageData('the compressed image data ends early');
    return null;
  }
  if (inflated.length < length) throw new TruncatedImageData(`the image data holds ${inflated.length} of ${length} bytes`);
  if (inflated.length !== length) return null;
  return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
}
