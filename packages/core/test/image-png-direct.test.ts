import { crc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/index.js';
import type { RawImage } from '../src/index.js';
import { pngChunk } from './png-fixture.js';
import { readChunks } from '../src/engine/image/png-chunks.js';
import { TruncatedImageData, decodePngDirect } from '../src/engine/image/png-direct.js';
import { decodePngWithPngjs } from '../src/engine/image/png.js';
import { toRawImage } from '../src/engine/image/raw-image.js';
import { Random } from '../src/engine/util/random.js';

const SAMPLES_PER_PIXEL: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

interface Encoding {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** Unfiltered scanline bytes, row after row, without filter-type bytes. */
  rows: Uint8Array[];
  /** Filter type of each row (cycled). */
  filters: number[];
  palette?: Uint8Array;
  transparency?: Uint8Array;
}

/** A PNG whose rows are filtered with the given types: the forward filters of the PNG spec, section 9.2. */
function encodeFiltered(encoding: Encoding): Uint8Array {
  const { width, height, bitDepth, colorType, rows, filters } = encoding;
  const pixelBytes = Math.max(1, (SAMPLES_PER_PIXEL[colorType] * bitDepth) / 8);
  const rowBytes = rows[0].length;
  const stream = new Uint8Array(height * (rowBytes + 1));
  const zeros = new Uint8Array(rowBytes);
  rows.forEach((row, y) => {
    const above = y > 0 ? rows[y - 1] : zeros;
    const filter = filters[y % filters.length];
    stream[y * (rowBytes + 1)] = filter;
    for (let x = 0; x < rowBytes; x++) {
      const left = x >= pixelBytes ? row[x - pixelBytes] : 0;
      const upLeft = x >= pixelBytes ? above[x - pixelBytes] : 0;
      const predictor = [0, left, above[x], (left + above[x]) >> 1, paeth(left, above[x], upLeft)][filter];
      stream[y * (rowBytes + 1) + 1 + x] = (row[x] - predictor) & 0xff;
    }
  });
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = colorType;
  const chunks = [pngChunk('IHDR', header)];
  if (encoding.palette) chunks.push(pngChunk('PLTE', encoding.palette));
  if (encoding.transparency) chunks.push(pngChunk('tRNS', encoding.transparency));
  // Two IDAT chunks: the stream is concatenated across chunks.
  const compressed = deflateSync(stream);
  const half = compressed.length >> 1;
  chunks.push(pngChunk('IDAT', compressed.subarray(0, half)), pngChunk('IDAT', compressed.subarray(half)), pngChunk('IEND', new Uint8Array(0)));
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]));
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const [toLeft, toUp, toUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/** Random rows; `levels` limits byte values (palette indices), `gray` makes RGB samples equal. */
function randomRows(random: Random, height: number, rowBytes: number, levels = 256): Uint8Array[] {
  return Array.from({ length: height }, () => Uint8Array.from({ length: rowBytes }, () => Math.floor(random.next() * levels)));
}

function viaPngjs(bytes: Uint8Array): RawImage {
  return toRawImage(decodePngWithPngjs(bytes, readChunks(bytes, 'x.png'), 'x.png'));
}

function expectDirectEqualsPngjs(bytes: Uint8Array): void {
  expect(decodePngDirect(bytes, readChunks(bytes, 'x.png'))).not.toBeNull();
  const direct = decodeImage(bytes, 'x.png');
  const reference = viaPngjs(bytes);
  expect({ ...direct, data: undefined }).toEqual({ ...reference, data: undefined });
  expect(direct.data).toEqual(reference.data);
}

const CASES: Array<{ colorType: number; bitDepths: number[] }> = [
  { colorType: 0, bitDepths: [1, 2, 4, 8, 16] },
  { colorType: 2, bitDepths: [8, 16] },
  { colorType: 3, bitDepths: [1, 2, 4, 8] },
  { colorType: 4, bitDepths: [8, 16] },
  { colorType: 6, bitDepths: [8, 16] },
];

describe('decodePngDirect gives exactly what pngjs gives', () => {
  for (const { colorType, bitDepths } of CASES) {
    for (const bitDepth of bitDepths) {
      it(`colour type ${colorType}, ${bitDepth}-bit, every filter type, odd sizes`, () => {
        const random = new Random(colorType * 100 + bitDepth);
        for (const [width, height] of [[1, 1], [7, 5], [33, 9]]) {
          const rowBytes = Math.ceil((width * SAMPLES_PER_PIXEL[colorType] * bitDepth) / 8);
          const entries = colorType === 3 ? 2 ** bitDepth : 0;
          const encoding: Encoding = {
            width, height, bitDepth, colorType, filters: [0, 1, 2, 3, 4, 4, 3, 2, 1],
            rows: randomRows(random, height, rowBytes),
            ...(colorType === 3 && {
              palette: Uint8Array.from({ length: entries * 3 }, () => Math.floor(random.next() * 256)),
              transparency: Uint8Array.from({ length: entries >> 1 }, () => Math.floor(random.next() * 256)),
            }),
          };
          expectDirectEqualsPngjs(encodeFiltered(encoding));
        }
      });
    }
  }

  it('collapses RGB with equal channels to gray, as the pngjs path does', () => {
    const random = new Random(7);
    const rows = randomRows(random, 6, 5).map((gray) => Uint8Array.from({ length: 15 }, (_, index) => gray[Math.floor(index / 3)]));
    const bytes = encodeFiltered({ width: 5, height: 6, bitDepth: 8, colorType: 2, rows, filters: [1, 4, 3] });
    expectDirectEqualsPngjs(bytes);
    expect(decodeImage(bytes, 'x.png').channels).toBe(1);
  });

  it('ignores a gray tRNS colour (keeps the pixel value) like the pngjs path', () => {
    const rows = [Uint8Array.from([100, 50, 100])];
    const bytes = encodeFiltered({ width: 3, height: 1, bitDepth: 8, colorType: 0, rows, filters: [0], transparency: Uint8Array.from([0, 100]) });
    expectDirectEqualsPngjs(bytes);
    expect(Array.from(decodeImage(bytes, 'x.png').data)).toEqual([100, 50, 100]);
  });

  it('matches pngjs-written files of every pngjs filter type (8 and 16 bits, gray to RGBA)', () => {
    const random = new Random(11);
    const width = 19;
    const height = 13;
    for (const colorType of [0, 2, 4, 6]) {
      for (const bitDepth of [8, 16] as const) {
        for (const filterType of [-1, 0, 1, 2, 3, 4]) {
          const channels = SAMPLES_PER_PIXEL[colorType];
          // pngjs takes 16-bit input as native-endian Uint16 samples.
          const samples = bitDepth === 8 ? new Uint8Array(width * height * channels) : new Uint16Array(width * height * channels);
          for (let index = 0; index < samples.length; index++) samples[index] = Math.floor(random.next() * (bitDepth === 8 ? 256 : 65536));
          const data = Buffer.from(samples.buffer, 0, samples.byteLength);
          const options = { colorType, inputColorType: colorType, bitDepth, inputHasAlpha: colorType >= 4, filterType } as const;
          const bytes = new Uint8Array(PNG.sync.write({ width, height, data } as PNG, options as never));
          expectDirectEqualsPngjs(bytes);
        }
      }
    }
  });
});

describe('decodePngDirect leaves what it cannot vouch for to pngjs', () => {
  const gray = (): Encoding => ({ width: 4, height: 3, bitDepth: 8, colorType: 0, rows: randomRows(new Random(3), 3, 4), filters: [1] });

  it('reports an unknown filter type as a corrupt PNG naming the file', () => {
    const encoding = gray();
    const bytes = encodeFiltered({ ...encoding, filters: [5] });
    expect(decodePngDirect(bytes, readChunks(bytes, 'f.png'))).toBeNull();
    expect(() => decodeImage(bytes, '/data/f.png')).toThrow(/\/data\/f\.png: corrupt PNG \(Unrecognised filter type - 5\)/);
  });

  it('reports a palette index past the palette as corrupt', () => {
    const bytes = encodeFiltered({ width: 2, height: 1, bitDepth: 8, colorType: 3, rows: [Uint8Array.from([0, 2])], filters: [0], palette: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
    expect(() => decodeImage(bytes, 'p.png')).toThrow(/p\.png: corrupt PNG \(index 2 not in palette\)/);
  });

  it('reports content after IEND as corrupt, and a truncated file as truncated', () => {
    const bytes = encodeFiltered(gray());
    const trailing = new Uint8Array([...bytes, 0, 0, 0, 0]);
    expect(decodePngDirect(trailing, readChunks(trailing, 't.png'))).toBeNull();
    expect(() => decodeImage(trailing, 't.png')).toThrow(/t\.png: corrupt PNG/);
    expect(() => decodeImage(bytes.subarray(0, bytes.length - 2), 'cut.png')).toThrow(/cut\.png: truncated PNG \(chunk IEND at byte/);
  });

  it('throws on an image stream cut short with valid CRCs (pngjs would return uninitialised memory)', () => {
    const { width, height } = gray();
    const stream = deflateSync(Buffer.alloc(2 * (width + 1)));
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header[8] = 8;
    const bytes = new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', stream), pngChunk('IEND', new Uint8Array(0))]));
    expect(() => decodePngDirect(bytes, readChunks(bytes, 's.png'))).toThrow(TruncatedImageData);
  });

  it('on randomly damaged image data, decodes only what pngjs decodes to the same pixels', () => {
    const random = new Random(5);
    const encoding: Encoding = { width: 9, height: 7, bitDepth: 8, colorType: 2, rows: randomRows(random, 7, 27), filters: [0, 1, 2, 3, 4] };
    const intact = encodeFiltered(encoding);
    const imageData = readChunks(intact, 'x.png').filter((entry) => entry.type === 'IDAT');
    let refused = 0;
    for (let trial = 0; trial < 200; trial++) {
      const damaged = intact.slice();
      const target = imageData[trial % imageData.length];
      const at = target.dataStart + Math.floor(random.next() * (target.dataEnd - target.dataStart));
      damaged[at] ^= 1 << Math.floor(random.next() * 8);
      // Fix the CRC so that the damage reaches the inflater and the unfiltering.
      new DataView(damaged.buffer).setUint32(target.dataEnd, crc32(damaged.subarray(target.start + 4, target.dataEnd)));
      const direct = decodePngDirect(damaged, readChunks(damaged, 'x.png'));
      // pngjs reads a stream that ends early over uninitialised memory, so only what the direct path accepts,
      // a complete stream, has one right answer to compare with.
      if (direct) expect(toRawImage(direct)).toEqual(viaPngjs(damaged));
      else refused++;
    }
    // The damage is real: most flips break the zlib stream or its checksum.
    expect(refused).toBeGreaterThan(100);
  });
});
