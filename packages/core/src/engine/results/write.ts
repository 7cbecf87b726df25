import { join } from 'node:path';
import type { RunResults } from '../../contracts/results.js';
import { writeFileAtomic } from '../util/atomic.js';
import { renderResultsCsv } from './csv.js';
import { renderResultsMarkdown } from './markdown.js';
import { assertValidRunResults } from './schema.js';

/** Validates a run's results and writes `results.json`, `results.md` and `results.csv` into `dir`, each atomically. */
export async function writeRunResults(dir: string, results: RunResults): Promise<void> {
  assertValidRunResults(results);
  await writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFileAtomic(join(dir, 'results.md'), renderResultsMarkdown(results));
  await writeFileAtomic(join(dir, 'results.csv'), renderResultsCsv(results));
}
