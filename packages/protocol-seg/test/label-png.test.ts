import { decodeImage } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { classColour, crc32, encodeRgbPng, labelMapsPng } from '../src/index.js';

describe('mask images', () => {
  it('computes the PNG CRC-32', () => {
    // The CRC-32 check value of "123456789" is 0xCBF43926; every PNG's IEND chunk ends in AE 42 60 82.
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
  });

  it('writes an RGB PNG that decodes to the same pixels', async () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    const image = await decodeImage(encodeRgbPng(rgb, 3, 2), 'test.png');
    expect([image.width, image.height, image.channels]).toEqual([3, 2, 3]);
    expect(Array.from(image.data)).toEqual(Array.from(rgb));
  });

  it('draws truth left and prediction right, with a white gap', async () => {
    const image = await decodeImage(labelMapsPng(Uint8Array.from([0, 1]), Uint8Array.from([2, 1]), 2, 1), 'masks.png');
    // 2 + 4 + 2 pixels wide: truth (0, 1), gap, prediction (2, 1).
    expect(image.width).toBe(8);
    const pixel = (x: number) => Array.from(image.data.subarray(x * 3, x * 3 + 3));
    expect([pixel(0), pixel(1), pixel(2), pixel(6), pixel(7)]).toEqual([[0, 0, 0], [...classColour(1)], [255, 255, 255], [...classColour(2)], [...classColour(1)]]);
    expect(classColour(16)).toEqual(classColour(1));
  });
});
