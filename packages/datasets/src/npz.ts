import { unzipSync } from 'fflate';
import { errorMessage, RadprobeError } from '@radprobe/core';
import { parseNpy, type NpyArray } from './npy.js';

/**
 * The arrays of a `.npz` archive (numpy's `savez` or `savez_compressed`), by name without `.npy`.
 */
export function parseNpz(bytes: Uint8Array, source: string): Map<string, NpyArray> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (file) => file.name.endsWith('.npy') });
  } catch (error) {
    throw new RadprobeError(`${source}: not a readable .npz archive (${errorMessage(error)})`, { file: source, cause: error });
  }
  const arrays = new Map<string, NpyArray>();
  for (const [name, content] of Object.entries(entries)) arrays.set(name.slice(0, -4), parseNpy(content, `${source}:${name}`));
  return arrays;
}
