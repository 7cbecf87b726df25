import { formatSetting, type CellResult, type ResultRow, type RunResults } from '@radprobe/core';
import type { MetricBarsChart } from './chart-spec.js';

/**
 * The rows a cell reports on TEST: the one chosen on VAL where there is one, else every TEST row (kNN's k values,
 * few-shot's shots: none of them is chosen, so none is singled out).
 */
function reportedRows(cell: CellResult): ResultRow[] {
  const test = cell.result?.rows.filter((row) => row.split === 'test' && row.metrics[cell.result!.primaryMetric]) ?? [];
  const chosen = test.filter((row) => row.setting.selected === true);
  return chosen.length ? chosen : test;
}

/**
 * The run at a glance: per primary metric, a bar per completed backbone × dataset × protocol (and setting, where a
 * cell reports several) with its TEST value and interval; over several seeds, their mean and std.
 */
export function overviewCharts(results: Pick<RunResults, 'cells'>): MetricBarsChart[] {
  const byMetric = new Map<string, MetricBarsChart>();
  for (const cell of results.cells) {
    if (cell.status !== 'completed' || !cell.result) continue;
    const metric = cell.result.primaryMetric;
    const chart = byMetric.get(metric) ?? { kind: 'metric-bars', metric, categories: [], series: [{ label: `TEST ${metric}`, bars: [] }] };
    byMetric.set(metric, chart);
    for (const row of reportedRows(cell)) {
      const setting = formatSetting(Object.fromEntries(Object.entries(row.setting).filter(([key]) => key !== 'selected')));
      const value = row.metrics[metric];
      chart.categories.push(`${cell.backbone} × ${cell.dataset} × ${cell.protocol}${row.setting.selected === true || !setting ? '' : ` (${setting})`}`);
      chart.series[0].bars.push({
        mean: value.value,
        std: value.seeds?.std ?? 0,
        low: value.ci ? value.ci.low : null,
        high: value.ci ? value.ci.high : null,
        ...(value.ci?.unreliable ? { unreliable: true } : {}),
      });
    }
  }
  return [...byMetric.values()];
}
