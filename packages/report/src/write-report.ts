import { join } from 'node:path';
import { writeFileAtomic } from '@radprobe/core';
import type { RunResults } from '@radprobe/core';
import { renderReport } from './render-report.js';

export const reportFileName = 'report.html';

/** Renders the run's report and writes it to `<dir>/report.html` atomically; returns the file's path. */
export async function writeReport(dir: string, results: RunResults): Promise<string> {
  const path = join(dir, reportFileName);
  await writeFileAtomic(path, renderReport(results));
  return path;
}
