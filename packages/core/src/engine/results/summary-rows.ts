import type { RunResults } from '../../contracts/results.js';
import { formatMetricValue, formatParameterShare, formatSetting } from './format.js';

/** One line of a results table: a protocol setting's metrics in one cell, or a cell that did not complete. */
export interface SummaryRow {
  backbone: string;
  dataset: string;
  protocol: string;
  setting: string;
  split: string;
  /** Name of the primary metric. */
  metric: string;
  /** The primary metric's value and interval, or the cell's status and reason. */
  value: string;
  /** The other metrics, `name value [low, high]`, separated by `; `. */
  others: string;
  /** Trainable parameters and their share (`1.2 M (3.4 %)`) of a protocol that trains the backbone; else empty. */
  parameters: string;
  /** The row's warnings (e.g. a fit that did not converge), `; `-separated; else empty. */
  warnings: string;
}

export const summaryColumns: ReadonlyArray<{ key: keyof SummaryRow; title: string }> = [
  { key: 'backbone', title: 'backbone' },
  { key: 'dataset', title: 'dataset' },
  { key: 'protocol', title: 'protocol' },
  { key: 'setting', title: 'setting' },
  { key: 'split', title: 'split' },
  { key: 'metric', title: 'metric' },
  { key: 'value', title: 'value [low, high]' },
  { key: 'parameters', title: 'trainable params' },
  { key: 'others', title: 'other metrics' },
  { key: 'warnings', title: 'warnings' },
];

/** The columns a table of `rows` shows: `trainable params` and `warnings` only when some row has them. */
export function visibleSummaryColumns(rows: readonly SummaryRow[]): ReadonlyArray<{ key: keyof SummaryRow; title: string }> {
  const optional: ReadonlyArray<keyof SummaryRow> = ['parameters', 'warnings'];
  return summaryColumns.filter((column) => !optional.includes(column.key) || rows.some((row) => row[column.key] !== ''));
}

/**
 * The rows of the results table, one per backbone × dataset × protocol × reported setting, in run order. A cell's
 * TEST rows are what it reports; its VAL rows (a selection grid) stay in results.csv and the report's heat map,
 * unless the cell has no TEST row.
 */
export function summaryRows(results: RunResults): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const cell of results.cells) {
    const where = { backbone: cell.backbone, dataset: cell.dataset, protocol: cell.protocol };
    if (cell.status !== 'completed' || !cell.result) {
      rows.push({ ...where, setting: '', split: '', metric: '', value: `${cell.status}: ${cell.reason ?? 'no result'}`, others: '', parameters: '', warnings: '' });
      continue;
    }
    const { primaryMetric } = cell.result;
    const tested = cell.result.rows.filter((row) => row.split === 'test');
    for (const row of tested.length > 0 ? tested : cell.result.rows) {
      const primary = row.metrics[primaryMetric];
      rows.push({
        ...where,
        setting: formatSetting(row.setting),
        split: row.split,
        metric: primaryMetric,
        value: primary ? formatMetricValue(primary) : 'missing',
        others: Object.entries(row.metrics)
          .filter(([name]) => name !== primaryMetric)
          .map(([name, metric]) => `${name} ${formatMetricValue(metric)}`)
          .join('; '),
        parameters: row.parameters ? formatParameterShare(row.parameters) : '',
        warnings: (row.warnings ?? []).join('; '),
      });
    }
  }
  return rows;
}
