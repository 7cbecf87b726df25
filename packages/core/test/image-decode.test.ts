import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { RadprobeError, decodeImage } from '../src/index.js';
import { encodePng, pngChunk } from './png-fixture.js';

describe('decodeImage: PNG', () => {
  it('keeps 16-bit gray values and reports the 0..65535 range', () => {
    const bytes = encodePng({ width: 2, height: 2, bitDepth: 16, colorType: 0, rows: [[0, 1000], [40000, 65535]] });
    const image = decodeImage(bytes, 'ct.png');
    expect(image).toMatchObject({ width: 2, height: 2, channels: 1, range: { min: 0, max: 65535 } });
    expect(Array.from(image.data)).toEqual([0, 1000, 40000, 65535]);
  });

  it('reads 8-bit gray with range 0..255', () => {
    const image = decodeImage(encodePng({ width: 3, height: 1, bitDepth: 8, colorType: 0, rows: [[0, 7, 255]] }), 'a.png');
    expect(image).toMatchObject({ channels: 1, range: { min: 0, max: 255 } });
    expect(Array.from(image.data)).toEqual([0, 7, 255]);
  });

  it('stretches 4-bit gray to 0..255 (sample × 255 / 15)', () => {
    const image = decodeImage(encodePng({ width: 3, height: 1, bitDepth: 4, colorType: 0, rows: [[0, 5, 15]] }), 'a.png');
    expect(Array.from(image.data)).toEqual([0, 85, 255]);
  });

  it('drops alpha: gray + alpha becomes gray, RGBA becomes RGB', () => {
    const grayAlpha = decodeImage(encodePng({ width: 2, height: 1, bitDepth: 8, colorType: 4, rows: [[10, 0, 20, 255]] }), 'ga.png');
    expect(grayAlpha.channels).toBe(1);
    expect(Array.from(grayAlpha.data)).toEqual([10, 20]);
    const rgba = decodeImage(encodePng({ width: 2, height: 1, bitDepth: 8, colorType: 6, rows: [[1, 2, 3, 0, 4, 5, 6, 128]] }), 'c.png');
    expect(rgba.channels).toBe(3);
    expect(Array.from(rgba.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('turns RGB with equal channels into one channel, keeps real colour as three', () => {
    const gray = decodeImage(encodePng({ width: 2, height: 1, bitDepth: 8, colorType: 2, rows: [[9, 9, 9, 200, 200, 200]] }), 'g.png');
    expect(gray.channels).toBe(1);
    expect(Array.from(gray.data)).toEqual([9, 200]);
    const colour = decodeImage(encodePng({ width: 2, height: 1, bitDepth: 8, colorType: 2, rows: [[9, 9, 9, 200, 200, 201]] }), 'c.png');
    expect(colour.channels).toBe(3);
  });

  it('looks up palette colours (alpha from tRNS dropped)', () => {
    const bytes = encodePng({
      width: 3, height: 1, bitDepth: 8, colorType: 3, rows: [[2, 0, 1]],
      palette: [[10, 20, 30], [40, 50, 60], [70, 80, 90]], transparency: [0, 255, 255],
    });
    const image = decodeImage(bytes, 'p.png');
    expect(image).toMatchObject({ channels: 3, range: { min: 0, max: 255 } });
    expect(Array.from(image.data)).toEqual([70, 80, 90, 10, 20, 30, 40, 50, 60]);
  });

  it('keeps the colour that a gray tRNS marks transparent (pngjs alone would paint it black)', () => {
    const bytes = encodePng({ width: 2, height: 1, bitDepth: 8, colorType: 0, rows: [[100, 50]], transparency: [0, 100] });
    expect(Array.from(decodeImage(bytes, 't.png').data)).toEqual([100, 50]);
  });

  it('keeps the samples in the integer array they were decoded into: bytes up to 8 bits, Uint16 at 16', () => {
    const decode = (bitDepth: number, colorType: number, rows: number[][], palette?: number[][]) =>
      decodeImage(encodePng({ width: 2, height: 2, bitDepth, colorType, rows, palette }), 'x.png').data;
    expect(decode(8, 0, [[1, 2], [3, 4]])).toBeInstanceOf(Uint8Array);
    expect(decode(4, 0, [[1, 2], [3, 4]])).toBeInstanceOf(Uint8Array);
    expect(decode(8, 2, [[1, 2, 3, 4, 5, 6], [7, 8, 9, 1, 2, 3]])).toBeInstanceOf(Uint8Array);
    expect(decode(8, 6, [[1, 2, 3, 0, 4, 5, 6, 0], [7, 8, 9, 0, 1, 2, 3, 0]])).toBeInstanceOf(Uint8Array);
    expect(decode(8, 3, [[0, 1], [1, 0]], [[1, 2, 3], [4, 5, 6]])).toBeInstanceOf(Uint8Array);
    expect(decode(16, 0, [[1, 2], [3, 4]])).toBeInstanceOf(Uint16Array);
    expect(decode(16, 2, [[1, 2, 3, 4, 5, 60000], [7, 8, 9, 1, 2, 3]])).toBeInstanceOf(Uint16Array);
  });

  it('hands 8-bit samples over as a view of the inflated rows, with the filter bytes squeezed out', () => {
    const rows = Array.from({ length: 5 }, (_, row) => Array.from({ length: 7 }, (_, column) => (row * 31 + column * 17) % 256));
    const image = decodeImage(encodePng({ width: 7, height: 5, bitDepth: 8, colorType: 0, rows }), 'view.png');
    expect(image.data.length).toBe(35);
    expect(image.data.buffer.byteLength).toBeGreaterThanOrEqual(35 + 5);
    expect(Array.from(image.data)).toEqual(rows.flat());
  });

  it('says which file is truncated', () => {
    const bytes = encodePng({ width: 4, height: 4, bitDepth: 8, colorType: 0, rows: Array.from({ length: 4 }, () => [1, 2, 3, 4]) });
    const truncated = bytes.subarray(0, bytes.length - 20);
    expect(() => decodeImage(truncated, '/data/x/cut.png')).toThrow(RadprobeError);
    expect(() => decodeImage(truncated, '/data/x/cut.png')).toThrow(/\/data\/x\/cut\.png: truncated PNG/);
  });

  it('refuses image data that inflates to fewer rows than the header declares, though every CRC is valid', () => {
    // pngjs would hand back pixels from uninitialised memory for such a file (different at every call); it must be
    // reported instead, so it can never reach the feature cache. Built by hand: a 4×4 gray header, and an IDAT
    // holding a complete zlib stream of only two filtered scanlines (2 × (1 + 4) bytes).
    const header = Buffer.alloc(13);
    header.writeUInt32BE(4, 0);
    header.writeUInt32BE(4, 4);
    header[8] = 8;
    const bytes = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', header),
      pngChunk('IDAT', deflateSync(Buffer.from([0, 1, 2, 3, 4, 0, 5, 6, 7, 8]))),
      pngChunk('IEND', Buffer.alloc(0)),
    ]);
    expect(() => decodeImage(bytes, 'short.png')).toThrow(/short\.png: corrupt PNG \(the image data holds 10 of 20 bytes\)/);
  });

  it('says which file is corrupt (bad CRC)', () => {
    const bytes = encodePng({ width: 1, height: 1, bitDepth: 8, colorType: 0, rows: [[1]] }).slice();
    bytes[30] ^= 0xff;
    expect(() => decodeImage(bytes, 'broken.png')).toThrow(/broken\.png: corrupt PNG/);
  });
});

describe('decodeImage: JPEG and unknown formats', () => {
  it('recognises a JPEG by its bytes whatever the name, and collapses gray', () => {
    const pixels = Buffer.alloc(8 * 8 * 4, 128);
    const bytes = jpeg.encode({ width: 8, height: 8, data: pixels }, 100).data;
    const image = decodeImage(new Uint8Array(bytes), 'scan.png');
    expect(image).toMatchObject({ width: 8, height: 8, channels: 1, range: { min: 0, max: 255 } });
    // A flat block survives JPEG up to rounding.
    for (const value of image.data) expect(Math.abs(value - 128)).toBeLessThanOrEqual(1);
  });

  it('decodes colour JPEG to three channels', () => {
    const pixels = Buffer.alloc(8 * 8 * 4);
    for (let index = 0; index < 64; index++) pixels.set([200, 30, 30, 255], index * 4);
    const image = decodeImage(new Uint8Array(jpeg.encode({ width: 8, height: 8, data: pixels }, 100).data), 'red.jpg');
    expect(image.channels).toBe(3);
    expect(Math.abs(image.data[0] - 200)).toBeLessThanOrEqual(3);
    expect(Math.abs(image.data[1] - 30)).toBeLessThanOrEqual(3);
  });

  it('names the file of a truncated JPEG', () => {
    const bytes = jpeg.encode({ width: 16, height: 16, data: Buffer.alloc(16 * 16 * 4, 90) }, 90).data;
    expect(() => decodeImage(new Uint8Array(bytes.subarray(0, 40)), 'cut.jpg')).toThrow(/cut\.jpg: corrupt or truncated JPEG/);
  });

  it('names the file that is neither PNG nor JPEG, or empty', () => {
    expect(() => decodeImage(new TextEncoder().encode('hello'), 'notes.png')).toThrow(/notes\.png: unsupported or corrupt image/);
    expect(() => decodeImage(new Uint8Array(0), 'empty.png')).toThrow(/empty\.png: .*empty/);
  });
});
