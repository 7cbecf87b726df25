import { cellKey, type CellKey } from '../testing/cell-items.js';
import type { LatestCellResult } from './latest-by-cell.js';
import { cellSummary } from './lens-text.js';
import { relativeTime } from './relative-time.js';
import { escaped } from './webview-html.js';

/**
 * The results panel's first table: the latest result of each cell from whichever run has it, with the run and its
 * age, so that the panel keeps every cell after a run of one cell. `reportRunId` names the run whose report (its
 * charts) follows; `selected` marks the cells the user opened the panel on.
 */
export function latestTableHtml(latest: readonly LatestCellResult[], options: { now: Date; reportRunId: string; selected?: readonly CellKey[] }): string {
  const selected = new Set((options.selected ?? []).map(cellKey));
  const rows = latest.map(
    (entry) =>
      `<tr data-cell="${escaped(cellKey(entry.cell))}"${selected.has(cellKey(entry.cell)) ? ' class="selected"' : ''}><td>${escaped(`${entry.cell.backbone} × ${entry.cell.dataset} × ${entry.cell.protocol}`)}</td><td>${escaped(cellSummary(entry.cell))}</td><td>${escaped(entry.runId)}</td><td>${relativeTime(entry.finishedAt, options.now)}</td></tr>`,
  );
  return [
    '<section class="latest-by-cell">',
    '<h2>Latest result of each cell</h2>',
    '<table><thead><tr><th>cell</th><th>result</th><th>run</th><th>finished</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table>`,
    `<p>Charts and tables below: run ${escaped(options.reportRunId)}.</p>`,
    '</section>',
  ].join('\n');
}
