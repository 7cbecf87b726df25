import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { RadprobeError, checkDeclaredSize, decodeImage, DEFAULT_DECODE_LIMITS } from '../src/index.js';
import { pngChunk } from './png-fixture.js';

/** A PNG whose IHDR declares any size, around a short IDAT: what a bomb's header looks like, without the bomb. */
function declaredPng(width: number, height: number, bitDepth = 8, colorType = 0): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = colorType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1000))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A baseline JPEG whose start-of-frame marker is rewritten to declare `width`×`height`. */
function declaredJpeg(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(8 * 8 * 4, 100) }, 90).data);
  const view = new DataView(bytes.buffer);
  for (let at = 2; at < bytes.length; at += 2 + view.getUint16(at + 2)) {
    if (bytes[at + 1] === 0xc0) {
      view.setUint16(at + 5, height);
      view.setUint16(at + 7, width);
      return bytes;
    }
  }
  throw new Error('no SOF0 marker');
}

function errorOf(run: () => unknown): RadprobeError {
  try {
    run();
  } catch (error) {
    if (error instanceof RadprobeError) return error;
    throw error;
  }
  throw new Error('expected a RadprobeError');
}

describe('decode limits: declared sizes are checked against the caps before anything is inflated or allocated', () => {
  it('refuses a PNG declaring 45,000² naming the file, the declared size, the cap and the setting to raise', () => {
    const error = errorOf(() => decodeImage(declaredPng(45000, 45000), '/data/huge.png'));
    expect(error.message).toBe(
      '/data/huge.png: the header declares a 45000×45000 PNG, 1 sample(s) of 8 bits per pixel (2025 megapixels), above the decode limit of ' +
        '200 megapixels per image; if the file is genuine, raise "decodeLimits.maxMegapixels" in the config (at most 2000)',
    );
    expect(error.file).toBe('/data/huge.png');
    expect(error.pointer).toBe('/decodeLimits/maxMegapixels');
  });

  it('reports the cap, not Node\'s internal "size" out of range, for a header whose image would not fit in a buffer', () => {
    const message = errorOf(() => decodeImage(declaredPng(45000, 45000, 16, 6), 'rgba16.png')).message;
    expect(message).toMatch(/^rgba16\.png: the header declares a 45000×45000 PNG, 4 sample\(s\) of 16 bits per pixel \(2025 megapixels\), above the decode limit/);
    expect(message).not.toMatch(/out of range/);
  });

  it('refuses a PNG under the pixel cap whose samples exceed the byte cap, naming that setting', () => {
    const limits = { maxMegapixels: 200, maxDecodedMiB: 100 };
    const error = errorOf(() => decodeImage(declaredPng(8000, 8000, 16, 6), 'wide.png', limits));
    expect(error.message).toBe(
      'wide.png: the header declares a 8000×8000 PNG, 4 sample(s) of 16 bits per pixel (488 MiB uncompressed), above the decode limit of 100 MiB; ' +
        'if the file is genuine, raise "decodeLimits.maxDecodedMiB" in the config (at most 4000)',
    );
    expect(error.pointer).toBe('/decodeLimits/maxDecodedMiB');
  });

  it('obeys the limits it is given: a cap raised for a genuine large image, a cap lowered below a small one', () => {
    const small = deflateSync(Buffer.alloc(3 * (1 + 4)));
    const png = Buffer.concat([declaredPng(4, 3).subarray(0, 33), pngChunk('IDAT', small), pngChunk('IEND', Buffer.alloc(0))]);
    expect(decodeImage(png, 'ok.png', DEFAULT_DECODE_LIMITS)).toMatchObject({ width: 4, height: 3 });
    expect(() => decodeImage(png, 'tiny-cap.png', { maxMegapixels: 0.00001, maxDecodedMiB: 1 })).toThrow(/tiny-cap\.png: .*\(12 pixels\), above the decode limit of 0\.00001 megapixels/);
  });

  it('refuses a JPEG whose start of frame declares 30,000² before jpeg-js sees it', () => {
    const error = errorOf(() => decodeImage(declaredJpeg(30000, 30000), 'big.jpg'));
    expect(error.message).toMatch(/^big\.jpg: the header declares a 30000×30000 JPEG, 3 component\(s\) of 8 bits \(900 megapixels\), above the decode limit of 200 megapixels per image; .*"decodeLimits\.maxMegapixels"/);
    expect(() => decodeImage(declaredJpeg(8, 8), 'small.jpg', { maxMegapixels: 0.00001, maxDecodedMiB: 1 })).toThrow(/small\.jpg: .*above the decode limit of 0\.00001 megapixels/);
  });

  it('refuses a PNG whose header says width 0 or height 0, naming the file', () => {
    expect(() => decodeImage(declaredPng(0, 5), 'zero-width.png')).toThrow(/^zero-width\.png: the header declares a 0×5 PNG, 1 sample\(s\) of 8 bits per pixel: an image without pixels$/);
    expect(() => decodeImage(declaredPng(5, 0), 'zero-height.png')).toThrow(/^zero-height\.png: the header declares a 5×0 PNG, 1 sample\(s\) of 8 bits per pixel: an image without pixels$/);
  });

  it('checkDeclaredSize checks only what a format declares (an npz entry has bytes but no pixels)', () => {
    expect(() => checkDeclaredSize('a.npz:x.npy', { description: 'an entry', bytes: 3 * 2 ** 30 }, DEFAULT_DECODE_LIMITS)).toThrow(
      /^a\.npz:x\.npy: the header declares an entry \(3 GiB uncompressed\), above the decode limit of 2048 MiB/,
    );
    expect(() => checkDeclaredSize('a.npz:x.npy', { description: 'an entry', bytes: 2 ** 20 }, DEFAULT_DECODE_LIMITS)).not.toThrow();
  });
});

describe('decode limits: inflating stops at what the header declares', () => {
  it('an interlaced PNG of 16×16 whose image data inflates to 64 MB is refused (pngjs would inflate it all)', () => {
    const header = Buffer.from(declaredPng(16, 16).subarray(16, 29));
    header[12] = 1;
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', header),
      pngChunk('IDAT', deflateSync(Buffer.alloc(64 * 2 ** 20))),
      pngChunk('IEND', Buffer.alloc(0)),
    ]);
    expect(() => decodeImage(png, 'adam7.png')).toThrow(/^adam7\.png: corrupt PNG \(the interlaced image data inflates past the 286 bytes its header declares\)$/);
  });

  it('an interlaced PNG whose image data is exactly what Adam7 needs decodes', () => {
    const header = Buffer.from(declaredPng(3, 2).subarray(16, 29));
    header[12] = 1;
    // 3×2 gray: passes 1 (1×1), 4 (1 × 1 from column 2), 6 (1 × 1 from column 1), 7 (3 × 1, row 1): 4 rows of 1 + n bytes.
    const scanlines = Buffer.from([0, 10, 0, 30, 0, 20, 0, 40, 50, 60]);
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', header),
      pngChunk('IDAT', deflateSync(scanlines)),
      pngChunk('IEND', Buffer.alloc(0)),
    ]);
    expect(Array.from(decodeImage(png, 'adam7.png').data)).toEqual([10, 20, 30, 40, 50, 60]);
  });
});

describe('decode errors name the actual fault', () => {
  it('a bad CRC is a CRC mismatch in the named chunk, not "unrecognised content at end of stream"', () => {
    const small = deflateSync(Buffer.from([0, 1, 2, 0, 3, 4]));
    const png = Buffer.concat([declaredPng(2, 2).subarray(0, 33), pngChunk('IDAT', small), pngChunk('IEND', Buffer.alloc(0))]);
    const header = Buffer.from(png);
    header[29] ^= 0xff;
    expect(() => decodeImage(header, 'crc.png')).toThrow(/^crc\.png: corrupt PNG \(CRC mismatch in the IHDR chunk at byte 8\)$/);
    const data = Buffer.from(png);
    data[45] ^= 0x01;
    expect(() => decodeImage(data, 'crc.png')).toThrow(/^crc\.png: corrupt PNG \(CRC mismatch in the IDAT chunk at byte 33\)$/);
  });
});
