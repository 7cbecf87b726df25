import type { MetricValue } from '@radprobe/core';
import type { FewshotCurveChart, MetricBar, MetricBarsChart, RankScatterChart } from '../charts/chart-spec.js';
import { fewshotCurveCharts } from '../charts/fewshot-curves.js';
import { isSegmentation, type CrossTaskRank } from './cross-task-ranks.js';
import type { ComparisonMatrix, MatrixColumn } from './matrix.js';

/** The cross-task ranking scatter over the backbones ranked on both kinds of task; null when none is. */
export function rankScatterChart(ranks: readonly CrossTaskRank[]): RankScatterChart | null {
  const points = ranks.flatMap((rank) => (rank.segmentation !== null && rank.classification !== null ? [{ label: rank.backbone.label, x: rank.segmentation, y: rank.classification }] : []));
  return points.length ? { kind: 'rank-scatter', points, worstRank: ranks.length } : null;
}

/** A bar with its interval as whiskers; an unreliable interval is not drawn (the matrix says why). */
function metricBar(metric: MetricValue): MetricBar {
  const ci = metric.ci?.unreliable ? undefined : metric.ci;
  return { mean: metric.value, std: metric.seeds?.std ?? 0, low: ci?.low ?? null, high: ci?.high ?? null };
}

/** Bars of `columns` (one series each) across every backbone with a value in any of them. */
function barsChart(matrix: ComparisonMatrix, columns: readonly MatrixColumn[], seriesLabel: (column: MatrixColumn) => string): MetricBarsChart {
  const backbones = matrix.backbones.filter((backbone) => columns.some((column) => matrix.entry(backbone, column)));
  return {
    kind: 'metric-bars',
    metric: [...new Set(columns.map((column) => column.metric))].join(' / '),
    categories: backbones.map((backbone) => backbone.label),
    series: columns.map((column) => ({
      label: seriesLabel(column),
      bars: backbones.map((backbone) => {
        const entry = matrix.entry(backbone, column);
        return entry ? metricBar(entry.metric) : null;
      }),
    })),
  };
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
