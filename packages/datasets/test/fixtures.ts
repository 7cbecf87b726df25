import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
