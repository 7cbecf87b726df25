import { crc32 } from 'node:zlib';
import { RadprobeError } from '../util/errors.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bytes around a chunk's data: 4 of length and 4 of type before it, 4 of CRC after it. */
const CHUNK_HEADER = 8;
const CHUNK_OVERHEAD = 12;

/** One chunk of a PNG, as byte offsets into the file. */
export interface PngChunk {
  type: string;
  /** Offset of the chunk's length field. */
  start: number;
  dataStart: number;
  dataEnd: number;
  /** Offset just past the CRC. */
  end: number;
}

/** Whether the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= SIGNATURE.length && SIGNATURE.every((byte, index) => bytes[index] === byte);
}

/**
 * Lists the chunks up to and including the first IEND, so that a truncated or damaged file is reported as such
 * (pngjs only says that reads were left waiting, or that there is unrecognised content at the end). Throws a
 * RadprobeError naming `source` when a chunk, or the IEND chunk, runs past the end of the file, or a chunk's CRC
 * does not match its content.
 */
export function readChunks(bytes: Uint8Array, source: string): PngChunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let start = SIGNATURE.length;
  for (;;) {
    if (start + CHUNK_HEADER > bytes.length) {
      throw new RadprobeError(`${source}: truncated PNG (file ends at byte ${bytes.length} before the IEND chunk)`, { file: source });
    }
    const length = view.getUint32(start);
    const type = String.fromCharCode(bytes[start + 4], bytes[start + 5], bytes[start + 6], bytes[start + 7]);
    const end = start + CHUNK_OVERHEAD + length;
    if (end > bytes.length) {
      throw new RadprobeError(`${source}: truncated PNG (chunk ${type} at byte ${start} needs ${length} bytes, the file ends at byte ${bytes.length})`, { file: source });
    }
    if (crc32(bytes.subarray(start + 4, end - 4)) !== view.getUint32(end - 4)) {
      throw new RadprobeError(`${source}: corrupt PNG (CRC mismatch in the ${type} chunk at byte ${start})`, { file: source });
    }
    chunks.push({ type, start, dataStart: start + CHUNK_HEADER, dataEnd: end - 4, end });
    if (type === 'IEND') return chunks;
    start = end;
  }
}
