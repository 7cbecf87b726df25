import type { RunResults } from '../../contracts/results.js';
import { summaryRows, visibleSummaryColumns } from './summary-rows.js';

/** The results as an aligned plain-text table for the terminal. Columns that are empty throughout are left out. */
export function formatResultsTable(results: RunResults): string {
  const rows = summaryRows(results);
  const columns = visibleSummaryColumns(rows).filter((column) => column.key !== 'others' || rows.some((row) => row.others !== ''));
  const cells = [columns.map((column) => column.title), ...rows.map((row) => columns.map((column) => row[column.key]))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index].length)));
  const render = (line: string[]) =>
    line
      .map((text, index) => (index === line.length - 1 ? text : text.padEnd(widths[index])))
      .join('  ')
      .trimEnd();
  return [render(cells[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(render)].join('\n');
}
