import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'jsonc-parser';
import type { RunResults } from '@radprobe/core';

/** A finished run of a config: its results and its folder (which holds report.html). */
export interface FinishedRun {
  dir: string;
  results: RunResults;
}

/** The folder a config's runs are written to: its `output` (default `results`), relative to the config. */
export function outputDirOf(configPath: string, configText: string): string {
  const config = parse(configText, [], { allowTrailingComma: true }) as { output?: unknown } | undefined;
  const output = typeof config?.output === 'string' && config.output !== '' ? config.output : 'results';
  return resolve(dirname(configPath), output);
}

/**
 * The finished runs in an output folder, newest first, read one at a time (a caller looking for something stops
 * when it has found it). Run ids start with their UTC start time (`20250102-030405-<hash>`), so the name orders
 * them. A folder without a readable results.json is passed over, and so is a hidden one: a run writes into
 * `.<run-id>.partial` until its last file is in, so such a folder is a run that is still going, or was killed (the
 * next `radprobe run` reports it).
 */
export async function* finishedRuns(outputDir: string): AsyncGenerator<FinishedRun> {
  let names: string[];
  try {
    names = (await readdir(outputDir, { withFileTypes: true })).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name);
  } catch {
    return;
  }
  for (const name of names.sort().reverse()) {
    const dir = join(outputDir, name);
    try {
      const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults;
      if (results.schemaVersion === 1 && Array.isArray(results.cells)) yield { dir, results };
    } catch {
      continue;
    }
  }
}

/** The newest finished runs in an output folder, newest first, at most `limit`. */
export async function readRunHistory(outputDir: string, limit = 20): Promise<FinishedRun[]> {
  const runs: FinishedRun[] = [];
  if (limit <= 0) return runs;
  for await (const run of finishedRuns(outputDir)) {
    runs.push(run);
    if (runs.length >= limit) break;
  }
  return runs;
}
