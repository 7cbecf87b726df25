import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_LIMITS, RadprobeError } from '@radprobe/core';
import { decodeDicom, resolveDicomWindow } from '../src/dicom/image.js';
import { isDicom, parseDicomFile } from '../src/dicom/parse.js';
import { encodeRle, imageElements, pixelData16, pixelData8, SYNTAX_UIDS, writeDicom, type TestElement } from './dicom-writer.js';

const HEADER = resolveDicomWindow('header', '/window');
const NONE = resolveDicomWindow('none', '/window');
const rescale = (slope: string, intercept: string): TestElement[] => [
  { tag: 0x00281052, vr: 'DS', value: intercept },
  { tag: 0x00281053, vr: 'DS', value: slope },
];

describe('DICOM pixel decoding (files written by the test)', () => {
  // Stored -1000, 0, 1000, 32767 (signed 16-bit) × slope 2 + intercept -1 = -2001, -1, 1999, 65533.
  const signed = [-1000, 0, 1000, 32767];
  const expectedHu = [-2001, -1, 1999, 65533];
  for (const encoding of ['implicit', 'explicit', 'big', 'deflate'] as const) {
    it(`reads signed 16-bit samples with rescale in ${encoding} VR`, async () => {
      const bytes = writeDicom({
        encoding,
        elements: [...imageElements({ rows: 2, columns: 2, bitsAllocated: 16, signed: true }), ...rescale('2', '-1'), pixelData16(signed, encoding !== 'big')],
      });
      const image = await decodeDicom(bytes, 'ct.dcm', 0, HEADER);
      expect([...image.data]).toEqual(expectedHu);
      expect(image).toMatchObject({ width: 2, height: 2, channels: 1 });
      // Signed 16-bit spans -32768..32767, ×2 - 1: -65537..65533.
      expect(image.range).toEqual({ min: -65537, max: 65533 });
    });
  }

  it('masks samples to Bits Stored and sign-extends from the high bit', async () => {
    // 12 of 16 bits: 0xF005 → 0x005 = 5 (overlay bits above 12 dropped); 0x0FFF → -1 and 0x0800 → -2048 when signed.
    const unsignedFile = writeDicom({
      encoding: 'explicit',
      elements: [...imageElements({ rows: 1, columns: 3, bitsAllocated: 16, bitsStored: 12 }), pixelData16([0xf005, 0x0fff, 0x0800])],
    });
    expect([...(await decodeDicom(unsignedFile, 'u.dcm', 0, NONE)).data]).toEqual([5, 4095, 2048]);
    const signedFile = writeDicom({
      encoding: 'explicit',
      elements: [...imageElements({ rows: 1, columns: 3, bitsAllocated: 16, bitsStored: 12, signed: true }), pixelData16([0xf005, 0x0fff, 0x0800])],
    });
    const image = await decodeDicom(signedFile, 's.dcm', 0, NONE);
    expect([...image.data]).toEqual([5, -1, -2048]);
    expect(image.range).toEqual({ min: -2048, max: 2047 });
  });

  it('applies the header window (first of several values) as a clamp, or the configured one instead', async () => {
    // Window centre 40 / width 400 → [-160, 240]; the second values (300 / 1000) are other windows, ignored.
    const bytes = writeDicom({
      encoding: 'explicit',
      elements: [
        ...imageElements({ rows: 1, columns: 4, bitsAllocated: 16, signed: true }),
        ...rescale('1', '-1024'),
        { tag: 0x00281050, vr: 'DS', value: '40\\300' },
        { tag: 0x00281051, vr: 'DS', value: '400\\1000' },
        pixelData16([0, 900, 1100, 2000]),
      ],
    });
    // Stored - 1024: -1024, -124, 76, 976 → clamped to [-160, 240]: -160, -124, 76, 240.
    const header = await decodeDicom(bytes, 'w.dcm', 0, HEADER);
    expect([...header.data]).toEqual([-160, -124, 76, 240]);
    expect(header.range).toEqual({ min: -160, max: 240 });
    // The study's preset [-1024, 600] leaves -1024 … 600 alone and clamps 976 to 600.
    expect([...(await decodeDicom(bytes, 'w.dcm', 0, resolveDicomWindow('study', '/window'))).data]).toEqual([-1024, -124, 76, 600]);
    // Level 0 / width 200 → [-100, 100].
    expect([...(await decodeDicom(bytes, 'w.dcm', 0, resolveDicomWindow({ level: 0, width: 200 }, '/window'))).data]).toEqual([-100, -100, 76, 100]);
    expect([...(await decodeDicom(bytes, 'w.dcm', 0, NONE)).data]).toEqual([-1024, -124, 76, 976]);
    expect(() => resolveDicomWindow({ low: 5, high: 5 }, '/window')).toThrow(/\/window/);
  });

  it('inverts MONOCHROME1 within the range, after the window', async () => {
    const elements = [...imageElements({ rows: 1, columns: 3, bitsAllocated: 8, photometric: 'MONOCHROME1' }), pixelData8([0, 10, 255])];
    // 8-bit unsigned range 0..255: v → 255 - v.
    expect([...(await decodeDicom(writeDicom({ encoding: 'explicit', elements }), 'm1.dcm', 0, NONE)).data]).toEqual([255, 245, 0]);
    // Window [0, 100] first: 0, 10, 100, then 100 - v: 100, 90, 0.
    const windowed = await decodeDicom(writeDicom({ encoding: 'explicit', elements }), 'm1.dcm', 0, resolveDicomWindow({ low: 0, high: 100 }, '/w'));
    expect([...windowed.data]).toEqual([100, 90, 0]);
  });

  it('reads each frame of a multi-frame file', async () => {
    const frames = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
    ];
    const bytes = writeDicom({ encoding: 'explicit', elements: [...imageElements({ rows: 2, columns: 2, bitsAllocated: 8, frames: 3 }), pixelData8(frames.flat())] });
    expect(parseDicomFile(bytes, 'mf.dcm', DEFAULT_DECODE_LIMITS).header.frames).toBe(3);
    for (const [index, values] of frames.entries()) expect([...(await decodeDicom(bytes, 'mf.dcm', index, NONE)).data]).toEqual(values);
    await expect(decodeDicom(bytes, 'mf.dcm', 3, NONE)).rejects.toThrow(/mf\.dcm: frame 3 does not exist \(the file has 3\)/);
  });

  it('reads RGB with planar configuration 0 and 1 alike', async () => {
    const rgb = [10, 20, 30, 40, 50, 60];
    const interleaved = writeDicom({ encoding: 'explicit', elements: [...imageElements({ rows: 1, columns: 2, bitsAllocated: 8, samplesPerPixel: 3, planar: 0 }), pixelData8(rgb)] });
    // Planar: all reds, then greens, then blues.
    const planar = writeDicom({
      encoding: 'explicit',
      elements: [...imageElements({ rows: 1, columns: 2, bitsAllocated: 8, samplesPerPixel: 3, planar: 1 }), pixelData8([10, 40, 20, 50, 30, 60])],
    });
    for (const bytes of [interleaved, planar]) {
      const image = await decodeDicom(bytes, 'rgb.dcm', 0, HEADER);
      expect(image.channels).toBe(3);
      expect([...image.data]).toEqual(rgb);
      expect(image.range).toEqual({ min: 0, max: 255 });
    }
  });

  it('decodes RLE Lossless: 16-bit signed with rescale, multi-frame, and 8-bit RGB', async () => {
    const first = [-5, -5, -5, -5, 300, 301, 302, 7];
    const second = [0, 0, 0, 0, 0, 0, 0, 1];
    const bytes = writeDicom({
      encoding: 'explicit',
      transferSyntax: SYNTAX_UIDS.rle,
      elements: [...imageElements({ rows: 2, columns: 4, bitsAllocated: 16, signed: true, frames: 2 }), ...rescale('1', '-1024')],
      fragments: [encodeRle([first], 2), encodeRle([second], 2)],
    });
    // stored - 1024.
    expect([...(await decodeDicom(bytes, 'rle.dcm', 0, NONE)).data]).toEqual(first.map((value) => value - 1024));
    expect([...(await decodeDicom(bytes, 'rle.dcm', 1, NONE)).data]).toEqual(second.map((value) => value - 1024));
    const colour = writeDicom({
      encoding: 'explicit',
      transferSyntax: SYNTAX_UIDS.rle,
      elements: imageElements({ rows: 1, columns: 2, bitsAllocated: 8, samplesPerPixel: 3 }),
      fragments: [encodeRle([[10, 40], [20, 50], [30, 60]], 1)],
    });
    expect([...(await decodeDicom(colour, 'rle-rgb.dcm', 0, NONE)).data]).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('reports a corrupt RLE frame by file name', async () => {
    const truncated = encodeRle([[1, 2, 3, 4]], 1).slice(0, 66);
    const bytes = writeDicom({ encoding: 'explicit', transferSyntax: SYNTAX_UIDS.rle, elements: imageElements({ rows: 2, columns: 2, bitsAllocated: 8 }), fragments: [truncated] });
    await expect(decodeDicom(bytes, 'bad-rle.dcm', 0, NONE)).rejects.toThrow(/bad-rle\.dcm: corrupt RLE pixel data \(segment 1 does not decode to 4 bytes\)/);
  });

  it('decodes JPEG baseline frames exactly as jpeg-js decodes their codestreams, with and without an offset table', async () => {
    const width = 16;
    const height = 8;
    const gray = (seed: number) => Array.from({ length: width * height }, (_, index) => (index * 7 + seed) % 256);
    const encode = (values: number[]) => {
      const rgba = Buffer.alloc(values.length * 4);
      values.forEach((value, index) => rgba.set([value, value, value, 255], index * 4));
      return new Uint8Array(jpeg.encode({ data: rgba, width, height }, 95).data);
    };
    const streams = [encode(gray(0)), encode(gray(100))];
    const expected = streams.map((stream) => {
      const decoded = jpeg.decode(stream, { useTArray: true, formatAsRGBA: false });
      return Array.from({ length: width * height }, (_, pixel) => decoded.data[pixel * 3]);
    });
    const elements = imageElements({ rows: height, columns: width, bitsAllocated: 8, frames: 2 });
    const padded = streams.map((stream) => stream.length + (stream.length % 2) + 8);
    const withTable = writeDicom({ encoding: 'explicit', transferSyntax: SYNTAX_UIDS['jpeg-baseline'], elements, fragments: streams, offsetTable: [0, padded[0]] });
    // Without a table and with each frame cut into two fragments, frames are found by their start-of-image markers.
    const halves = streams.flatMap((stream) => {
      const cut = 2 * Math.floor(stream.length / 4);
      return [stream.subarray(0, cut), stream.subarray(cut)];
    });
    const withoutTable = writeDicom({ encoding: 'explicit', transferSyntax: SYNTAX_UIDS['jpeg-baseline'], elements, fragments: halves });
    for (const bytes of [withTable, withoutTable]) {
      for (const frame of [0, 1]) expect([...(await decodeDicom(bytes, 'jpeg.dcm', frame, NONE)).data]).toEqual(expected[frame]);
    }
    // Lossy at quality 95, yet within a few grey levels of the source.
    const decoded = await decodeDicom(withTable, 'jpeg.dcm', 0, NONE);
    const worst = Math.max(...gray(0).map((value, index) => Math.abs(value - decoded.data[index])));
    expect(worst).toBeLessThan(40);
  });

  it('recognises a data set without preamble, implicit or explicit', async () => {
    const elements = [...imageElements({ rows: 1, columns: 2, bitsAllocated: 16 }), { tag: 0x00080060, vr: 'CS', value: 'CT' }, pixelData16([7, 65535])];
    for (const encoding of ['implicit', 'explicit'] as const) {
      const bytes = writeDicom({ encoding, elements, preamble: false });
      expect(isDicom(bytes)).toBe(true);
      expect([...(await decodeDicom(bytes, 'bare.dcm', 0, NONE)).data]).toEqual([7, 65535]);
    }
  });

  it('names the file and the unknown transfer syntax UID', async () => {
    const bytes = writeDicom({ encoding: 'explicit', transferSyntax: '1.2.840.10008.1.2.4.100', elements: [...imageElements({ rows: 1, columns: 1, bitsAllocated: 8 }), pixelData8([1])] });
    const error = await decodeDicom(bytes, 'video.dcm', 0, NONE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RadprobeError);
    expect((error as Error).message).toMatch(/^video\.dcm: unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.100 \(supported: /);
  });

  it('rejects files that are not DICOM images, naming them', async () => {
    expect(isDicom(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).toBe(false);
    await expect(decodeDicom(new Uint8Array(200), 'zeros.bin', 0, NONE)).rejects.toThrow(/zeros\.bin: not a DICOM file/);
    const noPixels = writeDicom({ encoding: 'explicit', elements: [{ tag: 0x00080060, vr: 'CS', value: 'SR' }] });
    await expect(decodeDicom(noPixels, 'report.dcm', 0, NONE)).rejects.toThrow(/report\.dcm: DICOM file without pixel data/);
    const short = writeDicom({ encoding: 'explicit', elements: [...imageElements({ rows: 4, columns: 4, bitsAllocated: 16 }), pixelData16([1, 2, 3])] });
    await expect(decodeDicom(short, 'short.dcm', 0, NONE)).rejects.toThrow(/short\.dcm: pixel data holds 6 bytes; frame 1 of 1 needs bytes 0\.\.32/);
  });
});
