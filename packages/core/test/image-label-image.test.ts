import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage, decodeLabelImage } from '../src/index.js';
import { encodePng } from './png-fixture.js';

const values = (bytes: Uint8Array) => Array.from(decodeLabelImage(bytes, 'mask.png').values);

describe('decodeLabelImage: the values a label PNG stores', () => {
  it('gives gray samples as written at every bit depth (where decodeImage stretches 1, 2 and 4 bits to 0..255)', () => {
    const oneBit = encodePng({ width: 4, height: 1, bitDepth: 1, colorType: 0, rows: [[0, 1, 1, 0]] });
    expect(values(oneBit)).toEqual([0, 1, 1, 0]);
    expect(Array.from(decodeImage(oneBit, 'mask.png').data)).toEqual([0, 255, 255, 0]);
    expect(values(encodePng({ width: 4, height: 1, bitDepth: 2, colorType: 0, rows: [[0, 1, 2, 3]] }))).toEqual([0, 1, 2, 3]);
    expect(values(encodePng({ width: 4, height: 1, bitDepth: 4, colorType: 0, rows: [[0, 7, 9, 15]] }))).toEqual([0, 7, 9, 15]);
    expect(values(encodePng({ width: 3, height: 1, bitDepth: 8, colorType: 0, rows: [[0, 1, 255]] }))).toEqual([0, 1, 255]);
    expect(values(encodePng({ width: 3, height: 2, bitDepth: 16, colorType: 0, rows: [[0, 2001, 9170], [65535, 1, 0]] }))).toEqual([0, 2001, 9170, 65535, 1, 0]);
  });

  it('gives palette indices, not colours (two indices of one colour stay apart)', () => {
    const palette: Array<[number, number, number]> = [[0, 0, 0], [255, 0, 0], [255, 0, 0], [0, 0, 255]];
    expect(values(encodePng({ width: 4, height: 1, bitDepth: 2, colorType: 3, palette, rows: [[0, 1, 2, 3]] }))).toEqual([0, 1, 2, 3]);
    expect(values(encodePng({ width: 2, height: 1, bitDepth: 8, colorType: 3, palette, rows: [[3, 2]] }))).toEqual([3, 2]);
  });

  it('reads gray + alpha and RGB with equal channels as gray; refuses colour naming the pixel, and JPEG', () => {
    expect(values(encodePng({ width: 2, height: 1, bitDepth: 8, colorType: 4, rows: [[3, 255, 4, 0]] }))).toEqual([3, 4]);
    expect(values(encodePng({ width: 2, height: 1, bitDepth: 8, colorType: 2, rows: [[5, 5, 5, 1, 1, 1]] }))).toEqual([5, 1]);
    const coloured = encodePng({ width: 2, height: 2, bitDepth: 8, colorType: 2, rows: [[5, 5, 5, 1, 1, 1], [0, 0, 0, 200, 10, 10]] });
    expect(() => decodeLabelImage(coloured, 'mask.png')).toThrow('mask.png: a label map must store class values as gray samples or palette indices; pixel (1, 1) is the colour (200, 10, 10)');
    const photo = jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256).fill(128) }, 90).data;
    expect(() => decodeLabelImage(photo, 'mask.jpg')).toThrow('mask.jpg: a label map must be a PNG of gray values or palette indices; this is a JPEG, whose compression changes label values at every edge');
  });

  it('checks the declared size against the decode limits first', () => {
    const wide = encodePng({ width: 4, height: 1, bitDepth: 8, colorType: 3, palette: [[0, 0, 0]], rows: [[0, 0, 0, 0]] });
    expect(() => decodeLabelImage(wide, 'mask.png', { maxMegapixels: 0.000001, maxDecodedMiB: 1 })).toThrow(/mask\.png: the header declares a 4×1 PNG.*above the decode limit/);
  });
});
