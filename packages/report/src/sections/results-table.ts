import { formatSetting } from '@radprobe/core';
import { formatParameterShare } from '@radprobe/core/engine';
import type { CellResult, RunResults } from '@radprobe/core';
import { html, type SafeHtml } from '../html.js';
import { metricText, repetitionOf } from '../metric-text.js';

const leadingColumns = ['backbone', 'dataset', 'protocol', 'setting', 'split', 'metric', 'value [low, high]'];

/**
 * The results table: every cell's TEST rows (its VAL rows, e.g. one per grid head and seed, are drawn as the
 * cell's heat map instead; a cell with no TEST rows lists its VAL rows here), and a line for each cell that did
 * not complete. Runs with a protocol that trains the backbone get a column of trainable parameters and their share.
 */
export function resultsTableSection(results: RunResults): SafeHtml {
  const withParameters = results.cells.some((cell) => cell.result?.rows.some((row) => row.parameters));
  const columns = [...leadingColumns, ...(withParameters ? ['trainable params'] : []), 'other metrics'];
  return html`<section id="results">
<h2>Results</h2>
<p>Primary metric with its bootstrap interval; over several seeds, mean ± std of the seeds. Every row of every split is in <code>results.csv</code>.</p>
<div class="table-scroll"><table class="results">
<thead><tr>${columns.map((title) => html`<th>${title}</th>`)}</tr></thead>
<tbody>
${results.cells.map((cell) => cellRows(cell, withParameters))}
</tbody>
</table></div>
</section>`;
}

function cellRows(cell: CellResult, withParameters: boolean): SafeHtml {
  const where = html`<td class="name">${cell.backbone}</td><td class="name">${cell.dataset}</td><td class="name">${cell.protocol}</td>`;
  if (cell.status !== 'completed' || !cell.result) {
    return html`<tr class="status-${cell.status}">${where}<td colspan="${withParameters ? 6 : 5}">${cell.status}: ${cell.reason ?? 'no result'}</td></tr>\n`;
  }
  const { primaryMetric, rows } = cell.result;
  const testRows = rows.filter((row) => row.split === 'test');
  return html`${(testRows.length ? testRows : rows).map((row) => {
    const primary = row.metrics[primaryMetric];
    const repetition = repetitionOf(row);
    const others = Object.entries(row.metrics)
      .filter(([name]) => name !== primaryMetric)
      .map(([name, metric]) => `${name} ${metricText(metric, repetition)}`)
      .join('; ');
    return html`<tr>${where}<td>${formatSetting(row.setting)}</td><td>${row.split}</td><td>${primaryMetric}</td><td class="value">${primary ? metricText(primary, repetition) : 'missing'}</td>${withParameters ? html`<td class="parameters">${row.parameters ? formatParameterShare(row.parameters) : ''}</td>` : ''}<td>${others}</td></tr>\n`;
  })}`;
}
