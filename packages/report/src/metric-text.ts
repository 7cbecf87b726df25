import { formatInterval, formatMetricValue } from '@radprobe/core';
import type { MetricValue } from '@radprobe/core';

/**
 * A metric as the report's tables show it: `0.812 [0.790, 0.833]`, or over several seeds
 * `0.812 ± 0.010 [0.790, 0.833] (3 seeds)` (mean ± sample std, then the interval the protocol reported).
 */
export function metricText(metric: MetricValue): string {
  if (!metric.seeds) return formatMetricValue(metric);
  const { mean, std, values } = metric.seeds;
  return `${mean.toFixed(3)} ± ${std.toFixed(3)}${formatInterval(metric.ci)} (${values.length} seed${values.length === 1 ? '' : 's'})`;
}
