import type { RunResults } from '@radprobe/core';
import type { ArtifactImages } from './artifact-images.js';
import { ChartCollector } from './charts/chart-collector.js';
import { html } from './html.js';
import { renderPage } from './page.js';
import { cellSections } from './sections/cell-sections.js';
import { datasetsSection } from './sections/datasets.js';
import { fewshotCurvesSection } from './sections/fewshot-curves.js';
import { provenanceSection, provenanceSummary } from './sections/provenance.js';
import { resultsTableSection } from './sections/results-table.js';

/**
 * `report.html` of a run: one self-contained page (`renderPage`) with the provenance, the results table, per-cell
 * charts (per-class bars, the VAL grid as a heat map, the spread over seeds), the few-shot curves, the first few
 * images of each cell (`images`, read by `readArtifactImages`; inline as data: URLs) and the datasets. Every
 * string from the results is escaped.
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
  return renderPage({ title: `${results.name} · radprobe report`, body, charts: charts.specs });
}
