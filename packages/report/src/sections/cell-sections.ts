import { formatSetting } from '@radprobe/core';
import type { CellResult, DatasetSummary, ProtocolResult, RunResults } from '@radprobe/core';
import type { ChartCollector } from '../charts/chart-collector.js';
import type { ValGridChart } from '../charts/chart-spec.js';
import { classCurveCharts, diagnosedRow } from '../charts/class-curves.js';
import { perClassCharts } from '../charts/per-class.js';
import { rowLabel } from '../charts/row-label.js';
import { settingCurveChart } from '../charts/setting-curve.js';
import { seedSpreadChart } from '../charts/seed-spread.js';
import { valGridChart } from '../charts/val-grid.js';
import type { ArtifactImages } from '../artifact-images.js';
import { html, type SafeHtml } from '../html.js';
import { artifactFigures } from './artifact-figures.js';
import { confusionTables, perClassTable, unreliableLegend } from './class-tables.js';

/** The anchor of a cell's section: its index among the run's cells (ids from names could clash or need escaping). */
export const cellAnchor = (results: Pick<RunResults, 'cells'>, cell: CellResult) => `cell-${results.cells.indexOf(cell) + 1}`;

export const cellTitle = (cell: CellResult) => `${cell.backbone} × ${cell.dataset} × ${cell.protocol}`;

/** The completed cells, in run order: those that get a section. */
export const completedCells = (results: Pick<RunResults, 'cells'>) => results.cells.filter((cell) => cell.status === 'completed' && cell.result);

/** A section per completed cell: its notes, skipped settings, charts, tables and first few images. */
export function cellSections(results: RunResults, charts: ChartCollector, images: ArtifactImages): SafeHtml {
  const completed = completedCells(results);
  if (!completed.length) return html``;
  return html`<section id="cells">
<h2>Charts and notes per cell</h2>
${completed.map((cell) => cellSection(results, cell, cell.result as ProtocolResult, charts, images))}
</section>`;
}

/**
 * One cell's section, with `data-cell` naming the cell (`backbone|dataset|protocol`) for the VS Code results panel,
 * which brings the selected cell's section to the top.
 */
export function cellSection(results: RunResults, cell: CellResult, result: ProtocolResult, charts: ChartCollector, images: ArtifactImages): SafeHtml {
  const dataset = results.datasets.find((candidate) => candidate.name === cell.dataset);
  return html`<section class="cell" id="${cellAnchor(results, cell)}" data-cell="${`${cell.backbone}|${cell.dataset}|${cell.protocol}`}">
<h3>${cellTitle(cell)}</h3>
<p class="meta">protocol kind ${cell.protocolKind}; primary metric ${result.primaryMetric}; ${(cell.durationMs / 1000).toFixed(1)} s</p>
${result.notes.length ? html`<ul class="notes">${result.notes.map((note) => html`<li>${note}</li>`)}</ul>` : ''}
${result.skipped.length ? html`<p>Skipped settings:</p><ul class="skipped">${result.skipped.map((entry) => html`<li>${formatSetting(entry.setting) || 'the protocol'}: ${entry.reason}</li>`)}</ul>` : ''}
${scoresFigures(result, dataset, charts)}
${perClassCharts(result).map((chart) =>
  figure(charts.add(chart), 320, `Per-class ${chart.metric}, one series per row; a missing bar is a class where ${chart.metric} is undefined (e.g. no positives in the split).`),
)}
${settingCurveFigure(result, cell.protocolKind, charts)}
${valGridFigure(result)}
${seedSpreadFigure(result, charts)}
${artifactFigures(cell, images)}
</section>
`;
}

/** The curves, per-class table and confusion matrix of the row `diagnosedRow` picks; the per-class table alone without them. */
function scoresFigures(result: ProtocolResult, dataset: DatasetSummary | undefined, charts: ChartCollector): SafeHtml {
  const row = diagnosedRow(result);
  const primary = result.rows.find((candidate) => candidate.split === 'test' && candidate.metrics[result.primaryMetric]?.perClass)?.metrics[result.primaryMetric];
  if (!row) return perClassTable(dataset, undefined, primary?.perClass, result.primaryMetric);
  const diagnostics = row.classification;
  const which = `TEST scores of ${rowLabel(row)}${result.rows.filter((candidate) => candidate.classification).length > 1 ? ' (the other rows\' are in results.json)' : ''}, seed ${diagnostics.seed}`;
  const curves = classCurveCharts(diagnostics, dataset?.classes ?? []);
  const captions = {
    roc: `ROC curves per class, ${which}; the legend gives each class's exact AUROC from every score (the curve keeps at most 200 points). Dashed: chance.`,
    pr: `Precision–recall curves per class, ${which}, as the steps average precision (AP, in the legend) sums.`,
  };
  return html`${curves.length ? html`<div class="figure-pair">${curves.map((chart) => figure(charts.add(chart), 420, captions[chart.curve], 520))}</div>` : ''}
<h4>Per class</h4>
${perClassTable(dataset, diagnostics, row.metrics[result.primaryMetric]?.perClass, result.primaryMetric)}
${diagnostics.confusion ? html`<h4>Confusion matrix (${which})</h4>${confusionTables(diagnostics)}` : ''}`;
}

function settingCurveFigure(result: ProtocolResult, protocolKind: string, charts: ChartCollector): SafeHtml {
  const chart = settingCurveChart(result, protocolKind);
  if (!chart) return html``;
  const what =
    protocolKind === 'knn'
      ? `${chart.metric} against k: every k is reported on TEST, none chosen`
      : `${chart.metric} against C (mean over seeds where several ran); the diamond is the C chosen on VAL and reported on TEST`;
  return figure(charts.add(chart), 300, `${what}. Whiskers: bootstrap intervals where the rows have them. ${unreliableLegend}`, 720);
}

/** The VAL grid of a linear probe, drawn once: as a table coloured like a heat map, exact values readable and printable. */
function valGridFigure(result: ProtocolResult): SafeHtml {
  const grid = valGridChart(result);
  if (!grid) return html``;
  return html`<h4>VAL grid</h4>
${valGridTable(grid)}
<p class="legend">VAL ${grid.metric} of every head of the grid (mean over seeds where several ran), coloured from ${grid.min.toFixed(3)} (dark) to ${grid.max.toFixed(3)} (yellow); the outlined head is the one retrained and reported on TEST.</p>`;
}

/** The heat map's numbers as a table with the same colours, for reading exact values and for print. */
function valGridTable(grid: ValGridChart): SafeHtml {
  const square = (combo: string, lr: string) => grid.squares.find((candidate) => candidate.combo === combo && candidate.lr === lr);
  return html`<div class="table-scroll"><table class="grid">
<thead><tr><th>setting \\ lr</th>${grid.lrs.map((lr) => html`<th>${lr}</th>`)}</tr></thead>
<tbody>
${grid.combos.map(
  (combo) => html`<tr><th>${combo}</th>${grid.lrs.map((lr) => {
    const found = square(combo, lr);
    if (!found) return html`<td></td>`;
    return html`<td class="${found.selected ? 'selected' : ''}" style="background:${found.colour};color:${found.textColour}">${found.value.toFixed(3)}</td>`;
  })}</tr>\n`,
)}
</tbody>
</table></div>`;
}

function seedSpreadFigure(result: ProtocolResult, charts: ChartCollector): SafeHtml {
  const spread = seedSpreadChart(result);
  if (!spread) return html``;
  return figure(charts.add(spread), 320, `Spread over seeds: each seed's value (dots), the mean (dash) and mean ± std (band).`);
}

export function figure(canvasId: string, heightPixels: number, caption: string, maxWidthPixels?: number): SafeHtml {
  const width = maxWidthPixels ? `;max-width:${maxWidthPixels}px` : '';
  return html`<figure>
<div class="chart" style="height:${heightPixels}px${width}"><canvas id="${canvasId}" role="img" aria-label="${caption}"></canvas></div>
<figcaption>${caption}</figcaption>
</figure>
`;
}
