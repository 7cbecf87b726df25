import type { ProtocolResult } from '@radprobe/core';
import type { PerClassChart } from './chart-spec.js';
import { rowLabel } from './row-label.js';

/**
 * One chart per metric that carries per-class values in some row of the cell (typically AUROC), with a bar
 * series per such row. Classes keep the order in which the rows list them; an undefined value is a gap.
 */
export function perClassCharts(result: ProtocolResult): PerClassChart[] {
  const metrics = [...new Set(result.rows.flatMap((row) => Object.keys(row.metrics).filter((name) => row.metrics[name].perClass)))];
  return metrics.map((metric) => {
    const rows = result.rows.filter((row) => row.metrics[metric]?.perClass);
    const classes = [...new Set(rows.flatMap((row) => Object.keys(row.metrics[metric].perClass ?? {})))];
    return {
      kind: 'per-class',
      metric,
      classes,
      series: rows.map((row) => {
        const perClass = row.metrics[metric].perClass ?? {};
        return { label: rowLabel(row), values: classes.map((name) => perClass[name] ?? null) };
      }),
    };
  });
}
