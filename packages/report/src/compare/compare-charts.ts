import type { MetricValue } from '@radprobe/core';
import type { FewshotCurveChart, MetricBar, MetricBarsChart, RankScatterChart } from '../charts/chart-spec.js';
import { fewshotCurveCharts } from '../charts/fewshot-curves.js';
import { isSegmentation, type CrossTaskRanking } from './cross-task-ranks.js';
import type { FineTuningTable } from './fine-tuning.js';
import type { ComparisonMatrix, MatrixColumn } from './matrix.js';

/**
 * The cross-task ranking scatter: a point per backbone, null where it is not ranked on both kinds of task; null
 * where the comparison has no segmentation or no classification family (no choice could place a point).
 */
export function rankScatterChart(ranking: CrossTaskRanking): RankScatterChart | null {
  const { input, outcome } = ranking;
  if (!input.families.some((family) => family.segmentation) || !input.families.some((family) => !family.segmentation)) return null;
  const points = input.backbones.map((label, b) => ({ label, x: outcome.ranks[b].segmentation, y: outcome.ranks[b].classification }));
  return { kind: 'rank-scatter', points, worstRank: input.backbones.length };
}

/** A bar with its interval as whiskers; an unreliable interval is not drawn (the matrix says why). */
function metricBar(metric: MetricValue): MetricBar {
  const ci = metric.ci?.unreliable ? undefined : metric.ci;
  return { mean: metric.value, std: metric.seeds?.std ?? 0, low: ci?.low ?? null, high: ci?.high ?? null };
}

/** Bars of `metric` per category, one series per entry of `series` (its values by category, null where missing). */
function metricBarsChart(metric: string, categories: string[], series: Array<{ label: string; values: Array<MetricValue | null> }>): MetricBarsChart {
  return { kind: 'metric-bars', metric, categories, series: series.map(({ label, values }) => ({ label, bars: values.map((value) => (value ? metricBar(value) : null)) })) };
}

/** Bars of `columns` (one series each) across every backbone with a value in any of them. */
function barsChart(matrix: ComparisonMatrix, columns: readonly MatrixColumn[], seriesLabel: (column: MatrixColumn) => string): MetricBarsChart {
  const backbones = matrix.backbones.filter((backbone) => columns.some((column) => matrix.entry(backbone, column)));
  return metricBarsChart(
    [...new Set(columns.map((column) => column.metric))].join(' / '),
    backbones.map((backbone) => backbone.label),
    columns.map((column) => ({ label: seriesLabel(column), values: backbones.map((backbone) => matrix.entry(backbone, column)?.metric ?? null) })),
  );
}

/** The fine-tuning figure: a bar per mode (frozen reference, full, LoRA, BitFit) for each backbone, whiskers the interval. */
export function fineTuningChart(table: FineTuningTable): MetricBarsChart {
  const backbones = [...new Set(table.rows.map((row) => row.backbone))];
  return metricBarsChart(
    table.metric,
    backbones.map((backbone) => backbone.label),
    table.modes.map(({ mode, name }) => ({ label: name, values: backbones.map((backbone) => table.rows.find((row) => row.backbone === backbone && row.mode === mode)?.entry.metric ?? null) })),
  );
}

/** Columns grouped by dataset, in column order, keeping those `include` accepts. */
function byDataset(matrix: ComparisonMatrix, include: (column: MatrixColumn) => boolean): Map<string, MatrixColumn[]> {
  const groups = new Map<string, MatrixColumn[]>();
  for (const column of matrix.columns.filter(include)) groups.set(column.dataset, [...(groups.get(column.dataset) ?? []), column]);
  return groups;
}

/** Per dataset, the linear probes (protocol kind `linear`) of every backbone. */
export function linearProbeCharts(matrix: ComparisonMatrix): Array<{ dataset: string; chart: MetricBarsChart }> {
  return [...byDataset(matrix, (column) => column.protocolKind === 'linear')].map(([dataset, columns]) => ({ dataset, chart: barsChart(matrix, columns, (column) => column.label) }));
}

/** Per segmentation dataset, the segmentation decoders (protocol kind `seg`: linear, U-Net) of every backbone side by side. */
export function decoderCharts(matrix: ComparisonMatrix): Array<{ dataset: string; chart: MetricBarsChart }> {
  return [...byDataset(matrix, (column) => column.protocolKind === 'seg' && isSegmentation(column))].map(([dataset, columns]) => ({
    dataset,
    chart: barsChart(matrix, columns, (column) => column.label.slice(column.dataset.length + ' · '.length)),
  }));
}

/** The few-shot curves of all runs together, one line per backbone row (matched across runs). */
export function compareFewshotCharts(matrix: ComparisonMatrix): FewshotCurveChart[] {
  return fewshotCurveCharts({ cells: matrix.cells.map(({ cell, backbone }) => ({ ...cell, backbone: backbone.label })) });
}
