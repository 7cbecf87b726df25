import type { MetricValue, ProtocolResult, ResultRow } from '@radprobe/core';
import type { SettingCurveChart } from './chart-spec.js';

const point = (metric: MetricValue, chosen: boolean): SettingCurveChart['points'][number] => ({
  value: metric.value,
  low: metric.ci ? metric.ci.low : null,
  high: metric.ci ? metric.ci.high : null,
  unreliable: Boolean(metric.ci?.unreliable),
  chosen,
});

/** Numeric values of `key` in ascending order, as labels. */
function ascending(rows: readonly ResultRow[], key: string): number[] {
  return [...new Set(rows.map((row) => row.setting[key]).filter((value): value is number => typeof value === 'number'))].sort((a, b) => a - b);
}

/**
 * The primary metric against one setting, where a cell swept it: kNN's TEST metric against k (every k is reported
 * on TEST; none is chosen), or logistic regression's VAL metric against C (mean over seeds), the C the TEST row
 * reports marked. Null for other cells, and for a sweep of a single value.
 */
export function settingCurveChart(result: ProtocolResult, protocolKind: string): SettingCurveChart | null {
  const metric = result.primaryMetric;
  if (protocolKind === 'knn') {
    const rows = result.rows.filter((row) => row.split === 'test' && typeof row.setting.k === 'number' && row.metrics[metric]);
    const ks = ascending(rows, 'k');
    if (ks.length < 2) return null;
    const byK = (k: number) => rows.find((row) => row.setting.k === k)!;
    return { kind: 'setting-curve', axis: 'k (neighbours)', metric: `TEST ${metric}`, labels: ks.map(String), points: ks.map((k) => point(byK(k).metrics[metric], false)) };
  }
  const rows = result.rows.filter((row) => row.split === 'val' && typeof row.setting.C === 'number' && row.metrics[metric]);
  const cs = ascending(rows, 'C');
  if (cs.length < 2) return null;
  const chosen = result.rows.find((row) => row.split === 'test' && typeof row.setting.C === 'number')?.setting.C;
  return {
    kind: 'setting-curve',
    axis: 'C (inverse L2 strength)',
    metric: `VAL ${metric}`,
    labels: cs.map((c) => String(Number(c.toPrecision(3)))),
    points: cs.map((c) => {
      const values = rows.filter((row) => row.setting.C === c).map((row) => row.metrics[metric].value);
      return point({ value: values.reduce((sum, value) => sum + value, 0) / values.length }, c === chosen);
    }),
  };
}
