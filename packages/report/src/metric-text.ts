import { formatInterval, formatMetricValue } from '@radprobe/core';
import type { MetricValue, ResultRow } from '@radprobe/core';

/** What a row's repeated runs are: seeds of one protocol, or the few-shot protocol's tries (subsets drawn per try). */
export type Repetition = 'seed' | 'try';

/** The few-shot protocol puts `shots` in every row's setting and reports its tries where others report seeds. */
export function repetitionOf(row: Pick<ResultRow, 'setting'>): Repetition {
  return 'shots' in row.setting ? 'try' : 'seed';
}

/** The repetition word in the plural where `count` asks for it: `1 try`, `3 tries`, `2 seeds`. */
export function repetitionCount(count: number, repetition: Repetition): string {
  if (count === 1) return `1 ${repetition}`;
  return `${count} ${repetition === 'try' ? 'tries' : 'seeds'}`;
}

/**
 * A metric as the report's tables show it: `0.812 [0.790, 0.833]`, or over several seeds (or tries)
 * `0.812 ± 0.010 [0.790, 0.833] (3 seeds)` (mean ± sample std, then the interval the protocol reported); a single
 * repetition has no spread to show, so `0.812 [0.790, 0.833] (1 try)`.
 */
export function metricText(metric: MetricValue, repetition: Repetition = 'seed'): string {
  if (!metric.seeds) return formatMetricValue(metric);
  const { mean, std, values } = metric.seeds;
  const spread = values.length > 1 ? ` ± ${std.toFixed(3)}` : '';
  return `${mean.toFixed(3)}${spread}${formatInterval(metric.ci)} (${repetitionCount(values.length, repetition)})`;
}
