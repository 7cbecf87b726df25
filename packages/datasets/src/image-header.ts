import { open } from 'node:fs/promises';
import { errorMessage, printablePath, RadprobeError } from '@radprobe/core';
import { parseImageHeader, type ImageHeader } from '@radprobe/core/engine';
import type { FilePath } from './listing.js';

/** A header fits in the first bytes; JPEGs with a large EXIF block are read further when needed. */
const FIRST_READ = 64 * 1024;

/** The header of an image file, reading only its first bytes (all of it only for a JPEG whose frame starts late). */
export async function readImageHeader(path: FilePath): Promise<ImageHeader | null> {
  let handle;
  try {
    handle = await open(path, 'r');
    const first = new Uint8Array(FIRST_READ);
    const { bytesRead } = await handle.read(first, 0, FIRST_READ, 0);
    const header = parseImageHeader(first.subarray(0, bytesRead));
    if (header || bytesRead < FIRST_READ || first[0] !== 0xff) return header;
    const { size } = await handle.stat();
    const whole = new Uint8Array(size);
    await handle.read(whole, 0, size, 0);
    return parseImageHeader(whole);
  } catch (error) {
    throw new RadprobeError(`${printablePath(path)}: cannot read (${errorMessage(error)})`, { file: printablePath(path), cause: error });
  } finally {
    await handle?.close();
  }
}
