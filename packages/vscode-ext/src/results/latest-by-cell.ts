import type { CellResult } from '@radprobe/core';
import { cellKey, type CellKey } from '../testing/cell-items.js';
import { finishedRuns, type FinishedRun } from './run-history.js';

/** A cell's latest result, and the run it comes from. */
export interface LatestCellResult {
  cell: CellResult;
  runId: string;
  /** The run's folder (its report.html and results.csv). */
  runDir: string;
  finishedAt: Date;
}

/** The latest result of each cell, by `cellKey`. */
export type LatestByCell = ReadonlyMap<string, LatestCellResult>;

/**
 * Each cell's result from the newest run that has it, so that partial runs (one cell from the Testing view, one
 * protocol from its CodeLens) add up instead of hiding what earlier runs found. Runs come newest first; whatever a
 * cell's newest result is (completed, failed, skipped) is its latest.
 */
export function latestByCell(runs: Iterable<FinishedRun>): Map<string, LatestCellResult> {
  const latest = new Map<string, LatestCellResult>();
  for (const run of runs) addRun(latest, run);
  return latest;
}

function addRun(latest: Map<string, LatestCellResult>, run: FinishedRun): void {
  for (const cell of run.results.cells) {
    const key = cellKey(cell);
    if (!latest.has(key)) latest.set(key, { cell, runId: run.results.runId, runDir: run.dir, finishedAt: new Date(run.results.finishedAt) });
  }
}

/**
 * The latest results in an output folder of the cells a config has now, reading runs newest first only until
 * every one of them is found (so a cell run long ago still shows, and a folder of many runs is not read whole).
 * Results of cells the config no longer has are left out.
 */
export async function readLatestByCell(outputDir: string, cells: readonly CellKey[]): Promise<Map<string, LatestCellResult>> {
  const wanted = new Set(cells.map(cellKey));
  const latest = new Map<string, LatestCellResult>();
  if (wanted.size === 0) return latest;
  for await (const run of finishedRuns(outputDir)) {
    addRun(latest, run);
    if ([...wanted].every((key) => latest.has(key))) break;
  }
  for (const key of latest.keys()) if (!wanted.has(key)) latest.delete(key);
  return latest;
}

/** The latest results of the given cells, in their order; cells without a result are left out. */
export function latestOf(latest: LatestByCell, cells: readonly CellKey[]): LatestCellResult[] {
  return cells.flatMap((cell) => latest.get(cellKey(cell)) ?? []);
}
