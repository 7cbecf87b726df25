import { join } from 'node:path';
import { writeFileAtomic } from '@radprobe/core';
import type { RunResults } from '@radprobe/core';
import { readArtifactImages } from './artifact-images.js';
import { renderReport } from './render-report.js';

export const reportFileName = 'report.html';

/**
 * Renders the run's report, with the first few PNG artifacts of each cell read from the run folder `dir` and
 * embedded, and writes it to `<dir>/report.html` atomically; returns the file's path.
 */
export async function writeReport(dir: string, results: RunResults): Promise<string> {
  const path = join(dir, reportFileName);
  await writeFileAtomic(path, renderReport(results, await readArtifactImages(dir, results)));
  return path;
}
