import { crc32, deflateSync } from 'node:zlib';

/** A PNG written sample by sample, so that tests control bit depth, colour type, palette and tRNS exactly. */
export interface PngFixture {
  width: number;
  height: number;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colorType: 0 | 2 | 3 | 4 | 6;
  /** Samples row by row (`width × samples per pixel` each). */
  rows: number[][];
  /** RGB triples of a palette image. */
  palette?: Array<[number, number, number]>;
  /** Raw content of a tRNS chunk. */
  transparency?: number[];
}

export function encodePng(fixture: PngFixture): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(fixture.width, 0);
  header.writeUInt32BE(fixture.height, 4);
  header[8] = fixture.bitDepth;
  header[9] = fixture.colorType;
  const chunks = [pngChunk('IHDR', header)];
  if (fixture.palette) chunks.push(pngChunk('PLTE', Buffer.from(fixture.palette.flat())));
  if (fixture.transparency) chunks.push(pngChunk('tRNS', Buffer.from(fixture.transparency)));
  chunks.push(pngChunk('IDAT', deflateSync(Buffer.concat(fixture.rows.map((row) => scanline(row, fixture.bitDepth))))));
  chunks.push(pngChunk('IEND', Buffer.alloc(0)));
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]));
}

function scanline(samples: number[], bitDepth: number): Buffer {
  const bits = samples.length * bitDepth;
  const line = Buffer.alloc(1 + Math.ceil(bits / 8));
  samples.forEach((sample, index) => {
    if (bitDepth === 16) line.writeUInt16BE(sample, 1 + index * 2);
    else if (bitDepth === 8) line[1 + index] = sample;
    else {
      const bit = index * bitDepth;
      line[1 + (bit >> 3)] |= sample << (8 - bitDepth - (bit & 7));
    }
  });
  return line;
}

/** One PNG chunk: length, type, data and a valid CRC (tests build damaged files chunk by chunk with it). */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}
