import { join } from 'node:path';
import { RadprobeError, validateOptions, type RunResults } from '@radprobe/core';
import { assertFinishedRunFolder, resultsSchema } from '@radprobe/core/engine';
import { readJsonFile } from './json-file.js';

/** A run folder as given on the command line, with its results. */
export interface LoadedRun {
  dir: string;
  results: RunResults;
}

/**
 * Reads `<dir>/results.json` and checks it against the results schema; errors name the file and the JSON pointer.
 * The staging folder of a run that never finished is refused, whatever it holds.
 */
export async function loadRun(dir: string): Promise<LoadedRun> {
  assertFinishedRunFolder(dir);
  const path = join(dir, 'results.json');
  const parsed = await readJsonFile(path);
  return { dir, results: validateOptions<RunResults>(resultsSchema, parsed, path, '') };
}

/** Loads every run folder, refusing none given and the same folder given twice. */
export async function loadRuns(dirs: readonly string[]): Promise<LoadedRun[]> {
  if (!dirs.length) throw new RadprobeError('compare: give at least one results folder (a folder holding results.json)');
  const repeated = dirs.find((dir, index) => dirs.indexOf(dir) !== index);
  if (repeated !== undefined) throw new RadprobeError(`compare: results folder ${repeated} is given twice`);
  return Promise.all(dirs.map(loadRun));
}
