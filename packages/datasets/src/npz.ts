import { unzipSync } from 'fflate';
import { checkDeclaredSize, errorMessage, RadprobeError, type DecodeLimits } from '@radprobe/core';
import { parseNpy, type NpyArray } from './npy.js';

/**
 * The arrays of a `.npz` archive (numpy's `savez` or `savez_compressed`), by name without `.npy`. Each entry's
 * size, as the archive declares it, is checked against `limits` before it is inflated, and it inflates no further
 * than that size (fflate writes into a buffer of exactly that size); each array's shape × dtype is checked again.
 */
export function parseNpz(bytes: Uint8Array, source: string, limits: DecodeLimits): Map<string, NpyArray> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => {
        if (!file.name.endsWith('.npy')) return false;
        checkDeclaredSize(`${source}:${file.name}`, { description: 'an archive entry', bytes: file.originalSize }, limits);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof RadprobeError) throw error;
    throw new RadprobeError(`${source}: not a readable .npz archive (${errorMessage(error)})`, { file: source, cause: error });
  }
  const arrays = new Map<string, NpyArray>();
  for (const [name, content] of Object.entries(entries)) arrays.set(name.slice(0, -4), parseNpy(content, `${source}:${name}`, limits));
  return arrays;
}
