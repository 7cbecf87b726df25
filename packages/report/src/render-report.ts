import type { RunResults } from '@radprobe/core';
import type { ArtifactImages } from './artifact-images.js';
import { ChartCollector } from './charts/chart-collector.js';
import { html, type SafeHtml } from './html.js';
import { renderPage } from './page.js';
import { cellAnchor, cellSections, cellTitle, completedCells } from './sections/cell-sections.js';
import { datasetsSection } from './sections/datasets.js';
import { fewshotCurveCharts } from './charts/fewshot-curves.js';
import { fewshotCurvesSection } from './sections/fewshot-curves.js';
import { overviewSection } from './sections/overview.js';
import { provenanceSection, provenanceSummary } from './sections/provenance.js';
import { resultsTableSection } from './sections/results-table.js';

/**
 * `report.html` of a run: one self-contained page (`renderPage`) with a table of contents, the provenance, an
 * overview chart, the results table, per-cell charts and tables (ROC and PR curves, per-class table, confusion
 * matrix, metric against k or C, per-class bars, the VAL grid as a coloured table, the spread over seeds), the few-shot curves, the first few
 * images of each cell (`images`, read by `readArtifactImages`; inline as data: URLs) and the datasets. Every
 * string from the results is escaped.
 */
export function renderReport(results: RunResults, images: ArtifactImages = new Map()): string {
  const charts = new ChartCollector();
  const body = html`<header>
<h1>${results.name}</h1>
${provenanceSummary(results)}
</header>
${tableOfContents(results)}
${overviewSection(results, charts)}
${resultsTableSection(results)}
${cellSections(results, charts, images)}
${fewshotCurvesSection(results, charts)}
${datasetsSection(results)}
${provenanceSection(results.provenance)}`;
  return renderPage({ title: `${results.name} · radprobe report`, body, charts: charts.specs });
}

/** Links to every section and to each cell's. */
function tableOfContents(results: RunResults): SafeHtml {
  const cells = completedCells(results);
  const entries: Array<[string, string, SafeHtml?]> = [
    ['overview', 'Overview'],
    ['results', 'Results'],
    ...(cells.length
      ? [['cells', 'Charts and notes per cell', html`<ol>${cells.map((cell) => html`<li><a href="#${cellAnchor(results, cell)}">${cellTitle(cell)}</a></li>`)}</ol>`] as [string, string, SafeHtml]]
      : []),
    ...(fewshotCurveCharts(results).length ? [['fewshot', 'Few-shot curves'] as [string, string]] : []),
    ['datasets', 'Datasets'],
    ['provenance', 'Provenance'],
  ];
  return html`<nav id="contents" aria-label="Contents"><h2>Contents</h2><ol>${entries.map(([id, title, children]) => html`<li><a href="#${id}">${title}</a>${children ?? ''}</li>`)}</ol></nav>`;
}
