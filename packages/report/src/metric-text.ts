import { formatInterval, formatMetricValue } from '@radprobe/core/engine';
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
 * A metric in two parts: the value (`0.812`, over several seeds or tries `0.812 ± 0.010`, a single one having no
 * spread to show) and what qualifies it (`[0.790, 0.833] (3 seeds)`: the interval the protocol reported, then the
 * repetitions; empty for a bare value), for tables that set the qualification under the value.
 */
export function metricParts(metric: MetricValue, repetition: Repetition = 'seed'): { value: string; detail: string } {
  if (!metric.seeds) return { value: formatMetricValue({ value: metric.value }), detail: formatInterval(metric.ci).trim() };
  const { mean, std, values } = metric.seeds;
  const spread = values.length > 1 ? ` ± ${std.toFixed(3)}` : '';
  return { value: `${mean.toFixed(3)}${spread}`, detail: `${formatInterval(metric.ci)} (${repetitionCount(values.length, repetition)})`.trim() };
}

/**
 * A metric as the report's tables show it on one line: `0.812 [0.790, 0.833]`, or over several seeds (or tries)
 * `0.812 ± 0.010 [0.790, 0.833] (3 seeds)` (mean ± sample std, then the interval the protocol reported); a single
 * repetition has no spread to show, so `0.812 [0.790, 0.833] (1 try)`.
 */
export function metricText(metric: MetricValue, repetition: Repetition = 'seed'): string {
  const { value, detail } = metricParts(metric, repetition);
  return detail ? `${value} ${detail}` : value;
}
