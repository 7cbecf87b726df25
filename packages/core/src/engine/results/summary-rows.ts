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
];

/** The columns a table of `rows` shows: `trainable params` only when some row trained the backbone. */
export function visibleSummaryColumns(rows: readonly SummaryRow[]): ReadonlyArray<{ key: keyof SummaryRow; title: string }> {
  const withParameters = rows.some((row) => row.parameters !== '');
  return summaryColumns.filter((column) => column.key !== 'parameters' || withParameters);
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
      rows.push({ ...where, setting: '', split: '', metric: '', value: `${cell.status}: ${cell.reason ?? 'no result'}`, others: '', parameters: '' });
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
      });
    }
  }
  return rows;
}
