import * as vscode from 'vscode';
import { configEntryLocations } from '../config/entry-locations.js';
import { cellKey, configCells, type CellKey } from '../testing/cell-items.js';
import { latestOf } from './latest-by-cell.js';
import { latestTableHtml } from './latest-table-html.js';
import { bestResult } from './lens-text.js';
import { configText, type ResultsStore } from './results-store.js';

/** What the results panel is opened on: a run's folder, one cell, or a protocol entry's cells; none: the newest. */
export interface ResultsSelection {
  runDir?: string;
  cell?: CellKey;
  protocol?: string;
}

/** What the panel shows: a run's report (its charts), a cell first in it, and the latest-per-cell table above. */
export interface ResultsView {
  runDir: string;
  runId: string;
  cell?: CellKey;
  before: string;
}

/**
 * The panel's content for a selection. The table always lists every cell of the config with its latest result
 * from any run; the report under it is the given run's, else the run of the selected cell's latest result (for an
 * entry, its best cell's, as its lens shows), else the newest run. Undefined when the config has no finished run.
 */
export async function resultsView(store: ResultsStore, config: vscode.Uri, selection: ResultsSelection): Promise<ResultsView | undefined> {
  const cells = configCells(configEntryLocations(await configText(config)));
  const latest = latestOf(await store.latestByCell(config), cells);
  const history = await store.history(config);
  const entryCells = selection.protocol ? latest.filter((result) => result.cell.protocol === selection.protocol) : [];
  const focus = selection.cell ? latest.find((result) => cellKey(result.cell) === cellKey(selection.cell!)) : bestResult(entryCells);
  const givenRun = selection.runDir ? history.find((run) => run.dir === selection.runDir) : undefined;
  const run = givenRun ?? (focus ? { dir: focus.runDir, results: { runId: focus.runId } } : history[0]);
  if (!run) return undefined;
  const selected = selection.cell ? [selection.cell] : selection.protocol ? entryCells.map((result) => result.cell) : givenRun ? givenRun.results.cells : [];
  const cell = selection.cell ?? focus?.cell ?? (givenRun?.results.cells.length === 1 ? givenRun.results.cells[0] : undefined);
  return {
    runDir: run.dir,
    runId: run.results.runId,
    cell: cell ? { backbone: cell.backbone, dataset: cell.dataset, protocol: cell.protocol } : undefined,
    before: latestTableHtml(latest, { now: new Date(), reportRunId: run.results.runId, selected }),
  };
}
