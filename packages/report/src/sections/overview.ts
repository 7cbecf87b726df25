import type { RunResults } from '@radprobe/core';
import type { ChartCollector } from '../charts/chart-collector.js';
import { overviewCharts } from '../charts/overview.js';
import { html, type SafeHtml } from '../html.js';
import { figure } from './cell-sections.js';
import { unreliableLegend } from './class-tables.js';

/** Height per bar and for the axes of an overview chart. */
const barPixels = 28;
const axesPixels = 220;

/** The run at a glance: a chart per primary metric, a bar per cell (and setting where a cell reports several). */
export function overviewSection(results: RunResults, charts: ChartCollector): SafeHtml {
  const overview = overviewCharts(results);
  if (!overview.length) return html``;
  return html`<section id="overview">
<h2>Overview</h2>
${overview.map((chart) =>
  figure(
    charts.add(chart),
    Math.max(300, axesPixels + barPixels * chart.categories.length),
    `TEST ${chart.metric} of every backbone × dataset × protocol (the setting chosen on VAL; every setting where none is chosen), whiskers the bootstrap interval. ${unreliableLegend}`,
  ),
)}
</section>`;
}
