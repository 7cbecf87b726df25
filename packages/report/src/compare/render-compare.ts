import { formatParameterShare } from '@radprobe/core/engine';
import { metricParts, metricText } from '../metric-text.js';
import { ChartCollector } from '../charts/chart-collector.js';
import { html, rawHtml, scriptJson, type SafeHtml } from '../html.js';
import { renderPage } from '../page.js';
import { figure } from '../sections/cell-sections.js';
import type { BackboneRow } from './backbone-rows.js';
import { compareFewshotCharts, decoderCharts, fineTuningChart, linearProbeCharts, rankScatterChart } from './compare-charts.js';
import { compareStyle } from './compare-style.js';
import type { Comparison } from './comparison.js';
import { familyUseText, type CrossTaskRanking } from './cross-task-ranks.js';
import { learningRateText, type FineTuningTable } from './fine-tuning.js';
import type { ComparisonMatrix, MatrixColumn } from './matrix.js';
import { compareInteractions, comparePageDataId, type ComparePageData } from './page-script.js';
import type { PcaFigure } from './pca-images.js';
import { rankAcrossTasks } from './ranking.js';

/** With more columns than this (and several datasets), the matrix opens on its first dataset; the pickers show the rest. */
const COLUMNS_SHOWN_AT_ONCE = 8;

/** Decimals the matrix shows, and the precision at which its best value must be unique to be bold. */
const SHOWN_DECIMALS = 3;

/**
 * The backbone whose value is bold in a column: the highest, when it is the only highest at the precision shown
 * (a tie there, or a column of one value, marks none); null otherwise.
 */
function boldBackbone(matrix: ComparisonMatrix, column: MatrixColumn): BackboneRow | null {
  const shown = matrix.backbones.flatMap((backbone) => {
    const entry = matrix.entry(backbone, column);
    return entry ? [{ backbone, value: entry.metric.value.toFixed(SHOWN_DECIMALS) }] : [];
  });
  if (shown.length < 2) return null;
  const best = shown.reduce((top, item) => (Number(item.value) > Number(top.value) ? item : top));
  return shown.filter((item) => item.value === best.value).length === 1 ? best.backbone : null;
}

/** Consecutive runs of equal keys over the columns, as header cells spanning them. */
function headerGroups(columns: readonly MatrixColumn[], key: (column: MatrixColumn) => string): Array<{ key: string; indices: number[] }> {
  const groups: Array<{ key: string; indices: number[] }> = [];
  columns.forEach((column, index) => {
    const last = groups[groups.length - 1];
    if (last && last.key === key(column)) last.indices.push(index);
    else groups.push({ key: key(column), indices: [index] });
  });
  return groups;
}

function picker(id: string, label: string, values: readonly string[], all: string): SafeHtml {
  return html`<label>${label} <select id="${id}"><option value="">${all}</option>${values.map((value) => html`<option value="${value}">${value}</option>`)}</select></label>`;
}

function matrixSection(matrix: ComparisonMatrix): SafeHtml {
  const { columns } = matrix;
  const distinct = (values: string[]) => [...new Set(values)];
  const datasetGroups = headerGroups(columns, (column) => column.dataset);
  const familyGroups = headerGroups(columns, (column) => column.family);
  const bold = new Map(columns.map((column) => [column.key, boldBackbone(matrix, column)]));
  return html`<section id="matrix">
<h2>Backbones × datasets × protocols</h2>
<p>TEST primary metric of each cell, then the interval the protocol reported (bootstrap). Over several seeds the value is their mean ± std; the few-shot protocol's repetitions are tries (a new training subset each), counted as such, and a single seed or try shows no spread. <b>Bold</b>: the best value of its column when it is the only best at the ${SHOWN_DECIMALS} decimals shown; a tie at that precision, or a column with one value, marks none (bold says highest, not significantly better: compare the intervals). The same numbers are in <code>compare.csv</code> and <code>compare.md</code>.</p>
<div class="matrix-picker">${picker('matrix-dataset', 'dataset', distinct(columns.map((column) => column.dataset)), 'all datasets')} ${picker('matrix-protocol', 'protocol', distinct(columns.map((column) => column.protocol)), 'all protocols')} ${picker('matrix-setting', 'setting', distinct(columns.map((column) => column.settingText).filter(Boolean)), 'all settings')}</div>
<p id="matrix-empty" class="meta" hidden>No column has this dataset, protocol and setting.</p>
<div class="matrix-scroll">
<table class="matrix">
<thead>
<tr><th rowspan="3" class="corner">backbone</th>${datasetGroups.map((group) => html`<th class="dataset" colspan="${group.indices.length}" data-cols="${group.indices.join(' ')}">${group.key}</th>`)}</tr>
<tr>${familyGroups.map((group) => html`<th class="protocol" colspan="${group.indices.length}" data-cols="${group.indices.join(' ')}">${columns[group.indices[0]].protocol}</th>`)}</tr>
<tr>${columns.map((column, index) => html`<th data-col="${index}">${column.settingText}<small>${column.metric}</small></th>`)}</tr>
</thead>
<tbody>
${matrix.backbones.map(
  (backbone) => html`<tr><th>${backbone.label}</th>${columns.map((column, index) => {
    const entry = matrix.entry(backbone, column);
    if (!entry) return html`<td class="value" data-col="${index}">–</td>`;
    // The interval and the repetitions under the value: half the width on one line, so more columns fit the page.
    const { value, detail } = metricParts(entry.metric, entry.repetition);
    return html`<td class="value${bold.get(column.key) === backbone ? ' best' : ''}" data-col="${index}">${value}${detail ? html` <small>${detail}</small>` : ''}</td>`;
  })}</tr>\n`,
)}
</tbody>
</table>
</div>
</section>`;
}

/** The ranking section, and the canvas of its scatter (null without one) for the page's script. */
function rankingSection(ranking: CrossTaskRanking, charts: ChartCollector): { canvasId: string | null; html: SafeHtml } {
  const chart = rankScatterChart(ranking);
  const { input, outcome } = ranking;
  const canvasId = chart ? charts.add(chart) : null;
  const rankText = (value: number | null) => (value === null ? '–' : value.toFixed(2));
  return {
    canvasId,
    html: html`<section id="ranking">
<h2>Cross-task ranking</h2>
<p>Each dataset × protocol counts once, however many settings (k, shots, decoders, modes) it reports. By default it counts with each backbone's best setting there: the same rule for every backbone, but chosen on TEST, so optimistic where a protocol has several settings; pick one setting for all backbones, or leave the protocol out, below. Within a counted protocol the backbones are ranked (1 = best value, tied values share the mean of their ranks); one where fewer than two backbones have a value is not counted. Each backbone's ranks are averaged over the segmentation and over the classification datasets. <code>compare.md</code> and <code>compare.csv</code> hold the default.</p>
<table class="ranking-choice"><thead><tr><th>dataset</th><th>protocol</th><th>task</th><th>counts with</th><th>in the ranking</th></tr></thead>
<tbody>${input.families.map(
      (family, index) => html`<tr><td>${family.dataset}</td><td>${family.protocol}</td><td>${family.segmentation ? 'segmentation' : 'classification'}</td><td><select data-family="${family.id}"><option value="best" selected>best setting per backbone</option>${family.settings.map((setting, s) => html`<option value="${s}">${setting.label}</option>`)}<option value="off">leave out</option></select></td><td data-family-use="${index}">${familyUseText(outcome.families[index])}</td></tr>`,
    )}</tbody></table>
${canvasId ? figure(canvasId, 420, 'Per backbone, its mean rank over the segmentation datasets (x) against its mean rank over the classification datasets (y); best at both sits top right.', 720) : html`<p>The runs have no segmentation or no classification dataset: nothing to set against each other.</p>`}
<p id="ranking-missing" class="meta"></p>
<table id="ranking-table"><thead><tr><th>backbone</th><th>mean rank, segmentation</th><th>mean rank, classification</th></tr></thead>
<tbody>${input.backbones.map((label, b) => html`<tr data-backbone="${b}"><td>${label}</td><td data-kind="segmentation">${rankText(outcome.ranks[b].segmentation)}</td><td data-kind="classification">${rankText(outcome.ranks[b].classification)}</td></tr>`)}</tbody></table>
</section>`,
  };
}

function fineTuningSection(tables: readonly FineTuningTable[], charts: ChartCollector): SafeHtml {
  if (!tables.length) return html``;
  return html`<section id="fine-tuning">
<h2>Fine-tuning</h2>
<p>Per backbone, each adaptation mode's TEST primary metric with its interval, its backbone learning rate chosen on VAL and the parameters that trained (head included) of all parameters. The frozen reference trains the same head the same way with the backbone fixed.</p>
${tables.map(
  (table) => html`<h3>${table.dataset} × ${table.protocol}</h3>
<table class="fine-tuning"><thead><tr><th>backbone</th><th>mode</th><th>backbone lr</th><th>trainable parameters</th><th>of all</th><th>TEST ${table.metric}</th></tr></thead>
<tbody>${table.rows.map(
    (row) => html`<tr><td>${row.backbone.label}</td><td>${row.modeName}</td><td>${learningRateText(row)}</td><td>${row.parameters ? formatParameterShare(row.parameters) : '–'}</td><td>${row.parameters ? row.parameters.total.toLocaleString('en-US') : '–'}</td><td class="value">${metricText(row.entry.metric, row.entry.repetition)}</td></tr>`,
  )}</tbody></table>
${figure(charts.add(fineTuningChart(table)), 340, `${table.dataset}: TEST ${table.metric} per backbone and mode; bars at the mean over seeds, whiskers the reported interval.`)}`,
)}
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
${curves.map((curve) => figure(charts.add(curve), 340, `${curve.dataset} × ${curve.protocol}: TEST ${curve.metric} against the training set size, ${curve.axis}, one line per backbone; points are means over tries, error bars ± std (none for a single try); the y axis spans the data within the metric's range.`))}
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
 * `compare.html`: one self-contained page (`renderPage`: Chart.js inline, strict CSP, offline) with the matrix (its
 * pickers and the ranking's choices run `compareInteractions`), the cross-task ranking, the fine-tuning table and
 * figure, linear probing per dataset, linear against U-Net decoders, the few-shot curves and the PCA
 * images of the runs; the warnings of an `--allow-mixed` comparison on top. Every string from the runs is escaped.
 */
export function renderComparePage(comparison: Comparison): string {
  const charts = new ChartCollector();
  const { matrix } = comparison;
  const ranking = rankingSection(comparison.ranking, charts);
  const data: ComparePageData = {
    matrix: { columns: matrix.columns.map((column) => ({ dataset: column.dataset, protocol: column.protocol, setting: column.settingText })), columnsShownAtOnce: COLUMNS_SHOWN_AT_ONCE },
    ranking: { input: comparison.ranking.input, canvasId: ranking.canvasId },
  };
  const body = html`<header>
<h1>${comparison.title}</h1>
<p class="meta">${comparison.runs.length} run(s), ${matrix.backbones.length} backbone(s), ${matrix.columns.length} column(s).</p>
</header>
${comparison.warnings.length ? html`<section id="warnings" class="warnings"><h2>Warnings: mixed runs</h2><p>These runs differ in ways that make some numbers incomparable; they were compared because of <code>--allow-mixed</code>. Where several runs report the same backbone × column, the last run given fills the matrix.</p><ul>${comparison.warnings.map((warning) => html`<li>${warning}</li>`)}</ul></section>` : ''}
${matrixSection(matrix)}
${ranking.html}
${fineTuningSection(comparison.fineTuning, charts)}
${barsSection('linear', 'Linear probing across backbones', linearProbeCharts(matrix), charts, (dataset) => `${dataset}: TEST primary metric of the linear probe per backbone; bars at the mean over seeds, whiskers the reported interval.`)}
${barsSection('decoders', 'Linear against U-Net decoder', decoderCharts(matrix), charts, (dataset) => `${dataset}: TEST primary metric of each segmentation decoder on frozen features, per backbone; whiskers the reported interval.`)}
${fewshotSection(matrix, charts)}
${pcaSection(comparison.pca)}
${runsSection(comparison)}
<script type="application/json" id="${comparePageDataId}">${rawHtml(scriptJson(data))}</script>`;
  const script = `(${compareInteractions.toString()})(${rankAcrossTasks.toString()}, Chart, JSON.parse(document.getElementById(${JSON.stringify(comparePageDataId)}).textContent));`;
  return renderPage({ title: `${comparison.title} · radprobe comparison`, body, charts: charts.specs, extraStyle: compareStyle, script });
}
