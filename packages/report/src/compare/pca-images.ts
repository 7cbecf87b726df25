import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertValidPcaManifest, type PcaManifestImage } from '@radprobe/core/engine';
import { readPngImage, type ArtifactImage } from '../artifact-images.js';
import { readJsonFile } from './json-file.js';
import type { LoadedRun } from './load-runs.js';

/** Where `radprobe pca --run` writes a run's figure: `<run dir>/pca/pca.json` beside its PNGs. */
const pcaManifestPath = ['pca', 'pca.json'] as const;

/** A PCA image for the page. */
export interface PcaFigure extends PcaManifestImage {
  run: string;
  image: ArtifactImage;
}

/**
 * The images listed in the run's `pca/pca.json` (none without one; the manifest is checked against
 * `pcaManifestSchema`, whose file names cannot leave the folder), each read as a data: URL or with its problem.
 */
export async function readPcaFigures(run: LoadedRun): Promise<PcaFigure[]> {
  const path = join(run.dir, ...pcaManifestPath);
  if (!existsSync(path)) return [];
  const manifest = await readJsonFile(path);
  assertValidPcaManifest(manifest, path);
  const folder = join(run.dir, pcaManifestPath[0]);
  return Promise.all(manifest.images.map(async (entry) => ({ ...entry, run: run.dir, image: await readPngImage(join(folder, entry.file)) })));
}
