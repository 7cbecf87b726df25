import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageHeader } from '@radprobe/core/engine';
import { readImageHeader } from '../src/index.js';
import { temporaryFolder, writeGrayPng, writeText } from './fixtures.js';

describe('image headers', () => {
  it('PNG: width, height, bit depth and channels from IHDR', async () => {
    const folder = await temporaryFolder();
    await writeGrayPng(join(folder, 'a.png'), 7, 5, 3);
    expect(await readImageHeader(join(folder, 'a.png'))).toEqual({ format: 'png', width: 5, height: 3, bitDepth: 8, channels: 1 });
  });

  it('JPEG: the first start-of-frame marker after other segments (APP0 skipped by its length)', () => {
    // SOI, APP0 of length 4 (2 length bytes + 2 payload), SOF2 (progressive): precision 12, height 0x0102 = 258,
    // width 0x0304 = 772, 3 components.
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 1, 2, 0xff, 0xc2, 0, 17, 12, 1, 2, 3, 4, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
    expect(parseImageHeader(jpeg)).toEqual({ format: 'jpeg', width: 772, height: 258, bitDepth: 12, channels: 3 });
    // DHT (0xC4) lies in the SOF range but is not a frame header.
    const withTable = new Uint8Array([0xff, 0xd8, 0xff, 0xc4, 0, 3, 0, 0xff, 0xc0, 0, 11, 8, 0, 2, 0, 1, 1, 1, 0x11, 0]);
    expect(parseImageHeader(withTable)).toEqual({ format: 'jpeg', width: 1, height: 2, bitDepth: 8, channels: 1 });
  });

  it('null for bytes that are neither', async () => {
    const folder = await temporaryFolder();
    await writeText(join(folder, 'x.png'), 'hello');
    expect(await readImageHeader(join(folder, 'x.png'))).toBeNull();
    await expect(readImageHeader(join(folder, 'absent.png'))).rejects.toThrow(`${join(folder, 'absent.png')}: cannot read`);
  });
});
