import type { DecodeLimits } from '../../contracts/config.js';
import { RadprobeError } from '../util/errors.js';
import { checkedPngChunks, decodeImage } from './decode.js';
import { DEFAULT_DECODE_LIMITS } from './decode-limits.js';
import { parseImageHeader } from './image-header.js';
import { isJpeg } from './jpeg.js';
import { isPng } from './png-chunks.js';
import { TruncatedImageData, decodePngPaletteIndices } from './png-direct.js';

/** The values a label image stores, one per pixel, row-major: gray samples at the file's bit depth, or palette indices. */
export interface LabelImage {
  width: number;
  height: number;
  values: Uint16Array;
}

const PALETTE_COLOR_TYPE = 3;
/** Offset of IHDR's colour type byte in a PNG file. */
const COLOR_TYPE_OFFSET = 25;

/**
 * Decodes a label map stored as a PNG to the values it stores, not to what a viewer shows: a gray PNG of 1, 2, 4, 8
 * or 16 bits gives its samples as written (a 1-bit mask 0/1, not 0/255), gray + alpha its gray samples, an RGB(A)
 * PNG whose channels are equal its gray value, a palette PNG its indices (not its colours). An RGB PNG with colour is
 * refused naming the first coloured pixel, and so is a JPEG (its compression changes values at every edge). The size
 * the header declares is checked against `limits` first.
 */
export function decodeLabelImage(bytes: Uint8Array, source: string, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): LabelImage {
  if (!isPng(bytes)) {
    const why = isJpeg(bytes) ? 'a JPEG, whose compression changes label values at every edge' : 'not a PNG';
    throw new RadprobeError(`${source}: a label map must be a PNG of gray values or palette indices; this is ${why}`, { file: source });
  }
  if (bytes.length > COLOR_TYPE_OFFSET && bytes[COLOR_TYPE_OFFSET] === PALETTE_COLOR_TYPE) return paletteLabels(bytes, source, limits);
  const image = decodeImage(bytes, source, limits);
  const { width, height, data } = image;
  if (image.channels === 3) {
    let pixel = 0;
    while (data[pixel * 3] === data[pixel * 3 + 1] && data[pixel * 3] === data[pixel * 3 + 2]) pixel++;
    const colour = `(${data[pixel * 3]}, ${data[pixel * 3 + 1]}, ${data[pixel * 3 + 2]})`;
    throw new RadprobeError(
      `${source}: a label map must store class values as gray samples or palette indices; pixel (${pixel % width}, ${Math.floor(pixel / width)}) is the colour ${colour}`,
      { file: source },
    );
  }
  // The decoder stretches 1, 2 and 4-bit gray to 0..255 by a whole factor (255, 85, 17); this undoes it exactly.
  const bitDepth = parseImageHeader(bytes)!.bitDepth;
  const unstretch = bitDepth < 8 ? (2 ** bitDepth - 1) / 255 : 1;
  return { width, height, values: Uint16Array.from(data, (value) => Math.round(value * unstretch)) };
}

function paletteLabels(bytes: Uint8Array, source: string, limits: DecodeLimits): LabelImage {
  const chunks = checkedPngChunks(bytes, source, limits);
  let indices: Uint8Array | null;
  try {
    indices = decodePngPaletteIndices(bytes, chunks);
  } catch (error) {
    if (error instanceof TruncatedImageData) throw new RadprobeError(`${source}: corrupt PNG (${error.message})`, { file: source });
    throw error;
  }
  if (!indices) {
    // Says what is wrong with a damaged file; a sound one is interlaced or unusually chunked.
    decodeImage(bytes, source, limits);
    throw new RadprobeError(`${source}: radprobe reads the indices of a palette label map only from a non-interlaced PNG; save it without interlacing, or as gray values`, { file: source });
  }
  const { width, height } = parseImageHeader(bytes)!;
  return { width, height, values: Uint16Array.from(indices) };
}
