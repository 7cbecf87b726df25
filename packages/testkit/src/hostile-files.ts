import { constants, crc32, deflateRawSync } from 'node:zlib';

const SEGMENT = 1 << 20;

/**
 * A compressed stream of `length` zero bytes built in milliseconds and kilobytes, whatever `length` is: one fully
 * flushed deflate segment of a MiB of zeros repeated (a full flush makes each copy independent of the one
 * before), then an empty final block. `raw` is bare deflate (a zip entry), `zlib` has PNG's wrapper (the Adler-32
 * of zeros is `length mod 65521` in its high half), `gzip` is one gzip member. Tests build decompression bombs
 * from it without ever holding what the bomb expands to.
 */
export function zeroDeflateStream(length: number, wrapper: 'raw' | 'zlib' | 'gzip'): Buffer {
  const whole = Math.floor(length / SEGMENT);
  const segment = deflateRawSync(Buffer.alloc(SEGMENT), { finishFlush: constants.Z_FULL_FLUSH });
  const rest = deflateRawSync(Buffer.alloc(length - whole * SEGMENT), { finishFlush: constants.Z_FULL_FLUSH });
  const deflated = [...Array.from({ length: whole }, () => segment), rest, Buffer.from([0x03, 0x00])];
  if (wrapper === 'raw') return Buffer.concat(deflated);
  if (wrapper === 'zlib') {
    const adler = Buffer.alloc(4);
    adler.writeUInt32BE((((length % 65521) << 16) | 1) >>> 0);
    return Buffer.concat([Buffer.from([0x78, 0x9c]), ...deflated, adler]);
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(zerosCrc32(length), 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  return Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]), ...deflated, trailer]);
}

function zerosCrc32(length: number): number {
  const zeros = Buffer.alloc(SEGMENT);
  let crc = 0;
  for (let done = 0; done < length; done += SEGMENT) crc = crc32(zeros.subarray(0, Math.min(SEGMENT, length - done)), crc);
  return crc;
}

/** A PNG of the given IHDR fields around `imageData` (the IDAT content, a zlib stream), with valid CRCs. */
export function pngAround(header: { width: number; height: number; bitDepth: number; colorType: number }, imageData: Uint8Array): Buffer {
  const fields = Buffer.alloc(13);
  fields.writeUInt32BE(header.width, 0);
  fields.writeUInt32BE(header.height, 4);
  fields[8] = header.bitDepth;
  fields[9] = header.colorType;
  const chunk = (type: string, data: Uint8Array) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', fields), chunk('IDAT', imageData), chunk('IEND', new Uint8Array(0))]);
}
