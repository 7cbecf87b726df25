import { metricText } from '../metric-text.js';
import { ChartCollector } from '../charts/chart-collector.js';
import { html, type SafeHtml } from '../html.js';
import { renderPage } from '../page.js';
import { figure } from '../sections/cell-sections.js';
import { compareFewshotCharts, decoderCharts, linearProbeCharts, rankScatterChart } from './compare-charts.js';
import { compareStyle } from './compare-style.js';
import type { Comparison } from './comparison.js';
import type { CrossTaskRank } from './cross-task-ranks.js';
import type { ComparisonMatrix, MatrixColumn } from './matrix.js';
import type { PcaFigure } from './pca-images.js';

/** The best value of a column (highest), to mark in the table. */
function bestValue(matrix: ComparisonMatrix, column: MatrixColumn): number {
  return Math.max(...matrix.backbones.map((backbone) => matrix.entry(backbone, column)?.metric.value ?? -Infinity));
}

function matrixSection(matrix: ComparisonMatrix): SafeHtml {
  return html`<section id="matrix">
<h2>Backbones × datasets × protocols</h2>
<p>TEST primary metric of each cell: over several seeds mean ± std of the seeds, then the interval the protocol reported (bootstrap); the best of each column in bold. The same numbers are in <code>compare.csv</code> and <code>compare.md</code>.</p>
<div class="matrix-scroll">
<table class="matrix">
<thead><tr><th>backbone</th>${matrix.columns.map((column) => html`<th>${column.label}<small>${column.metric}</small></th>`)}</tr></thead>
<tbody>
${matrix.backbones.map(
  (backbone) => html`<tr><th>${backbone.label}</th>${matrix.columns.map((column) => {
    const entry = matrix.entry(backbone, column);
    if (!entry) return html`<td class="value">–</td>`;
    return html`<td class="value${entry.metric.value === bestValue(matrix, column) ? ' best' : ''}">${metricText(entry.metric)}</td>`;
  })}</tr>\n`,
)}
</tbody>
</table>
</div>
</section>`;
}

function rankingSection(ranks: readonly CrossTaskRank[], charts: ChartCollector): SafeHtml {
  const chart = rankScatterChart(ranks);
  const missing = ranks.filter((rank) => rank.segmentation === null || rank.classification === null);
  const rankText = (value: number | null) => (value === null ? '–' : value.toFixed(2));
  return html`<section id="ranking">
<h2>Cross-task ranking</h2>
${chart ? figure(charts.add(chart), 420, 'Per backbone, its mean rank over the segmentation columns (x) against its mean rank over the classification columns (y); rank 1 is the best value of a column, tied values share the mean of their ranks. Best at both sits top right.', 720) : html`<p>No backbone has values in both segmentation and classification columns.</p>`}
${missing.length ? html`<p class="meta">Not in the figure (values on one kind of task only): ${missing.map((rank) => rank.backbone.label).join(', ')}.</p>` : ''}
<table><thead><tr><th>backbone</th><th>mean rank, segmentation</th><th>mean rank, classification</th></tr></thead>
<tbody>${ranks.map((rank) => html`<tr><td>${rank.backbone.label}</td><td>${rankText(rank.segmentation)}</td><td>${rankText(rank.classification)}</td></tr>`)}</tbody></table>
</section>`;
}

function barsSection(id: string, title: string, entries: ReturnType<typeof linearProbeCharts>, charts: ChartCollector, caption: (dataset: string) => string): SafeHtml {
  if (!entries.length) return html``;
  return html`<section id="${id}">
<h2>${title}</h2>
${entries.map(({ dataset, chart }) => html`<h3>${dataset}</h3>${figure(charts.add(chart), 340, caption(dataset))}`)}
</section>`;
}

function fewshotSection(matrix: ComparisonMatrix, charts: ChartCollector): SafeHtml {
  const curves = compareFewshotCharts(matrix);
  if (!curves.length) return html``;
  return html`<section id="fewshot">
<h2>Few-shot curves</h2>
${curves.map((curve) => figure(charts.add(curve), 340, `${curve.dataset} × ${curve.protocol}: TEST ${curve.metric} against the training set size, ${curve.axis}, one line per backbone; points are means over tries, error bars ± std (none for a single try).`))}
</section>`;
}

function pcaSection(figures: readonly PcaFigure[]): SafeHtml {
  if (!figures.length) return html``;
  return html`<section id="pca">
<h2>PCA of patch features</h2>
<p>The first three principal components of each image's patch tokens as red, green and blue, the background (low first component) removed.</p>
<div class="pca">
${figures.map((entry) => {
  const caption = html`${entry.backbone} × ${entry.dataset}: <code>${entry.item}</code>`;
  if ('problem' in entry.image) return html`<p class="artifact-missing">${entry.run}/pca/${entry.file} ${entry.image.problem}.</p>`;
  return html`<figure class="artifact"><img class="pca" src="${entry.image.dataUrl}" alt="PCA of the patch features of ${entry.item} from ${entry.backbone} on ${entry.dataset}"><figcaption>${caption}</figcaption></figure>`;
})}
</div>
</section>`;
}

function runsSection(comparison: Comparison): SafeHtml {
  return html`<section id="runs">
<h2>Runs and backbones</h2>
<table><thead><tr><th>folder</th><th>run</th><th>id</th><th>finished</th><th>config sha256</th></tr></thead>
<tbody>${comparison.runs.map(({ dir, results }) => html`<tr><td><code>${dir}</code></td><td>${results.name}</td><td><code>${results.runId}</code></td><td>${results.finishedAt}</td><td><code>${results.provenance.configHash.slice(0, 12)}</code></td></tr>`)}</tbody></table>
<table><thead><tr><th>backbone</th><th>name</th><th>weights sha256</th></tr></thead>
<tbody>${comparison.matrix.backbones.map((backbone) => html`<tr><td>${backbone.label}</td><td>${backbone.name}</td><td><code>${backbone.weightsHash}</code></td></tr>`)}</tbody></table>
</section>`;
}

/**
 * `compare.html`: one self-contained page (`renderPage`: Chart.js inline, strict CSP, offline) with the matrix, the
 * cross-task ranking, linear probing per dataset, linear against U-Net decoders, the few-shot curves and the PCA
 * images of the runs; the warnings of an `--allow-mixed` comparison on top. Every string from the runs is escaped.
 */
export function renderComparePage(comparison: Comparison): string {
  const charts = new ChartCollector();
  const { matrix } = comparison;
  const body = html`<header>
<h1>${comparison.title}</h1>
<p class="meta">${comparison.runs.length} run(s), ${matrix.backbones.length} backbone(s), ${matrix.columns.length} column(s).</p>
</header>
${comparison.warnings.length ? html`<section id="warnings" class="warnings"><h2>Warnings: mixed runs</h2><p>These runs differ in ways that make some numbers incomparable; they were compared because of <code>--allow-mixed</code>. Where several runs report the same backbone × column, the last run given fills the matrix.</p><ul>${comparison.warnings.map((warning) => html`<li>${warning}</li>`)}</ul></section>` : ''}
${matrixSection(matrix)}
${rankingSection(comparison.ranks, charts)}
${barsSection('linear', 'Linear probing across backbones', linearProbeCharts(matrix), charts, (dataset) => `${dataset}: TEST primary metric of the linear probe per backbone; bars at the mean over seeds, whiskers the reported interval.`)}
${barsSection('decoders', 'Linear against U-Net decoder', decoderCharts(matrix), charts, (dataset) => `${dataset}: TEST primary metric of each segmentation decoder on frozen features, per backbone; whiskers the reported interval.`)}
${fewshotSection(matrix, charts)}
${pcaSection(comparison.pca)}
${runsSection(comparison)}`;
  return renderPage({ title: `${comparison.title} · radprobe comparison`, body, charts: charts.specs, extraStyle: compareStyle });
}
