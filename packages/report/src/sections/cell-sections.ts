import { formatSetting } from '@radprobe/core';
import type { CellResult, ProtocolResult, RunResults } from '@radprobe/core';
import type { ChartCollector } from '../charts/chart-collector.js';
import type { ValGridChart } from '../charts/chart-spec.js';
import { perClassCharts } from '../charts/per-class.js';
import { seedSpreadChart } from '../charts/seed-spread.js';
import { valGridChart } from '../charts/val-grid.js';
import type { ArtifactImages } from '../artifact-images.js';
import { html, type SafeHtml } from '../html.js';
import { artifactFigures } from './artifact-figures.js';

/** A heat map's size: room for the axes plus a row per settings combination and a column per lr. */
const gridRowPixels = 56;
const gridColumnPixels = 96;
const gridAxesPixels = 220;

/** A section per completed cell: its notes, skipped settings, charts and first few images. */
export function cellSections(results: RunResults, charts: ChartCollector, images: ArtifactImages): SafeHtml {
  const completed = results.cells.filter((cell) => cell.status === 'completed' && cell.result);
  if (!completed.length) return html``;
  return html`<section id="cells">
<h2>Charts and notes per cell</h2>
${completed.map((cell) => cellSection(cell, cell.result as ProtocolResult, charts, images))}
</section>`;
}

function cellSection(cell: CellResult, result: ProtocolResult, charts: ChartCollector, images: ArtifactImages): SafeHtml {
  return html`<section class="cell">
<h3>${cell.backbone} × ${cell.dataset} × ${cell.protocol}</h3>
<p class="meta">protocol kind ${cell.protocolKind}; primary metric ${result.primaryMetric}; ${(cell.durationMs / 1000).toFixed(1)} s</p>
${result.notes.length ? html`<ul class="notes">${result.notes.map((note) => html`<li>${note}</li>`)}</ul>` : ''}
${result.skipped.length ? html`<p>Skipped settings:</p><ul class="skipped">${result.skipped.map((entry) => html`<li>${formatSetting(entry.setting) || 'the protocol'}: ${entry.reason}</li>`)}</ul>` : ''}
${perClassCharts(result).map((chart) =>
  figure(charts.add(chart), 320, `Per-class ${chart.metric}, one series per row; a missing bar is a class where ${chart.metric} is undefined (e.g. no positives in the split).`),
)}
${valGridFigure(result, charts)}
${seedSpreadFigure(result, charts)}
${artifactFigures(cell, images)}
</section>
`;
}

function valGridFigure(result: ProtocolResult, charts: ChartCollector): SafeHtml {
  const grid = valGridChart(result);
  if (!grid) return html``;
  const caption = `VAL ${grid.metric} of every head of the grid (mean over seeds where several ran), from ${grid.min.toFixed(3)} (dark) to ${grid.max.toFixed(3)} (yellow); the outlined head is the one retrained and reported on TEST.`;
  return html`${figure(charts.add(grid), 80 + gridRowPixels * grid.combos.length, caption, gridAxesPixels + gridColumnPixels * grid.lrs.length)}
${valGridTable(grid)}`;
}

/** The heat map's numbers as a table with the same colours, for reading exact values and for print. */
function valGridTable(grid: ValGridChart): SafeHtml {
  const square = (combo: string, lr: string) => grid.squares.find((candidate) => candidate.combo === combo && candidate.lr === lr);
  return html`<table class="grid">
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
</table>`;
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
