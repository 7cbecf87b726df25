import { createHash } from 'node:crypto';
import type { RunResults } from '@radprobe/core';
import type { ArtifactImages } from './artifact-images.js';
import { drawCharts } from './browser/draw-charts.js';
import { chartLibrarySource } from './chart-library.js';
import { ChartCollector } from './charts/chart-collector.js';
import { html, rawHtml, scriptJson } from './html.js';
import { pageStyle } from './page-style.js';
import { cellSections } from './sections/cell-sections.js';
import { datasetsSection } from './sections/datasets.js';
import { fewshotCurvesSection } from './sections/fewshot-curves.js';
import { provenanceSection, provenanceSummary } from './sections/provenance.js';
import { resultsTableSection } from './sections/results-table.js';

const dataElementId = 'radprobe-report-data';

/**
 * `report.html` of a run: one self-contained page (Chart.js, data and styles inline) with the provenance, the
 * results table, per-cell charts (per-class bars, the VAL grid as a heat map, the spread over seeds), the
 * few-shot curves, the first few images of each cell (`images`, read by `readArtifactImages`; inline as data: URLs)
 * and the datasets. Every string from the results is escaped; the chart data travels as JSON in
 * a non-executed script element. The Content-Security-Policy lets only the page's own two scripts run (by hash) and forbids every
 * fetch, so that the page stays offline and an injected handler could not run even if escaping failed.
 */
export function renderReport(results: RunResults, images: ArtifactImages = new Map()): string {
  const charts = new ChartCollector();
  const body = html`<header>
<h1>${results.name}</h1>
${provenanceSummary(results)}
</header>
${resultsTableSection(results)}
${cellSections(results, charts, images)}
${fewshotCurvesSection(results, charts)}
${datasetsSection(results)}
${provenanceSection(results.provenance)}`;

  const library = chartLibrarySource();
  const drawing = `(${drawCharts.toString()})(Chart, JSON.parse(document.getElementById(${JSON.stringify(dataElementId)}).textContent));`;
  const policy = [
    "default-src 'none'",
    `script-src ${[library, drawing].map((script) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
  ].join('; ');

  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="radprobe">
<title>${results.name} · radprobe report</title>
<style>${rawHtml(pageStyle)}</style>
</head>
<body>
${body}
<script type="application/json" id="${dataElementId}">${rawHtml(scriptJson(charts.specs))}</script>
<script>${rawHtml(library)}</script>
<script>${rawHtml(drawing)}</script>
</body>
</html>
`.text;
}
