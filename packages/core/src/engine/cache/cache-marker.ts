import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';

/**
 * File at the root of every feature cache. Commands that delete (`radprobe cache prune`) act only on a folder
 * that has it, so that a mistyped `--cache` can never empty a data folder.
 */
export const CACHE_MARKER = '.radprobe-cache';
const MARKER_FORMAT = 1;

/** Writes the marker into a cache folder that lacks it: a new cache, or one written before markers existed. */
export async function markCacheRoot(root: string): Promise<void> {
  if (await lstat(join(root, CACHE_MARKER)).then(() => true, () => false)) return;
  const marker = { format: MARKER_FORMAT, about: 'radprobe feature cache; `radprobe cache ls|verify|prune` manage it' };
  await writeFileAtomic(join(root, CACHE_MARKER), `${JSON.stringify(marker)}\n`);
}

/** Whether a marker file's text is one this radprobe writes (not damaged, not from a newer format). */
export function isKnownMarker(text: string): boolean {
  try {
    const { format } = JSON.parse(text) as { format?: unknown };
    return typeof format === 'number' && format >= 1 && format <= MARKER_FORMAT;
  } catch {
    return false;
  }
}
