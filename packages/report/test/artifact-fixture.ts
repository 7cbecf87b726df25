import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RunResults } from '@radprobe/core';
import { fixtureResults } from './fixtures.js';

/** A valid 1×1 RGBA PNG (one red-ish pixel): the smallest image a browser decodes to naturalWidth 1. */
export const onePixelPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

export const artifactFolder = 'artifacts/dinov2-vits14/nih-mini/linear';
/** A name the engine would refuse, to show the page escapes names anyway. */
export const hostileArtifactName = 'mask"<b>.png';

/**
 * The fixture run with six artifacts on its first (linear) cell, written under `runDir`: a hostile-named PNG,
 * a missing file, a text file posing as a PNG, then three more PNGs (the last two beyond the four the page shows).
 */
export async function writeRunWithArtifacts(runDir: string): Promise<RunResults> {
  const results = fixtureResults();
  const names = [hostileArtifactName, 'missing.png', 'not-a-png.png', 'mask-2.png', 'mask-3.png', 'mask-4.png'];
  results.cells[0].artifacts = names.map((name) => ({ name, mediaType: 'image/png', file: `${artifactFolder}/${name}` }));
  for (const name of names) {
    if (name === 'missing.png') continue;
    const path = join(runDir, artifactFolder, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, name === 'not-a-png.png' ? 'plain text' : onePixelPng);
  }
  return results;
}
