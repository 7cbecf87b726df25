import type { ProtocolResult, ResultRow } from '../../contracts/results.js';
import { formatMetricValue, formatSetting } from './format.js';

/**
 * The row that speaks for a cell in one line: the TEST row the protocol selected on VAL (`selected: true`; the
 * first of them when it reports several, as seg does per decoder), else its first TEST row, else its first row.
 */
export function headlineRow(result: Pick<ProtocolResult, 'rows'>): ResultRow | undefined {
  const tested = result.rows.filter((row) => row.split === 'test');
  return tested.find((row) => row.setting.selected === true) ?? tested[0] ?? result.rows[0];
}

/** The headline row's primary metric (`top1 0.700 [0.606, 0.800]`) and the setting it is of (`k=10`), for progress lines. */
export function cellSummary(result: Pick<ProtocolResult, 'rows' | 'primaryMetric'>): { summary: string; setting?: string } {
  const row = headlineRow(result);
  const metric = row?.metrics[result.primaryMetric];
  if (!row || !metric) return { summary: `no ${result.primaryMetric} value` };
  const { selected: _selected, ...setting } = row.setting;
  const text = formatSetting(setting);
  return { summary: `${result.primaryMetric} ${formatMetricValue(metric)}`, ...(text ? { setting: text } : {}) };
}
