import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import type { DatasetContext, DecodeLimits } from '@radprobe/core';

export async function temporaryFolder(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'radprobe-datasets-'));
}

/** Writes a `width`×`height` 8-bit gray PNG whose every pixel is `value`. */
export async function writeGrayPng(path: string, value: number, width = 2, height = 2): Promise<void> {
  const png = new PNG({ width, height });
  for (let pixel = 0; pixel < width * height; pixel++) png.data.set([value, value, value, 255], pixel * 4);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, PNG.sync.write(png, { colorType: 0 }));
}

export async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

export function contextAt(baseDir: string, decodeLimits?: DecodeLimits): DatasetContext {
  return { baseDir, log: () => {}, ...(decodeLimits ? { decodeLimits } : {}) };
}

/** Writes a gray PNG of `bitDepth` bits storing `values` (row-major) as they are: a label map as a mask tool saves it. */
export async function writeLabelPng(path: string, width: number, values: number[], bitDepth: 1 | 2 | 4 | 8 | 16 = 8): Promise<void> {
  const height = values.length / width;
  const rowBytes = Math.ceil((width * bitDepth) / 8);
  const scanlines = Buffer.alloc(height * (rowBytes + 1));
  values.forEach((value, at) => {
    const row = Math.floor(at / width);
    const bit = (at % width) * bitDepth;
    const start = row * (rowBytes + 1) + 1;
    if (bitDepth === 16) scanlines.writeUInt16BE(value, start + bit / 8);
    else scanlines[start + (bit >> 3)] |= value << (8 - bitDepth - (bit & 7));
  });
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])));
    return Buffer.concat([length, Buffer.from(type), data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  await mkdir(dirname(path), { recursive: true });
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  await writeFile(path, Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(scanlines)), chunk('IEND', Buffer.alloc(0))]));
}
